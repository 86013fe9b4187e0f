"""The `check` and `ir` commands: exit codes, formats and the JSON/SARIF contracts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from constitutionc import __version__
from constitutionc.cli import main
from tests.conftest import REPO, assert_golden

QUICKSTART = REPO / "examples/quickstart/constitution.cdl"
BROKEN = REPO / "tests/checks/data/names.cdl"
SARIF_SCHEMA = json.loads((REPO / "tests/data/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_clean_file_exits_zero_and_prints_nothing():
    result = run("check", str(QUICKSTART))
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_errors_exit_one():
    assert run("check", str(BROKEN)).exit_code == 1


def test_warnings_alone_exit_zero(tmp_path):
    path = tmp_path / "w.cdl"
    path.write_text('principle p.a { text: "t" why: "w" }\n'
                    'dilemma d teaches p.a {\n  vary unused: a | b\n  user: "u"\n  stance: "s"\n}\n')
    result = run("check", str(path), "--format", "gnu")
    assert result.exit_code == 0
    assert "warning:" in result.output and "[CDL302]" in result.output


def test_missing_file_is_a_one_line_error_with_exit_two(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "constitutionc", "check", str(tmp_path / "nope.cdl")],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "nope.cdl: no such file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_usage_error_exits_two():
    assert run("check").exit_code == 2
    assert run("check", str(QUICKSTART), "--format", "xml").exit_code == 2


def test_text_format_shows_source_line_and_caret(monkeypatch):
    monkeypatch.chdir(BROKEN.parent)
    result = run("check", BROKEN.name)
    lines = result.output.splitlines()
    index = next(i for i, line in enumerate(lines) if "did you mean `safety`" in line)
    assert lines[index].startswith("names.cdl:9:10: error:")  # as named, from the working directory
    assert lines[index + 1].endswith("value: safty  # expect: CDL102")
    assert lines[index + 2].index("^") == lines[index + 1].index("safty")
    assert "\x1b[" not in result.output  # no colour when not a terminal


def test_gnu_format(monkeypatch):
    monkeypatch.chdir(BROKEN.parent)
    result = run("check", BROKEN.name, "--format", "gnu")
    assert result.output.startswith("names.cdl:")  # as named, from the working directory
    assert "names.cdl:9:10: error: no core value named `safty`; did you mean `safety`? [CDL102]\n" in result.output


def test_json_format_fields(monkeypatch):
    monkeypatch.chdir(BROKEN.parent)
    result = run("check", BROKEN.name, "--format", "json")
    items = json.loads(result.output)
    assert items and all({"code", "severity", "message", "file", "line", "column", "end_line",
                          "end_column"} <= set(item) for item in items)
    first = next(i for i in items if i["code"] == "CDL102")
    assert first["severity"] == "error" and first["file"] == "tests/checks/data/names.cdl"
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (9, 10, 9, 15)


def test_sarif_is_valid_and_lists_every_rule(monkeypatch):
    from constitutionc.diagnostics import CODES

    monkeypatch.chdir(BROKEN.parent)
    result = run("check", BROKEN.name, "--format", "sarif")
    log = json.loads(result.output)
    jsonschema.validate(log, SARIF_SCHEMA)
    driver = log["runs"][0]["tool"]["driver"]
    assert {rule["id"] for rule in driver["rules"]} == set(CODES)
    assert all(rule["help"]["text"] for rule in driver["rules"])
    results = log["runs"][0]["results"]
    assert results and all(r["partialFingerprints"] for r in results)


def test_sarif_fingerprints_survive_unrelated_edits(tmp_path):
    body = BROKEN.read_text(encoding="utf-8")
    (tmp_path / "a.cdl").write_text(body)
    (tmp_path / "b.cdl").write_text("# a new comment\n\n" + body)

    def prints(name):
        log = json.loads(run("check", str(tmp_path / name), "--format", "sarif").output)
        return sorted((r["ruleId"], r["partialFingerprints"]["constitutionc/v1"]) for r in log["runs"][0]["results"])

    first, second = prints("a.cdl"), prints("b.cdl")
    # Paths differ between the two files, so compare the shape: same rules, same count, no duplicates.
    assert [r for r, _ in first] == [r for r, _ in second]
    assert len({f for _, f in first}) == len(first)


def test_github_format(monkeypatch):
    monkeypatch.chdir(BROKEN.parent)
    output = run("check", BROKEN.name, "--format", "github").output
    assert "::error file=tests/checks/data/names.cdl,line=9,col=10,endLine=9,endColumn=15,title=CDL102 unresolved-reference::" in output


def test_version_and_help_for_every_command():
    assert run("--version").output.strip() == f"constitutionc, version {__version__}"
    assert run("--help").exit_code == 0
    names = main.list_commands(None)
    assert {"check", "ir", "build", "lint", "coverage", "import-md"} <= set(names)
    for name in names:
        result = run(name, "--help")
        assert result.exit_code == 0, name
        assert "Usage:" in result.output


def test_ir_command_outputs_principles_with_spans(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("ir", "examples/quickstart/constitution.cdl")
    assert result.exit_code == 0
    data = json.loads(result.output)
    principle = next(p for p in data["principles"] if p["id"] == "safety.no_coercion")
    assert principle["text"].startswith("Never use threats")
    assert principle["why"].startswith("Coercion overrides")
    assert set(principle["span"]) >= {"file", "line", "column", "end_line", "end_column"}
    assert principle["span"]["file"] == "examples/quickstart/constitution.cdl"
    assert len(principle["sha256"]) == 64
    assert {g["id"] for g in data["generators"]} == {"leverage_over_neighbour", "comforting_answer",
                                                    "asked_about_replacement", "pause_notice", "reassuring_text"}


def test_ir_golden(monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("ir", "examples/quickstart/constitution.cdl")
    assert_golden(REPO / "tests/golden/quickstart.ir.json", result.output)


def test_sarif_marks_rules_that_are_off_by_default(monkeypatch):
    from constitutionc.lint.registry import RULES

    monkeypatch.chdir(BROKEN.parent)
    log = json.loads(run("check", BROKEN.name, "--format", "sarif").output)
    enabled = {r["id"]: r["defaultConfiguration"]["enabled"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    off = {code for code, rule in RULES.items() if rule.level == "ignore"}
    assert off, "at least one lint rule is off by default"
    assert {code for code, on in enabled.items() if not on} == off


def test_configuration_mistakes_are_reported_not_ignored(tmp_path):
    (tmp_path / "a.cdl").write_text('principle a.b { text: "t" why: "w" }\n')
    (tmp_path / "pyproject.toml").write_text("[tool.constitutionc]\nmax_combination = 3\n")
    result = run("check", str(tmp_path / "a.cdl"))
    assert result.exit_code == 2
    assert "unknown setting `max_combination` (did you mean `max_combinations`?)" in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.constitutionc\nroot = "."\n')
    result = run("check", str(tmp_path / "a.cdl"))
    assert result.exit_code == 2 and "not valid TOML" in result.output


def test_someone_else_s_broken_pyproject_is_not_our_business(tmp_path):
    (tmp_path / "a.cdl").write_text('principle a.b { text: "t" why: "w" }\n')
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")
    assert run("check", str(tmp_path / "a.cdl")).exit_code == 0
