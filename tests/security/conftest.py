"""Shared pieces of the audit tests (issue 16): scale, real subprocess builds, tree snapshots.

The audit runs bounded by default so `.ci/run` stays fast. `CONSTITUTIONC_AUDIT=full` (or
`python bench/audit.py`) runs the larger version: more mutants, every kill point, more payloads.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

FULL = os.environ.get("CONSTITUTIONC_AUDIT", "").lower() == "full"
QUICKSTART = REPO / "examples/quickstart/constitution.cdl"

# The real command, in a fresh interpreter (so a kill is a real kill of a real build).
BUILD = "import sys; from constitutionc.commands.build import command; command(sys.argv[1:])"
MERGE = "import sys; from constitutionc.commands.merge import command; command(sys.argv[1:])"


def scale(bounded: int, full: int) -> int:
    return full if FULL else bounded


def command_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, CI="true", PYTHONPATH=str(REPO))
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def run_command(script: str, args, cwd: Path, prefix=(), timeout=120, **env) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-c", script, *map(str, args)], cwd=cwd, env=command_env(**env),
                          capture_output=True, text=True, timeout=timeout)


def tree_bytes(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative POSIX path (empty when it does not exist)."""
    if not directory.exists():
        return {}
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def siblings(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.parent.iterdir() if p.name.startswith(directory.name + "."))
