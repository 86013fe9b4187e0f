"""The JSON document validates against the published schema, which `constitutionc schema coverage` prints."""

from __future__ import annotations

import json

import jsonschema
from click.testing import CliRunner

from constitutionc.coverage import compute_coverage, coverage_schema, render

from .conftest import NESTED, QUICKSTART, loaded


def validator():
    schema = coverage_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_documents_validate(tmp_path, quickstart_build, nested_build):
    probe = json.loads((quickstart_build / "probes.jsonl").read_text().splitlines()[0])["id"]
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"probe_id": probe, "verdict": "fail"}) + "\n"
                       + json.dumps({"probe_id": "pr-unknown", "verdict": "pass"}) + "\n")
    documents = [compute_coverage(loaded(QUICKSTART), quickstart_build, results),
                 compute_coverage(loaded(NESTED), nested_build)]
    for document in documents:
        validator().validate(json.loads(render("json", document)))


def test_schema_rejects_a_document_missing_required_fields(quickstart_build):
    document = json.loads(render("json", compute_coverage(loaded(QUICKSTART), quickstart_build)))
    del document["principles"][0]["covered"]
    errors = list(validator().iter_errors(document))
    assert errors and "'covered' is a required property" in errors[0].message


def test_schema_command_prints_it():
    from constitutionc.commands.schema import command

    result = CliRunner().invoke(command, ["coverage"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(coverage_schema()))
