"""Variation axes: the cartesian product of a generator's axes, after its rules.

`set` rules force a value when their conditions hold (applied in order);
`exclude` rules then drop combinations; forcing can make two combinations equal,
and the duplicate is dropped, keeping the first in declaration order.
"""

from __future__ import annotations

import itertools
import math
from typing import Iterator

from .ir import Generator

Combination = dict[str, str]


def raw_size(generator: Generator) -> int:
    return math.prod(len(axis.values) for axis in generator.axes) if generator.axes else 1


def combinations(generator: Generator) -> Iterator[Combination]:
    names = [axis.name for axis in generator.axes]
    forcing = [r for r in generator.rules if r.action == "set"]
    excluding = [r for r in generator.rules if r.action == "exclude"]
    seen: set[tuple[str, ...]] = set()
    for values in itertools.product(*(axis.values for axis in generator.axes)):
        combo = dict(zip(names, values))
        for rule in forcing:
            if rule.axis in combo and rule.applies(combo):
                combo[rule.axis] = rule.value
        if any(rule.applies(combo) for rule in excluding):
            continue
        key = tuple(combo[n] for n in names)
        if key in seen:
            continue
        seen.add(key)
        yield combo


def reachable_values(generator: Generator) -> dict[str, set[str]]:
    reached: dict[str, set[str]] = {axis.name: set() for axis in generator.axes}
    for combo in combinations(generator):
        for name, value in combo.items():
            reached[name].add(value)
    return reached
