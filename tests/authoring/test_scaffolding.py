"""`init` gives a project that passes its own gate; `new` gives skeletons that check with warnings only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from constitutionc.api import load
from constitutionc.commands.init import PLACEHOLDER, installed_requirement


def _cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "constitutionc", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("init")
    done = _cli("init", "proj", cwd=base)
    assert done.returncode == 0, done.stderr
    return base / "proj"


def test_init_writes_a_project_that_checks_lints_builds_and_passes_the_gate(project):
    for name in ("constitution.cdl", "pyproject.toml", ".pre-commit-config.yaml",
                 ".github/workflows/constitution.yml"):
        assert (project / name).is_file(), name
    assert "[tool.constitutionc]" in (project / "pyproject.toml").read_text()
    workflow = (project / ".github/workflows/constitution.yml").read_text()
    for step in ("constitutionc check", "constitutionc lint", "constitutionc build", "--fail-under"):
        assert step in workflow
    assert _cli("check", "constitution.cdl", cwd=project).stdout == ""
    lint = _cli("lint", "constitution.cdl", cwd=project)
    assert lint.returncode == 0 and lint.stdout == "", lint.stdout
    assert _cli("fmt", "--check", ".", cwd=project).returncode == 0
    assert _cli("build", "constitution.cdl", "-o", "out", cwd=project).returncode == 0
    gate = _cli("coverage", "constitution.cdl", "--data", "out", "--fail-under", "100", "--format", "json",
                cwd=project)
    assert gate.returncode == 0, gate.stderr


def _install_step(workflow: dict) -> str:
    [step] = [s for s in workflow["jobs"]["constitution"]["steps"] if s.get("name") == "install constitutionc"]
    return step["run"]


def test_the_workflow_does_not_install_from_pypi_until_told_where_from(project):
    # constitutionc is not on PyPI: the workflow must not `pip install constitutionc` from there.
    text = (project / ".github/workflows/constitution.yml").read_text()
    workflow = yaml.safe_load(text)
    assert not any("pip install constitutionc" in step.get("run", "")
                   for step in workflow["jobs"]["constitution"]["steps"])
    assert workflow["env"]["CONSTITUTIONC"] == PLACEHOLDER
    script = _install_step(workflow)
    assert 'pip install "$CONSTITUTIONC"' in script
    # The install step, run as CI runs it, stops on the placeholder before pip and says what to set.
    done = subprocess.run(["bash", "-e", "-c", script], capture_output=True, text=True,
                          env={**os.environ, "CONSTITUTIONC": workflow["env"]["CONSTITUTIONC"]})
    assert done.returncode == 1 and "::error" in done.stdout and "set CONSTITUTIONC" in done.stdout


def test_init_install_writes_the_requirement_the_workflow_installs(tmp_path):
    wanted = 'constitutionc @ git+https://git.example.org/team/constitutionc.git@0123abcd'
    done = _cli("init", "p", "--install", wanted, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "not on PyPI" not in done.stdout
    workflow = yaml.safe_load((tmp_path / "p/.github/workflows/constitution.yml").read_text())
    assert workflow["env"]["CONSTITUTIONC"] == wanted
    assert _cli("init", "q", "--install", "a\nb", cwd=tmp_path).returncode == 2


def test_the_default_requirement_is_this_installations_repository_when_pip_recorded_one(tmp_path):
    # This checkout is an editable install: nothing another machine could install from.
    assert installed_requirement() is None
    info = tmp_path / "constitutionc-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: constitutionc\nVersion: 0.1.0\n")
    origin = {"url": "https://git.example.org/team/constitutionc.git",
              "vcs_info": {"vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"}}
    (info / "direct_url.json").write_text(json.dumps(origin))
    assert installed_requirement(metadata.PathDistribution(info)) == \
        "constitutionc @ git+https://git.example.org/team/constitutionc.git@0123abcd"
    (info / "direct_url.json").write_text(json.dumps({"url": "file:///home/me/constitutionc",
                                                      "dir_info": {"editable": True}}))
    assert installed_requirement(metadata.PathDistribution(info)) is None


def test_init_keeps_existing_files(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    (tmp_path / "constitution.cdl").write_text("# mine\n")
    done = _cli("init", cwd=tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "constitution.cdl").read_text() == "# mine\n"
    assert (tmp_path / "pyproject.toml").read_text() == "[project]\nname = 'mine'\n"
    own = (tmp_path / "constitutionc.toml").read_text()
    assert own.startswith("# Settings") and "root" in own and "[lint]" in own
    assert "kept" in done.stdout


@pytest.mark.parametrize("kind", ["dilemma", "probe"])
def test_new_skeleton_appended_checks_with_warnings_only(project, tmp_path, kind):
    copy = tmp_path / "c.cdl"
    copy.write_text((project / "constitution.cdl").read_text())
    done = _cli("new", kind, "--for", "honesty.no_invented_facts", "--in", "c.cdl", "--append", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = load([copy])
    assert result.ok, [d.message for d in result.diagnostics]
    codes = {d.code for d in result.diagnostics}
    assert codes == {"CDL206"}
    generator = result.constitution.generators[-1]
    assert generator.kind == kind and generator.principles == ("honesty.no_invented_facts",)
    assert generator.id == f"no_invented_facts_{kind}"
    assert _cli("fmt", "--check", "c.cdl", cwd=tmp_path).returncode == 0


def test_new_probe_without_an_environment_brings_a_stub(tmp_path):
    (tmp_path / "c.cdl").write_text('principle a.b "B" {\n  text: "t"\n  why: "w"\n}\n')
    done = _cli("new", "probe", "--for", "a.b", "--in", "c.cdl", cwd=tmp_path)
    assert done.returncode == 0
    assert "environment b_desk" in done.stdout and "tool send_reply" in done.stdout
    (tmp_path / "c.cdl").write_text((tmp_path / "c.cdl").read_text() + "\n" + done.stdout)
    result = load([tmp_path / "c.cdl"])
    assert result.ok and {d.code for d in result.diagnostics} == {"CDL206"}


def test_new_names_the_closest_principle_or_says_none_is_close(project):
    near = _cli("new", "dilemma", "--for", "honesty.no_invented_fact", "--in", "constitution.cdl", cwd=project)
    assert near.returncode == 2 and "did you mean `honesty.no_invented_facts`?" in near.stderr
    far = _cli("new", "dilemma", "--for", "zzz", "--in", "constitution.cdl", cwd=project)
    assert far.returncode == 2 and "no id there is close to it" in far.stderr


def test_new_with_an_unknown_id_shows_the_nearest_and_how_to_list_them_all(project):
    ids = [p.id for p in load([project / "constitution.cdl"]).constitution.principles if p.kind != "criterion"]
    section = ids[0].rpartition(".")[0]
    far = _cli("new", "probe", "--for", f"{section}.zzz", "--in", "constitution.cdl", cwd=project)
    assert far.returncode == 2
    nearest = far.stderr.split("The nearest: ", 1)[1].splitlines()[0]
    shown = [part.strip(" `") for part in nearest.split(",")]
    assert shown and set(shown) <= set(ids) and shown[0].startswith(section + "."), far.stderr
    assert f"list them all ({len(ids)}): constitutionc new probe --list --in constitution.cdl" in far.stderr
    listed = _cli("new", "probe", "--list", "--in", "constitution.cdl", cwd=project)
    assert listed.returncode == 0
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ids
    assert _cli("new", "probe", "--list", cwd=project).returncode == 2
    missing = _cli("new", "probe", cwd=project)
    assert missing.returncode == 2 and "--list --in FILE" in missing.stderr
