"""Data-driven diagnostics tests: each `.cdl` file in data/ says, in `# expect: CODE` comments,
which diagnostics must start on which line. Every diagnostic must be expected and every
expectation met, so both missed and spurious diagnostics fail."""

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
    actual = {(d.span.line, d.code) for d in result.diagnostics if d.span and d.span.file == path.name}
    expected = inline_expectations(path)
    missing = sorted(expected - actual)
    unexpected = sorted(actual - expected)
    details = "\n".join(f"  {d.span.line}:{d.span.column} {d.code} {d.message}" for d in result.diagnostics)
    assert not missing and not unexpected, (
        f"missing {missing}, unexpected {unexpected}; all diagnostics:\n{details}")
