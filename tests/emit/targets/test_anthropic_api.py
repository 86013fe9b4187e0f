"""The `anthropic` target, checked against the real SDK's types and its real HTTP client."""

from __future__ import annotations

import re

import anthropic
import jsonschema
import pytest
from anthropic.types import MessageParam
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from anthropic.types.messages.batch_create_params import Request as BatchRequest
from pydantic import TypeAdapter

from constitutionc.emit.targets import TARGETS
from constitutionc.emit.targets.base import REASONING_CLOSE, REASONING_OPEN
from tests.llm.server import ModelServer

from .conftest import by_kind, read_jsonl, run_target

CUSTOM_ID = re.compile(r"[a-zA-Z0-9_-]{1,64}\Z")
REQUEST_KEYS = MessageCreateParamsNonStreaming.__required_keys__ | MessageCreateParamsNonStreaming.__optional_keys__


@pytest.fixture(scope="module")
def output(records, tmp_path_factory):
    out = tmp_path_factory.mktemp("anthropic")
    run_target(TARGETS["anthropic"], out, records)
    assert sorted(p.name for p in out.iterdir()) == ["batch.jsonl", "requests.jsonl"]
    return {name: read_jsonl(out / name) for name in ("requests.jsonl", "batch.jsonl")}


def test_each_request_is_a_valid_messages_create_body(output, records):
    adapter = TypeAdapter(MessageCreateParamsNonStreaming)
    requests = output["requests.jsonl"]
    assert len(requests) == len(by_kind(records, "dilemma")) + len(by_kind(records, "probe"))
    for params in requests:
        assert set(params) <= REQUEST_KEYS, set(params) - REQUEST_KEYS
        adapter.validate_python(params, strict=True)
        assert [m["role"] for m in params["messages"]] == ["user"]


def test_batch_lines_are_valid_and_match_the_requests(output, records):
    adapter = TypeAdapter(BatchRequest)
    batch = output["batch.jsonl"]
    for line in batch:
        adapter.validate_python(line, strict=True)
        assert CUSTOM_ID.match(line["custom_id"])
    assert [line["params"] for line in batch] == output["requests.jsonl"]
    expected_ids = [r["id"] for kind, r in records if kind in ("dilemma", "probe")]
    assert [line["custom_id"] for line in batch] == expected_ids
    assert len(set(expected_ids)) == len(expected_ids)


def test_dilemma_requests_carry_the_prompt_and_system(output, records):
    lines = {line["custom_id"]: line["params"] for line in output["batch.jsonl"]}
    for dilemma in by_kind(records, "dilemma"):
        params = lines[dilemma["id"]]
        assert params["messages"][0]["content"] == dilemma["prompt"]
        assert params.get("system") == dilemma["system"]
        assert "tools" not in params
    assert any(d["system"] for d in by_kind(records, "dilemma")), "the fixture covers a system context"


def test_probe_requests_offer_the_environments_tools(output, records):
    lines = {line["custom_id"]: line["params"] for line in output["batch.jsonl"]}
    for probe in by_kind(records, "probe"):
        params = lines[probe["id"]]
        assert params["system"] == probe["system"]
        assert params["messages"][0]["content"] == probe["user"]
        assert [t["name"] for t in params["tools"]] == [t["name"] for t in probe["tools"]]
        for tool in params["tools"]:
            jsonschema.Draft202012Validator.check_schema(tool["input_schema"])
            assert tool["input_schema"]["type"] == "object"


def test_no_training_file_is_written(records, tmp_path):
    # Bedrock's Claude fine-tuning lines allow `system` and `messages` only, no id or sources: the
    # openai and hf targets carry the answers; this target carries requests for a model to answer.
    out = tmp_path / "anthropic"
    run_target(TARGETS["anthropic"], out, [(k, r) for k, r in records if k == "response"])
    assert not out.exists() or not any(out.iterdir())


def test_the_real_client_sends_exactly_the_emitted_requests(output):
    batch = output["batch.jsonl"]
    chosen = [next(line for line in batch if line["custom_id"].startswith("dl-") and "system" in line["params"]),
              next(line for line in batch if line["custom_id"].startswith("pr-"))]
    with ModelServer(lambda call: "Understood.") as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
        for line in chosen:
            message = client.messages.create(**line["params"])
            assert message.content[0].text == "Understood."
        created = client.messages.batches.create(requests=batch)
        assert created.request_counts.processing == len(batch)
    assert server.posted("/v1/messages") == [line["params"] for line in chosen]
    assert server.posted("/v1/messages/batches") == [{"requests": batch}]


def test_the_default_model_is_current_for_the_installed_sdk():
    from typing import get_args

    from anthropic._data import DEPRECATED_MODELS
    from anthropic.types import ModelParam

    from constitutionc.emit.targets.anthropic_api import DEFAULT_MODEL

    known = {name for arg in get_args(ModelParam) for name in get_args(arg)}
    assert DEFAULT_MODEL in known and DEFAULT_MODEL not in DEPRECATED_MODELS


def test_model_and_max_tokens_can_be_chosen(records, tmp_path):
    run_target(TARGETS["anthropic"], tmp_path, records, model="claude-haiku-4-5", max_tokens=512)
    for params in read_jsonl(tmp_path / "requests.jsonl"):
        assert (params["model"], params["max_tokens"]) == ("claude-haiku-4-5", 512)
