"""The program: `constitutionc` and `python -m constitutionc` start here (`run`).

The commonest command line, a plain `check PATH... [--format F]` on files that exist, runs here
without importing click. Every other command line (any other command or option, `--help`, a path
that is not a readable file, shell completion) goes to the click interface in `cli.py`, unchanged.
Both run the one `process.check`, so they print the same and exit with the same status;
`tests/test_program.py` runs a table of command lines both ways and compares.
"""

from __future__ import annotations

import errno
import os
import sys

from . import process
from .process import DIAGNOSTIC_FORMATS, PROG_NAME


def plain_check(argv: list[str]) -> tuple[list[str], str] | None:
    """(paths, format) when `argv` is `check PATH... [--format F]` (or `--format=F`, anywhere among
    the paths, once) with F a known format and every PATH a readable file that is not a directory:
    what click would accept and pass on unchanged. None for anything else, which click handles."""
    if not argv or argv[0] != "check":
        return None
    paths: list[str] = []
    fmt = None
    rest = iter(argv[1:])
    for arg in rest:
        if arg == "--format":
            value = next(rest, None)
        elif arg.startswith("--format="):
            value = arg[len("--format="):]
        elif arg.startswith("-"):
            return None  # another option, `--help`, `--`, or `-`: click's to interpret
        else:
            paths.append(arg)
            continue
        if fmt is not None or value not in DIAGNOSTIC_FORMATS:
            return None
        fmt = value
    if not paths or not all(os.path.isfile(path) and os.access(path, os.R_OK) for path in paths):
        return None
    return paths, fmt or "text"


def _completion_requested() -> bool:
    """Click's shell completion runs whenever its variable is set, whatever the arguments."""
    return bool(os.environ.get(f"_{PROG_NAME.replace('-', '_').replace('.', '_')}_COMPLETE".upper()))


def run() -> None:
    """The entry point of `constitutionc` and `python -m constitutionc`."""
    process.OWN_PROCESS = True
    plain = None if _completion_requested() else plain_check(sys.argv[1:])
    if plain is None:
        from .cli import main

        main(prog_name=PROG_NAME)
        return
    paths, fmt = plain
    # What click's standalone mode does around a command, for the two things a check can meet:
    # an interrupt (a blank line, "Aborted!", status 1) and a reader that closed the pipe (status 1,
    # nothing more written).
    try:
        process.unicode_safe_streams()
        process.check(paths, fmt)
    except (EOFError, KeyboardInterrupt):
        sys.stderr.write("\nAborted!\n")
        sys.stderr.flush()
        sys.exit(1)
    except OSError as e:
        if e.errno != errno.EPIPE:
            raise
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:
                pass
        os._exit(1)
