"""Golden reports for the nested fixture (rewrite with `pytest tests/coverage --update-goldens`)."""

from __future__ import annotations

import json

import pytest

from constitutionc.coverage import RenderOptions, compute_coverage, render
from tests.conftest import assert_golden

from .conftest import GOLDEN, NESTED, loaded


@pytest.mark.parametrize("fmt, suffix", [("json", "json"), ("markdown", "md"), ("text", "txt")])
def test_golden_report(nested_build, tmp_path, fmt, suffix):
    probe = json.loads((nested_build / "probes.jsonl").read_text().splitlines()[1])["id"]
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps({"probe_id": probe, "verdict": v}) + "\n"
                               for v in ("fail", "pass", "pass", "fail", "fail")))
    document = compute_coverage(loaded(NESTED), nested_build, results)
    document["data"] = "build"  # the temporary directory's name varies between runs
    document["results"]["file"] = "results.jsonl"
    assert_golden(GOLDEN / f"nested.{suffix}", render(fmt, document, RenderOptions(width=120)))
