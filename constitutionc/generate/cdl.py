"""Drafted dilemmas written back as `.cdl` source, for an author to review and keep.

Each drafted dilemma becomes a dilemma family of its own (one instance: no axes) that imports the
constitution it was drafted from, teaches the same principles and argues the same tensions as the
family it was drafted for, and says the same things: `context` (the operator's system prompt),
`user`, `stance`, `alternatives`, `misaligned`. Building the file gives dilemma records with the drafted texts; the
formatter lays it out, so the file is exactly what `constitutionc fmt` would leave.

Texts are written as one-line quoted strings (newlines escaped, so they come back unchanged), with
braces doubled, since every dilemma text is a template and `{` starts a placeholder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..atomic_file import write_atomic
from ..fmt import format_text, quote
from ..ir import Constitution

NAME_PART = re.compile(r"[^A-Za-z0-9_]+")


class CdlError(Exception):
    """The drafted dilemmas could not be written as source (one line for the user)."""


def literal(text: str) -> str:
    """A template text as a CDL string that lowers back to exactly `text`."""
    return quote(text.replace("{", "{{").replace("}", "}}"))


def family_name(record: dict, taken: set[str]) -> str:
    base = NAME_PART.sub("_", f"{record['generator']}_drafted_{record['sample']}")
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def comment(text: str) -> str:
    return " ".join(text.split())


def dilemma_block(constitution: Constitution, record: dict, name: str) -> str:
    family = constitution.generator(record["generator"])
    provenance = record["provenance"]
    prompt = provenance["prompt"]
    axes = ", ".join(f"{k}={v}" for k, v in sorted(record["axes"].items()))
    lines = [f"# Drafted for {record['generator']} by {provenance['model']} ({provenance['provider']}), prompt "
             f"{prompt['id']} v{prompt['version']}, record {record['id']}.",
             f"# Asked for: {comment(axes)}",
             f"# The situation: {comment(record['situation'])}",
             f"dilemma {name} teaches {', '.join(record['principles'])} {{"]
    if family is not None and family.title:
        lines.append(f"  title: {literal(family.title + ' (drafted)')}")
    for prevails, yields in (family.argues if family is not None else ()):
        lines.append(f"  argues: {prevails} > {yields}")
    if record.get("system"):
        lines.append(f"  context: {literal(record['system'])}")
    lines.append(f"  user: {literal(record['prompt'])}")
    lines.append(f"  stance: {literal(record['stance'])}")
    if record.get("alternatives"):
        lines.append(f"  alternatives: {literal(record['alternatives'])}")
    if record.get("misaligned"):
        lines.append(f"  misaligned: {literal(record['misaligned'])}")
    lines.append("}")
    return "\n".join(lines)


def drafted_cdl(constitution: Constitution, records: list[dict], path: Path, source: Path) -> str:
    """The text of `path`: an import of `source` (relative to `path`'s folder), then one dilemma per record."""
    relative = Path(os.path.relpath(Path(source).resolve(), Path(path).resolve().parent)).as_posix()
    taken = {g.id for g in constitution.generators}
    blocks = [f"# Dilemmas drafted by `constitutionc generate` from {Path(source).name}. Review each one: keep,",
              "# edit or delete it, then build this file (it imports the constitution) or move what you keep there.",
              f"import {quote(relative)}", ""]
    blocks += [dilemma_block(constitution, record, family_name(record, taken)) + "\n" for record in records]
    text = "\n".join(blocks)
    result = format_text(text, str(path))
    if result.text is None:  # a bug here, never the author's: the texts are escaped
        raise CdlError(f"the drafted dilemmas did not make valid CDL: {result.diagnostics[0].message}")
    return result.text


def target_problem(path: Path, source: Path) -> str | None:
    """Why the drafted dilemmas could not be written to `path`, or None: asked before any request is
    paid for, so a mistyped `--write-cdl` does not cost a run."""
    path = Path(path)
    if path.is_dir():
        return f"cannot write {path}: it is a directory"
    if path.exists() and path.resolve() == Path(source).resolve():
        return f"cannot write {path}: it is the constitution the dilemmas are drafted from"
    folder = path.parent
    while not folder.exists():  # the missing folders are made when the file is written
        folder = folder.parent
    if not folder.is_dir():
        return f"cannot write {path}: {folder} is not a directory"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {path}: {folder} is not writable"
    return None


def write_drafted_cdl(constitution: Constitution, records: list[dict], path: Path, source: Path) -> int:
    """Write the file atomically (a temporary file beside it, renamed); the number of dilemmas written."""
    text = drafted_cdl(constitution, records, path, source)
    write_atomic(path, text)
    return len(records)
