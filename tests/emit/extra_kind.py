"""A record kind the tests add themselves: one record per principle, with no generator behind it.

It is what the kind registry promises to make easy, written the way a new kind
would be: one registry entry, one producer, one schema model, and nothing else
in the compiler changed. The contract tests of kinds, shards, coverage and
targets run it alongside the shipped kinds, so a kind the registry cannot carry
end to end fails them.
"""

from __future__ import annotations

import contextlib
from typing import Literal

from pydantic import Field

from constitutionc.emit import kinds
from constitutionc.emit.records import record_id
from constitutionc.emit.schema import Common

NAME = "clause_card"


class ClauseCardRecord(Common):
    id: str = Field(pattern=r"^cc-[0-9a-f]{16}$")
    kind: Literal["clause_card"]
    generator: None
    title: str
    text: str
    why: str | None


def clause_card_schema() -> dict:
    return ClauseCardRecord.model_json_schema(by_alias=True)


KIND = kinds.RecordKind(name=NAME, plural="clause_cards", prefix="cc", schema=clause_card_schema,
                        role="taught", feed="principle", default=False,
                        description="one card per principle: its title, text and why (test-only)")


def produce(unit) -> list[dict]:
    principle = unit.item
    record = unit.common(NAME)
    record.update(title=principle.title or principle.id, text=principle.text, why=principle.why or None)
    record["id"] = record_id(NAME, [principle.id, record["title"], principle.text, record["why"]])
    return [record]


@contextlib.contextmanager
def registered():
    """The extra kind in the registry for the duration of the block."""
    kinds.register(KIND)
    kinds.produces(NAME)(produce)
    try:
        yield KIND
    finally:
        kinds.unregister(NAME)
