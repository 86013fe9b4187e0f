"""Expansion: a generator's axis combinations, sampled into an ordered list of instances.

The order is a hash order, not a pseudo-random generator's: each combination's
place comes from sha256(seed, generator id, sample index, axis values), so it is
the same on every machine, Python version and PYTHONHASHSEED, and adding a value
to one generator never reshuffles another.

`count` larger than the number of combinations repeats the combinations in
rounds: round `s` is a fresh hash order of every combination with sample index
`s`, and the instances are the rounds concatenated and cut at `count`. Every
combination therefore appears either floor(count/n) or ceil(count/n) times,
and the sample index keeps the ids of repeats distinct.

Each instance has a focus principle, assigned round-robin over the generator's
principles in sampled order, so the instances of a generator that names several
principles are split evenly between them (counts differ by at most one).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterator

from .. import axes as axis_math
from ..ir import Constitution, Generator, Principle, Section
from .kinds import ITEM_FEEDS

SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class Instance:
    generator: Generator
    index: int  # place in the generator's sampled order, from 0
    combination: int  # place of its combination in the generator's unsampled (declaration) order
    values: tuple[str, ...]  # one value per axis, in axis declaration order
    sample: int  # which round of the combinations this instance comes from
    focus: str | None


@dataclass(frozen=True, slots=True)
class Item:
    """A unit of the kinds with one record per principle or per section (see `kinds.py`)."""

    feed: str  # "principle" or "section"
    node: Principle | Section


@dataclass
class GeneratorPlan:
    """A generator's combinations and its sampled order, one round at a time (rounds are made on demand)."""

    generator: Generator
    seed: int
    combinations: list[tuple[str, ...]]
    count: int
    _round: int = -1
    _ranked: list[int] | None = None

    def __len__(self) -> int:
        return self.count

    def ranked(self, sample: int) -> list[int]:
        """Combination indices of round `sample` in hash order."""
        if sample != self._round:
            prefix = f"{self.seed}{SEPARATOR}{self.generator.id}{SEPARATOR}{sample}{SEPARATOR}".encode("utf-8")
            combos = self.combinations
            self._ranked = sorted(range(len(combos)), key=lambda i: (_order_key(prefix, combos[i]), i))
            self._round = sample
        return self._ranked

    def instance(self, position: int) -> Instance:
        n = len(self.combinations)
        sample = position // n
        principles = self.generator.principles
        focus = principles[position % len(principles)] if principles else None
        combination = self.ranked(sample)[position % n]
        selecting = self.generator.selecting_index()
        if selecting is not None:
            # An axis that selects principles decides the focus: the principle this instance cites.
            focus = self.combinations[combination][selecting]
        return Instance(self.generator, position, combination, self.combinations[combination], sample, focus)


def _order_key(prefix: bytes, values: tuple[str, ...]) -> bytes:
    return hashlib.sha256(prefix + SEPARATOR.join(values).encode("utf-8")).digest()[:12]


def plan_generator(generator: Generator, seed: int, limit: int | None = None) -> GeneratorPlan:
    names = [axis.name for axis in generator.axes]
    combos = [tuple(combo[n] for n in names) for combo in axis_math.combinations(generator)]
    wanted = generator.count if generator.count is not None else len(combos)
    if limit is not None:
        wanted = min(wanted, limit)
    return GeneratorPlan(generator, seed, combos, wanted if combos else 0)


@dataclass(frozen=True)
class Extent:
    """How many combinations a generator has and how many instances it gives, without holding them."""

    generator: Generator
    combinations: int
    instances: int


def extent(generator: Generator, limit: int | None = None) -> Extent:
    combos = sum(1 for _ in axis_math.combinations(generator))
    wanted = generator.count if generator.count is not None else combos
    if limit is not None:
        wanted = min(wanted, limit)
    return Extent(generator, combos, wanted if combos else 0)


@dataclass
class Plan:
    """Every generator's extent, then the principles and sections some kinds make one record from,
    and which slice of that global unit sequence this shard builds.

    A generator's combinations and sampled order are made only when the build reaches it and
    dropped after, so memory holds one generator's combinations at a time.
    """

    extents: list[Extent]
    seed: int
    limit: int | None
    start: int  # global unit index range [start, stop) of this shard
    stop: int
    items: list[Item] = field(default_factory=list)  # after every generator's instances

    @property
    def size(self) -> int:
        return self.stop - self.start

    def _slices(self) -> Iterator[tuple[Extent, int, int]]:
        offset = 0
        for e in self.extents:
            yield e, max(self.start - offset, 0), max(min(self.stop - offset, e.instances), 0)
            offset += e.instances

    def instances(self) -> Iterator[Instance | Item]:
        """The shard's units in build order: generators in declaration order, each in sampled order,
        then the items (principles, then sections, each in declaration order)."""
        for e, lo, hi in self._slices():
            if lo >= hi:
                continue
            generator_plan = plan_generator(e.generator, self.seed, self.limit)
            for position in range(lo, hi):
                yield generator_plan.instance(position)
        offset = sum(e.instances for e in self.extents)
        yield from self.items[max(self.start - offset, 0):max(self.stop - offset, 0)]

    def built_per_generator(self) -> dict[str, dict]:
        """Per generator: its combinations, the instances this shard builds and their focus principles."""
        out: dict[str, dict] = {}
        for e, lo, hi in self._slices():
            principles = e.generator.principles
            focus = {pid: 0 for pid in principles}
            if e.generator.selects is not None and lo < hi:
                generator_plan = plan_generator(e.generator, self.seed, self.limit)
                for position in range(lo, hi):
                    focus[generator_plan.instance(position).focus] += 1
            else:
                for position in range(lo, hi):
                    focus[principles[position % len(principles)]] += 1
            out[e.generator.id] = {"combinations": e.combinations, "instances": max(hi - lo, 0), "focus": focus}
        return out


def shard_range(total: int, shard: tuple[int, int] | None) -> tuple[int, int]:
    """Contiguous, deterministic slices: the shards' outputs concatenated in shard order are the whole build."""
    if shard is None:
        return 0, total
    index, count = shard
    return index * total // count, (index + 1) * total // count


def items(constitution: Constitution, feeds: set[str]) -> list[Item]:
    """The principles and sections (in declaration order) that the item feeds in `feeds` enumerate."""
    nodes = {"principle": constitution.principles, "section": constitution.sections}
    return [Item(feed, node) for feed in ITEM_FEEDS if feed in feeds for node in nodes[feed]]


def plan(constitution: Constitution, seed: int, *, kinds: set[str] | None = None, limit: int | None = None,
         shard: tuple[int, int] | None = None) -> Plan:
    """Plan the generators whose kind is in `kinds` (all when None), then the items of the item feeds
    in `kinds` (none when None): `kinds` are the feeds of the record kinds being built."""
    extents = [extent(g, limit) for g in constitution.generators if kinds is None or g.kind in kinds]
    units = items(constitution, kinds or set())
    start, stop = shard_range(sum(e.instances for e in extents) + len(units), shard)
    return Plan(extents, seed, limit, start, stop, units)
