"""The code registry and suppressions: what a `# constitutionc: ignore[...]` comment may silence.

An error that makes the input unusable (the text did not parse, a file could not be read or
imported) cannot be silenced: `check` must still fail and `build` must still write nothing,
rather than working from a repaired parse or a constitution missing its import.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from constitutionc import api
from constitutionc.cli import main
from constitutionc.diagnostics import CODES, UNSUPPRESSIBLE, Severity

CLAUSE = 'principle p.a "A" {\n  text: "Text."\n  why: "Why."\n}\n'
DILEMMA = 'dilemma d teaches p.a {\n  user: "A question."\n  stance: "An answer."\n}\n'

# Each input has exactly one error, silenced by a comment naming it (by code or by name).
SILENCED_UNUSABLE = {
    "syntax": CLAUSE + "# constitutionc: ignore[CDL001]\nprinciple p.b { text: \"t\" why: \"w\" stray }\n" + DILEMMA,
    "syntax by name": CLAUSE + DILEMMA
    + "principle p.c { text: \"t\" why: \"w\" stray }  # constitutionc: ignore[syntax-error]\n",
    "outside the root": CLAUSE + DILEMMA + 'import "../elsewhere.cdl"  # constitutionc: ignore[CDL403]\n',
    "missing import": CLAUSE + DILEMMA + '# constitutionc: ignore[CDL401]\nimport "absent.cdl"\n',
    "import cycle": CLAUSE + DILEMMA + 'import "main.cdl"  # constitutionc: ignore[import-cycle]\n',
}


def write_project(tmp_path, text: str):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "elsewhere.cdl").write_text(CLAUSE.replace("p.a", "p.z"), encoding="utf-8")
    path = project / "main.cdl"
    path.write_text(text, encoding="utf-8")
    return path


def test_only_errors_are_unsuppressible_and_the_unusable_input_codes_are():
    unsuppressible = {code for code, entry in CODES.items() if not entry.suppressible}
    assert all(CODES[code].severity is Severity.ERROR for code in unsuppressible)
    assert {"CDL001", "CDL002", "CDL009", "CDL401", "CDL402", "CDL403"} <= unsuppressible
    # The semantic errors stay suppressible: the build refuses what it cannot make, one line each.
    assert CODES["CDL102"].suppressible and CODES["CDL301"].suppressible


@pytest.mark.parametrize("case", sorted(SILENCED_UNUSABLE))
def test_a_silenced_unusable_error_is_still_reported(tmp_path, monkeypatch, case):
    path = write_project(tmp_path, SILENCED_UNUSABLE[case])
    monkeypatch.chdir(path.parent)
    result = api.load([path.name])
    errors = [d.code for d in result.diagnostics if d.is_error]
    assert len(errors) == 1 and not CODES[errors[0]].suppressible, result.diagnostics
    assert [d.code for d in result.diagnostics if not d.is_error] == [UNSUPPRESSIBLE.code]
    assert not result.ok
    # lint applies the suppressions a second time, to its own findings: it must not drop the error.
    assert errors[0] in [d.code for d in api.lint(result).diagnostics]


@pytest.mark.parametrize("case", sorted(SILENCED_UNUSABLE))
def test_check_fails_and_build_writes_nothing(tmp_path, monkeypatch, case):
    path = write_project(tmp_path, SILENCED_UNUSABLE[case])
    monkeypatch.chdir(path.parent)
    runner = CliRunner()
    checked = runner.invoke(main, ["check", path.name])
    assert checked.exit_code == 1, checked.output
    assert "cannot be suppressed" in checked.output
    built = runner.invoke(main, ["build", path.name, "-o", str(tmp_path / "out")])
    assert built.exit_code == 1, built.output
    assert not (tmp_path / "out").exists()


def test_a_suppressible_error_is_still_silenced(tmp_path, monkeypatch):
    path = write_project(tmp_path, CLAUSE + DILEMMA.replace("teaches p.a", "teaches p.a, p.nowhere")
                         .replace("dilemma", "# constitutionc: ignore[CDL102]\ndilemma"))
    monkeypatch.chdir(path.parent)
    result = api.load([path.name])
    assert result.ok and result.diagnostics == []


def test_a_suppression_naming_a_lint_rule_is_known_to_check(tmp_path, monkeypatch):
    # Lint codes are registered when the lint rules are imported; check must know them anyway.
    path = write_project(tmp_path, "# constitutionc: ignore[why-restates-text, CDL601]\n" + CLAUSE + DILEMMA)
    monkeypatch.chdir(path.parent)
    assert api.load([path.name]).diagnostics == []
