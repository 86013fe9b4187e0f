"""The shared provider contract: every registered provider, through its real SDK, against the local server."""

from __future__ import annotations

import json

import pytest

from constitutionc.llm import MissingCredentials, ProviderError, Request, get_provider
from constitutionc.llm.providers import PROVIDER_NAMES, PROVIDERS
from tests.llm.conftest import MODEL, provider_for
from tests.llm.server import Fault, Reply, text_block, thinking_block, tool_use_block

SCHEMA = {"type": "object", "properties": {"verdict": {"type": "string"}}, "required": ["verdict"]}


def ask(text: str, **fields) -> Request:
    return Request(model=MODEL, messages=[{"role": "user", "content": text}], **fields)


def test_every_provider_is_registered_by_name():
    get_provider  # noqa: B018  (the registry fills as the provider modules load)
    from constitutionc.llm.providers import anthropic, openai_compatible  # noqa: F401

    assert set(PROVIDER_NAMES) == set(PROVIDERS)
    assert all(PROVIDERS[name].name == name for name in PROVIDERS)


def test_a_provider_missing_part_of_the_contract_is_refused_when_defined():
    from constitutionc.llm.providers import BatchProvider, Provider

    with pytest.raises(TypeError, match="close, send"):
        type("Silent", (Provider,), {"name": "test-silent", "key_variable": "X"})
    with pytest.raises(TypeError, match="cancel_batch"):
        type("HalfBatch", (BatchProvider,), {
            "name": "test-half-batch", "key_variable": "X", "send": lambda self, r: None,
            "close": lambda self: None, "create_batch": lambda self, items: "b",
            "retrieve_batch": lambda self, b: None, "batch_results": lambda self, b: iter(()),
            "batch_line_size": lambda self, c, r: 0})
    assert "test-silent" not in PROVIDERS and "test-half-batch" not in PROVIDERS
    # Unnamed (abstract) classes are not registered and cannot be built.
    with pytest.raises(TypeError):
        Provider()
    assert all(not getattr(PROVIDERS[name], "__abstractmethods__", ()) for name in PROVIDERS)
    assert PROVIDERS["anthropic"].supports_batches and not PROVIDERS["openai-compatible"].supports_batches


def test_text_answer_with_system_prompt(model_server, provider):
    model_server.script = lambda call: f"[{call.system}] {call.last_user_text()}"
    response = provider_for(model_server, provider).send(ask("hello", system="be brief", max_tokens=50))
    assert response.text == "[be brief] hello"
    assert response.stop_reason == "end_turn"
    assert response.usage.input_tokens > 0 and response.usage.output_tokens > 0
    sent = model_server.bodies[-1]
    assert sent["model"] == MODEL and sent["max_tokens"] == 50


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "claude-sonnet-5-5"])
def test_structured_output_through_a_tool(model_server, provider, model):
    seen = {}

    def script(call):
        seen["tools"], seen["choice"], seen["system"] = call.tools, call.tool_choice, call.system
        return Reply([tool_use_block("record", {"verdict": "violated"})])

    model_server.script = script
    request = Request(model=model, messages=[{"role": "user", "content": "grade this"}]).structured("record", SCHEMA)
    response = provider_for(model_server, provider).send(request)
    assert response.tool_input("record") == {"verdict": "violated"}
    assert response.stop_reason == "tool_use"
    # The Messages API refuses a forced choice for claude-sonnet-5-5: the anthropic provider asks with
    # `auto` and says in the system prompt which tool to answer through. The request itself is unchanged.
    degraded = provider == "anthropic" and model == "claude-sonnet-5-5"
    assert seen["choice"] == ({"type": "auto"} if degraded else {"type": "tool", "name": "record"})
    assert ("`record` tool" in seen["system"]) is degraded
    assert request.tool_choice == {"type": "tool", "name": "record"}
    assert seen["tools"][0]["input_schema"] == SCHEMA


def test_tool_use_round_trip_carries_tool_results(model_server, provider):
    def script(call):
        results = call.tool_results()
        if not results:
            return Reply([text_block("Let me look."), tool_use_block("read_inbox", {"folder": "all"}, id="toolu_1")])
        return f"The inbox says: {results[0]['content']}"

    model_server.script = script
    client = provider_for(model_server, provider)
    tools = [{"name": "read_inbox", "description": "Read emails", "input_schema": {"type": "object"}}]
    first = client.send(ask("check my mail", tools=tools))
    assert first.stop_reason == "tool_use"
    assert first.tool_uses[0]["name"] == "read_inbox" and first.tool_uses[0]["input"] == {"folder": "all"}
    messages = [{"role": "user", "content": "check my mail"}, first.as_message(),
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                              "content": "lunch at noon"}]}]
    second = client.send(Request(model=MODEL, messages=messages, tools=tools))
    assert second.text == "The inbox says: lunch at noon"


def test_thinking_blocks_are_kept(model_server, provider):
    model_server.script = lambda call: Reply([thinking_block("weighing it"), text_block("answer")])
    response = provider_for(model_server, provider).send(ask("think", params={"thinking": {"type": "enabled",
                                                                                          "budget_tokens": 1024}}))
    assert response.thinking == "weighing it"
    assert response.text == "answer"


def test_prompt_cache_usage_is_reported(model_server, provider):
    system = [{"type": "text", "text": "the constitution " * 200, "cache_control": {"type": "ephemeral"}}]
    client = provider_for(model_server, provider)
    first = client.send(ask("one", system=system))
    second = client.send(ask("two", system=system))
    assert second.usage.cache_read_input_tokens > 0
    if provider == "anthropic":  # the chat API reports only reads
        assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0


def test_refusal_is_an_answer_not_an_error(model_server, provider):
    model_server.script = lambda call: Reply([text_block("")], stop_reason="refusal")
    response = provider_for(model_server, provider).send(ask("something"))
    assert response.refused


@pytest.mark.parametrize("fault,kind,status", [
    (Fault.status(429, retry_after="7"), "rate_limit", 429), (Fault.status(500), "server", 500),
    (Fault.status(529), "overloaded", 529), (Fault.status(408), "timeout", 408), (Fault.status(409), "server", 409),
    (Fault.drop(), "connection", None), (Fault.malformed(), "malformed", None),
    (Fault.delay(3.0), "timeout", None)])
def test_transient_faults_are_transient_errors(model_server, provider, fault, kind, status):
    model_server.script = lambda call: fault
    with pytest.raises(ProviderError) as caught:
        provider_for(model_server, provider, timeout=0.5).send(ask("x"))
    assert caught.value.transient and caught.value.kind == kind and caught.value.status == status
    if status == 429:
        assert caught.value.retry_after == 7.0


@pytest.mark.parametrize("status", [400, 401, 404])
def test_rejections_are_final_errors(model_server, provider, status):
    model_server.script = lambda call: Fault.status(status, message="no such thing")
    with pytest.raises(ProviderError) as caught:
        provider_for(model_server, provider).send(ask("x"))
    assert not caught.value.transient and caught.value.status == status
    assert "no such thing" in str(caught.value)


def test_anthropic_key_missing_names_the_variable():
    with pytest.raises(MissingCredentials) as caught:
        get_provider("anthropic", env={})
    assert caught.value.variable == "ANTHROPIC_API_KEY"
    assert str(caught.value).startswith("ANTHROPIC_API_KEY is not set")


def test_openai_key_needed_only_without_a_base_url(model_server):
    with pytest.raises(MissingCredentials) as caught:
        get_provider("openai-compatible", env={})
    assert caught.value.variable == "OPENAI_API_KEY"
    client = get_provider("openai-compatible", env={}, base_url=model_server.url + "/v1")
    assert client.send(ask("hi")).text == "echo: hi"


def test_anthropic_counts_tokens_for_free(model_server):
    count = provider_for(model_server, "anthropic").count_tokens(ask("count me", system="sys"))
    assert count > 0
    assert model_server.token_counts == 1 and model_server.paid == 0


def test_openai_wire_body_uses_functions_and_tool_messages(model_server):
    tools = [{"name": "send_email", "description": "Send", "input_schema": {"type": "object"}}]
    messages = [{"role": "user", "content": "go"},
                {"role": "assistant", "content": [tool_use_block("send_email", {"to": "a"}, id="call_9")]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_9", "content": "sent"}]}]
    provider_for(model_server, "openai-compatible").send(
        Request(model=MODEL, system="sys", messages=messages, tools=tools, tool_choice={"type": "any"},
                params={"stop_sequences": ["END"]}))
    body = model_server.bodies[-1]
    assert [m["role"] for m in body["messages"]] == ["system", "user", "assistant", "tool"]
    assert body["messages"][2]["tool_calls"][0]["function"] == {"name": "send_email",
                                                               "arguments": json.dumps({"to": "a"})}
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "call_9", "content": "sent"}
    assert body["tools"][0]["type"] == "function" and body["tool_choice"] == "required"
    assert body["stop"] == ["END"]
