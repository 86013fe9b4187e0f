"""Building an example with the real command line, once per test module."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def build_example(entry: Path, out_dir: Path) -> dict[str, list[dict]]:
    """Run `constitutionc build ENTRY -o OUT_DIR` and read back every JSONL file it wrote, by stem."""
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", str(entry), "-o", str(out_dir)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    built = {path.stem: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
             for path in sorted(out_dir.glob("*.jsonl"))}
    built["summary"] = done.stdout.splitlines()
    return built
