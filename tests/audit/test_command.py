"""`constitutionc audit` on real builds: the shipped constitution and the agentic-misalignment example."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from constitutionc.commands.audit import command

REPO = Path(__file__).resolve().parents[2]
CLAUDE = REPO / "constitutions" / "claude-2026.cdl"
AGENTIC = REPO / "examples" / "agentic-misalignment" / "study.cdl"


def build(entry: Path, out: Path, *targets: str) -> Path:
    args = [a for t in targets for a in ("--target", t)]
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", str(entry), "-o", str(out), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def claude_build(tmp_path_factory):
    return build(CLAUDE, tmp_path_factory.mktemp("claude") / "out", "hf", "openai", "anthropic")


@pytest.fixture(scope="module")
def agentic_build(tmp_path_factory):
    return build(AGENTIC, tmp_path_factory.mktemp("agentic") / "out", "hf")


def run(*args):
    return CliRunner().invoke(command, [str(a) for a in args], catch_exceptions=False)


def schema():
    done = subprocess.run([sys.executable, "-m", "constitutionc", "schema", "audit"], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("which", ["claude_build", "agentic_build"])
def test_json_report_of_a_real_build_follows_the_published_schema(which, request):
    out = request.getfixturevalue(which)
    result = run(out, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    jsonschema.validate(report, schema())
    assert report["ok"] == (result.exit_code == 0)
    assert report["contamination"]["probe_texts"] > 0
    # Every file of the manifest that holds JSON lines is read.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {o["path"] for o in manifest["outputs"] if o["path"].endswith(".jsonl") and o["records"]}
    assert listed <= {f["path"] for f in report["files"]}
    assert report["voice"]["pasted_constitution_available"]  # found through the manifest's source path


def test_every_format_renders_the_same_findings(claude_build, tmp_path):
    report = json.loads(run(claude_build, "--format", "json").output)
    text = run(claude_build).output
    markdown = run(claude_build, "--format", "markdown").output
    page = tmp_path / "audit.html"
    run(claude_build, "--format", "html", "-o", page)
    html = page.read_text(encoding="utf-8")
    for finding in report["findings"]:
        assert finding["code"] in text and finding["code"] in markdown and finding["code"] in html
    assert "constitutionc coverage" in text and 'href="coverage.html"' in html
    figures = html.split('<table id="figures">', 1)[1].split("</table>", 1)[0]
    assert figures.count("<tr>") - 1 == markdown.split("## Findings")[0].count("\n| ") - 1  # headers aside


def test_an_offline_build_with_nothing_to_train_on_reports_undefined_figures(claude_build):
    """The shipped constitution builds briefs and probes only: no figure may read as a clean 0."""
    report = json.loads(run(claude_build, "--format", "json").output)
    assert report["counts"]["training_items"] == 0
    assert report["voice"]["stage_direction"] is None and report["voice"]["pasted_constitution_mean"] is None
    assert report["diversity"]["distinct_1"] is None and report["diversity"]["near_duplicate_share"] is None
    assert report["contamination"]["overlap_8"] == {"items": 0, "share": None}
    assert report["specificity"]["shared_across_prompts"] is None
    assert report["preference"]["length_ratio_outside"] is None
    assert [f["code"] for f in report["findings"]] == ["AUD701"]  # no threshold rule fires on a null
    text = run(claude_build).output
    assert "no training items" in text and "0.000" not in text and "0.0%" not in text
    assert f"probe texts {report['contamination']['probe_texts']}" in " ".join(text.split())


def test_fail_on_turns_a_warning_into_a_failing_exit(tmp_path):
    (tmp_path / "sft.jsonl").write_text(json.dumps({"messages": [
        {"role": "user", "content": "hello there"}, {"role": "assistant", "content": "Hi! What can I do for you?"}]})
        + "\n", encoding="utf-8")
    assert run(tmp_path).exit_code == 0  # AUD501 (one system prompt) is a warning
    assert run(tmp_path, "--fail-on", "uniform-environments").exit_code == 1
    assert run(tmp_path, "--fail-on", "AUD999").exit_code == 2


def test_configuration_sets_levels(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.constitutionc.audit]\nlevels = { AUD501 = "error" }\n',
                                             encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "sft.jsonl").write_text(json.dumps({"messages": [
        {"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi, how can I help you?"}]}) + "\n",
        encoding="utf-8")
    assert run(out).exit_code == 1
    (tmp_path / "pyproject.toml").write_text('[tool.constitutionc.audit]\nlevels = { AUD501 = "loud" }\n',
                                             encoding="utf-8")
    result = run(out)
    assert result.exit_code == 2 and "level of AUD501" in result.output


def test_missing_directory_and_constitution_are_input_errors(tmp_path):
    assert run(tmp_path / "nope").exit_code == 2
    assert run(tmp_path, "--constitution", tmp_path / "nope.cdl").exit_code == 2


def test_rules_are_listed():
    result = run("x", "--rules")
    assert result.exit_code == 0 and "AUD101" in result.output and "AUD701" in result.output
