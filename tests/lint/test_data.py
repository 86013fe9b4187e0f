"""Data-driven lint tests: each file in data/ marks, with `# expect: CODE` comments, the lines where
diagnostics (from `check` or from lint rules, at default levels) must appear. Missing and
unexpected diagnostics both fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from constitutionc.api import load
from tests.conftest import inline_expectations
from constitutionc.lint import lint_result, settings_for

DATA = Path(__file__).parent / "data"


def lint_file(path: Path):
    result = load([path.name])
    return lint_result(result, settings_for(result))


@pytest.mark.parametrize("path", sorted(DATA.glob("*.cdl")), ids=lambda p: p.name)
def test_inline_expectations(path: Path, monkeypatch):
    monkeypatch.chdir(path.parent)
    report = lint_file(path)
    actual = {(d.span.line, d.code) for d in report.diagnostics if d.span and d.span.file == path.name}
    expected = inline_expectations(path)
    details = "\n".join(f"  {d.span.line}:{d.span.column} {d.code} {d.message}" for d in report.diagnostics
                        if d.span)
    assert actual == expected, (f"missing {sorted(expected - actual)}, unexpected {sorted(actual - expected)}; "
                                f"all diagnostics:\n{details}")


def test_every_rule_is_exercised_by_the_data():
    from constitutionc.lint import RULES

    expected_codes = {code for path in DATA.glob("*.cdl") for _, code in inline_expectations(path)}
    # CDL605 is off by default; its behaviour is tested through --enable in test_cli.py.
    assert set(RULES) - expected_codes == {"CDL605"}
