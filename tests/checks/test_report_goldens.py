"""Golden files for what users read: the text report of each diagnostics data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.report import render
from tests.conftest import REPO, assert_golden

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("path", sorted(DATA.glob("*.cdl")), ids=lambda p: p.name)
def test_text_report_golden(path: Path, monkeypatch):
    monkeypatch.chdir(DATA)
    result = load([path.name])
    output = render("text", result.diagnostics, result.sources, color=False)
    assert_golden(REPO / "tests/golden/checks" / (path.stem + ".txt"), output)
