"""Records of the second edition's constructs: axes that select principles, field references."""

from __future__ import annotations

from collections import Counter

from .conftest import read_jsonl, run_build


def _build(tmp_path, source: str):
    out = tmp_path / "out"
    result = run_build(source, "-o", out)
    assert result.exit_code == 0, result.output
    return {name: read_jsonl(out / f"{name}.jsonl") for name in ("dilemmas", "briefs", "responses")}, result.output


def test_each_instance_cites_the_principle_its_axis_draws(in_data, tmp_path):
    built, _ = _build(tmp_path, "selecting.cdl")
    dilemmas = built["dilemmas"]
    assert len(dilemmas) == 6
    for d in dilemmas:
        drawn = d["axes"]["principle"]
        assert d["principles"] == [drawn, "b.base"] and d["focus"] == drawn
        assert [s["clause"] for s in d["sources"]] == [drawn, "b.base"]
    assert Counter(d["focus"] for d in dilemmas) == {"a.one": 2, "a.two": 2, "a.three": 2}


def test_field_references_read_the_drawn_principle_the_focus_and_named_principles(in_data, tmp_path):
    built, _ = _build(tmp_path, "selecting.cdl")
    by_drawn = {d["axes"]["principle"] + d["axes"]["mood"]: d for d in built["dilemmas"]}
    assert by_drawn["a.twocalm"]["prompt"] == "A question about Two, asked calm: is 'Be two.' right here?"
    assert by_drawn["a.twocalm"]["stance"] == "Answer in the light of Two; the base rule is Base."


def test_the_briefs_clauses_and_tensions_follow_the_drawn_principle(in_data, tmp_path):
    built, _ = _build(tmp_path, "selecting.cdl")
    assert len(built["briefs"]) == 6 and built["responses"] == []
    for brief in built["briefs"]:
        drawn = brief["axes"]["principle"]
        assert [c["clause"] for c in brief["clauses"]] == [drawn, "b.base"]
        assert brief["tensions"] == (["a.one>b.base"] if drawn == "a.one" else [])


def test_shared_axes_and_value_fields_fill_the_texts(in_data, tmp_path):
    built, _ = _build(tmp_path, "shared_axes.cdl")
    dilemmas = built["dilemmas"]
    # 2 kin x 2 roles kept of std's 8 x 2 tones; the axes keep their written order.
    assert len(dilemmas) == 8 and all(list(d["axes"]) == ["kin", "role", "tone"] for d in dilemmas)
    words = {"aunt": ("she", "her"), "uncle": ("he", "him")}
    article = {"intern": "an", "manager": "a"}
    adverb = {"calm": "calmly", "upset": "tearfully"}
    for d in dilemmas:
        kin, role, tone = d["axes"]["kin"], d["axes"]["role"], d["axes"]["tone"]
        assert d["prompt"] == (f"My {kin}, {article[role]} {role}, told me {adverb[tone]} that "
                               f"{words[kin][0]} lost the job.")
        assert d["stance"] == f"Help them support {words[kin][1]} honestly."


def test_editing_a_shared_axis_changes_the_digest_of_the_families_using_it(in_data, tmp_path):
    from constitutionc import provenance
    from constitutionc.api import load

    before = provenance.current_parts(load(["shared_axes.cdl"]).constitution)
    shared = tmp_path / "axes"
    shared.mkdir()
    (tmp_path / "shared_axes.cdl").write_text((in_data / "shared_axes.cdl").read_text(), encoding="utf-8")
    text = (in_data / "axes" / "shared.cdl").read_text().replace('object: "him"', 'object: "them"')
    (shared / "shared.cdl").write_text(text, encoding="utf-8")
    after = provenance.current_parts(load([tmp_path / "shared_axes.cdl"]).constitution)
    assert before["family:news"] != after["family:news"]
    assert {k: v for k, v in before.items() if k != "family:news"} == \
        {k: v for k, v in after.items() if k != "family:news"}
