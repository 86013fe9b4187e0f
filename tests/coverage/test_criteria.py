"""Criteria (`kind: criterion`) are judged by, never taught or tested: coverage reports them apart, with the
families that judge by them, and never as untaught or untested principles."""

from __future__ import annotations

import json

from click.testing import CliRunner

from constitutionc import api
from constitutionc.commands.coverage import command
from constitutionc.coverage.render import render

from .conftest import REPO, loaded

CRITERIA = REPO / "examples/comparison-criteria/constitution.cdl"
UNUSED = '''
principle criteria.unused "Unused" {
  kind: criterion
  text: "Choose the response that is shortest."
}
'''


def _build(tmp_path, source=CRITERIA):
    constitution = loaded(source.relative_to(REPO) if source.is_relative_to(REPO) else source)
    out = tmp_path / "out"
    api.build(constitution, out)
    return constitution, out


def test_criteria_are_reported_as_criteria_not_as_gaps(tmp_path):
    constitution, out = _build(tmp_path)
    document = api.coverage(constitution, out)
    assert [p["id"] for p in document["principles"]] == ["help.candid_advice"]
    assert document["totals"]["principles"] == 1 and document["totals"]["criteria"] == 3
    gaps = {g["id"] for g in document["uncovered"] + document["under_covered"]}
    assert not gaps & {"criteria.least_harmful", "criteria.most_honest", "criteria.respects_autonomy"}
    rows = {c["id"]: c for c in document["criteria"]}
    assert rows["criteria.least_harmful"]["judged_by"] == ["risky_hobby"]
    assert rows["criteria.most_honest"]["judged_by"] == ["risky_hobby", "risky_hobby_probe"]
    # The records of the families judged by each criterion, counted from the build itself.
    per_family = {}
    for name in ("dilemmas", "responses", "probes", "briefs"):
        path = out / f"{name}.jsonl"
        for line in path.read_text().splitlines() if path.exists() else ():
            record = json.loads(line)
            per_family[record["generator"]] = per_family.get(record["generator"], 0) + 1
    assert rows["criteria.least_harmful"]["records"] == per_family["risky_hobby"] > 0
    assert rows["criteria.most_honest"]["records"] == per_family["risky_hobby"] + per_family["risky_hobby_probe"]
    for section in document["sections"]:
        assert not any(pid.startswith("criteria.") for pid in section["principle_ids"])


def test_an_unused_criterion_is_said_to_be_unused_in_every_format(tmp_path):
    source = tmp_path / "c.cdl"
    source.write_text(CRITERIA.read_text() + UNUSED)
    constitution = loaded(source)
    api.build(constitution, tmp_path / "out")
    document = api.coverage(constitution, tmp_path / "out")
    unused = next(c for c in document["criteria"] if c["id"] == "criteria.unused")
    assert unused == {**unused, "judged_by": [], "records": 0, "used": False}
    assert document["totals"]["principles"] == 1
    text = render("text", document)
    assert "Criteria (judged by, not taught or tested)" in text and "(no family: unused)" in text
    assert "Criteria" in render("markdown", document) and 'id="criteria"' in render("html", document)


def test_the_gate_counts_principles_only(tmp_path):
    constitution, out = _build(tmp_path)
    result = CliRunner().invoke(command, [str(CRITERIA.relative_to(REPO)), "--data", str(out),
                                          "--format", "json", "--fail-under", "100"])
    document = json.loads(result.output)
    covered = document["totals"]["covered"] == document["totals"]["principles"]
    assert result.exit_code == (0 if covered else 1), result.output
    assert "criteria." not in "".join(g["id"] for g in document["uncovered"])
