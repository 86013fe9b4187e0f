"""Records of the second edition's constructs: axes that select principles, field references."""

from __future__ import annotations

from collections import Counter

from .conftest import read_jsonl, run_build


def _build(tmp_path, source: str):
    out = tmp_path / "out"
    result = run_build(source, "-o", out)
    assert result.exit_code == 0, result.output
    return {name: read_jsonl(out / f"{name}.jsonl") for name in ("dilemmas", "responses")}, result.output


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


def test_the_justification_and_tensions_follow_the_drawn_principle(in_data, tmp_path):
    built, _ = _build(tmp_path, "selecting.cdl")
    for r in built["responses"]:
        if r["variant"] != "justified" or r["style"] != "inline":
            continue
        drawn = r["axes"]["principle"]
        others = {"a.one", "a.two", "a.three"} - {drawn}
        assert all(f'"Be {p.split(".")[1]}."' not in r["completion"] for p in others)
        assert r["tensions"] == (["a.one>b.base"] if drawn == "a.one" else [])
