"""Every diagnostic format prints paths relative to the project root; SARIF rules carry markdown help and tags."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO

BROKEN = 'principle a.b "B" {\n  text: "t"\n  why: "w"\n}\n\ndilemma d teaches a.c {\n  user: "u"\n  stance: "s"\n}\n'


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.constitutionc]\nmax_combinations = 100\n")
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "c.cdl").write_text(BROKEN)
    return tmp_path


def _check(fmt: str, target: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "constitutionc", "check", "--format", fmt, target],
                          capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 1, done.stderr
    return done.stdout


@pytest.mark.parametrize("fmt", ["text", "gnu", "json", "sarif", "github"])
def test_paths_and_fingerprints_do_not_depend_on_the_working_directory(project, fmt):
    from_root = _check(fmt, "policy/c.cdl", project)
    from_inside = _check(fmt, "c.cdl", project / "policy")
    assert from_root == from_inside
    assert "policy/c.cdl" in from_root


def test_sarif_is_valid_and_rules_carry_markdown_help_and_tags(project):
    log = json.loads(_check("sarif", "c.cdl", project / "policy"))
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    [result] = run["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "policy/c.cdl",
                                                                              "uriBaseId": "SRCROOT"}
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for rule in rules.values():
        assert rule["help"]["markdown"].startswith(f"**{rule['id']} ")
        assert "constitution" in rule["properties"]["tags"]
    assert "```cdl" in rules["CDL620"]["help"]["markdown"]
    assert rules["CDL620"]["properties"]["tags"][:3] == ["constitution", "lint", "coverage"]
    assert rules["CDL102"]["properties"]["tags"][:2] == ["constitution", "check"]


def test_files_outside_the_project_keep_their_working_directory_path(tmp_path):
    (tmp_path / "c.cdl").write_text(BROKEN)
    out = _check("gnu", "c.cdl", tmp_path)
    assert out.startswith("c.cdl:6:")
