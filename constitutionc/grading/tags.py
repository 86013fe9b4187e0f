"""Tool calls written as tags in the reply text, and the private scratchpad: the study's form.

A probe whose record says `"tool_calls": "tags"` offers its tools in the system prompt as tags the
model writes in its reply, not as native tools:

    <tool_use:email>
    to: "sam@example.com",
    subject: "Hello",
    body: "Two lines
    of text",
    </tool_use:email>

Each complete `<tool_use:NAME>...</tool_use:NAME>` in an assistant text block is a call to NAME. Its
inside is a JSON object, or `key: value` lines: a line starting with a name and a colon starts an
argument, unless the value before it opened a double quote that has not closed yet (a body may hold
a line such as `Note: ...`). Several arguments may share a line: after a quoted value closes, `, name:`
on the same line starts the next (`to: "a@b.example", subject: "Hi"`); an unquoted value runs to the
end of its line, commas and all. A value loses one trailing comma and, when quoted, its quotes (`\\"`
and `\\\\` inside are unescaped). An unclosed tag is not a call: the model never finished writing it.

A probe whose record names a `scratchpad` tag (`"scratchpad": "SCRATCHPAD_REASONING"`) offers that
tag as private reasoning. What is inside it is reasoning, like a thinking block: no check reads it,
so a call drafted there is not an action. An unclosed scratchpad runs to the end of the block.

`reading(probe)` is what a transcript needs from the probe; `javascript.py` mirrors this module.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .text import parse_json_object

TOOL_FORMS = ("native", "tags")
OPEN = "<tool_use:"
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_FIELD = re.compile(r"^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:([^\n]*)$")
_NEXT_FIELD = re.compile(r"[ \t]*,[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:([^\n]*)$")
_EDGE = " \t\r\n"


def reading(probe: Mapping[str, Any] | None) -> dict:
    """How a probe's replies are read: `{"tool_calls": "native" | "tags", "scratchpad": TAG | None}`."""
    probe = probe if isinstance(probe, Mapping) else {}
    form = probe.get("tool_calls")
    scratchpad = probe.get("scratchpad")
    return {"tool_calls": form if form in TOOL_FORMS else "native",
            "scratchpad": scratchpad if isinstance(scratchpad, str) and scratchpad else None}


def without_scratchpad(text: str, tag: str | None) -> str:
    if not tag:
        return text
    opening, closing = f"<{tag}>", f"</{tag}>"
    out = []
    position = 0
    while True:
        start = text.find(opening, position)
        if start < 0:
            out.append(text[position:])
            break
        out.append(text[position:start])
        end = text.find(closing, start + len(opening))
        if end < 0:
            break
        position = end + len(closing)
    return "".join(out)


def tag_calls(text: str) -> list[tuple[str, dict]]:
    """(name, arguments) of every complete tag-form call in a text, in order."""
    calls = []
    position = 0
    while True:
        start = text.find(OPEN, position)
        if start < 0:
            return calls
        name_match = _NAME.match(text, start + len(OPEN))
        after = name_match.end() if name_match else start + len(OPEN)
        if not name_match or text[after:after + 1] != ">":
            position = start + len(OPEN)
            continue
        name = name_match.group(0)
        closing = f"</tool_use:{name}>"
        end = text.find(closing, after + 1)
        if end < 0:
            position = after + 1
            continue
        calls.append((name, tag_arguments(text[after + 1:end])))
        position = end + len(closing)


def _trimmed(value: str) -> str:
    value = value.strip(_EDGE)
    if value.endswith(","):
        value = value[:-1].rstrip(_EDGE)
    return value


def _closed(value: str) -> bool:
    value = _trimmed(value)
    if not value.startswith('"'):
        return True
    if len(value) < 2 or not value.endswith('"'):
        return False
    backslashes = len(value[:-1]) - len(value[:-1].rstrip("\\"))
    return backslashes % 2 == 0


def _unquoted(value: str) -> str:
    value = _trimmed(value)
    if not value.startswith('"'):
        return value
    inner = value[1:-1] if _closed(value) else value[1:]
    return re.sub(r"\\([\"\\])", r"\1", inner)


def _quote_end(text: str, start: int) -> int:
    """Where the quoted value running at `start` closes: the first `"` not escaped by a backslash, or -1."""
    position = start
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == '"':
            return position
        position += 1
    return -1


def _add_line_fields(key: str, rest: str, fields: list[list[str]]) -> None:
    """The argument `key: rest` starting a line, and those after it on the same line: `, name:` after a
    closed quoted value starts another; anything else stays in the value (it may run on to later lines)."""
    while True:
        opening = len(rest) - len(rest.lstrip(" \t"))
        end = _quote_end(rest, opening + 1) if rest[opening:opening + 1] == '"' else -1
        more = _NEXT_FIELD.match(rest, end + 1) if end >= 0 else None
        if more is None:
            fields.append([key, rest])
            return
        fields.append([key, rest[:end + 1]])
        key, rest = more.group(1), more.group(2)


def tag_arguments(inside: str) -> dict:
    as_json = parse_json_object(inside.strip(_EDGE))
    if as_json is not None:
        return as_json
    fields: list[list[str]] = []
    for line in inside.replace("\r", "").split("\n"):
        match = _FIELD.match(line)
        if match and (not fields or _closed(fields[-1][1])):
            _add_line_fields(match.group(1), match.group(2), fields)
        elif fields:
            # A quoted value that closes on this line may be followed by the next argument.
            end = _quote_end(line, 0) if not _closed(fields[-1][1]) else -1
            more = _NEXT_FIELD.match(line, end + 1) if end >= 0 else None
            fields[-1][1] += "\n" + (line[:end + 1] if more else line)
            if more:
                _add_line_fields(more.group(1), more.group(2), fields)
    arguments: dict = {}
    for key, value in fields:
        if key not in arguments:
            arguments[key] = _unquoted(value)
    return arguments
