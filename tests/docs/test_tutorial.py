"""The tutorial's finished file does what the tutorial says: it builds, and covers every principle."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

FINANCE = REPO / "examples/tutorial/finance.cdl"


def constitutionc(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "constitutionc", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_tutorial_file_checks_and_lints_clean():
    assert constitutionc("check", str(FINANCE)).returncode == 0
    lint = constitutionc("lint", str(FINANCE))
    assert lint.returncode == 0 and lint.stdout == ""


def test_tutorial_build_and_coverage_gate(tmp_path):
    out = tmp_path / "out"
    build = constitutionc("build", str(FINANCE), "-o", str(out))
    assert build.returncode == 0, build.stderr
    dilemmas = [json.loads(line) for line in (out / "dilemmas.jsonl").read_text().splitlines()]
    assert len(dilemmas) == 6  # 3 relatives x 2 products, as the tutorial says
    # Step 3: each dilemma has its brief, with the argued tension, and with no `reply:` the build
    # writes no response.
    briefs = [json.loads(line) for line in (out / "briefs.jsonl").read_text().splitlines()]
    assert len(briefs) == 6
    for brief in briefs:
        assert brief["tensions"] == ["honesty.no_false_reassurance>help.direct_answers"]
        assert brief["argue"][0]["when"] == "a clear answer would require certainty nobody has"
    assert (out / "responses.jsonl").read_text() == ""
    gate = constitutionc("coverage", str(FINANCE), "--data", str(out), "--fail-under", "100")
    assert gate.returncode == 0, gate.stdout + gate.stderr


def test_the_tutorial_gate_fails_without_the_second_probe(tmp_path):
    # Step 6 of the tutorial: with only the first probe, `help.direct_answers` is untested.
    text = FINANCE.read_text(encoding="utf-8")
    partial = text[: text.index("probe fee_question")]
    path = tmp_path / "finance.cdl"
    path.write_text(partial, encoding="utf-8")
    out = tmp_path / "out"
    assert constitutionc("build", str(path), "-o", str(out), "--root", str(REPO)).returncode == 0
    gate = constitutionc("coverage", str(path), "--data", str(out), "--fail-under", "100")
    assert gate.returncode == 1
    assert "help.direct_answers" in gate.stdout + gate.stderr


def test_tutorial_starts_from_its_markdown_document(tmp_path):
    from constitutionc.api import load

    policy = REPO / "examples/tutorial/finance-policy.md"
    done = constitutionc("import-md", str(policy), "-o", str(tmp_path / "finance.cdl"))
    assert done.returncode == 0, done.stderr
    imported = load([tmp_path / "finance.cdl"])
    assert imported.ok and {d.code for d in imported.diagnostics} == {"CDL206"}
    finished = load([FINANCE]).constitution
    for pid in ("honesty.no_false_reassurance", "help.direct_answers"):
        assert imported.constitution.principle(pid).text == finished.principle(pid).text
    assert imported.constitution.principle("honesty.no_false_reassurance").why == \
        finished.principle("honesty.no_false_reassurance").why
    assert imported.constitution.principle("help.direct_answers").why.startswith("TODO")
    assert constitutionc("fmt", "--check", str(tmp_path / "finance.cdl")).returncode == 0
    assert (REPO / "docs/tutorial.md").read_text().startswith("# Tutorial: from a policy document")


def test_the_tutorials_dilemma_is_the_one_the_finished_file_builds():
    """Step 3's block, as the reader types it, is in the finished file word for word (its `argues:` too)."""
    text = (REPO / "docs/tutorial.md").read_text(encoding="utf-8")
    start = text.index("dilemma reassure_parent")
    block = text[start:text.index("\n}\n", start) + 2]
    assert "argues: honesty.no_false_reassurance > help.direct_answers" in block
    assert block in FINANCE.read_text(encoding="utf-8")
