"""Fixtures for the build tests: real .cdl inputs in data/, builds run through the real commands.

Golden files are rewritten with `pytest --update-goldens` (the option lives in tests/conftest.py)
or `UPDATE_GOLDENS=1`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
REPO = Path(__file__).resolve().parents[2]

# The commands are invoked from their own modules so these tests do not depend on every
# other sub-command being importable.
SUBPROCESS_BUILD = "import sys; from constitutionc.commands.build import command; command(sys.argv[1:])"

def update_goldens() -> bool:
    return os.environ.get("UPDATE_GOLDENS") == "1"

@pytest.fixture
def in_data(monkeypatch) -> Path:
    """Run from tests/emit/data so source paths in records are the bare file names."""
    monkeypatch.chdir(DATA)
    monkeypatch.delenv("CI", raising=False)
    return DATA

def invoke(command, args: list[str]):
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)

def run_build(*args):
    from constitutionc.commands.build import command

    return invoke(command, list(args))

def run_merge(*args):
    from constitutionc.commands.merge import command

    return invoke(command, list(args))

def run_trace(*args):
    from constitutionc.commands.trace import command

    return invoke(command, list(args))

def build_in_subprocess(args: list[str], cwd: Path, hash_seed: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, CI="true")
    return subprocess.run([sys.executable, "-c", SUBPROCESS_BUILD, *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)

def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]

def tree_bytes(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative POSIX path."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}
