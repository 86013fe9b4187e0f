"""Models that refuse a forced tool choice: one rule for their names, the local server answering 400 as the
API does, and the anthropic provider asking them with an automatic choice (messages, batches, token counts)."""

from __future__ import annotations

import anthropic
import pytest

from constitutionc.llm import Request
from constitutionc.llm.providers.anthropic import wire_body
from constitutionc.models import DEFAULT_MODEL, rejects_forced_tool_choice
from tests.llm.conftest import make_session, provider_for
from tests.llm.server import Reply, say, tool_use_block

SCHEMA = {"type": "object", "properties": {"verdict": {"type": "string"}}, "required": ["verdict"]}

# (model name, whether the Messages API refuses a forced tool choice for it)
NAMES = [
    ("claude-sonnet-5-5", True), ("claude-sonnet-5-5-20260101", True), ("claude-sonnet-5.5", True),
    ("claude-sonnet-5-6", True), ("claude-sonnet-5-12", True), ("anthropic/claude-sonnet-5-5", True),
    ("claude-opus-5-5", True), ("claude-opus-5-7-20261001", True), ("claude-fable-5-1", True),
    ("claude-mythos-5-2", True), ("claude-mythos-5.1-20260301", True),
    ("claude-sonnet-5", False), ("claude-sonnet-5-0", False), ("claude-sonnet-5-1", False),
    ("claude-opus-5-4", False), ("claude-opus-5-20260922", False), ("claude-opus-5-5m", False),
    ("claude-fable-5", False), ("claude-fable-5-0", False), ("claude-haiku-5-5", False),
    ("claude-haiku-4-5", False), ("claude-sonnet-4-5-20250929", False), ("claude-opus-4-1", False),
    ("claude-3-5-sonnet-latest", False), ("gpt-4o", False), ("", False),
]


@pytest.mark.parametrize("model,refused", NAMES)
def test_one_rule_names_the_models_that_refuse_a_forced_choice(model, refused):
    assert rejects_forced_tool_choice(model) is refused


def test_the_rule_is_inspect_ai_s():
    # inspect-ai's Anthropic provider keeps the same list (the rule is mirrored from it); when the
    # installed version has the helper, the two agree on every name above.
    util = pytest.importorskip("inspect_ai.model._providers.util")
    theirs = getattr(util, "rejects_forced_tool_choice", None)
    if theirs is None:
        pytest.skip("this inspect-ai has no rejects_forced_tool_choice")
    assert [theirs(m.split("/")[-1]) for m, _ in NAMES] == [refused for _, refused in NAMES]


def structured(model: str, **fields) -> Request:
    return Request(model=model, system=fields.pop("system", None), messages=[{"role": "user", "content": "grade"}],
                   **fields).structured("record", SCHEMA)


def test_the_local_server_answers_a_forced_choice_with_the_api_s_400(model_server):
    model_server.script = lambda call: Reply([tool_use_block("record", {"verdict": "ok"})])
    client = anthropic.Anthropic(api_key="test", base_url=model_server.url, max_retries=0)
    body = dict(model="claude-sonnet-5-5", max_tokens=50, messages=[{"role": "user", "content": "hi"}],
                tools=[{"name": "record", "input_schema": SCHEMA}])
    for choice in ({"type": "tool", "name": "record"}, {"type": "any"}):
        with pytest.raises(anthropic.BadRequestError) as refused:
            client.messages.create(**body, tool_choice=choice)
        assert refused.value.status_code == 400
        assert refused.value.body["type"] == "error"
        assert refused.value.body["error"]["type"] == "invalid_request_error"
    assert client.messages.create(**body, tool_choice={"type": "auto"}).content[0].type == "tool_use"
    assert client.messages.create(**dict(body, model="claude-sonnet-4-5"),
                                  tool_choice={"type": "tool", "name": "record"}).content[0].type == "tool_use"
    assert model_server.paid == 2


@pytest.mark.parametrize("system", [None, "Grade strictly.",
                                    [{"type": "text", "text": "Grade.", "cache_control": {"type": "ephemeral"}}]])
def test_a_refusing_model_is_asked_with_auto_and_told_which_tool(system):
    body = wire_body(structured("claude-opus-5-5-20260101", system=system))
    assert body["tool_choice"] == {"type": "auto"}
    said = body["system"] if isinstance(body["system"], str) else body["system"][-1]["text"]
    assert "`record` tool" in said
    if isinstance(system, list):  # the cached prefix is left as it was, the instruction after it
        assert body["system"][:1] == system
    elif system:
        assert body["system"].startswith(system)
    forced = wire_body(structured("claude-haiku-5-5", system=system))
    assert forced["tool_choice"] == {"type": "tool", "name": "record"} and forced.get("system") == system


def test_the_default_model_is_asked_through_the_api_without_a_400(model_server, tmp_path):
    assert rejects_forced_tool_choice(DEFAULT_MODEL)
    model_server.script = lambda call: Reply([tool_use_block("record", {"verdict": "ok"})])
    session = make_session(model_server, "anthropic", tmp_path)
    [sent] = session.run([structured(DEFAULT_MODEL)])
    assert sent.ok and sent.response.tool_input("record") == {"verdict": "ok"}
    # Token counts and batches send the same body.
    provider = provider_for(model_server, "anthropic")
    assert provider.count_tokens(structured(DEFAULT_MODEL)) > 0
    [batched] = make_session(model_server, "anthropic", tmp_path / "b").run(
        [structured(DEFAULT_MODEL, sample=1)], batch=True)
    assert batched.ok and batched.response.tool_input("record") == {"verdict": "ok"}
    assert all(b["tool_choice"] == {"type": "auto"} for b in model_server.bodies)


def test_an_answer_without_the_tool_is_none_and_asked_again_next_run(model_server, tmp_path):
    # With `auto` the model may answer in prose: the stage's `accept` rejects it, the run keeps it as its
    # answer (a judge's reads unparseable), and the next run asks again instead of reusing it.
    replies = iter([say("It looks fine to me."), Reply([tool_use_block("record", {"verdict": "ok"})])])
    model_server.script = lambda call: next(replies)
    accept = lambda response: response.tool_input("record") is not None  # noqa: E731
    [first] = make_session(model_server, "anthropic", tmp_path).run([structured(DEFAULT_MODEL)], accept=accept)
    assert first.ok and first.response.tool_input("record") is None
    [second] = make_session(model_server, "anthropic", tmp_path, journal="again").run(
        [structured(DEFAULT_MODEL)], accept=accept)
    assert second.response.tool_input("record") == {"verdict": "ok"} and model_server.paid == 2
