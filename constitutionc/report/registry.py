"""The registry of diagnostic formats: `@renderer("name")` adds one; `render` calls it.

Kept apart from the package's `__init__` so that the format modules import it without importing
the package that imports them (no cycle).
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..diagnostics import Diagnostic

Renderer = Callable[[Sequence[Diagnostic], dict[str, str], bool], str]
RENDERERS: dict[str, Renderer] = {}


def renderer(name: str):
    def register(fn: Renderer) -> Renderer:
        RENDERERS[name] = fn
        return fn

    return register


def render(fmt: str, diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool = False) -> str:
    """`sources` maps a displayed file path to its text, for source lines under messages.

    Paths are printed relative to the project root (see `paths`), in every format."""
    from .paths import rebase

    diagnostics, sources = rebase(diagnostics, sources)
    return RENDERERS[fmt](diagnostics, sources, color)
