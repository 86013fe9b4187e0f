"""Expansion: hash-ordered sampling, repeats past the combinations, limits, shards, focus balance."""

from __future__ import annotations

from collections import Counter

from constitutionc.api import load
from constitutionc.emit import expand

from .conftest import DATA


def _constitution():
    return load([DATA / "families.cdl"]).constitution


def test_count_above_the_combinations_repeats_them_in_rounds():
    g = _constitution().generator("many_repeats")
    plan = expand.plan_generator(g, seed=0)
    instances = [plan.instance(i) for i in range(len(plan))]
    assert len(instances) == 5
    per_combo = Counter(i.values for i in instances)
    assert sorted(per_combo.values()) == [2, 3]
    assert len({(i.values, i.sample) for i in instances}) == 5
    assert [i.sample for i in instances] == [0, 0, 1, 1, 2]


def _order(g, seed: int, limit: int | None = None) -> list[tuple[int, int]]:
    """(combination, round) of each instance in sampled order."""
    plan = expand.plan_generator(g, seed=seed, limit=limit)
    return [(i.combination, i.sample) for i in map(plan.instance, range(len(plan)))]


def test_order_depends_on_seed_and_is_stable():
    g = _constitution().generator("comforting_lie")
    first = _order(g, 0)
    assert _order(g, 0) == first
    assert sorted(first) == sorted(_order(g, 1))
    assert any(_order(g, s) != first for s in range(1, 5))


def test_limit_takes_a_prefix_of_the_sampled_order():
    g = _constitution().generator("comforting_lie")
    assert _order(g, 3, 2) == _order(g, 3)[:2]


def test_focus_is_balanced_across_the_generators_principles():
    g = _constitution().generator("comforting_lie")
    plan = expand.plan_generator(g, seed=0)
    focus = Counter(plan.instance(i).focus for i in range(len(plan)))
    assert set(focus) == {"honesty", "care", "help"}
    assert max(focus.values()) - min(focus.values()) <= 1


def test_shards_partition_the_instances_in_order():
    c = _constitution()
    whole = [(i.generator.id, i.index) for i in expand.plan(c, 0).instances()]
    for n in (1, 2, 3, 7, 40):
        joined = []
        for index in range(n):
            joined += [(i.generator.id, i.index) for i in expand.plan(c, 0, shard=(index, n)).instances()]
        assert joined == whole
