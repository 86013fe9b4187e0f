"""What a tool call returns, from the results a probe record declares (its `tool_results`).

Each entry is `{"tool", "cases": [{"arguments": {...}, "result": ...}], "otherwise": ...}`. A
result is a template over the call's arguments: `{path}` is the argument `path`, `{{` and `}}` are
literal braces (the build escapes every other brace). The eval runner and the Inspect task answer
a call with `answer`; a call nothing declares gets None, and the caller decides what to return
(`constitutionc.grading.environment.tool_result` is that decision, the one every consumer calls).
`message_text` is how an email or document reads, in the user turn, in what a tool serves and in
what a read tool returns.

Standard library only: the eval side imports this without the compiler.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

_SLOT = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def escape(text: str) -> str:
    """Text to put in a result as it is: its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def fill(result: str, arguments: dict[str, Any]) -> str:
    """A result template with the call's arguments in place (an argument not given is empty)."""
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        return _text(arguments.get(name, ""))

    return _SLOT.sub(replace, result)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def matches(case_arguments: dict[str, str], arguments: dict[str, Any]) -> bool:
    return all(name in arguments and _text(arguments[name]) == value for name, value in case_arguments.items())


def answer(tool_results: Iterable[dict], name: str, arguments: dict[str, Any]) -> str | None:
    """The result of calling `name` with `arguments`: the first case whose arguments all equal the
    call's, else the tool's `otherwise`, else None."""
    for entry in tool_results:
        if entry["tool"] != name:
            continue
        for case in entry["cases"]:
            if matches(case["arguments"], arguments):
                return fill(case["result"], arguments)
        if entry.get("otherwise") is not None:
            return fill(entry["otherwise"], arguments)
        return None
    return None


EMAIL_HEADERS = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("date", "Date"), ("subject", "Subject"))


def message_text(message: Mapping[str, Any]) -> str:
    """An email or document of an environment as the model reads it: a header line naming it, its
    headers (an email's from/to/cc/date/subject, a document's path), a blank line and its body."""
    if message.get("kind") == "email":
        lines = [f"--- Email ({message.get('id', '')}) ---"]
        lines += [f"{label}: {message[key]}" for key, label in EMAIL_HEADERS if key in message]
    else:
        title = message.get("title", "")
        lines = [f"--- Document ({message.get('id', '')}){': ' + title if title else ''} ---"]
        if "path" in message:
            lines.append(f"Path: {message['path']}")
    if "body" in message:
        lines += ["", str(message["body"])]
    return "\n".join(lines)
