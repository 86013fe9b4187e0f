"""The `hf` target, loaded with the real `datasets.load_dataset("json", ...)`."""

from __future__ import annotations

import os

import pytest

from constitutionc.emit.targets import TARGETS
from constitutionc.emit.targets.base import REASONING_OPEN

from .conftest import by_kind, run_target

EXTRA_COLUMNS = {"id", "dilemma_id", "variant", "style", "generator", "principles", "axes", "sources"}


@pytest.fixture(scope="module")
def load_json(tmp_path_factory):
    home = tmp_path_factory.mktemp("hf-home")
    saved = {k: os.environ.get(k) for k in ("HF_HOME", "HF_DATASETS_OFFLINE")}
    os.environ.update(HF_HOME=str(home), HF_DATASETS_OFFLINE="1")
    import datasets

    def load(path):
        return datasets.load_dataset("json", data_files=str(path), split="train", cache_dir=str(home / "cache"))

    yield load
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# Arrow infers one schema per file from its rows: check both a file that opens with
# rows that have axes and a system turn, and one that opens with rows that lack them.
@pytest.fixture(params=["as-built", "bare-rows-first"])
def ordered(request, records):
    if request.param == "as-built":
        return list(records)
    reordered = sorted(records, key=lambda item: (bool(item[1]["axes"]), not item[1].get("system")))
    assert not reordered[0][1]["axes"] and reordered[0][1].get("system")
    return reordered


def test_sft_loads_with_one_row_per_justified_or_bare_response(ordered, load_json, tmp_path):
    run_target(TARGETS["hf"], tmp_path, ordered)
    rows = load_json(tmp_path / "sft.jsonl")
    expected = [r for r in by_kind(ordered, "response") if r["variant"] != "preference"]
    assert rows.num_rows == len(expected)
    assert set(rows.column_names) == EXTRA_COLUMNS | {"messages"}
    assert rows["id"] == [r["id"] for r in expected]
    for row, record in zip(rows, expected):
        roles = [m["role"] for m in row["messages"]]
        assert roles == (["system"] if record["system"] else []) + ["user", "assistant"]
        assert row["messages"][-2]["content"] == record["prompt"]
        answer = row["messages"][-1]["content"]
        assert answer.endswith(record["completion"])
        assert answer.startswith(REASONING_OPEN) == bool(record["reasoning"])
        assert row["sources"] == record["sources"]
        assert {(a["axis"], a["value"]) for a in row["axes"]} == set(record["axes"].items())
    assert {"bare", "justified"} == set(rows["variant"])


def test_preference_loads_as_prompt_chosen_rejected(ordered, load_json, tmp_path):
    run_target(TARGETS["hf"], tmp_path, ordered)
    rows = load_json(tmp_path / "preference.jsonl")
    expected = [r for r in by_kind(ordered, "response") if r["variant"] == "preference"]
    assert expected and rows.num_rows == len(expected)
    assert set(rows.column_names) == EXTRA_COLUMNS | {"prompt", "chosen", "rejected"}
    for row, record in zip(rows, expected):
        assert row["id"] == record["id"]
        assert row["prompt"][-1] == {"role": "user", "content": record["prompt"]}
        assert [m["role"] for m in row["chosen"]] == ["assistant"] == [m["role"] for m in row["rejected"]]
        assert row["chosen"][0]["content"].endswith(record["chosen"])
        assert row["rejected"][0]["content"] == record["rejected"]


def test_column_types_are_the_same_on_every_row(records, load_json, tmp_path):
    run_target(TARGETS["hf"], tmp_path, records)
    features = load_json(tmp_path / "sft.jsonl").features
    source = features["sources"][0] if isinstance(features["sources"], list) else features["sources"].feature
    assert set(source) == {"clause", "file", "line", "end_line", "sha256"}
    assert source["line"].dtype == "int64" and source["sha256"].dtype == "string"
    axis = features["axes"][0] if isinstance(features["axes"], list) else features["axes"].feature
    assert {name: f.dtype for name, f in axis.items()} == {"axis": "string", "value": "string"}
