"""The command line: argument handling only; the work happens in `api`.

Exit status, a contract other tools rely on: 0 no errors (warnings allowed),
1 errors found, 2 usage or input/output problems. Heavy modules are imported
inside the commands so that `--help` stays fast. The program starts in
`program.run`, which runs a plain `check` without click and hands every other
command line to `main` here.
"""

from __future__ import annotations

import sys

import click

from . import __version__, process
from .commands import LazyGroup
from .process import DIAGNOSTIC_FORMATS

# What the commands share (`commands/new.py` loads through `_load`).
_load = process.load
_emit_diagnostics = process.emit_diagnostics


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="constitutionc")
def main() -> None:
    """Compile an annotated AI constitution (.cdl) into training data and eval probes."""
    process.unicode_safe_streams()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(DIAGNOSTIC_FORMATS), default="text", show_default=True,
              help="How to print diagnostics.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Imports may not reach outside this directory (default: each named file's directory).")
@click.option("--max-combinations", type=click.IntRange(min=1), default=None,
              help="Largest axis product a generator may have (default 100000 or the configuration's).")
def check(paths, fmt, root, max_combinations):
    """Parse and check a constitution; report every problem found.

    PATHS are the files of ONE constitution (their imports are followed); to check
    unrelated constitutions, run once per file or use `constitutionc lint --each --no-rules`.
    """
    process.check(paths, fmt, root, max_combinations)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project root for imports.")
def ir(path, root):
    """Print the resolved IR of the constitution at PATH as JSON (diagnostics go to stderr)."""
    import json

    result = _load([path], root)
    if result.diagnostics:
        _emit_diagnostics(result, "text", sys.stderr)
    click.echo(json.dumps(result.constitution.model_dump(mode="json"), indent=2, ensure_ascii=False))
    sys.exit(0 if result.ok else 1)


def run() -> None:
    """The click interface for every command line (`program.run` without its plain-check path)."""
    process.OWN_PROCESS = True
    main(prog_name=process.PROG_NAME)


if __name__ == "__main__":  # pragma: no cover
    run()
