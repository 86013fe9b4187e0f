"""`constitutionc trace ID --data DIR`: a record's source clauses, with file:line and their text."""

from __future__ import annotations

import sys

import click

FILES_BY_PREFIX = {"dl": "dilemmas.jsonl", "rs": "responses.jsonl", "pr": "probes.jsonl"}


def find_record(data_dir, record_id: str) -> dict | None:
    """Stream the one JSONL file the id's prefix names; parse only lines that contain the id."""
    import json
    from pathlib import Path

    prefix = record_id.split("-", 1)[0]
    names = [FILES_BY_PREFIX[prefix]] if prefix in FILES_BY_PREFIX else list(FILES_BY_PREFIX.values())
    needle = json.dumps(record_id).encode("utf-8")
    for name in names:
        path = Path(data_dir) / name
        if not path.is_file():
            continue
        with open(path, "rb") as handle:
            for line in handle:
                if needle in line:
                    record = json.loads(line)
                    if record.get("id") == record_id:
                        return record
    return None


def _clause_texts(file: str) -> dict | None:
    """The principles of a source file as it is now (None when the file cannot be read)."""
    from pathlib import Path

    from importlib import resources

    from ..api import InputError, load
    from ..spec import STD_PREFIX

    if file.startswith(STD_PREFIX):
        path = Path(str(resources.files("constitutionc").joinpath("std"))) / file[len(STD_PREFIX):]
    else:
        path = Path(file)
    if not path.is_file():
        return None
    try:
        result = load([path])
    except (InputError, OSError):
        return None
    return {p.id: p for p in result.constitution.principles if p.span.file == file}


def describe(record: dict) -> list[str]:
    kind = record.get("kind", "?")
    detail = f" ({record['variant']}, {record['style']})" if kind == "response" else ""
    lines = [f"{record['id']}  {kind}{detail} from {record.get('generator', '?')}"]
    if record.get("axes"):
        lines.append("  axes: " + ", ".join(f"{k}={v}" for k, v in record["axes"].items()))
    if record.get("dilemma_id"):
        lines.append(f"  dilemma: {record['dilemma_id']}")
    cache: dict[str, dict | None] = {}
    for source in record.get("sources", []):
        file = source["file"]
        if file not in cache:
            cache[file] = _clause_texts(file)
        lines.append(f"{file}:{source['line']}-{source['end_line']}: {source['clause']}")
        principles = cache[file]
        if principles is None:
            lines.append(f"  (cannot read {file} from here; paths are relative to where the build ran)")
            continue
        principle = principles.get(source["clause"])
        if principle is None:
            lines.append("  (the file no longer defines this clause)")
            continue
        lines.append(f"  text: {principle.text}")
        if principle.why:
            lines.append(f"  why: {principle.why}")
        if principle.sha256 != source["sha256"]:
            lines.append("  note: the clause text has changed since this record was built")
    return lines


@click.command("trace")
@click.argument("record_id", metavar="ID")
@click.option("--data", "data_dir", required=True, type=click.Path(file_okay=False, exists=True),
              help="A build's output directory.")
def command(record_id, data_dir):
    """Print the source clauses of record ID (file:line, text and why)."""
    record = find_record(data_dir, record_id)
    if record is None:
        click.echo(f"constitutionc: error: no record `{record_id}` in {data_dir}", err=True)
        sys.exit(1)
    click.echo("\n".join(describe(record)))
