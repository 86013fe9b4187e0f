"""The `openai` target, validated against schemas written from OpenAI's fine-tuning file formats.

Chat fine-tuning lines are `{"messages": [...]}` with system/user/assistant
turns; preference (DPO) lines are `{"input": {"messages": [...]},
"preferred_output": [assistant], "non_preferred_output": [assistant]}`. Neither
accepts extra keys, so ids and sources live in `lineage.jsonl`.
"""

from __future__ import annotations

import jsonschema
import pytest

from constitutionc.emit.targets import TARGETS
from constitutionc.emit.targets.base import REASONING_OPEN

from .conftest import by_kind, read_jsonl, run_target
from .format_schemas import CHAT_LINE, LINEAGE_LINE, PREFERENCE_LINE


@pytest.fixture(scope="module")
def out(records, tmp_path_factory):
    out = tmp_path_factory.mktemp("openai")
    run_target(TARGETS["openai"], out, records)
    return out


def validate_all(lines, schema):
    validator = jsonschema.Draft202012Validator(schema)
    for line in lines:
        validator.validate(line)


def test_the_schemas_reject_what_the_format_forbids():
    validator = jsonschema.Draft202012Validator(CHAT_LINE)
    assert not validator.is_valid({"messages": [{"role": "user", "content": "hi"}]})
    assert not validator.is_valid({"messages": [{"role": "user", "content": "hi"},
                                                {"role": "assistant", "content": "yo"}], "id": "x"})
    assert not jsonschema.Draft202012Validator(PREFERENCE_LINE).is_valid(
        {"input": {"messages": [{"role": "assistant", "content": "x"}]},
         "preferred_output": [{"role": "assistant", "content": "a"}],
         "non_preferred_output": [{"role": "assistant", "content": "b"}]})


@pytest.mark.parametrize("variant, style, name", [("justified", "inline", "chat.justified.jsonl"),
                                                  ("justified", "separate", "chat.justified.separate.jsonl"),
                                                  ("bare", "inline", "chat.bare.jsonl")])
def test_chat_files_hold_one_variant_and_style_each(out, records, variant, style, name):
    lines = read_jsonl(out / name)
    validate_all(lines, CHAT_LINE)
    expected = [r for r in by_kind(records, "response") if r["variant"] == variant and r["style"] == style]
    assert expected and len(lines) == len(expected)
    assert len({line["messages"][-2]["content"] for line in lines}) == len({r["prompt"] for r in expected})
    for line, record in zip(lines, expected):
        assistant = line["messages"][-1]["content"]
        assert line["messages"][-2] == {"role": "user", "content": record["prompt"]}
        assert assistant.endswith(record["completion"])
        assert assistant.startswith(REASONING_OPEN) == bool(record["reasoning"])


def test_preference_file(out, records):
    lines = read_jsonl(out / "preference.jsonl")
    validate_all(lines, PREFERENCE_LINE)
    expected = [r for r in by_kind(records, "response") if r["variant"] == "preference"]
    assert expected and len(lines) == len(expected)
    for line, record in zip(lines, expected):
        assert line["non_preferred_output"][0]["content"] == record["rejected"]
        assert line["preferred_output"][0]["content"].endswith(record["chosen"])


def test_lineage_points_at_each_example(out, records):
    lineage = read_jsonl(out / "lineage.jsonl")
    validate_all(lineage, LINEAGE_LINE)
    responses = {r["id"]: r for r in by_kind(records, "response")}
    assert sorted(entry["id"] for entry in lineage) == sorted(responses)
    files = {}
    for entry in lineage:
        lines = files.setdefault(entry["file"], read_jsonl(out / entry["file"]))
        example = lines[entry["line"] - 1]
        record = responses[entry["id"]]
        assert entry["sources"] == record["sources"]
        user = (example.get("messages") or example["input"]["messages"])
        assert {"role": "user", "content": record["prompt"]} in user


def test_lines_validate_with_the_openai_sdk_types(out):
    import openai
    from pydantic import TypeAdapter

    adapter = TypeAdapter(list[openai.types.chat.ChatCompletionMessageParam])
    for variant in ("justified", "bare"):
        for line in read_jsonl(out / f"chat.{variant}.jsonl"):
            adapter.validate_python(line["messages"])
