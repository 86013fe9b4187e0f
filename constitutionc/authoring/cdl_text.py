"""Writing CDL source text: quoted texts, text blocks and names."""

from __future__ import annotations

import re
import textwrap

# The marker a generated text carries until an author replaces it; `check` warns about it (CDL206).
PLACEHOLDER = "TODO"

# A wrapped line starting like a list item would keep its line break when read back (see
# `syntax.builder.decode_long_string`), so text blocks never break before such a word.
_LIST_START = re.compile(r"^([-*]|\d+[.)])$")
_NAME_PART = re.compile(r"^[^\W\d][\w\-]*$")


def placeholder(what: str) -> str:
    return f"{PLACEHOLDER}: {what}"


def is_placeholder(text: str) -> bool:
    return text.strip().startswith(PLACEHOLDER)


def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def text_value(text: str, indent: str, width: int = 100) -> str:
    """`text` as a value that reads back exactly: a text block for prose, a quoted string otherwise.

    Whitespace runs inside `text` must already be single spaces (the block folds line breaks to one).
    """
    if '"""' in text or "\n" in text or text != text.strip() or not text or text.startswith('"'):
        return quote(text)
    room = max(width - len(indent) - 12, 40)
    lines: list[str] = []
    for word in text.split(" "):
        if lines and (len(lines[-1]) + 1 + len(word) <= room or _LIST_START.match(word)):
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) == 1:
        return quote(text) if text.endswith('"') else '"""' + text + '"""'
    inner = indent + "  "
    return '"""' + lines[0] + "\n" + "\n".join(inner + line for line in lines[1:]) + "\n" + indent + '"""'


def is_name(word: str) -> bool:
    return all(_NAME_PART.match(part) for part in word.split("."))


STOP_WORDS = frozenset("a an and the of to in on for with by as at or its it is s how we our what some about".split())


def slug(text: str, words: int = 3, fallback: str = "part") -> str:
    """A short lower-case name part from a title: its first significant words joined by `_`."""
    parts = [w for w in re.findall(r"[^\W_]+", text.lower()) if w not in STOP_WORDS]
    parts = [p for p in parts if not p.isdigit()] or parts
    name = "_".join(parts[:words])
    if not name or not _NAME_PART.match(name):
        name = f"{fallback}_{name}" if name else fallback
    return name


def comment_block(text: str, indent: str = "", width: int = 100) -> str:
    return "\n".join(indent + "# " + line for line in textwrap.wrap(text, width - len(indent) - 2))
