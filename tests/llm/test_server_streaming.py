"""The test server's streamed Messages answers read, through the real SDK, as the same message unstreamed."""

from __future__ import annotations

import anthropic

from tests.llm.server import ModelServer, Reply, call_tool, text_block, thinking_block, tool_use_block


def test_a_streamed_answer_is_the_message_the_sdk_assembles():
    reply = Reply([thinking_block("First the inbox."), text_block("Reading it now."),
                   tool_use_block("read_inbox", {"folder": "work", "limit": 3}, id="toolu_1")])
    with ModelServer(lambda call: reply) as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
        ask = {"model": "m", "max_tokens": 100, "messages": [{"role": "user", "content": "Check my mail"}]}
        with client.messages.stream(**ask) as stream:
            streamed = stream.get_final_message()
        plain = client.messages.create(**ask)
    assert [b.type for b in streamed.content] == ["thinking", "text", "tool_use"]
    assert streamed.content[0].thinking == "First the inbox." and streamed.content[0].signature
    assert streamed.content[1].text == "Reading it now."
    assert (streamed.content[2].name, streamed.content[2].input, streamed.content[2].id) == (
        "read_inbox", {"folder": "work", "limit": 3}, "toolu_1")
    assert streamed.stop_reason == plain.stop_reason == "tool_use"
    assert streamed.usage.output_tokens == plain.usage.output_tokens > 0
    assert [body.get("stream") for body in server.posted("/v1/messages")] == [True, None]


def test_call_tool_and_a_text_answer_stream_too():
    with ModelServer(lambda call: call_tool("send", {"to": "x"}) if call.attempt == 1 else "done") as server:
        client = anthropic.Anthropic(base_url=server.url, api_key="test", max_retries=0)
        ask = {"model": "m", "max_tokens": 50, "messages": [{"role": "user", "content": "go"}]}
        with client.messages.stream(**ask) as stream:
            first = stream.get_final_message()
        with client.messages.stream(**ask) as stream:
            second = stream.get_final_message()
    assert first.content[0].type == "tool_use" and first.stop_reason == "tool_use"
    assert second.content[0].text == "done" and second.stop_reason == "end_turn"
