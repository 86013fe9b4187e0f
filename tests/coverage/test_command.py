"""`constitutionc coverage` on the command line: formats, output file, exit status and --fail-under."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from click.testing import CliRunner

from constitutionc.commands import COMMAND_MODULES
from constitutionc.commands.coverage import command
from constitutionc.coverage import below_threshold
from constitutionc.coverage.render import format_percent

from .conftest import COMPLETE, NESTED, QUICKSTART, loaded


def run(*args):
    return CliRunner().invoke(command, [str(a) for a in args], prog_name="constitutionc coverage")


def test_registered_as_a_subcommand():
    assert "coverage" in COMMAND_MODULES


def test_format_choices_match_the_renderer_registry():
    from constitutionc.commands.coverage import FORMATS as choices
    from constitutionc.coverage import FORMATS

    assert sorted(choices) == sorted(FORMATS)


def test_text_report_without_colour_when_not_a_terminal(quickstart_build):
    result = run(QUICKSTART, "--data", quickstart_build)
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.stdout
    assert "1 of 6 principles covered (16.66%)" in result.stdout
    line = loaded(QUICKSTART).principle("ethics.honesty").span.line
    assert f"tests/coverage/data/quickstart.cdl:{line}: ethics.honesty (not taught and not tested)" in result.stdout


def test_colour_when_asked_for_a_terminal(quickstart_build):
    from constitutionc.coverage import RenderOptions, compute_coverage, render

    document = compute_coverage(loaded(QUICKSTART), quickstart_build)
    assert "\x1b[" in render("text", document, RenderOptions(color=True))


def test_output_file(tmp_path, quickstart_build):
    out = tmp_path / "coverage.json"
    result = run(QUICKSTART, "--data", quickstart_build, "--format", "json", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["totals"]["covered"] == 1


def test_markdown_for_pull_requests(nested_build):
    result = run(NESTED, "--data", nested_build, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith("### Principle coverage: 25.00%\n")
    assert "- `speech.kind` (not tested) at `tests/coverage/data/nested.cdl:24`" in result.stdout
    assert "| `speech.truthful>speech.kind` | 10 | ✅ |" in result.stdout


@pytest.mark.parametrize("threshold, status", [
    ("16.66", 0),                # 1 of 6 is 16.666...%
    ("16.666666666666666", 0),
    ("16.666666666666668", 1),   # above 100/6 although float(100/6) prints as this
    ("16.67", 1),
    ("100", 1),
    ("0", 0),
])
def test_fail_under_compares_exactly(quickstart_build, threshold, status):
    result = run(QUICKSTART, "--data", quickstart_build, "--fail-under", threshold)
    assert result.exit_code == status, result.output
    if status:
        assert result.stderr.startswith("constitutionc: coverage 16.66% (1 of 6 principles) is below the required ")
        line = loaded(QUICKSTART).principle("ethics.honesty").span.line
        assert f"tests/coverage/data/quickstart.cdl:{line}: ethics.honesty: not taught; not tested" in result.stderr
        assert "add one: constitutionc new probe --for ethics.honesty --in tests/coverage/data/quickstart.cdl" \
            in result.stderr
        assert "safety.no_coercion" not in result.stderr
    else:
        assert result.stderr == ""


def test_full_coverage_passes_100(complete_build):
    result = run(COMPLETE, "--data", complete_build, "--fail-under", "100", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["percent"] == 100.0


def test_threshold_is_never_rounded():
    nearly = {"principles": 10_000, "covered": 9_999}
    assert below_threshold(nearly, Fraction(100))
    assert not below_threshold(nearly, Fraction("99.99"))
    assert format_percent(99_999, 100_000) == "99.99%"  # printed truncated, never as 100.00%
    assert format_percent(2, 3) == "66.66%"


@pytest.mark.parametrize("value", ["abc", "101", "-1"])
def test_bad_threshold_is_a_usage_error(quickstart_build, value):
    result = run(QUICKSTART, "--data", quickstart_build, "--fail-under", value)
    assert result.exit_code == 2 and "--fail-under" in result.stderr


def test_missing_data_directory_is_one_line(tmp_path):
    result = run(QUICKSTART, "--data", tmp_path / "no-build")
    assert result.exit_code == 2
    assert result.stderr == (f"constitutionc: error: data directory {tmp_path / 'no-build'} does not exist "
                             "(run `constitutionc build` first)\n")


def test_unreadable_constitution(tmp_path, quickstart_build):
    result = run(tmp_path / "absent.cdl", "--data", quickstart_build)
    assert result.exit_code == 2 and result.stderr.startswith("constitutionc: error: ")
    assert result.stderr.count("\n") == 1


def test_constitution_with_errors_exits_1(tmp_path, quickstart_build):
    broken = tmp_path / "broken.cdl"
    broken.write_text('principle a "A" { value: nowhere text: "x" }\nprinciple a "A again" { text: "y" }\n')
    result = run(broken, "--data", quickstart_build)
    assert result.exit_code == 1
    assert "fix them before measuring coverage" in result.stderr


def test_results_option(tmp_path, quickstart_build):
    probe = json.loads((quickstart_build / "probes.jsonl").read_text().splitlines()[0])["id"]
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"probe_id": probe, "verdict": "fail"}) + "\n")
    result = run(QUICKSTART, "--data", quickstart_build, "--results", results)
    assert result.exit_code == 0
    assert "Violation rates from" in result.stdout and "100.0%" in result.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_nothing_to_cover_reports_cleanly_but_fails_a_gate(tmp_path, fmt):
    from .conftest import DATA

    build = tmp_path / "build"
    build.mkdir()
    for name in ("dilemmas.jsonl", "responses.jsonl", "probes.jsonl"):
        (build / name).write_text("")
    report = run(DATA / "empty.cdl", "--data", build, "--format", fmt)
    assert report.exit_code == 0, report.output
    assert "None" not in report.stdout
    # A CI gate pointed at an empty (or the wrong) file must not pass by vacuous truth.
    gate = run(DATA / "empty.cdl", "--data", build, "--format", fmt, "--fail-under", "0")
    assert gate.exit_code == 1
    assert "has no principles" in gate.stderr


def test_the_failure_message_states_the_threshold_as_given_not_rounded(quickstart_build):
    result = run(QUICKSTART, "--data", quickstart_build, "--fail-under", "99.9999999")
    assert result.exit_code == 1
    assert "below the required 99.9999999%;" in result.stderr
    scientific = run(QUICKSTART, "--data", quickstart_build, "--fail-under", "1e2")
    assert "below the required 100%;" in scientific.stderr
