"""The record backends: a registry name -> how one instance becomes records of one kind.

A backend names the record kind it emits, the file the records go to and the
generator kind that feeds it. Adding a backend is one decorated function; the
build, the writer, the manifest and the shared contract test pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .expand import Instance
from .records import GeneratorContext, Record, dilemma_record, probe_record, response_records

STYLES = ("inline", "separate")


@dataclass
class Unit:
    """One instance being built, with the records backends share (the dilemma feeds its responses)."""

    ctx: GeneratorContext
    instance: Instance
    styles: tuple[str, ...]
    _dilemma: Record | None = field(default=None, repr=False)

    @property
    def dilemma(self) -> Record:
        if self._dilemma is None:
            self._dilemma = dilemma_record(self.ctx, self.instance)
        return self._dilemma


Produce = Callable[[Unit], list[Record]]


@dataclass(frozen=True)
class Backend:
    name: str  # what `--only` names
    kind: str  # the `kind` of its records
    filename: str
    generator_kind: str  # "dilemma" or "probe": the generators it expands
    produce: Produce


BACKENDS: dict[str, Backend] = {}


def backend(name: str, kind: str, generator_kind: str):
    def register(fn: Produce) -> Produce:
        if name in BACKENDS:
            raise ValueError(f"record backend {name!r} registered twice")
        BACKENDS[name] = Backend(name, kind, f"{name}.jsonl", generator_kind, fn)
        return fn

    return register


@backend("dilemmas", "dilemma", "dilemma")
def dilemmas(unit: Unit) -> list[Record]:
    return [unit.dilemma]


@backend("responses", "response", "dilemma")
def responses(unit: Unit) -> list[Record]:
    return response_records(unit.ctx, unit.dilemma, unit.styles)


@backend("probes", "probe", "probe")
def probes(unit: Unit) -> list[Record]:
    return [probe_record(unit.ctx, unit.instance)]
