"""`trace` finds the sources of a build made inside a project from any working directory: the
manifest records the project root relative to the build, and trace reads it (a walkthrough ran the
README's build from the repository root and trace then could not read a single clause)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart" / "constitution.cdl"


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "constitutionc", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_trace_reads_the_root_the_manifest_records_from_anywhere(tmp_path):
    project = tmp_path / "project"
    (project / "constitutions").mkdir(parents=True)
    (project / "constitutionc.toml").write_text("", encoding="utf-8")
    shutil.copy(QUICKSTART, project / "constitutions" / "constitution.cdl")
    built = run("build", "constitutions/constitution.cdl", "-o", "out", cwd=project)
    assert built.returncode == 0, built.stderr
    record = json.loads((project / "out" / "dilemmas.jsonl").read_text(encoding="utf-8").splitlines()[0])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd in (project, elsewhere):
        traced = run("trace", record["id"], "--data", str(project / "out"), cwd=cwd)
        assert traced.returncode == 0, traced.stderr
        assert "cannot read" not in traced.stdout and "  text: " in traced.stdout, (cwd, traced.stdout)


def test_an_explicit_root_still_wins(tmp_path):
    project = tmp_path / "project"
    (project / "constitutions").mkdir(parents=True)
    (project / "constitutionc.toml").write_text("", encoding="utf-8")
    shutil.copy(QUICKSTART, project / "constitutions" / "constitution.cdl")
    assert run("build", "constitutions/constitution.cdl", "-o", "out", cwd=project).returncode == 0
    record = json.loads((project / "out" / "dilemmas.jsonl").read_text(encoding="utf-8").splitlines()[0])
    empty = tmp_path / "empty"
    empty.mkdir()
    traced = run("trace", record["id"], "--data", str(project / "out"), "--root", str(empty), cwd=tmp_path)
    assert traced.returncode == 0 and "cannot read" in traced.stdout
