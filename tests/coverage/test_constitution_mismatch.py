"""Coverage of a build against a constitution other than the one it was built from says so."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart" / "constitution.cdl"


def constitutionc(*args, cwd):
    return subprocess.run([sys.executable, "-m", "constitutionc", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def coverage_warnings(entry: Path, out: Path, cwd: Path) -> list[str]:
    done = constitutionc("coverage", entry, "--data", out, "--format", "json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["warnings"]


def test_a_build_checked_against_another_or_an_edited_constitution_is_a_warning(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(QUICKSTART.parent, project, ignore=shutil.ignore_patterns("out"))
    entry = project / QUICKSTART.name
    out = project / "out"
    assert constitutionc("build", entry, "-o", out, cwd=project).returncode == 0
    assert not any("built from another constitution" in w for w in coverage_warnings(entry, out, project))

    other = REPO / "examples" / "chain-of-command" / "constitution.cdl"
    warning = next(w for w in coverage_warnings(other, out, project) if "built from another constitution" in w)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["constitution"]
    assert manifest["sha256"][:12] in warning and '"Chain of command"' in warning

    # The same file after an edit is another constitution too: the text report says it.
    entry.write_text(entry.read_text(encoding="utf-8").replace("Accept being paused", "Accept a pause", 1),
                     encoding="utf-8")
    done = constitutionc("coverage", entry, "--data", out, cwd=project)
    assert "built from another constitution" in " ".join(done.stdout.split())
