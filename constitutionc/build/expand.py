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
from dataclasses import dataclass
from typing import Iterator

from .. import axes as axis_math
from ..ir import Constitution, Generator

SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class Instance:
    generator: Generator
    index: int  # place in the generator's sampled order, from 0
    values: tuple[str, ...]  # one value per axis, in axis declaration order
    sample: int  # which round of the combinations this instance comes from
    focus: str | None


@dataclass
class GeneratorPlan:
    generator: Generator
    combinations: list[tuple[str, ...]]
    order: list[tuple[int, int]]  # (combination index, sample index) in sampled order

    def __len__(self) -> int:
        return len(self.order)

    def instance(self, position: int) -> Instance:
        combo_index, sample = self.order[position]
        principles = self.generator.principles
        focus = principles[position % len(principles)] if principles else None
        return Instance(self.generator, position, self.combinations[combo_index], sample, focus)


def _order_key(prefix: bytes, values: tuple[str, ...]) -> bytes:
    return hashlib.sha256(prefix + SEPARATOR.join(values).encode("utf-8")).digest()[:12]


def plan_generator(generator: Generator, seed: int, limit: int | None = None) -> GeneratorPlan:
    names = [axis.name for axis in generator.axes]
    combos = [tuple(combo[n] for n in names) for combo in axis_math.combinations(generator)]
    wanted = generator.count if generator.count is not None else len(combos)
    if limit is not None:
        wanted = min(wanted, limit)
    order: list[tuple[int, int]] = []
    sample = 0
    while len(order) < wanted and combos:
        prefix = f"{seed}{SEPARATOR}{generator.id}{SEPARATOR}{sample}{SEPARATOR}".encode("utf-8")
        ranked = sorted(range(len(combos)), key=lambda i: (_order_key(prefix, combos[i]), i))
        take = min(len(combos), wanted - len(order))
        order.extend((i, sample) for i in ranked[:take])
        sample += 1
    return GeneratorPlan(generator, combos, order)


@dataclass
class Plan:
    """Every generator's sampled instances, and which of them this shard builds."""

    generators: list[GeneratorPlan]
    start: int  # global instance index range [start, stop) of this shard
    stop: int

    @property
    def total(self) -> int:
        return sum(len(g) for g in self.generators)

    @property
    def size(self) -> int:
        return self.stop - self.start

    def instances(self) -> Iterator[Instance]:
        """The shard's instances in build order: generators in declaration order, each in sampled order."""
        offset = 0
        for plan in self.generators:
            lo = max(self.start - offset, 0)
            hi = min(self.stop - offset, len(plan))
            for position in range(lo, hi):
                yield plan.instance(position)
            offset += len(plan)

    def built_per_generator(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        offset = 0
        for plan in self.generators:
            lo = max(self.start - offset, 0)
            hi = min(self.stop - offset, len(plan))
            counts[plan.generator.id] = max(hi - lo, 0)
            offset += len(plan)
        return counts


def shard_range(total: int, shard: tuple[int, int] | None) -> tuple[int, int]:
    """Contiguous, deterministic slices: the shards' outputs concatenated in shard order are the whole build."""
    if shard is None:
        return 0, total
    index, count = shard
    return index * total // count, (index + 1) * total // count


def plan(constitution: Constitution, seed: int, *, kinds: set[str] | None = None, limit: int | None = None,
         shard: tuple[int, int] | None = None) -> Plan:
    """Plan the generators whose kind is in `kinds` (all when None)."""
    plans = [plan_generator(g, seed, limit) for g in constitution.generators
             if kinds is None or g.kind in kinds]
    start, stop = shard_range(sum(len(p) for p in plans), shard)
    return Plan(plans, start, stop)
