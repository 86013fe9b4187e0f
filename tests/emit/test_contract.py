"""The contract every record kind passes: valid unique ids, real sources, schema-valid canonical lines,
determinism, byte-identical rebuilds.

Parametrised from the kind registry plus a kind the tests register themselves (`extra_kind.py`,
one record per principle), so a kind added to the registry is held to the contract without
editing this file.
"""

from __future__ import annotations

import json
import re

import pytest

from constitutionc.api import load
from constitutionc.emit import kinds
from constitutionc.emit.kinds import KINDS, PRODUCERS
from constitutionc.emit.writer import canonical_line

from . import extra_kind
from .conftest import DATA, build_in_subprocess, read_jsonl, run_build, tree_bytes

INPUTS = ["quickstart.cdl", "families.cdl"]
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ALL_KINDS = [*KINDS, extra_kind.NAME]
OFFLINE_KINDS = [name for name in ALL_KINDS if name not in KINDS or KINDS[name].offline]


@pytest.fixture(scope="module")
def extra():
    with extra_kind.registered() as kind:
        yield kind


def every_offline_kind() -> str:
    return ",".join(KINDS[name].plural for name in OFFLINE_KINDS)


@pytest.fixture(scope="module")
def builds(tmp_path_factory, extra):
    """Each input built twice into different directories (from tests/emit/data), every offline kind on."""
    import os

    out = {}
    old = os.getcwd()
    os.chdir(DATA)
    try:
        for name in INPUTS:
            first = tmp_path_factory.mktemp("first") / "out"
            second = tmp_path_factory.mktemp("second") / "elsewhere"
            for directory in (first, second):
                result = run_build(name, "-o", directory, "--only", every_offline_kind())
                assert result.exit_code == 0, result.output
            out[name] = (first, second)
    finally:
        os.chdir(old)
    return out


def test_every_kind_is_complete(extra):
    for name in ALL_KINDS:
        kind = KINDS[name]
        assert kind.name == name and kind.plural != name and kind.description
        assert kind.role in kinds.ROLES and kind.feed in kinds.FEEDS
        assert kinds.lookup(kind.plural) is kind and kinds.by_prefix(f"{kind.prefix}-0") is kind
        assert (name in PRODUCERS) == kind.offline, f"{name}: an offline kind needs a producer, a model kind none"
        import jsonschema

        jsonschema.Draft202012Validator.check_schema(kind.schema())
    assert [k.name for k in kinds.defaults()] == ["dilemma", "response", "probe"]


def test_registering_a_clashing_kind_is_refused(extra):
    import dataclasses

    for change in ({"name": "dilemma"}, {"plural": "probes"}, {"prefix": "rs"}, {"role": "sometimes"},
                   {"feed": "weather"}):
        with pytest.raises(ValueError):
            kinds.register(dataclasses.replace(extra, **{"name": "other", "plural": "others", "prefix": "ot",
                                                         **change}))
    assert "other" not in KINDS


@pytest.mark.parametrize("name", OFFLINE_KINDS)
@pytest.mark.parametrize("source", INPUTS)
def test_ids_are_unique_valid_and_prefixed(builds, name, source):
    kind = KINDS[name]
    records = read_jsonl(builds[source][0] / kind.filename)
    assert records, f"{name} wrote nothing for {source}"
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for record in records:
        assert ID.match(record["id"]) and record["id"].startswith(f"{kind.prefix}-")
        assert record["kind"] == name
        for key in ("generator", "principles", "axes", "sources", "seed", "sample", "focus"):
            assert key in record


@pytest.mark.parametrize("name", OFFLINE_KINDS)
@pytest.mark.parametrize("source", INPUTS)
def test_records_match_their_schema(builds, name, source):
    import jsonschema

    validator = jsonschema.Draft202012Validator(KINDS[name].schema())
    for record in read_jsonl(builds[source][0] / KINDS[name].filename):
        validator.validate(record)


@pytest.mark.parametrize("name", OFFLINE_KINDS)
@pytest.mark.parametrize("source", INPUTS)
def test_sources_resolve_to_real_clauses(builds, name, source, monkeypatch):
    monkeypatch.chdir(DATA)
    constitution = load([source]).constitution
    for record in read_jsonl(builds[source][0] / KINDS[name].filename):
        cited = [s["clause"] for s in record["sources"]]
        assert cited[:len(record["principles"])] == record["principles"]
        assert len(cited) == len(set(cited))
        for s in record["sources"]:
            principle = constitution.principle(s["clause"])
            assert principle is not None
            assert (s["file"], s["line"], s["end_line"]) == (principle.span.file, principle.span.line,
                                                             principle.span.end_line)
            assert s["sha256"] == principle.sha256
            assert (DATA / s["file"]).is_file()


@pytest.mark.parametrize("name", OFFLINE_KINDS)
@pytest.mark.parametrize("source", INPUTS)
def test_lines_are_canonical_json(builds, name, source):
    path = builds[source][0] / KINDS[name].filename
    for line in path.read_bytes().splitlines(keepends=True):
        assert canonical_line(json.loads(line)) == line


@pytest.mark.parametrize("source", INPUTS)
def test_rebuild_into_another_directory_is_byte_identical(builds, source):
    first, second = builds[source]
    assert tree_bytes(first) == tree_bytes(second)
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    text = (first / "manifest.json").read_text(encoding="utf-8")
    assert str(first) not in text and str(DATA) not in text
    assert manifest["sources"] == [{"path": source, "sha256": manifest["sources"][0]["sha256"]}]


def test_identical_across_hash_seeds(in_data, tmp_path):
    # A subprocess knows the shipped kinds only, so the in-process reference builds those too.
    first = tmp_path / "here"
    assert run_build("families.cdl", "-o", first).exit_code == 0
    for seed in ("1", "12345"):
        out = tmp_path / f"hash{seed}"
        result = build_in_subprocess(["families.cdl", "-o", out], DATA, seed)
        assert result.returncode == 0, result.stderr
        assert tree_bytes(out) == tree_bytes(first)


def test_manifest_hashes_and_counts_match_files(builds):
    import hashlib

    first, _ = builds["families.cdl"]
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        data = (first / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert data.count(b"\n") == entry["records"]
