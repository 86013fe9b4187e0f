"""Template slots: `{name}` in any generator text, `{{` and `}}` for literal braces."""

from __future__ import annotations

import re
from typing import Callable

SLOT = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
