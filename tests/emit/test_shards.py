"""`--shard I/N` builds joined by `merge` equal the unsharded build byte for byte; bad shard sets are refused."""

from __future__ import annotations

import json

import pytest

from .conftest import run_build, run_merge, tree_bytes


@pytest.mark.parametrize("count", [1, 3, 5])
def test_merged_shards_equal_the_unsharded_build(in_data, tmp_path, count):
    whole = tmp_path / "whole"
    assert run_build("families.cdl", "-o", whole, "--seed", "4").exit_code == 0
    shards = []
    for index in range(count):
        shard = tmp_path / f"shard{index}"
        result = run_build("families.cdl", "-o", shard, "--seed", "4", "--shard", f"{index}/{count}")
        assert result.exit_code == 0, result.output
        shards.append(shard)
    merged = tmp_path / "merged"
    result = run_merge(*reversed(shards), "-o", merged)
    assert result.exit_code == 0, result.output
    assert tree_bytes(merged) == tree_bytes(whole)


def _shards(tmp_path, count=2, *extra):
    dirs = []
    for index in range(count):
        d = tmp_path / f"s{index}{'-'.join(extra)}"
        assert run_build("families.cdl", "-o", d, "--shard", f"{index}/{count}", *extra).exit_code == 0
        dirs.append(d)
    return dirs


def test_missing_shard_is_refused(in_data, tmp_path):
    s0, _s1 = _shards(tmp_path)
    result = run_merge(s0, "-o", tmp_path / "m")
    assert result.exit_code == 1 and "missing shard(s) 1/2" in result.output
    assert not (tmp_path / "m").exists()


def test_duplicate_shard_is_refused(in_data, tmp_path):
    s0, s1 = _shards(tmp_path)
    result = run_merge(s0, s1, s0, "-o", tmp_path / "m")
    assert result.exit_code == 1 and "given twice" in result.output


def test_shards_of_different_builds_are_refused(in_data, tmp_path):
    s0, _ = _shards(tmp_path)
    _, other = _shards(tmp_path, 2, "--seed", "9")
    result = run_merge(s0, other, "-o", tmp_path / "m")
    assert result.exit_code == 1 and "disagree on seed" in result.output


def test_an_unsharded_build_is_not_a_shard(in_data, tmp_path):
    whole = tmp_path / "whole"
    assert run_build("families.cdl", "-o", whole).exit_code == 0
    result = run_merge(whole, "-o", tmp_path / "m")
    assert result.exit_code == 1 and "not a shard" in result.output


@pytest.mark.parametrize("value", ["2/2", "x/3", "1", "-1/2"])
def test_bad_shard_option(in_data, tmp_path, value):
    result = run_build("families.cdl", "-o", tmp_path / "o", "--shard", value)
    assert result.exit_code == 2


def test_shard_manifest_names_the_shard(in_data, tmp_path):
    s0, s1 = _shards(tmp_path)
    manifests = [json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (s0, s1)]
    assert [m["shard"] for m in manifests] == [{"index": 0, "count": 2}, {"index": 1, "count": 2}]


def test_a_truncated_shard_is_refused(in_data, tmp_path):
    s0, s1 = _shards(tmp_path)
    largest = max(s1.glob("*.jsonl"), key=lambda p: p.stat().st_size)
    data = largest.read_bytes()
    largest.write_bytes(data[: len(data) // 2])
    result = run_merge(s0, s1, "-o", tmp_path / "m")
    assert result.exit_code == 1
    assert "does not match the sha256 in its manifest" in result.output
    assert not (tmp_path / "m").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s0", "s1"]
