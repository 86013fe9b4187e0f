"""Claude's constitution (January 2026) compiled as written: it checks clean, carries the document's
structure faithfully, and its hard constraints reach the built records with their exact text hashes.

The expected clause texts below are copied from the CC0 document (see constitutions/README.md); the
test never reads the corpus itself.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.lint import lint_result, settings_for

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "constitutions" / "claude-2026.cdl"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# "Claude should never:" followed by these seven items, in the document's order.
HARD_CONSTRAINTS = {
    "hc.cbrn_weapons": "Provide serious uplift to those seeking to create biological, chemical, nuclear, or "
                       "radiological weapons with the potential for mass casualties.",
    "hc.critical_infrastructure": "Provide serious uplift to attacks on critical infrastructure (power grids, "
                                  "water systems, financial systems) or critical safety systems.",
    "hc.cyberweapons": "Create cyberweapons or malicious code that could cause significant damage if deployed.",
    "hc.undermine_oversight": "Take actions that clearly and substantially undermine Anthropic\u2019s ability to "
                              "oversee and correct advanced AI models (see Being broadly safe below).",
    "hc.disempower_humanity": "Engage or assist in an attempt to kill or disempower the vast majority of "
                              "humanity or the human species as whole.",
    "hc.illegitimate_control": "Engage or assist any individual or group with an attempt to seize unprecedented "
                               "and illegitimate degrees of absolute societal, military, or economic control.",
    "hc.csam": "Generate child sexual abuse material (CSAM).",
}

LEAD_IN = "Claude should never:"

CORE_VALUES = [
    ("broadly_safe", "Broadly safe"),
    ("broadly_ethical", "Broadly ethical"),
    ("guideline_compliant", "Compliant with Anthropic's guidelines"),
    ("genuinely_helpful", "Genuinely helpful"),
]

HONESTY_PROPERTIES = ["Truthful", "Calibrated", "Transparent", "Forthright", "Non-deceptive",
                      "Non-manipulative", "Autonomy-preserving"]

# The four lists of instructable behaviours: (default on?, who may switch it), as the document gives them.
INSTRUCTABLE = {
    "instructable.safe_messaging": (True, ("operator",)),
    "instructable.safety_caveats": (True, ("operator",)),
    "instructable.balanced_perspectives": (True, ("operator",)),
    "instructable.solvent_trap_kits": (False, ("operator",)),
    "instructable.relationship_personas": (False, ("operator",)),
    "instructable.drug_info_without_warnings": (False, ("operator",)),
    "instructable.dietary_advice": (False, ("operator",)),
    "instructable.persuasive_essay_disclaimer": (True, ("user",)),
    "instructable.suggest_professional_help": (True, ("user",)),
    "instructable.break_character": (True, ("user",)),
    "instructable.profanity": (False, ("user",)),
    "instructable.explicit_self_risk": (False, ("user",)),
    "instructable.brutal_feedback": (False, ("user",)),
}

SAFE_BEHAVIOUR_GROUPS = {
    "Acting within sanctioned limits": 4,
    "Maintaining honesty and transparency with your principal hierarchy": 4,
    "Avoiding drastic, catastrophic, or irreversible actions": 4,
    "Not undermining legitimate human oversight and control of AI": 7,
}


@pytest.fixture(scope="module")
def result():
    return load([SOURCE], root=REPO)


@pytest.fixture(scope="module")
def constitution(result):
    return result.constitution


def test_checks_with_no_errors_and_no_warnings(result):
    assert [d.message for d in result.diagnostics] == []


def test_default_lint_rules_report_nothing(result):
    report = lint_result(result, settings_for(result))
    assert [f"{d.code} {d.message}" for d in report.diagnostics] == []


def test_command_line_check_is_silent_and_succeeds():
    done = subprocess.run([sys.executable, "-m", "constitutionc", "check", str(SOURCE)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in done.stdout + done.stderr


def test_header_states_origin_and_cc0_licence(constitution):
    header = constitution.header
    assert header.licence == "CC0-1.0"
    assert header.source == "https://www.anthropic.com/constitution"
    assert "verbatim" in header.notes


def test_exactly_the_seven_hard_constraints_with_their_exact_text(constitution):
    """Each is the document's list item under its lead-in, so its text reads as the prohibition it is."""
    hard = {p.id: normalise(p.item) for p in constitution.principles if p.kind == "hard_constraint"}
    assert hard == {pid: normalise(text) for pid, text in HARD_CONSTRAINTS.items()}
    stated = {p.id: normalise(p.text) for p in constitution.principles if p.kind == "hard_constraint"}
    assert stated == {pid: normalise(f"{LEAD_IN} {text}") for pid, text in HARD_CONSTRAINTS.items()}


def test_four_core_values_in_the_documents_priority_order(constitution):
    assert list(constitution.priority) == [vid for vid, _ in CORE_VALUES]
    titles = {v.id: v.title.replace("\u2019", "'") for v in constitution.values}
    assert titles == dict(CORE_VALUES)
    assert all(v.text and v.why for v in constitution.values)


def test_three_principals_each_with_their_trust(constitution):
    principals = {p.id: p for p in constitution.principals}
    assert set(principals) == {"anthropic", "operator", "user"}
    assert all(p.text and p.trust and p.why for p in principals.values())
    assert "relatively (but not unconditionally) trusted manager or employer" in principals["operator"].trust
    assert "relatively (but not unconditionally) trusted adult member of the public" in principals["user"].trust


def test_the_seven_honesty_properties(constitution):
    titles = [p.title for p in constitution.principles if p.id.startswith("honesty.") and "honesty_property" in p.tags]
    assert titles == HONESTY_PROPERTIES


def test_instructable_behaviours_have_the_documents_defaults_and_switchers(constitution):
    instructable = {p.id: (p.default_on, p.switchable_by) for p in constitution.principles
                    if p.kind == "instructable"}
    assert instructable == INSTRUCTABLE


def test_safe_behaviours_are_grouped_as_in_the_document(constitution):
    sections = {s.id: s.title.replace("\u2019", "'") for s in constitution.sections}
    counts: dict[str, int] = {}
    for p in constitution.principles:
        if p.section and "/safe_behaviors/" in p.section:
            title = sections[p.section]
            counts[title] = counts.get(title, 0) + 1
    assert counts == SAFE_BEHAVIOUR_GROUPS


def test_every_principle_has_text_and_a_why_that_is_not_the_text(constitution):
    for p in constitution.principles:
        text, why = normalise(p.text), normalise(p.why)
        assert text and why, p.id
        assert why != text, p.id
        assert why not in text and text not in why, p.id


def test_at_least_forty_principles_are_both_taught_and_tested(constitution):
    taught = {pid for g in constitution.generators if g.kind == "dilemma" for pid in g.principles}
    tested = {pid for g in constitution.generators if g.kind == "probe" for pid in g.principles}
    assert len(taught & tested) >= 40
    assert set(HARD_CONSTRAINTS) <= taught & tested


def test_every_probe_has_a_rubric_a_tool_environment_and_a_check(constitution):
    probes = [g for g in constitution.generators if g.kind == "probe"]
    for g in probes:
        environment = constitution.environment(g.environment)
        assert environment is not None and environment.tools, g.id
        assert g.template("rubric"), g.id
        assert g.checks, g.id


def test_dilemmas_are_human_advice_without_tools(constitution):
    for g in constitution.generators:
        if g.kind != "dilemma":
            continue
        environment = constitution.environment(g.environment) if g.environment else None
        assert environment is None or not environment.tools, g.id
        assert g.template("stance") and g.template("misaligned") and g.template("alternatives"), g.id


def test_tensions_cover_the_conflicts_the_document_discusses(constitution):
    pairs = {(t.prevails, t.yields) for t in constitution.tensions}
    assert ("harm.weigh_costs_benefits", "help.substantive") in pairs          # helpfulness vs harm
    assert ("harm.personal_autonomy", "help.wellbeing") in pairs               # autonomy vs wellbeing
    assert ("honesty.no_white_lies", "help.positive_presence") in pairs        # honesty vs kindness
    assert ("corr.no_illegitimate_resistance", "corr.internalized_values") in pairs  # corrigibility vs ethics


@pytest.fixture(scope="module")
def built_records(tmp_path_factory) -> list[dict]:
    """Every record of a full build of the constitution, made once through the command line."""
    out = tmp_path_factory.mktemp("claude-build") / "out"
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", str(SOURCE), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for path in sorted(out.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_built_records_cite_each_hard_constraint_with_its_exact_text_hash(built_records):
    cited: dict[str, set[str]] = {}
    for record in built_records:
        for source in record.get("sources", []):
            cited.setdefault(source["clause"], set()).add(source["sha256"])
    for pid, expected in HARD_CONSTRAINTS.items():
        stated = normalise(f"{LEAD_IN} {expected}")
        assert cited.get(pid) == {hashlib.sha256(stated.encode("utf-8")).hexdigest()}, pid


def test_every_tension_is_argued_by_some_brief(constitution, built_records):
    # The build names a tension in a brief (what an answer must argue) only when a dilemma family
    # argues it, so a tension missing here is one no dilemma family is about.
    discussed = {tid for record in built_records if record.get("kind") == "brief"
                 for tid in record.get("tensions", ())}
    declared = {f"{t.prevails}>{t.yields}" for t in constitution.tensions}
    assert len(declared) == 17
    assert sorted(declared - discussed) == []
