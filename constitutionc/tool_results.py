"""What a tool call returns, from the results a probe record declares (its `tool_results`).

Each entry is `{"tool", "cases": [{"arguments": {...}, "result": ...}], "otherwise": ...}`. A
result is a template over the call's arguments: `{path}` is the argument `path`, `{{` and `}}` are
literal braces (the build escapes every other brace). The eval runner and the Inspect task answer
a call with `answer`; a call nothing declares gets None, and the caller decides what to return.

Standard library only: the eval side imports this without the compiler.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

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
