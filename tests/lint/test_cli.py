"""`constitutionc lint` through its command line: levels, precedence, unknown codes, formats, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from tests.conftest import REPO

SARIF_SCHEMA = json.loads((REPO / "tests/data/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

CONSTITUTION = '''\
principle p.restates "Restates" {
  text: "Never tell the user a lie."
  why: "You should never tell the user a lie."
}

# constitutionc: ignore[CDL601]
principle p.suppressed "Suppressed inline" {
  text: "Never hide a mistake from the user."
  why: "Never hide a mistake from the user."
}

principle p.idle "Never used" {
  text: "Use casual language when asked."
  why: "Tone is the user's choice in casual conversation."
}
'''


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.cdl").write_text(CONSTITUTION, encoding="utf-8")
    return tmp_path


def configure(project: Path, body: str, *, file: str = "pyproject.toml") -> None:
    header = "[tool.constitutionc.lint]\n" if file == "pyproject.toml" else "[lint]\n"
    (project / file).write_text(header + body, encoding="utf-8")


def lint(*args: str):
    result = CliRunner().invoke(main, ["lint", "--format", "json", *args, "c.cdl"])
    findings = json.loads(result.output) if result.exit_code in (0, 1) else None
    return result, findings


def found(findings, code: str) -> list[tuple[int, str]]:
    return [(f["line"], f["severity"]) for f in findings if f["code"] == code]


def test_defaults_warn_and_exit_zero(project):
    result, findings = lint()
    assert result.exit_code == 0
    assert found(findings, "CDL601") == [(1, "warning")]  # the inline suppression hides line 7
    assert found(findings, "CDL605") == []  # off by default


def test_enable_turns_on_a_rule_that_is_off_by_default(project):
    result, findings = lint("--enable", "CDL605")
    assert found(findings, "CDL605") == [(1, "warning"), (7, "warning"), (12, "warning")]


def test_config_raises_a_rule_to_error_and_the_exit_status_follows(project):
    configure(project, 'levels = { CDL601 = "error" }\n')
    result, findings = lint()
    assert result.exit_code == 1
    assert found(findings, "CDL601") == [(1, "error")]


def test_command_line_beats_config(project):
    configure(project, 'levels = { CDL601 = "error" }\n')
    result, findings = lint("--disable", "why-restates-text")
    assert result.exit_code == 0
    assert found(findings, "CDL601") == []


def test_command_line_enable_beats_a_config_category(project):
    configure(project, 'levels = { "category:clarity" = "ignore" }\n')
    assert found(lint()[1], "CDL601") == []
    assert found(lint("--enable", "CDL601")[1], "CDL601") == [(1, "warning")]


def test_a_rule_in_config_beats_its_category(project):
    configure(project, 'levels = { CDL601 = "error", "category:clarity" = "ignore" }\n')
    assert found(lint()[1], "CDL601") == [(1, "error")]


def test_disable_beats_enable_on_the_command_line(project):
    assert found(lint("--enable", "CDL601", "--disable", "CDL601")[1], "CDL601") == []


def test_inline_suppression_beats_command_line_and_config(project):
    configure(project, 'levels = { CDL601 = "error" }\n')
    result, findings = lint("--enable", "CDL601")
    assert [line for line, _ in found(findings, "CDL601")] == [1]


def test_constitutionc_toml_lint_table(project):
    configure(project, 'levels = { "category:coverage" = "error" }\n', file="constitutionc.toml")
    result, findings = lint()
    assert result.exit_code == 1
    assert found(findings, "CDL605") == [(1, "error"), (7, "error"), (12, "error")]


def test_unknown_code_in_config_is_reported_at_its_line(project):
    configure(project, '# levels for our team\nlevels = { CDL999 = "error" }\n')
    result, findings = lint()
    assert result.exit_code == 0
    unknown = [f for f in findings if f["code"] == "CDL501"]
    assert [(f["file"], f["line"]) for f in unknown] == [("pyproject.toml", 3)]
    assert "CDL999" in unknown[0]["message"]


@pytest.mark.parametrize("body, words", [
    ('levels = { CDL601 = "loud" }\n', "must be one of"),
    ('levels = { CDL302 = "ignore" }\n', "not a lint rule"),
    ('options = { min-shared-wrds = 3 }\n', "did you mean `min-shared-words`"),
    ('options = { min-shared-words = "many" }\n', "non-negative number"),
    ('level = { CDL601 = "error" }\n', "did you mean `levels`"),
])
def test_malformed_settings_are_errors(project, body, words):
    configure(project, body)
    result, findings = lint()
    assert result.exit_code == 1
    problems = [f for f in findings if f["code"] == "CDL690"]
    assert len(problems) == 1 and words in problems[0]["message"]


def test_options_change_a_threshold(project):
    configure(project, 'options = { why-overlap = 0.95 }\n')
    (project / "c.cdl").write_text(CONSTITUTION.replace("You should never", "Because you should always never"),
                                   encoding="utf-8")
    assert found(lint()[1], "CDL601") == []


def test_unknown_selector_on_the_command_line_is_a_usage_error(project):
    result = CliRunner().invoke(main, ["lint", "--enable", "CDL6O1", "c.cdl"])
    assert result.exit_code == 2
    assert "CDL601" in result.output  # the suggestion


def test_missing_file_exits_two(project):
    assert CliRunner().invoke(main, ["lint", "nowhere.cdl"]).exit_code == 2


def test_text_and_gnu_and_github_formats(project):
    text = CliRunner().invoke(main, ["lint", "c.cdl"]).output
    assert "c.cdl:1:11: warning:" in text and "[CDL601]" in text and "^" in text
    gnu = CliRunner().invoke(main, ["lint", "--format", "gnu", "c.cdl"]).output
    assert gnu.splitlines()[0].startswith("c.cdl:1:11: warning: ")
    github = CliRunner().invoke(main, ["lint", "--format", "github", "c.cdl"]).output
    assert github.startswith("::warning file=c.cdl,line=1,")


def sarif(project) -> dict:
    result = CliRunner().invoke(main, ["lint", "--format", "sarif", "--enable", "CDL605", "c.cdl"])
    return json.loads(result.output)


def test_sarif_is_valid_and_lists_every_lint_rule(project):
    from constitutionc.lint import RULES

    log = sarif(project)
    jsonschema.validate(log, SARIF_SCHEMA)
    listed = {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(RULES) <= listed
    assert {r["ruleId"] for r in log["runs"][0]["results"]} == {"CDL601", "CDL605"}


def test_sarif_fingerprints_survive_unrelated_lines_above(project):
    before = sarif(project)["runs"][0]["results"]
    (project / "c.cdl").write_text("# a new comment\n\n# and another\n" + CONSTITUTION, encoding="utf-8")
    after = sarif(project)["runs"][0]["results"]

    def by_fingerprint(results):
        return {r["partialFingerprints"]["constitutionc/v1"]:
                r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results}

    assert by_fingerprint(before).keys() == by_fingerprint(after).keys()
    assert all(by_fingerprint(after)[k] == line + 3 for k, line in by_fingerprint(before).items())


def test_strict_fails_on_warnings(project):
    assert CliRunner().invoke(main, ["lint", "c.cdl"]).exit_code == 0
    assert CliRunner().invoke(main, ["lint", "--strict", "c.cdl"]).exit_code == 1
    assert CliRunner().invoke(main, ["lint", "--strict", "--disable", "CDL601", "c.cdl"]).exit_code == 0


def test_selectors_may_be_comma_separated_and_a_rule_beats_its_category(project):
    _, findings = lint("--enable", "CDL605,why-restates-text", "--disable", "category:clarity,CDL602")
    assert found(findings, "CDL601") == [(1, "warning")] and len(found(findings, "CDL605")) == 3


def test_no_rules_reports_exactly_what_check_reports(project):
    (project / "c.cdl").write_text(CONSTITUTION + 'principle p.bad "Bad" {\n  txet: "typo"\n  why: "w"\n}\n',
                                   encoding="utf-8")
    configure(project, 'levels = { CDL605 = "error" }\n')
    checked = CliRunner().invoke(main, ["check", "--format", "json", "c.cdl"])
    result, findings = lint("--no-rules")
    assert result.exit_code == checked.exit_code == 1
    assert findings == json.loads(checked.output)
    assert not any(f["code"].startswith("CDL6") for f in findings)


def test_each_file_is_its_own_constitution_with_each(project):
    (project / "other.cdl").write_text(CONSTITUTION, encoding="utf-8")  # the same ids, another constitution
    together = CliRunner().invoke(main, ["lint", "--format", "json", "c.cdl", "other.cdl"])
    assert "CDL101" in {f["code"] for f in json.loads(together.output)}
    result = CliRunner().invoke(main, ["lint", "--each", "--format", "json", "c.cdl", "other.cdl"])
    findings = json.loads(result.output)
    assert result.exit_code == 0
    assert sorted((f["file"], f["code"]) for f in findings) == [("c.cdl", "CDL601"), ("other.cdl", "CDL601")]
