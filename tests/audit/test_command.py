"""`constitutionc audit` on real builds: the shipped constitution and the agentic-misalignment example."""

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from constitutionc.commands.audit import command
from constitutionc.emit.manifest import find_constitution

REPO = Path(__file__).resolve().parents[2]
CLAUDE = REPO / "constitutions" / "claude-2026.cdl"
AGENTIC = REPO / "examples" / "agentic-misalignment" / "study.cdl"


def build(entry: Path, out: Path, *targets: str) -> Path:
    args = [a for t in targets for a in ("--target", t)]
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", str(entry), "-o", str(out), *args],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def project_copy(entry: Path, where: Path) -> Path:
    """The entry's directory copied to `where` (builds go inside it, as a project's `out/` would)."""
    shutil.copytree(entry.parent, where, ignore=shutil.ignore_patterns("out", "__pycache__"))
    return where / entry.name


@pytest.fixture(scope="module")
def claude_build(tmp_path_factory):
    entry = project_copy(CLAUDE, tmp_path_factory.mktemp("claude") / "project")
    return build(entry, entry.parent / "out", "hf", "openai", "anthropic")


@pytest.fixture(scope="module")
def agentic_build(tmp_path_factory):
    entry = project_copy(AGENTIC, tmp_path_factory.mktemp("agentic") / "project")
    return build(entry, entry.parent / "out", "hf")


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
    # No coverage page beside this one: the page says how to write it instead of linking a missing file.
    assert "constitutionc coverage" in text and 'href="coverage.html"' not in html
    assert f"-o {(tmp_path / 'coverage.html').as_posix()}" in html or "-o coverage.html" in html
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


def test_the_constitution_is_found_through_the_manifests_project_and_only_when_its_hash_matches(tmp_path,
                                                                                                 monkeypatch):
    project = tmp_path / "project"
    entry = project_copy(AGENTIC, project)
    out = build(entry, project / "builds" / "out", "hf")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["project"] == {"constitution": entry.name, "root": "../.."}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert find_constitution(out) == out / "../.." / entry.name
    # A manifest from before `project` was recorded: its first source is tried from the working directory.
    del manifest["project"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert find_constitution(out) is None
    monkeypatch.chdir(project)
    first = next(s["path"] for s in manifest["sources"] if not s["path"].startswith("std:"))
    assert find_constitution(out).resolve() == (project / first).resolve()
    entry = project / first
    # An edited constitution is not the one the build came from.
    entry.write_text(entry.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert find_constitution(out) is None


def test_a_build_outside_any_project_records_no_root(tmp_path):
    entry = project_copy(AGENTIC, tmp_path / "project")
    out = build(entry, tmp_path / "out", "hf")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["project"] == \
        {"constitution": entry.name, "root": None}


def test_a_build_outside_the_project_still_prints_the_coverage_command_of_its_constitution(tmp_path, monkeypatch):
    """The manifest of a build written outside its project records the entry's project path and no root;
    audit run from the directory the build was made from (or above it) finds the file below it by hash."""
    workspace = tmp_path / "workspace"
    entry = project_copy(AGENTIC, workspace / "examples" / "agentic")
    out = build(entry, tmp_path / "elsewhere" / "out", "hf")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["project"]["root"] is None
    decoy = workspace / "other" / entry.name  # the same name, another text: not the build's
    decoy.parent.mkdir(parents=True)
    decoy.write_text(entry.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.chdir(workspace)
    assert find_constitution(out) == workspace / "examples" / "agentic" / entry.name
    line = run(out).output.splitlines()[-1]
    assert line == f"coverage of the same build: constitutionc coverage examples/agentic/{entry.name} --data {out}"
    report = json.loads(run(out, "--format", "json").output)
    assert report["build"]["constitution"] == f"examples/agentic/{entry.name}"
    assert report["voice"]["pasted_constitution_available"]
    # From a directory the project is not under, nothing is found and the report says what to fill in.
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert find_constitution(out) is None
    assert "CONSTITUTION.cdl" in run(out).output.splitlines()[-1]


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: dict[str, str] = {}  # data-format -> href

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and "data-format" in values:
            self.links[values["data-format"]] = values["href"]


def test_coverage_and_audit_reports_link_to_each_other(agentic_build, tmp_path):
    entry = agentic_build.parent / AGENTIC.name

    def coverage(*args):
        done = subprocess.run([sys.executable, "-m", "constitutionc", "coverage", str(entry), "--data",
                               str(agentic_build), *map(str, args)], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    assert f"constitutionc audit {agentic_build}" in " ".join(coverage().split())  # no report yet: the command
    audit_page = agentic_build / "audit.html"
    assert run(agentic_build, "--format", "html", "-o", audit_page).exit_code in (0, 1)
    assert 'href="coverage.html"' not in audit_page.read_text(encoding="utf-8")  # there is none yet
    beside = agentic_build / "coverage.html"
    coverage("--format", "html", "-o", beside)
    assert run(agentic_build, "--format", "html", "-o", audit_page).exit_code in (0, 1)
    assert 'href="coverage.html"' in audit_page.read_text(encoding="utf-8")
    beside.unlink()
    page = tmp_path / "reports" / "coverage.html"
    page.parent.mkdir()
    coverage("--format", "html", "-o", page)
    anchors = _Anchors()
    anchors.feed(page.read_text(encoding="utf-8"))
    assert (page.parent / anchors.links["html"]).resolve() == audit_page.resolve()
    assert f"Dataset audit of this build: {audit_page.as_posix()}" in " ".join(coverage().split())
    document = json.loads(coverage("--format", "json"))
    assert document["audit"] == [{"format": "html", "path": audit_page.as_posix()}]
    audit_page.unlink()


def test_the_text_report_prints_a_coverage_command_that_runs(agentic_build):
    """The command names the constitution the manifest records, so it can be pasted as it is."""
    import shlex

    line = next(line for line in run(agentic_build).output.splitlines() if line.startswith("coverage of the same"))
    command = shlex.split(line.split(": ", 1)[1])
    assert command[:2] == ["constitutionc", "coverage"] and "CONSTITUTION.cdl" not in command
    assert Path(command[2]).resolve() == (agentic_build.parent / AGENTIC.name).resolve()
    done = subprocess.run([sys.executable, "-m", "constitutionc", *command[1:]], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert "Dataset audit of this build" in done.stdout


def test_without_a_known_constitution_the_command_says_what_to_fill_in(tmp_path):
    (tmp_path / "sft.jsonl").write_text(json.dumps({"messages": [
        {"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi, how can I help you?"}]}) + "\n",
        encoding="utf-8")
    report = json.loads(run(tmp_path, "--format", "json").output)
    assert report["build"] == {"path": str(tmp_path), "constitution": None}
    line = run(tmp_path).output.splitlines()[-1]
    assert "constitutionc coverage CONSTITUTION.cdl --data" in line and "names none" in line
