"""What a command does in the program's own process, free of click: load the files, print the
diagnostics, leave (`finish`), and the `check` command itself. `program.run` calls `check` for a plain
check; the click commands in `cli.py` call the same functions.
"""

from __future__ import annotations

import gc
import os
import sys

DIAGNOSTIC_FORMATS = ("text", "gnu", "json", "sarif", "github")
PROG_NAME = "constitutionc"

# True when this process is the program itself (`program.run` or `cli.run`), not a test calling `cli.main`.
OWN_PROCESS = False


def fail_input(message: str) -> None:
    """An input or output problem: one line on standard error, exit status 2."""
    sys.stderr.write(f"{PROG_NAME}: error: {message}\n")
    sys.stderr.flush()
    sys.exit(2)


def load(paths, root=None, max_combinations=None):
    from .api import InputError, load as load_paths
    from .config import ConfigError

    try:
        # A process of its own loads once: nothing to remember for a next load.
        return load_paths(paths, root=root, max_combinations=max_combinations, incremental=not OWN_PROCESS)
    except (InputError, ConfigError) as e:
        fail_input(str(e))


def emit_diagnostics(result, fmt: str, stream=None) -> None:
    from .report import render

    stream = stream or sys.stdout
    color = fmt == "text" and stream.isatty() and not os.environ.get("NO_COLOR")
    output = render(fmt, result.diagnostics, result.sources, color)
    if output:
        stream.write(output)
        stream.flush()


def unicode_safe_streams() -> None:
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


def finish(code: int) -> None:
    """Exit with `code` once everything is printed. In a process of its own a read-only command
    leaves at once: tearing down the parse caches and the IR (freeing hundreds of thousands of
    objects one by one) would cost a large file's check about a sixth of its time, for nothing."""
    if not OWN_PROCESS:
        sys.exit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: the output has nowhere to go
            pass
    os._exit(code)


def check(paths, fmt: str = "text", root=None, max_combinations=None) -> None:
    """The `check` command: load, print the diagnostics, exit 0 (no errors) or 1."""
    if OWN_PROCESS:
        # A check allocates a large file's trees and IR once and keeps them to the end; the cyclic
        # collector's passes over them find nothing (the process leaves without freeing anything,
        # see `finish`) and cost a 50,000-line check about 6% of its time.
        gc.disable()
    result = load(paths, root, max_combinations)
    emit_diagnostics(result, fmt)
    finish(0 if result.ok else 1)
