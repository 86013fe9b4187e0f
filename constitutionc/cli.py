"""The command line: argument handling only; the work happens in `api`.

Exit status, a contract other tools rely on: 0 no errors (warnings allowed),
1 errors found, 2 usage or input/output problems. Heavy modules are imported
inside the commands so that `--help` stays fast.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from . import __version__
from .commands import LazyGroup

DIAGNOSTIC_FORMATS = ["text", "gnu", "json", "sarif", "github"]


def _fail_input(message: str) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(2)


def _load(paths, root=None, max_combinations=None):
    from .api import InputError, load
    from .config import ConfigError

    try:
        # A process of its own loads once: nothing to remember for a next load.
        return load(paths, root=root, max_combinations=max_combinations, incremental=not _OWN_PROCESS)
    except (InputError, ConfigError) as e:
        _fail_input(str(e))


def _emit_diagnostics(result, fmt: str, stream=None) -> None:
    from .report import render

    stream = stream or sys.stdout
    color = fmt == "text" and stream.isatty() and not os.environ.get("NO_COLOR")
    output = render(fmt, result.diagnostics, result.sources, color)
    if output:
        stream.write(output)
        stream.flush()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="constitutionc")
def main() -> None:
    """Compile an annotated AI constitution (.cdl) into training data and eval probes."""
    _unicode_safe_streams()


def _unicode_safe_streams() -> None:
    """Reports name clauses in any alphabet: under an ASCII locale (LC_ALL=C) printing one was a
    UnicodeEncodeError. Pipes and files get UTF-8 (JSON and SARIF are UTF-8 by definition); a
    terminal that cannot show a character gets an escape instead of a traceback."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding == "utf8" or not hasattr(stream, "reconfigure"):
            continue
        try:
            if stream.isatty():
                stream.reconfigure(errors="backslashreplace")
            else:
                stream.reconfigure(encoding="utf-8")
        except (OSError, ValueError):
            pass


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
    if _OWN_PROCESS:
        # A check allocates a large file's trees and IR once and keeps them to the end; the cyclic
        # collector's passes over them find nothing (the process leaves without freeing anything,
        # see `_finish`) and cost a 50,000-line check about 6% of its time.
        gc.disable()
    result = _load(paths, root, max_combinations)
    _emit_diagnostics(result, fmt)
    _finish(0 if result.ok else 1)


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


# True when this process is the program itself (`run`), not a test calling `main`.
_OWN_PROCESS = False


def _finish(code: int) -> None:
    """Exit with `code` once everything is printed. In a process of its own a read-only command
    leaves at once: tearing down the parse caches and the IR (freeing hundreds of thousands of
    objects one by one) would cost a large file's check about a sixth of its time, for nothing."""
    if not _OWN_PROCESS:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the output has nowhere to go
            pass
    os._exit(code)


def run() -> None:
    """The entry point of `constitutionc` and `python -m constitutionc`."""
    global _OWN_PROCESS
    _OWN_PROCESS = True
    main(prog_name="constitutionc")


if __name__ == "__main__":  # pragma: no cover
    run()
