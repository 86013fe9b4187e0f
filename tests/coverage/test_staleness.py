"""A record is stale when anything it was made from changed, and coverage names the part (issue 13)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

TUTORIAL = REPO / "examples" / "tutorial" / "finance.cdl"


def _cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "constitutionc", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("stale")
    shutil.copy(TUTORIAL, project / "finance.cdl")
    done = _cli("build", "finance.cdl", "-o", "out", cwd=project)
    assert done.returncode == 0, done.stderr
    return project


def _coverage_after(built: Path, tmp_path: Path, old: str, new: str) -> tuple[dict, list[dict]]:
    text = (built / "finance.cdl").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (tmp_path / "finance.cdl").write_text(text.replace(old, new), encoding="utf-8")
    shutil.copytree(built / "out", tmp_path / "out")
    done = _cli("coverage", "finance.cdl", "--data", "out", "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for name in ("dilemmas.jsonl", "responses.jsonl", "probes.jsonl")
               for line in (tmp_path / "out" / name).read_text().splitlines()]
    return json.loads(done.stdout), records


def _row(document: dict, pid: str) -> dict:
    return next(r for r in document["principles"] if r["id"] == pid)


def test_unchanged_constitution_has_no_stale_records(built, tmp_path):
    document, records = _coverage_after(built, tmp_path, "# The finished file", "# The finished file")
    assert document["stale"] == [] and document["totals"]["stale_records"] == 0
    assert all(r["made_from"] for r in records)


def test_moving_a_family_changes_nothing(built, tmp_path):
    document, _ = _coverage_after(built, tmp_path, "dilemma reassure_parent",
                                  "# a comment that moves the family down\n\ndilemma reassure_parent")
    assert document["stale"] == []


def test_editing_a_why_makes_the_records_quoting_it_stale(built, tmp_path):
    document, records = _coverage_after(built, tmp_path, "Vague answers push people", "Vague answers drive people")
    [entry] = document["stale"]
    quoting = [r["id"] for r in records if "why:help.direct_answers" in r["made_from"]]
    assert (entry["part"], entry["name"], entry["clause"], entry["reason"]) == \
        ("why", "help.direct_answers", "help.direct_answers", "changed")
    assert entry["records"] == len(quoting) and entry["sample_ids"] == quoting[:len(entry["sample_ids"])]
    assert _row(document, "help.direct_answers")["stale"] == len(quoting)


def test_editing_a_stance_makes_the_family_stale_and_uncovers_it(built, tmp_path):
    document, records = _coverage_after(built, tmp_path, "help them look at the risks together",
                                        "help them weigh the risks together")
    [entry] = document["stale"]
    family = [r for r in records if r["generator"] == "reassure_parent"]
    assert (entry["part"], entry["name"], entry["clause"]) == ("family", "reassure_parent", None)
    assert entry["records"] == len(family)
    assert _row(document, "honesty.no_false_reassurance")["taught"] is False
    assert document["totals"]["stale_records"] == len(family)


def test_editing_a_tension_makes_the_responses_arguing_it_stale(built, tmp_path):
    document, records = _coverage_after(built, tmp_path, "Being direct about uncertainty",
                                        "Being open about uncertainty")
    [entry] = document["stale"]
    arguing = [r for r in records if r.get("tensions")]
    assert (entry["part"], entry["name"]) == ("tension", "honesty.no_false_reassurance>help.direct_answers")
    assert entry["records"] == len(arguing) > 0


def test_editing_the_environment_makes_its_probes_stale(built, tmp_path):
    document, records = _coverage_after(built, tmp_path, "Ada. Customer desk, Northwind Invest.",
                                        "Ada, at the customer desk of Northwind Invest.")
    [entry] = document["stale"]
    probes = [r for r in records if r["kind"] == "probe"]
    assert (entry["part"], entry["name"], entry["reason"]) == ("environment", "fund_desk", "changed")
    assert entry["records"] == len(probes)


def test_removing_a_family_reports_it_removed(built, tmp_path):
    text = (built / "finance.cdl").read_text(encoding="utf-8")
    start = text.index("probe fee_question")
    document, _ = _coverage_after(built, tmp_path, text[start:], "")
    assert ("family", "fee_question", "removed") in {(e["part"], e["name"], e["reason"]) for e in document["stale"]}


def test_text_report_names_what_changed(built, tmp_path):
    _coverage_after(built, tmp_path, "help them look at the risks together", "help them weigh the risks together")
    done = _cli("coverage", "finance.cdl", "--data", "out", cwd=tmp_path)
    assert "family of reassure_parent (changed)" in done.stdout
