"""`constitutionc trace ID --data DIR`: a record's source clauses, with file:line and their text."""

from __future__ import annotations

import sys

import click


class TraceError(Exception):
    """The data directory cannot be read; the message is one line."""


def find_record(data_dir, record_id: str) -> dict | None:
    """Stream the one JSONL file the id's prefix names (every kind's file for an unknown prefix);
    parse only lines that contain the id.

    A line that mentions the id but is not a JSON object (a damaged file) is passed over."""
    import json
    from pathlib import Path

    from .. import jsonl
    from ..emit import kinds

    kind = kinds.by_prefix(record_id)
    names = [kind.filename] if kind is not None else [k.filename for k in kinds.KINDS.values()]
    needle = json.dumps(record_id).encode("utf-8")
    for name in names:
        path = Path(data_dir) / name
        if not path.is_file():
            continue
        try:
            for line in jsonl.lines(path, containing=needle):
                if line.error is None and line.value.get("id") == record_id:
                    return line.value
        except jsonl.JsonlError as e:
            raise TraceError(str(e)) from None
    return None


def source_location(file: str, root):
    """Where a record's source file is now: inside the project root or the standard library, else None.

    Records are data; a `file` of `/etc/passwd` or `std:../../x` must not make trace open it."""
    from pathlib import Path

    from ..spec import STD_PREFIX
    from ..syntax.resolve import std_root

    if file.startswith(STD_PREFIX):
        base, relative = std_root(), file[len(STD_PREFIX):]
    else:
        base, relative = Path(root).resolve(), file
    if not relative or "\0" in relative or Path(relative).is_absolute():
        return None
    try:
        path = (base / relative).resolve()
        path.relative_to(base)
    except (ValueError, OSError):
        return None
    return path


def _clause_texts(file: str, root) -> dict | None:
    """The principles of a source file as it is now (None when the file cannot be read)."""
    from ..api import InputError, load
    from ..config import ConfigError
    from ..spec import STD_PREFIX

    path = source_location(file, root)
    try:
        if path is None or not path.is_file():
            return None
        result = load([path], root=None if file.startswith(STD_PREFIX) else root)
    except (InputError, ConfigError, OSError):
        return None
    return {p.id: p for p in result.constitution.principles if result.constitution.project_path(p.span.file) == file}


def describe(record: dict, root=".") -> list[str]:
    kind = record.get("kind", "?")
    shown = [str(record[key]) for key in ("variant", "style") if record.get(key)]
    detail = f" ({', '.join(shown)})" if shown else ""
    origin = f" from {record['generator']}" if record.get("generator") else ""
    lines = [f"{record.get('id', '?')}  {kind}{detail}{origin}"]
    if isinstance(record.get("axes"), dict) and record["axes"]:
        lines.append("  axes: " + ", ".join(f"{k}={v}" for k, v in record["axes"].items()))
    if record.get("dilemma_id"):
        lines.append(f"  dilemma: {record['dilemma_id']}")
    cache: dict[str, dict | None] = {}
    sources = record.get("sources")
    for source in sources if isinstance(sources, list) else ():
        if not isinstance(source, dict) or not isinstance(source.get("file"), str):
            lines.append(f"  (a source without a file: {str(source)[:200]})")
            continue
        file = source["file"]
        if file not in cache:
            cache[file] = _clause_texts(file, root)
        lines.append(f"{file}:{source.get('line', '?')}-{source.get('end_line', '?')}: {source.get('clause', '?')}")
        principles = cache[file]
        if principles is None:
            lines.append(f"  (cannot read {file} under the project root {root}; paths are relative to it, "
                         "and only files inside it or the standard library are read)")
            continue
        principle = principles.get(source.get("clause"))
        if principle is None:
            lines.append("  (the file no longer defines this clause)")
            continue
        lines.append(f"  text: {principle.text}")
        if principle.why:
            lines.append(f"  why: {principle.why}")
        if principle.sha256 != source.get("sha256"):
            lines.append("  note: the clause text has changed since this record was built")
    return lines


def recorded_root(data_dir):
    """The project root the build's manifest records (relative to the build), if it records one and it
    exists: source paths are relative to it, whatever directory trace runs from."""
    import json
    from pathlib import Path

    try:
        project = json.loads((Path(data_dir) / "manifest.json").read_text(encoding="utf-8")).get("project")
        recorded = Path(project["root"])
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return None
    if recorded.is_absolute():  # the manifest writes it relative to the build; anything else is not ours
        return None
    root = Path(data_dir) / recorded
    return root if root.is_dir() else None


@click.command("trace")
@click.argument("record_id", metavar="ID")
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="A build's output directory.")
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=None,
              help="The project root the build's source paths are relative to (default: the root the "
                   "build's manifest records, else the configured root, else the current directory).")
def command(record_id, data_dir, root):
    """Print the source clauses of record ID (file:line, text and why)."""
    from pathlib import Path

    from ..config import ConfigError, load_config

    if root is None:
        root = recorded_root(data_dir)
    if root is None:
        try:
            root = load_config(Path.cwd()).root or Path(".")
        except ConfigError as e:
            click.echo(f"constitutionc: error: {e}", err=True)
            sys.exit(2)
    try:
        record = find_record(data_dir, record_id)
    except TraceError as e:
        click.echo(f"constitutionc: error: {e}", err=True)
        sys.exit(2)
    if record is None:
        click.echo(f"constitutionc: error: no record `{record_id}` in {data_dir}", err=True)
        sys.exit(1)
    click.echo("\n".join(describe(record, root)))
