"""Every target through the real `constitutionc build` command, read back by each format's consumer."""

from __future__ import annotations

import hashlib
import json
import os

import jsonschema
import pytest
import yaml
from anthropic.types.messages.batch_create_params import Request as BatchRequest
from click.testing import CliRunner
from pydantic import TypeAdapter

from constitutionc.emit.targets import TARGETS
from constitutionc.cli import main

from .conftest import REPO, read_jsonl
from .format_schemas import CHAT_LINE, CONFIG, PREFERENCE_LINE, TEST_CASE

EXAMPLE = "tests/emit/data/quickstart.cdl"


def build(out, *extra):
    args = ["build", EXAMPLE, "-o", str(out), *(a for name in sorted(TARGETS) for a in ("--target", name)), *extra]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(REPO)  # source paths in records are relative to where the build runs
    try:
        return build(tmp_path_factory.mktemp("build") / "out")
    finally:
        os.chdir(cwd)


def canonical(built, name):
    return read_jsonl(built / name)


def test_the_manifest_lists_every_target_file_with_its_hash(built):
    manifest = json.loads((built / "manifest.json").read_text())
    listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    written = {p.relative_to(built).as_posix(): p for name in TARGETS for p in (built / name).rglob("*")
               if p.is_file()}
    assert {name.split("/")[0] for name in written} == set(TARGETS)
    for path, file in written.items():
        assert listed[path] == hashlib.sha256(file.read_bytes()).hexdigest()


def test_anthropic_batch_lines_cover_dilemmas_and_probes(built):
    adapter = TypeAdapter(BatchRequest)
    batch = read_jsonl(built / "anthropic" / "batch.jsonl")
    for line in batch:
        adapter.validate_python(line, strict=True)
    expected = [r["id"] for r in canonical(built, "dilemmas.jsonl") + canonical(built, "probes.jsonl")]
    assert sorted(line["custom_id"] for line in batch) == sorted(expected)


def test_openai_files_match_the_format(built):
    responses = canonical(built, "responses.jsonl")
    for variant, style, schema in (("justified", "inline", CHAT_LINE), ("justified", "separate", CHAT_LINE),
                                   ("bare", "inline", CHAT_LINE), ("preference", "inline", PREFERENCE_LINE),
                                   ("preference", "separate", PREFERENCE_LINE)):
        name = "preference" if variant == "preference" else f"chat.{variant}"
        name += ".separate.jsonl" if style == "separate" else ".jsonl"
        lines = read_jsonl(built / "openai" / name) if (built / "openai" / name).exists() else []
        # One style per file: every prompt once, so the two arms of the ablation have as many rows.
        assert len(lines) == sum(r["variant"] == variant and r["style"] == style for r in responses)
        for line in lines:
            jsonschema.validate(line, schema)


def test_hf_files_load_with_datasets(built, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    responses = canonical(built, "responses.jsonl")
    for variant, style in (("justified", "inline"), ("justified", "separate"), ("bare", "inline"),
                           ("preference", "inline")):
        config = variant + ("_separate" if style == "separate" else "")
        rows = datasets.load_dataset(str(built / "hf"), config, split="train", cache_dir=str(tmp_path / "cache"))
        assert rows.num_rows == sum(r["variant"] == variant and r["style"] == style for r in responses) > 0


def test_inspect_samples_load_with_json_dataset(built):
    from inspect_ai.dataset import json_dataset

    dataset = json_dataset(str(built / "inspect" / "samples.jsonl"))
    assert [s.id for s in dataset] == [p["id"] for p in canonical(built, "probes.jsonl")]


def test_promptfoo_suite_matches_the_schemas(built):
    jsonschema.validate(yaml.safe_load((built / "promptfoo" / "promptfooconfig.yaml").read_text()), CONFIG)
    tests = yaml.safe_load((built / "promptfoo" / "tests.yaml").read_text())
    assert len(tests) == len(canonical(built, "probes.jsonl"))
    for case in tests:
        jsonschema.validate(case, TEST_CASE)


def test_rebuilding_elsewhere_gives_identical_target_files(built, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    again = build(tmp_path / "elsewhere" / "out")
    for name in TARGETS:
        for path in sorted((built / name).rglob("*")):
            assert (again / path.relative_to(built)).read_bytes() == path.read_bytes(), path
