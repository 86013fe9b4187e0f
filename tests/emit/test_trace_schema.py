"""`trace` prints a record's clauses from the data; `schema` publishes schemas that validate real records."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from constitutionc.emit.kinds import KINDS

from .conftest import DATA, read_jsonl, run_build, run_trace


@pytest.fixture
def built(in_data, tmp_path):
    out = tmp_path / "out"
    assert run_build("families.cdl", "-o", out).exit_code == 0
    return out


def test_trace_prints_each_source_clause_with_location_and_text(built):
    response = next(r for r in read_jsonl(built / "responses.jsonl")
                    if r["generator"] == "comforting_lie" and r["variant"] == "justified")
    result = run_trace(response["id"], "--data", built)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{response['id']}  response (justified, {response['style']}) from comforting_lie")
    assert f"  dilemma: {response['dilemma_id']}" in lines
    assert "families.cdl:5-8: honesty" in lines
    assert "  text: Only say what you believe to be true." in lines
    assert "  why: Trust depends on it." in lines
    assert "families.cdl:9-12: care" in lines and "families.cdl:13-16: help" in lines
    assert "changed" not in result.output


def test_trace_notes_a_clause_changed_since_the_build(in_data, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(DATA / "families.cdl", work / "families.cdl")
    monkeypatch.chdir(work)
    assert run_build("families.cdl", "-o", "out").exit_code == 0
    probe = read_jsonl(work / "out" / "probes.jsonl")[0]
    text = (work / "families.cdl").read_text(encoding="utf-8")
    (work / "families.cdl").write_text(text.replace("Do not undermine legitimate", "Never undermine legitimate"),
                                       encoding="utf-8")
    result = run_trace(probe["id"], "--data", "out")
    assert "note: the clause text has changed since this record was built" in result.output


def test_trace_of_an_unknown_id_fails(built):
    result = run_trace("dl-0000000000000000", "--data", built)
    assert result.exit_code == 1 and "no record `dl-0000000000000000`" in result.output


@pytest.mark.parametrize("name", [name for name, kind in KINDS.items() if kind.default])
def test_schemas_validate_every_record(built, name):
    validator = jsonschema.Draft202012Validator(KINDS[name].schema())
    records = read_jsonl(built / KINDS[name].filename)
    assert records
    for record in records:
        validator.validate(record)


def test_manifest_schema_validates_and_rejects_drift(built):
    from constitutionc.emit.schema import load_schemas

    schema = load_schemas()["manifest"]()
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    jsonschema.validate(manifest, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**manifest, "built_at": "2026-01-01"}, schema)


def test_schema_rejects_a_record_missing_its_sources(built):
    record = read_jsonl(built / "dilemmas.jsonl")[0]
    del record["sources"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(record, KINDS["dilemma"].schema())


def test_schema_command_prints_each_registered_schema():
    from constitutionc.commands.schema import command

    runner = CliRunner()
    for name in (*KINDS, "manifest"):
        result = runner.invoke(command, [name])
        assert result.exit_code == 0
        jsonschema.Draft202012Validator.check_schema(json.loads(result.output))
    everything = json.loads(runner.invoke(command, []).output)
    assert {*KINDS, "manifest"} <= set(everything)
    assert runner.invoke(command, ["nonsense"]).exit_code == 2


def test_trace_from_another_directory_says_where_paths_are_relative_to(built, tmp_path, monkeypatch):
    record = read_jsonl(built / "dilemmas.jsonl")[0]
    monkeypatch.chdir(tmp_path)
    result = run_trace(record["id"], "--data", built)
    assert result.exit_code == 0
    assert "(cannot read families.cdl under the project root .; paths are relative to it" in result.output
    # Named, the project root finds the file from anywhere.
    result = run_trace(record["id"], "--data", built, "--root", DATA)
    assert result.exit_code == 0 and "  text: " in result.output
