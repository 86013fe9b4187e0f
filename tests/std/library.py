"""The standard library as the tests see it: its module files, its items, and which examples use them."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable

from constitutionc.api import load
from constitutionc.ir import Constitution

STD_ROOT = Path(str(resources.files("constitutionc").joinpath("std"))).resolve()
MODULES = sorted(STD_ROOT.rglob("*.cdl"))
STD_FILE_PREFIX = "std:"

# The documented import form is `import std.<module>`, but the resolver looks
# that up as std/std/<module>.cdl; the bare module path is what resolves today.
IMPORT_PREFIX = "std."

Item = tuple[str, ...]


def module_name(path: Path) -> str:
    return path.relative_to(STD_ROOT).with_suffix("").as_posix().replace("/", ".")


def import_line(path: Path) -> str:
    return f"import {IMPORT_PREFIX}{module_name(path)}"


def is_std(span_file: str) -> bool:
    return span_file.startswith(STD_FILE_PREFIX)


def library_items(constitution: Constitution) -> set[Item]:
    """Every environment, system-prompt variant and tool defined in a standard-library file."""
    items: set[Item] = set()
    for env in constitution.environments:
        if not is_std(env.span.file):
            continue
        items.add(("environment", env.id))
        items.update(("system", env.id, s.name) for s in env.systems)
        items.update(("tool", env.id, t.name) for t in env.tools)
    return items


def used_items(constitution: Constitution) -> set[Item]:
    """The standard-library items that the constitution's generators actually exercise.

    An environment is used when a generator names it. A system-prompt variant is
    used when such a generator does not override the system prompt itself (a
    probe's `system:`, a dilemma's `context:`) and either lists the variant in
    `systems:` or lists none (the build then rotates through all of them). A
    tool is used when a probe's deterministic check watches calls to it.
    """
    used: set[Item] = set()
    for g in constitution.generators:
        env = constitution.environment(g.environment) if g.environment else None
        if env is None or not is_std(env.span.file):
            continue
        used.add(("environment", env.id))
        override = g.template("system" if g.kind == "probe" else "context")
        if override is None:
            names = g.system_variants or tuple(s.name for s in env.systems)
            used.update(("system", env.id, name) for name in names)
        used.update(("tool", env.id, c.tool) for c in g.checks if c.tool)
    return used


def load_all(paths: Iterable[Path]) -> list[Constitution]:
    return [load([p]).constitution for p in paths]
