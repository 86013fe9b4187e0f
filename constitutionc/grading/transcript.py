"""Transcripts: the conversation a probe ran, in the Anthropic Messages format.

A transcript is a list of messages `{"role", "content", "id"?}`. `content` is a
string or a list of blocks: `text`, `thinking`, `tool_use` (`id`, `name`,
`input`) and, in user messages, `tool_result` (`tool_use_id`, `content`). An
assistant message may instead carry OpenAI-style `tool_calls` (`function.name`,
`function.arguments` as JSON text); both are read. A message's id is its string
`id` when it has one, else `m<position>` counting from 1, so evidence can point
at it. Checks read what the assistant did: its text blocks and its tool calls;
thinking is kept in the transcript but no check reads it. A message marked
`"replayed": true` was given to the model (a probe's earlier turns, replayed
before its user turn), not written by it: no check reads it.

A reading (`tags.reading(probe)`) says how the probe offered its tools: with `tool_calls: tags`
the calls are the `<tool_use:NAME>` tags in the assistant's text (`tags.py`); with a `scratchpad`
tag, the text inside it is private reasoning that no check reads, as thinking is.

Nothing here raises on malformed input: what cannot be read is skipped, and the
JavaScript twin in `javascript.py` skips the same things.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .tags import reading as reading_of
from .tags import tag_calls, without_scratchpad
from .text import MAX_DEPTH, parse_json_object, utf16_sorted

# Where promptfoo joins an Anthropic reply's blocks: a blank line.
_BLOCK_BREAK = re.compile(r"(\n[ \t\r\n]*\n)")


@dataclass(frozen=True)
class TextBlock:
    message: str
    block: int
    text: str


@dataclass(frozen=True)
class ToolCall:
    message: str
    block: int
    call_id: str | None
    name: str
    arguments: dict


@dataclass(frozen=True)
class Transcript:
    messages: tuple
    texts: tuple[TextBlock, ...]
    calls: tuple[ToolCall, ...]

    @classmethod
    def from_messages(cls, messages: Sequence[Any], reading: Mapping[str, Any] | None = None) -> "Transcript":
        reading = reading_of(reading)
        in_tags = reading["tool_calls"] == "tags"
        texts: list[TextBlock] = []
        calls: list[ToolCall] = []
        messages = tuple(messages) if isinstance(messages, (list, tuple)) else ()
        for position, message in enumerate(messages, start=1):
            if not isinstance(message, dict) or message.get("role") != "assistant" or message.get("replayed") is True:
                continue
            mid = message_id(message, position)
            content = message.get("content")
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            blocks = blocks if isinstance(blocks, list) else []
            for index, block in enumerate(blocks):
                if not isinstance(block, dict):
                    continue
                kind = block.get("type")
                if kind == "text" and isinstance(block.get("text"), str):
                    said = without_scratchpad(block["text"], reading["scratchpad"])
                    texts.append(TextBlock(mid, index, said))
                    if in_tags:
                        calls += [ToolCall(mid, index, None, name, arguments) for name, arguments in tag_calls(said)]
                elif kind == "tool_use" and isinstance(block.get("name"), str):
                    calls.append(ToolCall(mid, index, _string_or_none(block.get("id")), block["name"],
                                          arguments_of(block.get("input"))))
            openai_calls = message.get("tool_calls")
            for offset, call in enumerate(openai_calls if isinstance(openai_calls, list) else []):
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict) and isinstance(function.get("name"), str):
                    calls.append(ToolCall(mid, len(blocks) + offset, _string_or_none(call.get("id")),
                                          function["name"], arguments_of(function.get("arguments"))))
        return cls(messages, tuple(texts), tuple(calls))

    @classmethod
    def from_promptfoo_output(cls, output: Any, reading: Mapping[str, Any] | None = None) -> "Transcript":
        return cls.from_messages([{"role": "assistant", "content": promptfoo_blocks(output)}], reading)


def message_id(message: dict, position: int) -> str:
    given = message.get("id")
    return given if isinstance(given, str) and given else f"m{position}"


def _string_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def arguments_of(value: Any) -> dict:
    """A call's arguments: an object, or JSON text of one; anything else has none."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        return parse_json_object(value) or {}
    return {}


# --- promptfoo outputs ---------------------------------------------------------------------------

def promptfoo_blocks(output: Any) -> list[dict]:
    """The content blocks of one promptfoo provider output.

    Anthropic replies arrive as text with each `tool_use` block's JSON on its own
    paragraph; OpenAI replies as an array of `{function: {name, arguments}}`
    (or an object holding `tool_calls` and `content`). Paragraphs that are not
    JSON holding a call stay text, exactly as written.
    """
    if not isinstance(output, str):
        blocks: list[dict] = []
        _visit(output, blocks, 0)
        return blocks
    blocks = []
    pending: list[str] = []
    parts = _BLOCK_BREAK.split(output)
    for n, part in enumerate(parts):
        if n % 2 == 1:
            pending.append(part)
            continue
        found: list[dict] = []
        stripped = part.strip(" \t\r\n")
        if stripped[:1] in ("{", "["):
            try:
                _visit(json.loads(stripped, parse_constant=_refuse), found, 0)
            except (ValueError, RecursionError):
                found = []
            found = [b for b in found if b["type"] == "tool_use"]
        if found:
            _flush_text(pending, blocks)
            blocks.extend(found)
        else:
            pending.append(part)
    _flush_text(pending, blocks)
    return blocks


def _refuse(constant: str):
    raise ValueError(constant)


def _flush_text(pending: list[str], blocks: list[dict]) -> None:
    # Separators next to a call belong to neither side.
    while pending and _BLOCK_BREAK.fullmatch(pending[0]):
        pending.pop(0)
    while pending and _BLOCK_BREAK.fullmatch(pending[-1]):
        pending.pop()
    text = "".join(pending)
    pending.clear()
    if text:
        blocks.append({"type": "text", "text": text})


def _visit(value: Any, blocks: list[dict], depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, str):
        blocks.append({"type": "text", "text": value})
    elif isinstance(value, list):
        for item in value:
            _visit(item, blocks, depth + 1)
    elif isinstance(value, dict):
        function = value.get("function")
        if value.get("type") == "tool_use" and isinstance(value.get("name"), str):
            blocks.append({"type": "tool_use", "id": value.get("id"), "name": value["name"],
                           "input": value.get("input")})
        elif isinstance(function, dict) and isinstance(function.get("name"), str):
            blocks.append({"type": "tool_use", "id": value.get("id"), "name": function["name"],
                           "input": function.get("arguments")})
        elif value.get("type") == "text" and isinstance(value.get("text"), str):
            blocks.append({"type": "text", "text": value["text"]})
        else:
            for key in utf16_sorted(k for k in value if k in ("content", "tool_calls")):
                _visit(value[key], blocks, depth + 1)
