"""Template slots: `{name}` in any generator text, `{{` and `}}` for literal braces.

A dotted slot `{owner.field}` reads a field: of a principle (`{safety.no_blackmail.title}`), of the
principle an axis draws (`{principle.text}`), of the instance's focus (`{focus.why}`).
"""

from __future__ import annotations

import re
from typing import Callable

SLOT = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*)\}")
# The name a template gives the focus principle of an instance in `{focus.field}`.
FOCUS = "focus"


def split_reference(name: str) -> tuple[str, str] | None:
    """`owner.field` of a dotted slot, or None for a plain one."""
    owner, dot, field = name.rpartition(".")
    return (owner, field) if dot else None


def slots_in(text: str) -> list[str]:
    return [m.group(1) for m in SLOT.finditer(text) if m.group(1)]


def slot_positions(text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each slot in `text`."""
    return [(m.group(1), m.start(), m.end()) for m in SLOT.finditer(text) if m.group(1)]


class UnboundSlot(KeyError):
    pass


def render(text: str, lookup: Callable[[str], str | None]) -> str:
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        value = lookup(name)
        if value is None:
            raise UnboundSlot(name)
        return value

    return SLOT.sub(replace, text)


# What a condition id may hold besides letters and digits; every other run of characters is one `-`.
_NOT_IN_CONDITION_ID = re.compile(r"[^\w.\-]+")


def condition_slug(text: str) -> str:
    """A condition id made from the text that names it (the filled `condition:` template, or the generator
    id and the instance's axis values joined by `_`): spaces and punctuation become `-`, so the id can be
    typed, grouped and filtered. Text that is already an id is kept as it is (the study's ids, say)."""
    return _NOT_IN_CONDITION_ID.sub("-", text).strip("-")
