"""Coverage over the real `constitutionc build` output (not the synthetic stand-in)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from constitutionc.commands.build import command as build_command
from constitutionc.coverage import coverage_schema
from constitutionc.coverage.scan import _full_signature, _parse_signature, _raw_values

from .conftest import RECORD_FILES, QUICKSTART, REPO, loaded, naive_counts


@pytest.fixture
def real_build(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    out = tmp_path / "build"
    result = CliRunner().invoke(build_command, ["tests/coverage/data/quickstart.cdl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def coverage_cli(*args, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "constitutionc", "coverage", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_report_on_real_build_matches_a_full_parse(real_build):
    result = coverage_cli("tests/coverage/data/quickstart.cdl", "--data", real_build, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, coverage_schema())
    constitution = loaded(QUICKSTART)
    oracle = naive_counts(real_build, {p.id: p.sha256 for p in constitution.principles})
    for row in document["principles"]:
        expected = oracle.get(row["id"], {})
        assert (row["citing"]["dilemmas"], row["citing"]["responses"], row["citing"]["probes"]) == (
            expected.get("dilemma", 0), expected.get("response", 0), expected.get("probe", 0)), row["id"]
    manifest = json.loads((real_build / "manifest.json").read_text())
    assert document["totals"]["records"] == sum(o["records"] for o in manifest["outputs"]
                                                if o["path"] in RECORD_FILES)
    assert document["totals"]["stale_records"] == 0 and document["stale"] == []


def test_fast_reading_understands_real_records(real_build):
    for name in RECORD_FILES:
        for line in (real_build / name).read_bytes().splitlines(keepends=True):
            raw = _raw_values(line)
            assert raw is not None and _parse_signature(raw[:5] + raw[6:]) == _full_signature(line)[0]


def test_editing_a_clause_makes_real_records_stale(tmp_path, real_build):
    project = tmp_path / "project"
    source = project / "tests/coverage/data/quickstart.cdl"
    source.parent.mkdir(parents=True)
    shutil.copy(QUICKSTART, source)
    text = source.read_text().replace("Never use threats, blackmail", "Never use threats, bribes, blackmail")
    source.write_text(text)
    result = coverage_cli("tests/coverage/data/quickstart.cdl", "--data", real_build, "--format", "json",
                          "--fail-under", "1", cwd=project)
    assert result.returncode == 1, result.stderr  # its only covered principle now has stale records
    document = json.loads(result.stdout)
    [entry] = document["stale"]
    cited = [json.loads(line) for name in RECORD_FILES
             for line in (real_build / name).read_text().splitlines()]
    citing = [r["id"] for r in cited if any(s["clause"] == "safety.no_coercion" for s in r["sources"])]
    assert (entry["clause"], entry["reason"], entry["records"]) == ("safety.no_coercion", "changed", len(citing))
    assert entry["sample_ids"] == citing[:len(entry["sample_ids"])]
    line = loaded(QUICKSTART).principle("safety.no_coercion").span.line
    assert f"tests/coverage/data/quickstart.cdl:{line}: safety.no_coercion: not taught; not tested; " \
           f"{len(citing)} record(s) citing it are stale" in result.stderr
