"""The coverage numbers, checked against hand-counted expectations and a naive full-parse oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from constitutionc.coverage import CoverageInputError, compute_coverage

from .conftest import NESTED, QUICKSTART, loaded, naive_counts


def by_id(rows):
    return {row["id"]: row for row in rows}


def test_quickstart_counts_per_principle(quickstart_build):
    document = compute_coverage(loaded(QUICKSTART), quickstart_build)
    rows = by_id(document["principles"])
    # leverage_over_neighbour: 3 relations x 2 secrets = 6 dilemmas, each with justified, bare and preference.
    assert rows["safety.no_coercion"]["citing"]["dilemmas"] == 6
    assert rows["safety.no_coercion"]["citing"]["responses_by_variant"] == {"justified": 6, "bare": 6, "preference": 6}
    assert rows["safety.no_coercion"]["citing"]["probes"] == 2  # pause_notice: 2 urgencies
    assert rows["ethics.privacy"]["citing"]["responses"] == 18 and rows["ethics.privacy"]["citing"]["probes"] == 0
    assert rows["safety.accept_shutdown"]["citing"]["probes"] == 2 and rows["safety.accept_shutdown"]["citing"]["dilemmas"] == 0
    assert [(r["id"], r["taught"], r["tested"], r["covered"]) for r in document["principles"]] == [
        ("safety.no_coercion", True, True, True),
        ("safety.accept_shutdown", False, True, False),
        ("ethics.honesty", False, False, False),
        ("ethics.privacy", True, False, False),
        ("helpfulness.real_help", False, False, False),
        ("helpfulness.profanity", False, False, False),
    ]
    assert document["totals"] | {"percent": None} == {
        "principles": 6, "taught": 2, "tested": 2, "covered": 1, "percent": None, "records": 26, "dilemmas": 6,
        "responses": 18, "responses_by_variant": {"justified": 6, "bare": 6, "preference": 6}, "probes": 2,
        "by_kind": {"dilemmas": 6, "responses": 18, "probes": 2},
        "stale_records": 0, "criteria": 0}
    assert document["totals"]["percent"] == pytest.approx(100 / 6)
    assert rows["safety.no_coercion"]["axes"] == {
        "relation": ["landlord", "neighbour", "team lead"],
        "secret": ["a gambling debt", "an unreported accident"],
        "urgency": ["next week", "tonight"]}
    assert rows["safety.no_coercion"]["generators"] == ["leverage_over_neighbour", "pause_notice"]


def test_uncovered_principles_carry_their_source_line(quickstart_build):
    document = compute_coverage(loaded(QUICKSTART), quickstart_build)
    lines = QUICKSTART.read_text().splitlines()
    for entry in document["uncovered"]:
        assert entry["file"] == "tests/coverage/data/quickstart.cdl"
        assert f"principle {entry['id']} " in lines[entry["line"] - 1]
    assert [e["id"] for e in document["uncovered"]] == [
        "safety.accept_shutdown", "ethics.honesty", "ethics.privacy", "helpfulness.real_help",
        "helpfulness.profanity"]


def test_counts_agree_with_a_full_parse(nested_build, quickstart_build):
    for source, build in ((NESTED, nested_build), (QUICKSTART, quickstart_build)):
        constitution = loaded(source)
        expected = naive_counts(build, {p.id: p.sha256 for p in constitution.principles})
        for row in compute_coverage(constitution, build)["principles"]:
            oracle = expected.get(row["id"], {})
            assert (row["citing"]["dilemmas"], row["citing"]["responses"], row["citing"]["probes"]) == (
                oracle.get("dilemma", 0), oracle.get("response", 0), oracle.get("probe", 0)), row["id"]
            assert row["citing"]["responses_by_variant"] == {v: oracle.get(v, 0) for v in ("justified", "bare", "preference")}


def test_sections_roll_up_to_their_ancestors(nested_build):
    document = compute_coverage(loaded(NESTED), nested_build)
    sections = {(s["title"]): s for s in document["sections"]}
    assert [s["title"] for s in document["sections"]] == ["Conduct", "Speech", "Action", "(outside any section)"]
    assert sections["Speech"]["principle_ids"] == ["speech.truthful", "speech.kind"]
    assert sections["Conduct"]["principle_ids"] == ["speech.truthful", "speech.kind", "action.ask_first"]
    assert (sections["Conduct"]["covered"], sections["Conduct"]["principles"]) == (1, 3)
    # Distinct records: a justified response citing both speech principles counts once for Conduct.
    # hard_news has 2 x 3 - 1 = 5 combinations: 5 dilemmas, 15 responses; delete_files has 2 probes.
    assert (sections["Conduct"]["citing"]["dilemmas"], sections["Conduct"]["citing"]["responses"], sections["Conduct"]["citing"]["probes"]) == (5, 15, 2)
    assert (sections["Action"]["citing"]["probes"], sections["Action"]["citing"]["responses"]) == (2, 0)
    loose = sections["(outside any section)"]
    assert loose["id"] is None and loose["principle_ids"] == ["loose.untested"] and loose["citing"]["dilemmas"] == 2


def test_values_roll_up_by_distinct_records(nested_build):
    document = compute_coverage(loaded(NESTED), nested_build)
    values = by_id(document["values"])
    assert values["candour"]["principle_ids"] == ["speech.truthful", "loose.untested"]
    assert (values["candour"]["citing"]["dilemmas"], values["candour"]["citing"]["responses"]) == (7, 19)
    assert (values["care"]["citing"]["responses"], values["care"]["citing"]["probes"], values["care"]["covered"]) == (10, 2, 0)


def test_tension_is_covered_when_a_response_discusses_it(nested_build, quickstart_build):
    nested = compute_coverage(loaded(NESTED), nested_build)
    assert nested["tensions"] == [{
        "id": "speech.truthful>speech.kind", "prevails": "speech.truthful", "yields": "speech.kind",
        "file": "tests/coverage/data/nested.cdl", "line": 45, "responses": 10, "co_cited": 10, "covered": True}]
    quick = compute_coverage(loaded(QUICKSTART), quickstart_build)
    assert [(t["id"], t["covered"]) for t in quick["tensions"]] == [("ethics.honesty>helpfulness.real_help", False)]


def test_balance(nested_build):
    balance = compute_coverage(loaded(NESTED), nested_build)["balance"]
    # records per principle: truthful 5+15+2, kind 10, ask_first 2, loose 2+4
    assert balance == {"min": 2, "median": 8.0, "max": 22, "largest": "speech.truthful",
                       "largest_share": 22 / 40, "citations": 40}


def test_edited_and_removed_clauses_make_records_stale(tmp_path, quickstart_build, monkeypatch):
    text = QUICKSTART.read_text(encoding="utf-8")
    edited = text.replace("Do not reveal or exploit private information", "Never reveal private information")
    edited = edited.replace("tests safety.accept_shutdown, safety.no_coercion", "tests safety.no_coercion")
    start = edited.index('  principle safety.accept_shutdown')
    edited = edited[:start] + edited[edited.index("}\n", edited.index("why:", start)) + 2:]
    source = tmp_path / "tests/coverage/data/quickstart.cdl"
    source.parent.mkdir(parents=True)
    source.write_text(edited, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    constitution = loaded(Path("tests/coverage/data/quickstart.cdl"))
    assert constitution.principle("safety.accept_shutdown") is None
    document = compute_coverage(constitution, quickstart_build)
    stale = {(e["clause"], e["reason"]): e for e in document["stale"]}
    assert set(stale) == {("ethics.privacy", "changed"), ("safety.accept_shutdown", "removed")}
    assert stale[("ethics.privacy", "changed")]["records"] == 24  # 6 dilemmas + 18 responses
    assert stale[("safety.accept_shutdown", "removed")]["records"] == 2
    ids = {json.loads(line)["id"] for line in (quickstart_build / "probes.jsonl").read_text().splitlines()}
    assert set(stale[("safety.accept_shutdown", "removed")]["sample_ids"]) == ids
    assert document["totals"]["stale_records"] == 26
    rows = by_id(document["principles"])
    # Stale citations do not count: privacy's records predate its current text.
    assert rows["ethics.privacy"]["citing"]["records"] == 0 and rows["ethics.privacy"]["stale"] == 24
    assert rows["safety.no_coercion"]["citing"]["records"] == 26


def test_missing_data_directory_is_an_input_error(tmp_path):
    with pytest.raises(CoverageInputError, match="does not exist"):
        compute_coverage(loaded(QUICKSTART), tmp_path / "nowhere")
    with pytest.raises(CoverageInputError, match="holds no build records"):
        compute_coverage(loaded(QUICKSTART), tmp_path)


def test_missing_file_is_a_warning(copy_of, quickstart_build):
    build = copy_of(quickstart_build)
    (build / "probes.jsonl").unlink()
    document = compute_coverage(loaded(QUICKSTART), build)
    assert document["totals"]["probes"] == 0
    assert document["warnings"] == [f"{build / 'probes.jsonl'} is missing; counted as empty"]


@pytest.mark.parametrize("line, message", [
    ('{"kind": "dilemma", "sources": [', "not a JSON record"),
    ('{"kind": "dilemma", "axes": {}, "generator": "g"}', "record lacks the field 'sources'"),
    ('{"kind": "verdict", "axes": {}, "generator": "g", "sources": []}', "unknown record kind 'verdict'"),
])
def test_malformed_record_names_file_and_line(copy_of, quickstart_build, line, message):
    build = copy_of(quickstart_build)
    path = build / "dilemmas.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(3, line + "\n")
    path.write_text("".join(lines))
    with pytest.raises(CoverageInputError) as caught:
        compute_coverage(loaded(QUICKSTART), build)
    assert str(caught.value).startswith(f"{path}:4: ") and message in str(caught.value)


def test_empty_files_and_blank_lines(copy_of, quickstart_build):
    build = copy_of(quickstart_build)
    (build / "probes.jsonl").write_text("")
    responses = build / "responses.jsonl"
    responses.write_text("\n" + responses.read_text().replace("\n", "\n  \n", 2))
    document = compute_coverage(loaded(QUICKSTART), build)
    assert (document["totals"]["probes"], document["totals"]["responses"]) == (0, 18)
    assert document["warnings"] == []
