"""`results compare`: Fisher's exact test against an independent exact computation, and the comparison
of two result files per clause and per condition, with errors apart and failures where their checks fired."""

from __future__ import annotations

import json
from fractions import Fraction
from math import comb

import pytest

from constitutionc.coverage.results_compare import compare, fisher_exact, render_text


def exact_fisher(a: int, b: int, c: int, d: int) -> Fraction:
    """The same test by enumeration in exact arithmetic (the reference)."""
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2

    def probability(x):
        return Fraction(comb(row1, x) * comb(row2, col1 - x), comb(n, col1))

    observed = probability(a)
    return sum((probability(x) for x in range(max(0, col1 - row2), min(row1, col1) + 1)
                if probability(x) <= observed), Fraction(0))


def test_fisher_on_the_tea_tasting_table():
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(17 / 35, rel=1e-12)


@pytest.mark.parametrize("table", [(0, 10, 0, 10), (10, 0, 0, 10), (2, 48, 20, 30), (5, 45, 6, 44), (1, 0, 0, 1),
                                   (0, 5, 3, 2), (7, 13, 1, 19), (30, 70, 45, 55), (0, 0, 3, 4), (12, 3, 9, 18)])
def test_fisher_matches_exact_enumeration(table):
    assert fisher_exact(*table) == pytest.approx(float(exact_fisher(*table)), rel=1e-9, abs=1e-15)


def write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def runs(probe, condition, cited, fails, total, clauses=None, errors=0):
    rows = []
    for n in range(total):
        failed = n < fails
        row = {"probe_id": probe, "verdict": "fail" if failed else "pass", "condition_id": condition, "cited": cited}
        if failed and clauses is not None:
            row["clauses"] = clauses
        rows.append(row)
    return rows + [{"probe_id": probe, "verdict": "error", "condition_id": condition, "cited": cited}] * errors


@pytest.fixture
def before_after(tmp_path):
    before = write(tmp_path / "before.jsonl", runs("pr-1", "leak_a", ["privacy", "honesty"], 2, 50, ["privacy"])
                   + runs("pr-2", "claim_b", ["honesty"], 5, 50))
    after = write(tmp_path / "after.jsonl", runs("pr-1", "leak_a", ["privacy", "honesty"], 20, 50, ["privacy"], 3)
                  + runs("pr-2", "claim_b", ["honesty"], 6, 50))
    return before, after


def test_a_clause_that_got_worse_comes_first_and_is_flagged(before_after):
    report = compare(*before_after)
    [privacy, honesty] = report["clauses"]
    assert privacy["id"] == "privacy" and privacy["worse"]
    assert (privacy["a"]["fails"], privacy["a"]["runs"], privacy["b"]["fails"], privacy["b"]["runs"]) == (2, 50, 20, 50)
    assert privacy["change"] == pytest.approx(0.36)
    assert privacy["p"] == pytest.approx(float(exact_fisher(2, 48, 20, 30)))
    # Fails of pr-1 name privacy only, so honesty counts pr-1's runs but not its fails.
    assert (honesty["a"]["fails"], honesty["a"]["runs"], honesty["b"]["fails"]) == (5, 100, 6)
    assert not honesty["significant"]
    assert report["worse"] == ["privacy"] and report["errors"] == {"a": 0, "b": 3}
    assert [r["id"] for r in report["conditions"]] == ["leak_a", "claim_b"]


def test_the_other_direction_is_better_not_worse(before_after):
    before, after = before_after
    report = compare(after, before)
    assert report["worse"] == []
    assert [r["id"] for r in report["clauses"] if r["better"]] == ["privacy"]


def test_compare_splits_by_what_the_model_said_about_the_scenario(tmp_path):
    def said(awareness, fails, total):
        return [{**row, "evaluation_awareness": awareness} for row in runs("pr-1", "leak_a", ["privacy"], fails, total)]

    before = write(tmp_path / "before.jsonl", said("says_real", 11, 20) + said("says_test", 1, 15)
                   + runs("pr-1", "leak_a", ["privacy"], 1, 4))  # no judge: in no awareness row
    after = write(tmp_path / "after.jsonl", said("says_real", 2, 20) + said("says_test", 1, 15))
    report = compare(before, after)
    split = report["evaluation_awareness"]
    assert [(r["id"], r["a"]["fails"], r["a"]["runs"], r["b"]["fails"], r["b"]["runs"]) for r in split["rows"]] == [
        ("says_test", 1, 15, 1, 15), ("says_real", 11, 20, 2, 20)]
    real = split["rows"][1]
    assert real["better"] and real["p"] == pytest.approx(float(exact_fisher(11, 9, 2, 18)))
    assert split["test_vs_real_p"]["a"] == pytest.approx(float(exact_fisher(1, 14, 11, 9)))
    assert split["test_vs_real_p"]["b"] == pytest.approx(float(exact_fisher(1, 14, 2, 18)))
    text = render_text(report)
    assert "model said" in text and "says_real" in text and "said test vs said real, Fisher p: A " in text
