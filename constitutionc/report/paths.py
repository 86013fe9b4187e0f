"""Diagnostic paths relative to the project root, whatever directory the command ran in: what the
formats made for machines print (json, sarif, github; see `registry`). Text and gnu output keep the
paths as the loader names them, relative to the working directory.

The root is the nearest directory, from the first reported file upwards, holding the project's
settings (`constitutionc.toml` or a pyproject.toml with `[tool.constitutionc]`) or a `.git`; without
either, the working directory. Code scanning matches results across runs by path and fingerprint,
so running from a subdirectory must not change them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from ..diagnostics import Diagnostic


def project_root(start: Path) -> Path:
    from ..config import ConfigError, find_config

    folder = start if start.is_dir() else start.parent
    try:
        settings = find_config(folder)
    except ConfigError:
        settings = None
    for candidate in [folder, *folder.parents]:
        if settings is not None and candidate == settings.parent:
            return candidate
        if (candidate / ".git").exists():
            return candidate
    return Path.cwd().resolve()


def _is_file_path(name: str) -> bool:
    return not (name.startswith("std:") or name.startswith("<"))


def rebase(diagnostics: Sequence[Diagnostic], sources: dict[str, str]) -> tuple[list[Diagnostic], dict[str, str]]:
    """The diagnostics and sources with every file path made relative to the project root."""
    first = next((d.span.file for d in diagnostics if d.span and _is_file_path(d.span.file)), None)
    if first is None:
        return list(diagnostics), sources
    root = project_root(Path(first).resolve())
    renamed: dict[str, str] = {}

    def rename(name: str) -> str:
        if name not in renamed:
            renamed[name] = name
            if _is_file_path(name):
                absolute = Path(name).resolve()
                if absolute == root or root in absolute.parents:
                    renamed[name] = Path(os.path.relpath(absolute, root)).as_posix()
        return renamed[name]

    out = [d if d.span is None or rename(d.span.file) == d.span.file
           else d.model_copy(update={"span": d.span.model_copy(update={"file": rename(d.span.file)})})
           for d in diagnostics]
    return out, {rename(name): text for name, text in sources.items()}
