"""The registry of diagnostic formats: `@renderer("name", paths=...)` adds one; `render` calls it.

Kept apart from the package's `__init__` so that the format modules import it without importing
the package that imports them (no cycle).

Each format says how it writes file paths (`paths`):
- `"cwd"`, for people (text, gnu): relative to the working directory, as the loader names files
  (`display_path`), the way gcc, mypy and ruff print them, so a terminal or an editor opens the file
  from where the command ran;
- `"project"`, for machines (json, sarif, github): relative to the project root, whatever directory
  the command ran in (`paths.rebase`). Code scanning matches SARIF results across runs by path and
  fingerprint, GitHub places an annotation by its path from the repository root, and a JSON report
  kept beside a build must not change with the directory it was made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal, Sequence

from ..diagnostics import Diagnostic

Renderer = Callable[[Sequence[Diagnostic], dict[str, str], bool], str]
PathBase = Literal["cwd", "project"]


@dataclass(frozen=True)
class Format:
    write: Renderer
    paths: PathBase


RENDERERS: dict[str, Format] = {}


def renderer(name: str, *, paths: PathBase):
    if paths not in ("cwd", "project"):
        raise ValueError(f"diagnostic format {name}: paths must be 'cwd' or 'project', not {paths!r}")

    def register(fn: Renderer) -> Renderer:
        RENDERERS[name] = Format(fn, paths)
        return fn

    return register


def render(fmt: str, diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool = False) -> str:
    """`sources` maps a file path, as the diagnostics' spans name it, to its text, for source
    lines under messages. Paths are printed as the format asks (see above)."""
    entry = RENDERERS[fmt]
    if entry.paths == "project":
        from .paths import rebase

        diagnostics, sources = rebase(diagnostics, sources)
    return entry.write(diagnostics, sources, color)
