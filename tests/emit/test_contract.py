"""The contract every record backend passes: valid unique ids, real sources, determinism, byte-identical rebuilds."""

from __future__ import annotations

import json
import re

import pytest

from constitutionc.api import load
from constitutionc.emit.backends import BACKENDS
from constitutionc.emit.writer import canonical_line

from .conftest import DATA, build_in_subprocess, read_jsonl, run_build, tree_bytes

INPUTS = ["quickstart.cdl", "families.cdl"]
ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
PREFIX = {"dilemma": "dl-", "response": "rs-", "probe": "pr-"}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Each input built twice into different directories (from tests/emit/data)."""
    import os

    out = {}
    old = os.getcwd()
    os.chdir(DATA)
    try:
        for name in INPUTS:
            first = tmp_path_factory.mktemp("first") / "out"
            second = tmp_path_factory.mktemp("second") / "elsewhere"
            for directory in (first, second):
                result = run_build(name, "-o", directory)
                assert result.exit_code == 0, result.output
            out[name] = (first, second)
    finally:
        os.chdir(old)
    return out


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("source", INPUTS)
def test_ids_are_unique_valid_and_prefixed(builds, backend, source):
    records = read_jsonl(builds[source][0] / BACKENDS[backend].filename)
    assert records, f"{backend} wrote nothing for {source}"
    kind = BACKENDS[backend].kind
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    for record in records:
        assert ID.match(record["id"]) and record["id"].startswith(PREFIX[kind])
        assert record["kind"] == kind
        for key in ("generator", "principles", "axes", "sources", "seed"):
            assert key in record


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("source", INPUTS)
def test_sources_resolve_to_real_clauses(builds, backend, source, monkeypatch):
    monkeypatch.chdir(DATA)
    constitution = load([source]).constitution
    for record in read_jsonl(builds[source][0] / BACKENDS[backend].filename):
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


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize("source", INPUTS)
def test_lines_are_canonical_json(builds, backend, source):
    path = builds[source][0] / BACKENDS[backend].filename
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


def test_identical_across_hash_seeds(builds, tmp_path):
    first, _ = builds["families.cdl"]
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
