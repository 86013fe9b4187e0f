"""The generated kinds are registered with their schemas, and the sample records the target contract
feeds (tests/emit/data/records, written by a scripted generate run) are valid records of them."""

from __future__ import annotations

import json

import jsonschema
import pytest

from constitutionc.emit.kinds import KINDS
from constitutionc.generate.schema import SCHEMAS
from tests.conftest import REPO

SAMPLES = REPO / "tests" / "emit" / "data" / "records"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_each_generated_kind_is_registered_and_its_samples_validate(name):
    kind = KINDS[name]
    assert not kind.offline and kind.role == "taught" and not kind.default
    schema = kind.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    records = [json.loads(line) for line in (SAMPLES / kind.filename).read_text(encoding="utf-8").splitlines()]
    assert records
    for record in records:
        jsonschema.validate(record, schema)
        assert record["id"].startswith(kind.prefix + "-") and record["kind"] == name
        assert record["sources"] and record["provenance"]["prompt"]["version"] >= 1
