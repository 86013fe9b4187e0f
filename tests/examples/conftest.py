"""Building an example with the real command line, once per test module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def build_example(entry: Path, out_dir: Path) -> dict:
    """Run `constitutionc build ENTRY -o OUT_DIR` and read back every JSONL file it wrote, by stem (with the
    build's summary lines as `summary` and the directory as `out`)."""
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", str(entry), "-o", str(out_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    built = {path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
             for path in sorted(out_dir.glob("*.jsonl"))}
    built["summary"] = done.stdout.splitlines()
    built["out"] = out_dir
    return built


@pytest.fixture(scope="session")
def agentic_build(tmp_path_factory):
    """The agentic-misalignment example, built once for the modules that test it."""
    return build_example(REPO / "examples" / "agentic-misalignment" / "study.cdl",
                         tmp_path_factory.mktemp("agentic-misalignment") / "out")
