"""The streaming scan: the fast field reading agrees with a full parse, also on awkward records,
and a file split across worker processes gives the same tally as one piece."""

from __future__ import annotations

import json

import pytest

from constitutionc.coverage import compute_coverage, scan
from constitutionc.coverage.scan import Chunk, ScanContext, _full_signature, _parse_signature, _raw_values, scan_chunk

from .conftest import NESTED, QUICKSTART, loaded

SOURCE = {"clause": "ethics.privacy", "end_line": 55, "file": "tests/coverage/data/quickstart.cdl", "line": 51,
          "sha256": "0" * 64}

AWKWARD = [
    # a completion quoting JSON with the very keys coverage looks for
    {"kind": "response", "variant": "bare", "generator": "g", "axes": {"a": "x"}, "sources": [SOURCE],
     "tensions": [], "completion": 'He wrote {"kind": "probe", "sources": [], "variant": "x"} and left.'},
    # closing characters and escaped quotes inside the values coverage cuts out
    {"kind": "dilemma", "generator": 'say "hi"', "axes": {"tone": 'curly } brace', "b": 'quote " ]'},
     "sources": [dict(SOURCE, file="odd]}path.cdl")]},
    # a nested `kind` placed before the record's own (keys not sorted)
    {"messages": [{"kind": "email", "id": "m1"}], "kind": "probe", "generator": "p", "axes": {},
     "sources": [SOURCE], "id": "pr-1"},
    # axes named like the keys coverage reads, and a probe tool parameter named `sources`
    {"axes": {"generator": "not-me", "kind": "response", "sources": "x"}, "generator": "real", "id": "pr-2",
     "kind": "probe", "sources": [SOURCE], "tools": [{"input_schema": {"properties": {"sources": {"type": "array"}},
                                                                        "type": "object"}, "name": "t"}]},
    {"axes": {"generator": "not-me", "kind": "probe"}, "generator": "real", "kind": "response", "variant": "bare",
     "sources": [SOURCE], "tensions": []},
    # a key that ends in an escaped quote followed by a watched name
    {"kind": "response", "variant": "justified", 'x\\"sources': [1], "generator": "g", "axes": {},
     "sources": [SOURCE], "tensions": ["a>b"]},
]


@pytest.mark.parametrize("record", AWKWARD)
@pytest.mark.parametrize("separators", [(", ", ": "), (",", ":")])
@pytest.mark.parametrize("sort_keys", [True, False])
def test_fast_reading_agrees_with_full_parse_or_declines(record, separators, sort_keys):
    line = (json.dumps(record, separators=separators, sort_keys=sort_keys) + "\n").encode()
    full, axes, _ = _full_signature(line)
    raw = _raw_values(line)
    if raw is None:
        return  # the scan parses such a line fully
    signature = _parse_signature(raw[:5] + raw[6:])
    if signature is not None:
        assert signature == full
        assert json.loads(raw[5]) == axes


@pytest.mark.parametrize("style", [{}, {"separators": (",", ":"), "sort_keys": True}])
def test_awkward_records_are_counted_exactly(tmp_path, monkeypatch, style):
    lines = [json.dumps(r, **style) + "\n" for r in AWKWARD] * 30  # well past the cross-checked first lines
    path = tmp_path / "records.jsonl"
    path.write_text("".join(lines))
    full_parses = []
    real_full_signature = scan._full_signature
    monkeypatch.setattr(scan, "_full_signature", lambda line: full_parses.append(1) or real_full_signature(line))
    tally = scan_chunk(Chunk(str(path), 0, path.stat().st_size), ScanContext(current_hashes={}))
    expected = {}
    for line in lines:
        signature = real_full_signature(line.encode())[0]
        expected[signature] = expected.get(signature, 0) + 1
    assert dict(tally.records) == expected
    assert tally.axes[((SOURCE["clause"], SOURCE["sha256"]),)] == {
        ("a", "x"), ("tone", "curly } brace"), ("b", 'quote " ]'), ("generator", "not-me"), ("kind", "response"),
        ("kind", "probe"), ("sources", "x")}
    if style:
        # Compact and sorted, as the build writes: only the cross-checked lines and the two records the fast
        # reading declines (a cut inside a string; a tool parameter named `sources`) are parsed in full.
        assert len(full_parses) == scan.CROSS_CHECK_LINES + 2 * 30


def test_fast_reading_handles_the_real_record_shapes(quickstart_build):
    for name in ("dilemmas.jsonl", "responses.jsonl", "probes.jsonl"):
        for line in (quickstart_build / name).read_bytes().splitlines(keepends=True):
            raw = _raw_values(line)
            assert raw is not None
            assert _parse_signature(raw[:5] + raw[6:]) == _full_signature(line)[0]


def test_parallel_chunks_match_a_single_pass(copy_of, nested_build, monkeypatch):
    build = copy_of(nested_build)
    for name in ("dilemmas.jsonl", "responses.jsonl", "probes.jsonl"):
        path = build / name
        path.write_text(path.read_text() * 40)  # more than the cross-checked lines in each piece
    constitution = loaded(NESTED)
    single = compute_coverage(constitution, build, workers=1)
    monkeypatch.setattr(scan, "PARALLEL_THRESHOLD_BYTES", 1)
    pieces = scan._split(build / "responses.jsonl", 2)
    assert len(pieces) > 2 and pieces[0].start == 0 and pieces[-1].end == (build / "responses.jsonl").stat().st_size
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:]))
    parallel = compute_coverage(constitution, build, workers=2)
    assert parallel == single
    assert single["totals"]["records"] == 40 * 28


def test_stale_samples_keep_file_order_across_pieces(copy_of, quickstart_build, monkeypatch):
    build = copy_of(quickstart_build)
    path = build / "responses.jsonl"
    path.write_text(path.read_text().replace("8609c6053cd8", "000000000000") * 5)
    ids = [json.loads(line)["id"] for line in path.read_text().splitlines()]
    monkeypatch.setattr(scan, "PARALLEL_THRESHOLD_BYTES", 1)
    document = compute_coverage(loaded(QUICKSTART), build, workers=2)
    [entry] = [e for e in document["stale"] if e["clause"] == "safety.no_coercion"]
    assert entry["records"] == 90 and entry["sample_ids"] == ids[:scan.STALE_SAMPLE_SIZE]
