"""Diagnostic paths: text and gnu relative to the working directory (as gcc, mypy and ruff print them), json, sarif
and github relative to the project root from any directory; SARIF rules carry markdown help and tags."""

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


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_machine_formats_name_paths_from_the_project_root_in_any_working_directory(project, fmt):
    from_root = _check(fmt, "policy/c.cdl", project)
    from_inside = _check(fmt, "c.cdl", project / "policy")
    (project / "other").mkdir()
    from_beside = _check(fmt, "../policy/c.cdl", project / "other")
    assert from_root == from_inside == from_beside
    assert "policy/c.cdl" in from_root


@pytest.mark.parametrize("fmt", ["text", "gnu"])
def test_text_and_gnu_name_paths_from_the_working_directory(project, fmt):
    (project / "other").mkdir()
    absolute = str(project / "policy" / "c.cdl")
    # (what the command is given, where it runs, the path it must print)
    runs = [("policy/c.cdl", project, "policy/c.cdl"),
            ("c.cdl", project / "policy", "c.cdl"),
            (absolute, project / "policy", "c.cdl"),
            (absolute, project / "other", "../policy/c.cdl")]
    outputs = []
    for given, cwd, shown in runs:
        out = _check(fmt, given, cwd)
        assert out.startswith(f"{shown}:6:"), (given, cwd, out)
        outputs.append(out.replace(shown, "FILE"))
    # Only the paths differ: the same diagnostics, in the same words, from every directory.
    assert len(set(outputs)) == 1, outputs


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
