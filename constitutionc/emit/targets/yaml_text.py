"""A small deterministic YAML writer for JSON-like values (the package does not depend on PyYAML).

Block style throughout; strings are JSON-quoted (a JSON string is a valid YAML
double-quoted scalar) except multi-line text that a literal block `|` can carry
exactly, which stays readable. Keys keep the order given.
"""

from __future__ import annotations

import json
import re
from typing import Any

INDENT = "  "
PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
# Words a YAML 1.1 reader (PyYAML) takes as booleans or null, in any case.
RESERVED_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "null"})
# Characters YAML does not allow raw, or reads as line breaks or a byte-order mark:
# escaped inside quoted scalars, and they rule out a literal block.
NOT_VERBATIM = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
UNSAFE_IN_BLOCK = NOT_VERBATIM


def quoted(text: str) -> str:
    """A double-quoted scalar: JSON's escaping plus `\\uXXXX` for what YAML will not take raw."""
    return NOT_VERBATIM.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def key_text(key: str) -> str:
    return key if PLAIN_KEY.match(key) and key.lower() not in RESERVED_WORDS else quoted(key)


def literal_block(text: str, depth: int) -> str | None:
    """`|-` / `|` block for multi-line text, or None when the text needs quoting to survive."""
    if "\n" not in text or UNSAFE_IN_BLOCK.search(text):
        return None
    body = text[:-1] if text.endswith("\n") else text
    if body.endswith("\n") or not body or body[0] in " \t\n":
        return None
    lines = body.split("\n")
    if any(line.endswith((" ", "\t")) or line.startswith("\t") for line in lines):
        return None
    indicator = "|" if text.endswith("\n") else "|-"
    pad = INDENT * depth
    return indicator + "".join("\n" + (pad + line if line else "") for line in lines)


def value_text(value: Any, depth: int) -> str:
    """The text after `key:` or `-`: an inline scalar, or a newline and an indented block."""
    if isinstance(value, dict):
        return "\n" + mapping(value, depth) if value else " {}"
    if isinstance(value, (list, tuple)):
        return "\n" + sequence(value, depth) if value else " []"
    if isinstance(value, str):
        block = literal_block(value, depth)
        if block is not None:
            return " " + block
    return " " + scalar(value)


def mapping(value: dict, depth: int) -> str:
    pad = INDENT * depth
    return "\n".join(f"{pad}{key_text(k)}:{value_text(v, depth + 1)}" for k, v in value.items())


def sequence(items: list | tuple, depth: int) -> str:
    pad = INDENT * depth
    lines = []
    for item in items:
        if isinstance(item, dict) and item:
            # The first key sits on the dash line; the others align under it.
            body = mapping(item, depth + 1)
            lines.append(f"{pad}- {body[len(pad) + len(INDENT):]}")
        else:
            lines.append(f"{pad}-{value_text(item, depth + 1)}")
    return "\n".join(lines)


def dump(value: Any) -> str:
    """A whole YAML document for a mapping or a list, ending with a newline."""
    if isinstance(value, (dict, list, tuple)) and value:
        return (mapping(value, 0) if isinstance(value, dict) else sequence(value, 0)) + "\n"
    return value_text(value, 0).lstrip(" ") + "\n"


def list_item(value: Any) -> str:
    """One entry of a top-level YAML sequence, so a list can be written item by item as it streams."""
    return sequence([value], 0) + "\n"
