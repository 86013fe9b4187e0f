"""`--target` runs the registered targets on the canonical records, in builds and in merges alike."""

from __future__ import annotations

import json

from constitutionc.emit.targets import TARGETS

from .conftest import run_build, run_merge, tree_bytes


def test_every_target_writes_under_its_directory_and_is_listed_in_the_manifest(in_data, tmp_path):
    names = sorted(TARGETS)
    out = tmp_path / "out"
    result = run_build("families.cdl", "-o", out, *[a for n in names for a in ("--target", n)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"]}
    on_disk = set(tree_bytes(out)) - {"manifest.json"}
    assert listed == on_disk
    for name in names:
        assert any(path.startswith(f"{name}/") for path in listed), name


def test_targets_of_merged_shards_equal_the_unsharded_build(in_data, tmp_path):
    names = sorted(TARGETS)
    targets = [a for n in names for a in ("--target", n)]
    whole = tmp_path / "whole"
    assert run_build("families.cdl", "-o", whole, *targets).exit_code == 0
    shards = [tmp_path / f"s{i}" for i in range(2)]
    for i, shard in enumerate(shards):
        assert run_build("families.cdl", "-o", shard, "--shard", f"{i}/2", *targets).exit_code == 0
    assert run_merge(*shards, "-o", tmp_path / "merged").exit_code == 0
    assert tree_bytes(tmp_path / "merged") == tree_bytes(whole)


def test_model_option_reaches_the_targets_that_name_a_model(in_data, tmp_path):
    out = tmp_path / "out"
    result = run_build("quickstart.cdl", "-o", out, "--target", "anthropic", "--target", "promptfoo",
                       "--target", "hf", "--model", "claude-test-model")
    assert result.exit_code == 0, result.output
    requests = [json.loads(line) for line in (out / "anthropic" / "requests.jsonl").read_text().splitlines()]
    assert requests and {r["model"] for r in requests} == {"claude-test-model"}
    assert "claude-test-model" in (out / "promptfoo" / "promptfooconfig.yaml").read_text()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["options"]["model"] == "claude-test-model"
