"""Placeholder text: an author's unfilled `TODO`, `TBD`, `[insert ...]` or lorem ipsum left in a record.

A placeholder that reaches a training file teaches a model to answer "TODO". Code is the one place
such words are legitimate ("# TODO move to a secrets manager" in a snippet the person pasted), so a
marker after a comment sign on its line, or inside a fenced code block, is not one.
"""

from __future__ import annotations

import re

from .joined import JOINT, Joined

MARKERS = ("TODO", "TBD", "FIXME", "XXX", "PLACEHOLDER")
# Upper-case only: "todo" and "tbd" are ordinary words in prose ("my todo list").
_MARKER = re.compile(r"(?<![\w-])(?:" + "|".join(MARKERS) + r")(?![\w-])")
_BRACKETED = re.compile(r"[\[<]\s*(?:insert|add|your|fill(?:\s+in)?|placeholder|todo|tbd)\b[^\]>\n]{0,60}[\]>]",
                        re.IGNORECASE)
_LOREM = re.compile(r"\blorem\s+ipsum\b", re.IGNORECASE)
_COMMENT = re.compile(r"(?:#|//|/\*|<!--)")
_FENCE = re.compile(r"^\s*(?:```|~~~)", re.MULTILINE)


def _prose(text: str) -> str:
    """The text without its fenced code blocks (an unclosed fence runs to the end)."""
    if "```" not in text and "~~~" not in text:
        return text
    parts = _FENCE.split(text)
    return "\n".join(parts[0::2])


# What every placeholder holds: a marker, a bracket or lorem's "orem" in either case.
TRIGGERS = (*MARKERS, "[", "<", "orem", "OREM")
_TRIGGER = re.compile("|".join(re.escape(t) for t in TRIGGERS))


# ASCII text with every upper-case letter as "U": a marker is three or more of them in a row.
_UPPER_AS_U = bytes.maketrans(bytes(range(ord("A"), ord("Z") + 1)), b"U" * 26)
_ASCII_LOOKS = (b"UUU", b"orem", b"[", b"<")  # in that text, what every trigger holds


def might_hold(texts: list[str]) -> list[bool]:
    """Per text, whether it holds a marker, a bracket or "orem" (`_TRIGGER`): a text without one holds no
    placeholder. Each trigger is looked for over all the texts joined (plain string search; a match never
    spans two texts, as no trigger holds the joint), from one text's hit on to the next text. ASCII texts
    are searched once for any run of three capitals instead of once per marker, and the few texts that
    hold one (an acronym, mostly) are tried against the triggers themselves."""
    found = [False] * len(texts)
    joined = JOINT.join(texts)
    if joined.isascii():
        haystack, looks = joined.encode("ascii").translate(_UPPER_AS_U), _ASCII_LOOKS
    else:
        haystack, looks = joined, TRIGGERS
    search = Joined(haystack, texts)
    for look in looks:
        for text in search.texts_holding(look):
            found[text] = found[text] or looks is TRIGGERS or _TRIGGER.search(texts[text]) is not None
    return found


def placeholder(text: str) -> str | None:
    """The placeholder `text` holds (as written), or None. Only the prose is read: see the module docstring."""
    if not text or not _TRIGGER.search(text):
        return None
    prose = _prose(text)
    found = _LOREM.search(prose) or _BRACKETED.search(prose)
    if found:
        return found.group(0)
    for match in _MARKER.finditer(prose):
        line_start = prose.rfind("\n", 0, match.start()) + 1
        if not _COMMENT.search(prose, line_start, match.start()):
            return match.group(0)
    return None
