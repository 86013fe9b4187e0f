"""The producers of the offline record kinds: one build unit in, that kind's records out.

A unit is what a kind's `feed` (see `kinds.py`) enumerates: a sampled generator
instance (`Unit`) or one principle or section of the constitution (`ItemUnit`).
Adding a producer is one function decorated with `@produces(kind name)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import Constitution, Principle, Section
from .expand import Instance
from .kinds import produces
from .records import (GeneratorContext, Record, clause_source, dilemma_record, probe_record,
                      response_records)

STYLES = ("inline", "separate")


@dataclass
class Unit:
    """One instance being built, with the records producers share (the dilemma feeds its responses)."""

    ctx: GeneratorContext
    instance: Instance
    styles: tuple[str, ...]
    _dilemma: Record | None = field(default=None, repr=False)

    @property
    def dilemma(self) -> Record:
        if self._dilemma is None:
            self._dilemma = dilemma_record(self.ctx, self.instance)
        return self._dilemma


@dataclass
class ItemUnit:
    """One principle or section, for kinds with one record per principle or per section."""

    constitution: Constitution
    feed: str  # "principle" or "section"
    item: Principle | Section
    seed: int
    styles: tuple[str, ...]

    def principles(self) -> list[Principle]:
        """The principle itself, or the section's own principles (not those of its sub-sections)."""
        if isinstance(self.item, Principle):
            return [self.item]
        return [p for p in self.constitution.principles if p.section == self.item.id]

    def common(self, kind: str) -> Record:
        """The shared record fields for a record made from this item (no generator, no axes)."""
        principles = self.principles()
        return {"kind": kind, "generator": None, "principles": [p.id for p in principles], "axes": {},
                "sources": [clause_source(self.constitution, p) for p in principles], "seed": self.seed, "sample": 0,
                "focus": principles[0].id if len(principles) == 1 else None}


@produces("dilemma")
def dilemmas(unit: Unit) -> list[Record]:
    return [unit.dilemma]


@produces("response")
def responses(unit: Unit) -> list[Record]:
    return response_records(unit.ctx, unit.dilemma, unit.styles)


@produces("probe")
def probes(unit: Unit) -> list[Record]:
    return [probe_record(unit.ctx, unit.instance)]
