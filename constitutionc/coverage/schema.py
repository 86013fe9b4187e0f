"""The published JSON Schema of the coverage document (`constitutionc coverage --format json`).

Registered as `coverage` in the `constitutionc schema` registry when this module
is imported (the build's registry never names it: the coverage stage comes later).
"""

from __future__ import annotations

from ..emit.schema import schema

SCHEMA_ID = "https://constitutionc.dev/schemas/coverage-2.json"

_COUNT = {"type": "integer", "minimum": 0}
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}
_SHARE = {"type": "number", "minimum": 0, "maximum": 1}
_NAME = {"type": ["string", "null"]}
_VARIANTS = {"type": "object", "required": ["justified", "bare", "preference"], "additionalProperties": False,
             "properties": {"justified": _COUNT, "bare": _COUNT, "preference": _COUNT}}
_IDS = {"type": "array", "items": {"type": "string"}}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "required": required or list(properties), "properties": properties,
            "additionalProperties": False}


# Distinct fresh records citing a principle (or any principle of a group), focused on it or as context.
_CITING = _object({"records": _COUNT, "dilemmas": _COUNT, "responses": _COUNT, "probes": _COUNT})


def _rollup(extra: dict) -> dict:
    return _object({**extra, "principles": _COUNT, "taught": _COUNT, "tested": _COUNT, "covered": _COUNT,
                    "percent": _PERCENT, "citing": _CITING, "principle_ids": _IDS})


# A principle the data does not (or not enough) teach or test, and the commands that add what is missing.
_GAP = _object({"id": {"type": "string"}, "file": {"type": "string"}, "line": {"type": "integer"},
                "taught": {"type": "boolean"}, "tested": {"type": "boolean"}, "teaching": _COUNT, "testing": _COUNT,
                "stale": _COUNT, "missing": {"type": "array", "items": {"enum": ["dilemma", "probe"]}},
                "commands": {"type": "array", "items": {"type": "string"}}})


@schema("coverage")
def coverage_schema() -> dict:
    """JSON Schema (draft 2020-12) for the coverage document, schema_version 2."""
    principle = _object({
        "id": {"type": "string"}, "title": {"type": "string"},
        "kind": {"enum": ["hard_constraint", "default", "instructable"]},
        "section": _NAME, "value": _NAME, "file": {"type": "string"}, "line": {"type": "integer", "minimum": 1},
        "focused": _object({"dilemmas": _COUNT, "responses": _COUNT, "probes": _COUNT}),
        "citing": _object({"records": _COUNT, "dilemmas": _COUNT, "responses": _COUNT,
                           "responses_by_variant": _VARIANTS, "probes": _COUNT}),
        "stale": _COUNT,
        "taught": {"type": "boolean"}, "tested": {"type": "boolean"},
        "covered": {"type": "boolean"},
        "axes": {"type": "object", "additionalProperties": _IDS},
        "generators": _IDS,
    })
    totals = _object({
        "principles": _COUNT, "taught": _COUNT, "tested": _COUNT, "covered": _COUNT, "percent": _PERCENT,
        "records": _COUNT, "dilemmas": _COUNT, "responses": _COUNT, "responses_by_variant": _VARIANTS,
        "probes": _COUNT, "by_kind": {"type": "object", "additionalProperties": _COUNT}, "stale_records": _COUNT,
        "criteria": _COUNT,
    })
    criterion = _object({
        "id": {"type": "string"}, "title": {"type": "string"}, "section": _NAME, "file": {"type": "string"},
        "line": {"type": "integer", "minimum": 1}, "judged_by": _IDS, "records": _COUNT, "used": {"type": "boolean"},
    })
    location = {"file": {"type": ["string", "null"]}, "line": {"type": ["integer", "null"]}}
    results = _object({
        "file": {"type": "string"}, "runs": _COUNT, "fails": _COUNT, "errors": _COUNT, "unknown_runs": _COUNT,
        "unknown_probe_ids": _IDS,
        "principles": {"type": "array", "items": _object({
            "id": {"type": "string"}, "runs": {"type": "integer", "minimum": 1}, "fails": _COUNT,
            "rate": _SHARE, "low": _SHARE, "high": _SHARE})},
        "evaluation_awareness": _object({
            "rows": {"type": "array", "items": _object({
                "id": {"enum": ["says_test", "says_real", "not_stated"]}, "runs": {"type": "integer", "minimum": 1},
                "fails": _COUNT, "rate": _SHARE, "low": _SHARE, "high": _SHARE})},
            "test_vs_real_p": {"oneOf": [{"type": "null"}, _SHARE]}}),
    })
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "constitutionc principle coverage report",
        "description": "Output of `constitutionc coverage --format json`; see docs/coverage.md.",
        **_object({
            "schema_version": {"const": 2},
            "constitution": {"type": "string"},
            "data": {"type": "string"},
            "totals": totals,
            "principles": {"type": "array", "items": principle},
            "criteria": {"type": "array", "items": criterion},
            "min_records": {"type": "integer", "minimum": 1},
            "uncovered": {"type": "array", "items": _GAP},
            "under_covered": {"type": "array", "items": _GAP},
            "sections": {"type": "array", "items": _rollup({"id": _NAME, "title": {"type": "string"},
                                                            "parent": _NAME, **location})},
            "values": {"type": "array", "items": _rollup({"id": _NAME, "title": {"type": "string"}})},
            "tensions": {"type": "array", "items": _object({
                "id": {"type": "string"}, "prevails": {"type": "string"}, "yields": {"type": "string"},
                "file": {"type": "string"}, "line": {"type": "integer"}, "responses": _COUNT, "co_cited": _COUNT,
                "covered": {"type": "boolean"}})},
            "unknown_tensions": {"type": "array", "items": _object({"id": {"type": "string"}, "records": _COUNT})},
            "balance": _object({"min": _COUNT, "median": {"type": "number", "minimum": 0}, "max": _COUNT,
                                "largest": _NAME, "largest_share": _SHARE, "citations": _COUNT}),
            "stale": {"type": "array", "items": _object({
                "part": {"enum": ["text", "why", "family", "tension", "environment"]}, "name": {"type": "string"},
                "clause": _NAME, "reason": {"enum": ["changed", "removed"]}, "records": _COUNT,
                "sample_ids": {"type": "array", "items": {"type": ["string", "null"]}}})},
            "results": {"oneOf": [{"type": "null"}, results]},
            "warnings": _IDS,
            "audit": {"type": "array", "description": "The dataset audit's reports found in the build "
                                                      "(`constitutionc audit OUT -o OUT/audit.html`).",
                      "items": _object({"format": {"enum": ["html", "json", "markdown", "text"]},
                                        "path": {"type": "string"}})},
        }),
    }
