"""Data-driven diagnostics tests: each `.cdl` file in data/ says, in `# expect: CODE` comments,
which diagnostics must start on which line. Every diagnostic must be expected and every
expectation met, so both missed and spurious diagnostics fail. Files a data file imports (from
data/'s sub-directories) carry their own expectations, checked when the importing file is loaded.

A guard holds every registered diagnostic code to being expected somewhere in the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from constitutionc.api import load
from tests.conftest import inline_expectations

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.cdl")), ids=lambda p: p.name)
def test_inline_expectations(path: Path, monkeypatch):
    monkeypatch.chdir(path.parent)
    result = load([path.name])
    # The data files this load read (the entry and what it imports), by the path diagnostics name.
    read = [f.path for f in result.constitution.files if (DATA / f.path).is_file()] or [path.name]
    actual = {(d.span.file, d.span.line, d.code) for d in result.diagnostics if d.span and d.span.file in read}
    expected = {(file, line, code) for file in read for line, code in inline_expectations(DATA / file)}
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    details = "\n".join(f"  {d.span.line}:{d.span.column} {d.code} {d.message}" for d in result.diagnostics)
    assert not missing and not unexpected, (
        f"missing {missing}, unexpected {unexpected}; all diagnostics:\n{details}")


# Codes no `.cdl` data file can show, each with the test that exercises it instead.
NOT_IN_DATA = {
    "CDL002": "an undecodable file (its `# expect:` could not be read): tests/syntax/test_resolve.py",
    "CDL009": "a compiler bug turned into a diagnostic: tests/lint/test_rules.py breaks a rule on purpose",
    "CDL605": "off by default: tests/lint/test_cli.py turns it on with --enable",
    "CDL690": "a lint setting in pyproject.toml, not in a .cdl file: tests/lint/test_cli.py",
}


def test_every_registered_code_is_expected_by_some_data_file():
    import constitutionc.lint  # noqa: F401  (registers the lint rules' codes)
    from constitutionc.diagnostics import CODES

    repo_tests = Path(__file__).resolve().parents[1]
    expected = {code for path in repo_tests.rglob("*.cdl") for _, code in inline_expectations(path)}
    assert set(CODES) - expected == set(NOT_IN_DATA), "add a data file with `# expect:` for each new code"
