"""`constitutionc build PATH -o DIR`: emit the canonical records, the targets and a manifest."""

from __future__ import annotations

import os
import sys

import click

from ..models import DEFAULT_MODEL

# Up to this many generators, the plain summary lists each one's grid.
GRID_LINES = 20


def _parse_only(ctx, param, value):
    """Record kinds by the names in the kind registry; `dilemma` and `dilemmas` both mean the dilemma
    records, as in `constitutionc schema dilemma`. Returns their plurals, as the manifest records them."""
    if value is None:
        return None
    from ..emit import kinds

    words = [n.strip() for n in value.split(",") if n.strip()]
    offline = [k.plural for k in kinds.KINDS.values() if k.offline]
    if not words:
        raise click.BadParameter(f"expected a comma-separated list such as {','.join(offline)}")
    chosen = []
    for word in words:
        kind = kinds.lookup(word)
        if kind is None:
            raise click.BadParameter(f"unknown record kind {word} (known: {', '.join(offline)})")
        if not kind.offline:
            raise click.BadParameter(f"{kind.plural} are written by a model (`constitutionc generate`), "
                                     "not by the offline build")
        chosen.append(kind.plural)
    return tuple(dict.fromkeys(chosen))


def _parse_shard(ctx, param, value):
    if value is None:
        return None
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise click.BadParameter("write a shard as I/N, e.g. 0/4 (shards are numbered from 0)") from None
    if count < 1:
        raise click.BadParameter("the number of shards N must be at least 1")
    if not 0 <= index < count:
        raise click.BadParameter(f"shard index must be in 0..{count - 1} for N={count}")
    return index, count


def interactive(stream) -> bool:
    return stream.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


@click.command("build")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(),
              help="Output directory (replaced atomically).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sampling order.")
@click.option("--target", "targets", multiple=True, help="Also write a format under DIR/<target>/ (repeatable).")
@click.option("--only", callback=_parse_only, default=None,
              help="Record kinds to build, comma-separated (default: the kinds on by default; "
                   "`constitutionc schema` lists them all).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most N instances per generator (the first N of its sampled order).")
@click.option("--shard", callback=_parse_shard, default=None,
              help="Build only shard I of N (I from 0); `constitutionc merge` joins the shards.")
@click.option("--style", type=click.Choice(["inline", "separate", "both"]), default="both", show_default=True,
              help="Justified responses with reasoning inline in the answer, in a separate field, or both.")
@click.option("--max-combinations", type=click.IntRange(min=1), default=None,
              help="Largest axis product a generator may have (default 100000 or the configuration's).")
@click.option("--model", default=None,
              help="The model named in the requests and configs of targets that name one (anthropic, "
                   f"promptfoo)  [default: {DEFAULT_MODEL}]")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project root for imports.")
def command(path, out_dir, seed, targets, only, limit, shard, style, max_combinations, model, root):
    """Build training data and eval probes from the constitution at PATH (a .cdl file) into DIR."""
    from pathlib import Path

    from ..emit import BuildInputError, BuildOptions, OutputError, build, default_only

    if targets:
        from ..emit.targets import TARGETS

        unknown = [t for t in targets if t not in TARGETS]
        if unknown:
            raise click.BadParameter(f"unknown target {', '.join(unknown)} (known: {', '.join(sorted(TARGETS))})",
                                     param_hint="--target")
    result = load_checked(path, root, max_combinations)
    if not result.ok:
        click.echo("constitutionc: error: the constitution has errors; nothing was written", err=True)
        sys.exit(1)
    options = BuildOptions(seed=seed, only=only or default_only(), targets=tuple(dict.fromkeys(targets)),
                           limit=limit, shard=shard, style=style, max_combinations=max_combinations,
                           model=model)
    show_progress = interactive(sys.stderr)
    try:
        with _progress(show_progress) as (on_plan, advance):
            outcome = build(result.constitution, Path(out_dir), options, on_plan=on_plan, progress=advance)
    except BuildInputError as e:
        _fail(f"{e}; nothing was written")
    except OutputError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"cannot write {out_dir}: {e.strerror or e}; the previous output is intact")
    for warning in outcome.warnings:
        click.echo(f"constitutionc: warning: {warning}", err=True)
    if not result.constitution.generators:
        # "0 records" would read as a failure of the build; the cause is that nothing asks for records.
        first = result.constitution.principles[0].id if result.constitution.principles else "PRINCIPLE"
        click.echo(f"{path} has no dilemma or probe families, so {out_dir} holds no records; "
                   f"add one with `constitutionc new dilemma --for {first} --in {path}`")
        return
    print_summary(outcome.manifest, out_dir, rich_table=interactive(sys.stdout))
    for line in empty_target_lines(outcome.manifest):
        click.echo(line, err=True)


def empty_target_lines(manifest: dict) -> list[str]:
    """A line per requested target that wrote no file, saying why: a silently missing `out/hf/` reads
    as a broken build, when the build only had none of the records that target writes."""
    from ..emit.kinds import KINDS
    from ..emit.targets import TARGETS

    written = {entry["path"].split("/", 1)[0] for entry in manifest.get("outputs", []) if "/" in entry["path"]}
    lines = []
    for name in manifest.get("options", {}).get("targets", []):
        if name in written or name not in TARGETS:
            continue
        kinds = sorted(kind for kind in TARGETS[name].kinds if kind in KINDS and KINDS[kind].offline)
        why = f"this build has no {' or '.join(kinds)} records" if kinds else \
            "it writes only model-written records"
        if "response" in kinds or not kinds:
            why += f" (answers come from a `reply:` in the family or from `constitutionc generate --target {name}`)"
        lines.append(f"constitutionc: note: target {name} wrote no files: {why}")
    return lines


def load_checked(path, root, max_combinations):
    """Load and check; diagnostics go to stderr. A file that cannot be read at all exits 2."""
    from ..api import InputError, load
    from ..config import ConfigError
    from ..report import render

    try:
        result = load([path], root=root, max_combinations=max_combinations)
    except (InputError, ConfigError) as e:
        click.echo(f"constitutionc: error: {e}", err=True)
        sys.exit(2)
    if result.diagnostics:
        sys.stderr.write(render("text", result.diagnostics, result.sources, sys.stderr.isatty()))
        sys.stderr.flush()
    return result


def _fail(message: str) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(1)


class _progress:
    """A rich progress bar on an interactive stderr; nothing at all otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.task = None

    def __enter__(self):
        if not self.enabled:
            return None, None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.bar = Progress(TextColumn("building"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=True)
        self.bar.__enter__()
        return self._on_plan, self._advance

    def _on_plan(self, total: int) -> None:
        self.task = self.bar.add_task("build", total=total)

    def _advance(self, n: int) -> None:
        self.bar.advance(self.task, n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


def print_summary(manifest: dict, out_dir: str, rich_table: bool) -> None:
    from ..emit import summary_rows
    from ..emit.manifest import grid_rows, offline_line

    rows = summary_rows(manifest)
    offline = offline_line(manifest)
    grids = grid_rows(manifest)
    shard = manifest.get("shard")
    where = f"{out_dir} (shard {shard['index']}/{shard['count']})" if shard else out_dir
    if rich_table:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"built {where}")
        for heading in ("kind", "records", "records citing each principle"):
            table.add_column(heading, justify="right" if heading == "records" else "left")
        for kind, n, spread in rows:
            table.add_row(kind, f"{n:,}", spread or "")
        grid_table = Table(title="variation grids")
        for heading in ("generator", "combinations", "instances"):
            grid_table.add_column(heading, justify="right" if heading != "generator" else "left")
        for name, combinations, instances in grids:
            grid_table.add_row(name, f"{combinations:,}", f"{instances:,}")
        console = Console()
        console.print(table)
        console.print(grid_table)
        if offline:
            console.print(offline, markup=False, highlight=False)
        return
    total = sum(n for _k, n, _s in rows)
    click.echo(f"built {where}: {total} records")
    if offline:
        click.echo(f"  {offline}")
    for kind, n, spread in rows:
        click.echo(f"  {kind}: {n} records" + (f"; citing each principle: {spread}" if spread else ""))
    if len(grids) > GRID_LINES:
        # A large constitution would bury the summary; the manifest keeps every generator's grid.
        total = sum(combinations for _n, combinations, _i in grids)
        click.echo(f"  grids: {len(grids)} generators, {total} combinations in all "
                   f"(per generator in {out_dir}/manifest.json)")
        return
    for name, combinations, instances in grids:
        click.echo(f"  grid {name}: {combinations} combination{'s' * (combinations != 1)}, "
                   f"{instances} instance{'s' * (instances != 1)}")
