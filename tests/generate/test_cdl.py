"""`generate --write-cdl FILE`: drafted dilemmas as `.cdl` source that passes `check`, is already
formatted, and builds back to the same dilemmas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from constitutionc.fmt import format_text
from tests.generate.scripted import ScriptedModel

DATA = Path(__file__).parent.parent / "prompts" / "data"


class AwkwardDrafts(ScriptedModel):
    """Drafts whose texts hold what CDL text must escape: braces (template placeholders), quotes,
    backslashes and line breaks."""

    def _submit_dilemma(self, user, seed, system):
        out = super()._submit_dilemma(user, seed, system)
        out["prompt"] += ' My note says {draft} and "quoted"\\path.\nSecond line: {{kept}}.'
        out["stance"] += " Then {explain} why."
        return out


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def drafted(tmp_path, monkeypatch, model_server):
    shutil.copy(DATA / "guard.cdl", tmp_path / "c.cdl")
    monkeypatch.chdir(tmp_path)
    model_server.script = AwkwardDrafts()
    result = CliRunner().invoke(main, ["generate", "c.cdl", "-o", "out", "--base-url", model_server.url,
                                       "--cache", "cache", "--kinds", "dilemmas", "--count", "dilemmas=3",
                                       "--write-cdl", "drafted.cdl"], env={"ANTHROPIC_API_KEY": "k"})
    assert result.exit_code == 0, result.output
    assert "wrote 3 drafted dilemmas to drafted.cdl" in result.output
    return tmp_path


def test_the_file_passes_check_and_is_already_formatted(drafted):
    path = drafted / "drafted.cdl"
    text = path.read_text(encoding="utf-8")
    assert text.count("\ndilemma ") == 3 and 'import "c.cdl"' in text
    checked = CliRunner().invoke(main, ["check", str(path)])
    assert checked.exit_code == 0, checked.output
    assert format_text(text).text == text


def test_it_builds_back_to_the_drafted_dilemmas(drafted):
    records = read(drafted / "out" / "drafted_dilemmas.jsonl")
    assert any("{draft}" in r["prompt"] and "\n" in r["prompt"] for r in records)
    built = CliRunner().invoke(main, ["build", "drafted.cdl", "-o", "rebuilt", "--only", "dilemmas"])
    assert built.exit_code == 0, built.output
    rebuilt = [r for r in read(drafted / "rebuilt" / "dilemmas.jsonl") if "_drafted_" in r["generator"]]

    def said(record):
        return (record["system"], record["prompt"], record["stance"], record["alternatives"], record["misaligned"],
                record["principles"])

    assert [said(r) for r in rebuilt] == [said(r) for r in records]
    assert [r["generator"] for r in rebuilt] == [f"leverage_over_neighbour_drafted_{r['sample']}" for r in records]
    # The constitution's own families come along through the import, unchanged.
    assert any(r["generator"] == "leverage_over_neighbour" for r in read(drafted / "rebuilt" / "dilemmas.jsonl"))


def test_write_cdl_needs_drafted_dilemmas(tmp_path, monkeypatch, model_server):
    shutil.copy(DATA / "guard.cdl", tmp_path / "c.cdl")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["generate", "c.cdl", "-o", "out", "--base-url", model_server.url,
                                       "--kinds", "stories", "--write-cdl", "d.cdl"], env={"ANTHROPIC_API_KEY": "k"})
    assert result.exit_code == 2 and "--kinds must include dilemmas" in result.output
    assert model_server.paid == 0 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("target, problem", [
    ("a-folder", "'a-folder' is a directory"),
    ("notes.txt/drafted.cdl", "--write-cdl: cannot write notes.txt/drafted.cdl: notes.txt is not a directory; "
                              "nothing was sent"),
    ("c.cdl", "--write-cdl: cannot write c.cdl: it is the constitution the dilemmas are drafted from; "
              "nothing was sent"),
])
def test_an_unwritable_write_cdl_path_is_refused_before_any_request(tmp_path, monkeypatch, model_server, target,
                                                                      problem):
    shutil.copy(DATA / "guard.cdl", tmp_path / "c.cdl")
    (tmp_path / "a-folder").mkdir()
    (tmp_path / "notes.txt").write_text("not a folder\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    model_server.script = AwkwardDrafts()
    result = CliRunner().invoke(main, ["generate", "c.cdl", "-o", "out", "--base-url", model_server.url,
                                       "--cache", "cache", "--kinds", "dilemmas", "--count", "dilemmas=1",
                                       "--write-cdl", target], env={"ANTHROPIC_API_KEY": "k"})
    assert result.exit_code == 2, result.output
    assert problem in result.output
    assert model_server.paid == 0 and not model_server.bodies and not (tmp_path / "out").exists()
    assert (tmp_path / "c.cdl").read_bytes() == (DATA / "guard.cdl").read_bytes()
