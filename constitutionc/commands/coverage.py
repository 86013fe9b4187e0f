"""`constitutionc coverage`: which principles a build teaches and tests, with a CI threshold.

Exit status: 0 report written (and coverage at or above --fail-under), 1 coverage
below --fail-under or the constitution has errors, 2 usage or input problems.
"""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import click

MAX_DECIMALS = 30  # of a --fail-under threshold: far past any meaningful precision, short of unbounded work
FORMATS = ["text", "json", "html", "markdown"]  # mirrors constitutionc.coverage.render.FORMATS (kept import-free)


def _fail_input(message: str) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(2)


def _threshold(text: str | None) -> tuple[Fraction, str] | None:
    """The threshold as an exact fraction, and as the user wrote it (for messages: never rounded)."""
    if text is None:
        return None
    try:
        written = Decimal(text.strip().removesuffix("%"))
    except (InvalidOperation, ValueError):
        raise click.BadParameter(f"{text!r} is not a number", param_hint="--fail-under") from None
    # Checked on the decimal before any exact conversion: `1e999999999` as a fraction would never finish.
    if written.is_nan() or not 0 <= written <= 100:
        raise click.BadParameter(f"{text} is not between 0 and 100", param_hint="--fail-under")
    if written.as_tuple().exponent < -MAX_DECIMALS:
        raise click.BadParameter(f"{text} has more than {MAX_DECIMALS} decimal places", param_hint="--fail-under")
    return Fraction(written), format(written.normalize() if written == 0 else written, "f")


@click.command("coverage")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--data", "data_dir", required=True, type=click.Path(),
              help="The build's output directory (holding dilemmas/responses/probes.jsonl).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for the terminal, json (schema: `constitutionc schema coverage`), html (one "
                   "self-contained page), markdown (for pull-request comments).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--fail-under", "fail_under", metavar="PCT", default=None,
              help="Exit 1 when fewer than PCT percent of principles are covered (exact, never rounded).")
@click.option("--results", "results_path", type=click.Path(dir_okay=False), default=None,
              help="Graded probe results (JSONL: probe_id, verdict) for per-principle violation rates.")
@click.option("--min-records", "min_records", type=click.IntRange(min=1), default=None, metavar="N",
              help="Exit 1 unless every principle has at least N dilemmas and N probes focused on it.")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project root for imports.")
def command(path, data_dir, fmt, output, fail_under, results_path, min_records, root):
    """Report which principles of the constitution at PATH the build in --data teaches (dilemmas, responses)
    and tests (probes)."""
    threshold = _threshold(fail_under)
    from ..api import InputError, load
    from ..config import ConfigError
    from ..coverage import CoverageInputError, RenderOptions, below_threshold, compute_coverage, render
    from ..report import render as render_diagnostics

    try:
        loaded = load([path], root=root)
    except (InputError, ConfigError) as e:
        _fail_input(str(e))
    if not loaded.ok:
        sys.stderr.write(render_diagnostics("text", loaded.diagnostics, loaded.sources, sys.stderr.isatty()))
        click.echo("constitutionc: error: the constitution has errors; fix them before measuring coverage", err=True)
        sys.exit(1)
    try:
        document = compute_coverage(loaded.constitution, Path(data_dir),
                                    Path(results_path) if results_path else None, min_records=min_records or 1)
    except CoverageInputError as e:
        _fail_input(str(e))
    out_path = Path(output) if output else None
    color = fmt == "text" and out_path is None and sys.stdout.isatty()
    width = shutil.get_terminal_size((120, 24)).columns if color else 120
    text = render(fmt, document, RenderOptions(color=color, output=out_path, width=width))
    if out_path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            out_path.write_text(text, encoding="utf-8")
        except OSError as e:
            _fail_input(f"cannot write {out_path}: {e.strerror}")
    gated = threshold is not None or min_records is not None
    if gated and document["totals"]["principles"] == 0:
        # A gate pointed at the wrong or an empty file must not pass by vacuous truth.
        wanted = f"{threshold[1]}%" if threshold is not None else f"--min-records {min_records}"
        click.echo(f"constitutionc: {path} has no principles, so there is no coverage to compare with "
                   f"{wanted}", err=True)
        sys.exit(1)
    failed = False
    totals = document["totals"]
    if threshold is not None and below_threshold(totals, threshold[0]):
        from ..coverage.render import format_percent

        click.echo(f"constitutionc: coverage {format_percent(totals['covered'], totals['principles'])} "
                   f"({totals['covered']} of {totals['principles']} principles) is below the required "
                   f"{threshold[1]}%; what is missing:", err=True)
        _explain(document["uncovered"], 1)
        failed = True
    if min_records is not None:
        short = document["uncovered"] + document["under_covered"]
        if short:
            click.echo(f"constitutionc: {len(short)} of {totals['principles']} principles have fewer than "
                       f"{min_records} dilemma(s) or probe(s) focused on them:", err=True)
            _explain(sorted(short, key=lambda g: (g["file"], g["line"])), min_records)
            failed = True
    sys.exit(1 if failed else 0)


def _explain(gaps: list[dict], needed: int) -> None:
    """One line per principle: where it is, what it lacks, and the command that adds a skeleton for it."""
    for gap in gaps:
        lacks = []
        if "dilemma" in gap["missing"]:
            lacks.append(f"taught by {gap['teaching']} focused record(s), needs {needed}" if gap["teaching"]
                         else "not taught")
        if "probe" in gap["missing"]:
            lacks.append(f"tested by {gap['testing']} focused probe(s), needs {needed}" if gap["testing"]
                         else "not tested")
        if gap["stale"]:
            lacks.append(f"{gap['stale']} record(s) citing it are stale: rebuild (`constitutionc build`)")
        click.echo(f"  {gap['file']}:{gap['line']}: {gap['id']}: {'; '.join(lacks)}", err=True)
        for line in gap["commands"]:
            click.echo(f"      add one: {line}", err=True)
