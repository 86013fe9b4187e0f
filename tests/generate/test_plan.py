"""Planning: counts from the constitution's `dataset` block and the command line, variation dealt by
hash, subjects rotated evenly; nothing about the probes in any item."""

from __future__ import annotations

from collections import Counter

import pytest

from constitutionc import api
from constitutionc.generate import materials as m
from constitutionc.generate.plan import (FORMS, Counts, PlanError, default_counts, dilemma_variation,
                                         load_variation, make_plan, parse_counts)
from tests.conftest import REPO


@pytest.fixture(scope="module")
def shipped():
    return api.load([REPO / "constitutions" / "claude-2026.cdl"]).constitution


def test_the_shipped_constitution_states_the_research_scale(shipped):
    counts = default_counts(shipped)
    assert (counts.dilemmas_per_family, counts.stories, counts.episodes, counts.documents) == (50, 12000, 1200, None)


def test_the_command_line_overrides_the_dataset_block(shipped):
    counts = parse_counts("stories=10,documents=4", default_counts(shipped))
    assert (counts.dilemmas_per_family, counts.stories, counts.documents) == (50, 10, 4)
    with pytest.raises(PlanError, match="expected KIND=N"):
        parse_counts("storys=3", counts)
    with pytest.raises(PlanError, match="expected KIND=N"):
        parse_counts("stories=many", counts)
    assert Counts(69, 12000, 1200).limited(3) == Counts(3, 3, 3, 3)


def test_without_a_dataset_block_the_counts_follow_the_constitutions_size(tmp_path):
    path = tmp_path / "c.cdl"
    path.write_text((REPO / "tests" / "prompts" / "data" / "guard.cdl").read_text())
    counts = default_counts(api.load([path]).constitution)
    # one family: 3M tokens / 1,300 tokens a dilemma; one agentic environment
    assert (counts.dilemmas_per_family, counts.stories, counts.episodes) == (2308, 12000, 200)


def test_a_misspelt_dataset_count_is_a_diagnostic(tmp_path):
    path = tmp_path / "c.cdl"
    path.write_text('constitution "T" {\n  dataset {\n    storys: 3\n    episodes: many\n  }\n}\n')
    codes = sorted(d.code for d in api.load([path]).diagnostics)
    assert codes == ["CDL103", "CDL104"], codes
    messages = " ".join(d.message for d in api.load([path]).diagnostics)
    assert "did you mean `stories`" in messages and "whole number" in messages


def test_variation_is_dealt_by_hash_of_seed_and_item(shipped):
    table = load_variation()["dilemma"]
    a = dilemma_variation(table, 0, "pathogen_shortcut", 3)
    assert a == dilemma_variation(table, 0, "pathogen_shortcut", 3)
    drawn = [dilemma_variation(table, 0, "pathogen_shortcut", i) for i in range(200)]
    assert len({d.persona for d in drawn}) > 25 and len({d.culture for d in drawn}) > 20
    assert all(d.persona in table["persona"] and d.length_words in table["length_words"] for d in drawn)
    assert [dilemma_variation(table, 1, "pathogen_shortcut", i) for i in range(20)] != drawn[:20]


def test_a_variation_override_replaces_only_the_axes_it_names(tmp_path):
    (tmp_path / "variation.toml").write_text('[dilemma]\nculture = ["Tromsø, Norway"]\n')
    table = load_variation(tmp_path)["dilemma"]
    assert table["culture"] == ["Tromsø, Norway"] and len(table["persona"]) > 10


def test_no_planned_item_carries_anything_of_the_probes(shipped):
    """Probe titles describe each scenario and an environment's persona is its probes' system prompt:
    neither is in any item a generating model reads (the output checks keep probe text out)."""
    build = {"dilemmas": [], "probes": []}
    plan = make_plan(shipped, build, kinds=("dilemmas", "episodes", "stories"), counts=Counts(2, 30, 24, None),
                     seed=0, assistant="Claude", variation=load_variation())
    titles = {g.title for g in shipped.generators if g.kind == "probe" and g.title}
    personas = {e.persona for e in shipped.environments if e.persona}
    for inputs in [i for *_, i in plan.drafts] + [i for *_, i in plan.stories] + [i for *_, i in plan.episodes]:
        dumped = inputs.model_dump_json()
        assert "reserved" not in dumped and not [t for t in titles | personas if t in dumped]


def test_the_plan_covers_every_form_and_rotates_environments(shipped):
    build = {"dilemmas": [], "probes": []}
    plan = make_plan(shipped, build, kinds=("documents", "episodes", "stories"), counts=Counts(0, 30, 24, None),
                     seed=0, assistant="Claude", variation=load_variation())
    forms = Counter(form for _k, _s, form, _i in plan.documents)
    assert set(forms) == set(FORMS) and len(set(forms.values())) == 1
    assert len(plan.documents) == 4 * (len(shipped.principles) + len({s for k, s, f, i in plan.documents
                                                                     if k == "section"}))
    environments = Counter(env for _i, env, _c, _in in plan.episodes)
    assert len(environments) == 6 and max(environments.values()) - min(environments.values()) <= 1
    assert len({subject for _i, subject, _in in plan.stories}) == 30
    assert m.assistant_name(shipped) == "Claude"
