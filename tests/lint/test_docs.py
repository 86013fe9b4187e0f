"""docs/rules.md is generated from the rule registry; this fails when it is stale.

Regenerate with `UPDATE_GOLDENS=1 pytest tests/lint/test_docs.py` (or
`constitutionc rules --markdown > docs/rules.md`).
"""

from __future__ import annotations

import os

import pytest

from click.testing import CliRunner

from constitutionc.cli import main
from constitutionc.lint import RULES
from constitutionc.lint.docs import rules_markdown
from tests.conftest import REPO

DOC = REPO / "docs" / "rules.md"


def test_rules_md_matches_the_registry():
    expected = rules_markdown()
    if os.environ.get("UPDATE_GOLDENS") == "1":
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(expected, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale; run `UPDATE_GOLDENS=1 pytest tests/lint/test_docs.py`")


def test_every_rule_is_documented_with_an_anchor_its_help_uri_points_at():
    from constitutionc.diagnostics import CODES

    text = rules_markdown()
    for code, rule in RULES.items():
        assert f'<a id="{code.lower()}"></a>' in text
        assert CODES[code].help_uri.endswith("#" + code.lower())
        assert rule.rationale and rule.example and rule.summary


def test_rules_command_prints_the_same_markdown():
    result = CliRunner().invoke(main, ["rules", "--markdown"])
    assert result.exit_code == 0
    assert result.output == rules_markdown()
    listing = CliRunner().invoke(main, ["rules"]).output
    assert all(code in listing for code in RULES)


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_example_compiles_and_triggers_its_rule(tmp_path, monkeypatch, code):
    from constitutionc.api import load
    from constitutionc.lint import lint_result, settings_for

    monkeypatch.chdir(tmp_path)
    (tmp_path / "example.cdl").write_text(RULES[code].example + "\n", encoding="utf-8")
    result = load(["example.cdl"])
    assert result.ok, [d.message for d in result.diagnostics]
    report = lint_result(result, settings_for(result, enable=[code]))
    assert code in {d.code for d in report.diagnostics}


def test_the_documented_configuration_is_accepted(tmp_path):
    import re
    import tomllib

    from constitutionc.lint.settings import from_config

    block = re.search(r"```toml\n(.*?)```", rules_markdown(), re.S).group(1)
    (tmp_path / "pyproject.toml").write_text(block, encoding="utf-8")
    table = tomllib.loads(block)["tool"]["constitutionc"]["lint"]
    settings = from_config(table, tmp_path / "pyproject.toml")
    assert settings.diagnostics == []
    assert settings.levels["CDL603"] == "error" and settings.levels["CDL606"] == "ignore"
    assert settings.levels["CDL607"] == settings.levels["CDL608"] == "error"
    assert settings.options["min-shared-words"] == 10
