"""`constitutionc results import|compare`: other tools' eval logs as the results format, and two runs compared."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


def _fail(message: str) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(2)


@click.group("results")
def command() -> None:
    """Graded probe results (the format `coverage --results` reads; docs/eval.md)."""


@command.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False),
              help="The results file to write (JSONL, replaced atomically).")
@click.option("--format", "fmt", type=click.Choice(["auto", "inspect", "promptfoo"]), default="auto",
              show_default=True, help="What FILES are: Inspect eval logs or promptfoo JSON output.")
def import_command(files, output, fmt):
    """Turn Inspect eval logs and promptfoo JSON output (FILES) into one results file."""
    from ..coverage.results import ResultsInputError
    from ..coverage.results_import import import_rows, write_rows

    def rows():
        for name in files:
            yield from import_rows(Path(name), fmt)

    try:
        count = write_rows(rows(), Path(output))
    except ResultsInputError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror}")
    click.echo(f"wrote {count} result(s) to {output}", err=True)


def _citations(data_dir: str | None) -> dict[str, tuple[str, ...]] | None:
    """Probe id -> the clauses its sources cite, from a build's probes.jsonl (for results lacking `cited`)."""
    if data_dir is None:
        return None
    from .. import jsonl
    from ..coverage.results import cited_clauses

    path = Path(data_dir) / "probes.jsonl"
    citations = {}
    try:
        for line in jsonl.records(path):
            record = line.value
            if isinstance(record.get("id"), str):
                citations[record["id"]] = tuple(cited_clauses(record))
    except jsonl.JsonlError as e:
        _fail(str(e))
    return citations


@command.command("compare")
@click.argument("before", type=click.Path(dir_okay=False))
@click.argument("after", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="A table for people, or JSON for scripts.")
@click.option("--alpha", type=click.FloatRange(min=0, max=1, min_open=True, max_open=True), default=0.05,
              show_default=True, help="Significance level of the two-sided test.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False), default=None,
              help="A build directory whose probes name the clauses each probe cites (for results without `cited`).")
@click.option("--fail-if-worse", is_flag=True, help="Exit 1 when any clause got significantly worse in AFTER.")
def compare_command(before, after, fmt, alpha, data_dir, fail_if_worse):
    """Per-clause and per-condition change in violation rate from BEFORE to AFTER (two results files)."""
    from ..coverage.results import ResultsInputError
    from ..coverage.results_compare import compare, render_text

    try:
        report = compare(Path(before), Path(after), alpha, _citations(data_dir))
    except ResultsInputError as e:
        _fail(str(e))
    click.echo(json.dumps(report, indent=2) if fmt == "json" else render_text(report), nl=fmt == "json")
    sys.exit(1 if fail_if_worse and report["worse"] else 0)
