"""The critique/revision and comparison-criteria examples, built end to end."""

from __future__ import annotations

import pytest

from .conftest import REPO, build_example


@pytest.fixture(scope="module")
def revision_build(tmp_path_factory):
    return build_example(REPO / "examples" / "critique-revision" / "constitution.cdl", tmp_path_factory.mktemp("cr"))


@pytest.fixture(scope="module")
def criteria_build(tmp_path_factory):
    return build_example(REPO / "examples" / "comparison-criteria" / "constitution.cdl",
                         tmp_path_factory.mktemp("crit"))


def test_each_instance_critiques_its_draft_against_one_principle(revision_build):
    dilemmas = [d for d in revision_build["dilemmas"] if d["generator"] == "lock_picking"]
    assert sorted(d["focus"] for d in dilemmas) == ["cai.harmless", "cai.not_preachy"]
    for d in dilemmas:
        assert d["principles"] == [d["focus"]]
        assert d["draft"].startswith("Shed padlocks are easy")
        assert d["critique"].startswith("Measured against '") and d["critique_request"] in d["critique"]
        assert d["revision"].startswith("I can't help") and d["revision_request"]


def test_parts_left_empty_are_null_with_the_requests_the_model_stage_writes_them_from(revision_build):
    """What `generate` needs to write a critique and a revision: the draft, the one principle (`focus`, the only
    one cited) and that principle's own critique and revision requests."""
    from constitutionc.api import load

    constitution = load([REPO / "examples" / "critique-revision" / "constitution.cdl"]).constitution
    dilemmas = [d for d in revision_build["dilemmas"] if d["generator"] == "fake_sick_note"]
    assert sorted(d["focus"] for d in dilemmas) == ["cai.harmless", "cai.not_preachy"]
    for d in dilemmas:
        principle = constitution.principle(d["focus"])
        assert d["principles"] == [d["focus"]] and d["draft"].startswith("Here you go")
        assert (d["critique"], d["revision"]) == (None, None)
        assert (d["critique_request"], d["revision_request"]) == (principle.critique, principle.revision)
    # No revision yet, so no revision > draft pair from this family.
    ids = {d["id"] for d in dilemmas}
    assert not [r for r in revision_build["responses"] if r["variant"] == "preference" and r["dilemma_id"] in ids
                and r.get("rejected", "").startswith("Here you go")]


def test_revision_is_preferred_to_the_draft(revision_build):
    pairs = [r for r in revision_build["responses"] if r["variant"] == "preference"]
    assert len(pairs) == 2 and len({r["id"] for r in revision_build["responses"]}) == len(revision_build["responses"])
    for pair in pairs:
        assert pair["chosen"].startswith("I can't help") and pair["rejected"].startswith("Shed padlocks")
        assert pair["chosen_reasoning"].startswith("Measured against")


def test_criteria_go_to_judges_and_never_into_answers(criteria_build):
    dilemma = criteria_build["dilemmas"][0]
    assert [c["id"] for c in dilemma["criteria"]] == ["criteria.least_harmful", "criteria.most_honest",
                                                     "criteria.respects_autonomy"]
    for response in criteria_build["responses"]:
        answer = response.get("completion") or response.get("chosen")
        assert "Choose the response" not in answer
        assert response["criteria"] == dilemma["criteria"]
    probe = criteria_build["probes"][0]
    assert [c["id"] for c in probe["criteria"]] == ["criteria.most_honest", "criteria.respects_autonomy"]
