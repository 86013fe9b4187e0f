"""The public API from a user's script: load, lint, build, coverage and format, with no command line."""

from __future__ import annotations

import json

from constitutionc import api
from tests.conftest import REPO

QUICKSTART = REPO / "tests/coverage/data/quickstart.cdl"


def test_a_script_runs_the_whole_pipeline(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    result = api.load([QUICKSTART])
    assert result.ok and result.diagnostics == []

    report = api.lint(result)
    assert [d.code for d in report.diagnostics] == [d.code for d in api.lint(result).diagnostics]

    built = api.build(result.constitution, tmp_path / "out", seed=3, only=("dilemmas", "probes"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["seed"] == 3 and set(manifest["records"]) == {"dilemma", "probe"}
    assert built is not None

    document = api.coverage(result.constitution, tmp_path / "out")
    by_id = {p["id"]: p for p in document["principles"]}
    assert by_id["safety.no_coercion"]["citing"]["dilemmas"] == 6 and by_id["safety.no_coercion"]["citing"]["probes"] == 2
    assert by_id["safety.no_coercion"]["citing"]["responses"] == 0  # responses were not built

    formatted = api.format_text(QUICKSTART.read_text(encoding="utf-8"))
    assert formatted.text == QUICKSTART.read_text(encoding="utf-8")


def test_lint_honours_enable_and_disable():
    result = api.load([REPO / "tests/coverage/data/quickstart.cdl"])
    codes = {d.code for d in api.lint(result).diagnostics}
    enabled = {d.code for d in api.lint(result, enable=["CDL605"]).diagnostics}
    assert "CDL605" not in codes and "CDL605" in enabled
    assert "CDL603" in codes
    assert "CDL603" not in {d.code for d in api.lint(result, disable=["CDL603"]).diagnostics}
