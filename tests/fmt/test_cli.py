"""`constitutionc fmt`: rewriting, --check, --diff, stdin, refusing files with syntax errors."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from constitutionc.cli import main
from tests.conftest import REPO

UNFORMATTED = 'principle p.a "A" { text: "t"   # keep me\nwhy: "w" }\n'
FORMATTED = 'principle p.a "A" {\n  text: "t"  # keep me\n  why: "w"\n}\n'


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fmt(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["fmt", *args], input=stdin)


def test_rewrites_in_place(workdir):
    path = workdir / "a.cdl"
    path.write_text(UNFORMATTED, encoding="utf-8")
    result = fmt("a.cdl")
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == FORMATTED
    assert "reformatted a.cdl" in result.output


def test_check_exits_one_and_changes_nothing(workdir):
    path = workdir / "a.cdl"
    path.write_text(UNFORMATTED, encoding="utf-8")
    result = fmt("--check", "a.cdl")
    assert result.exit_code == 1
    assert "would reformat a.cdl" in result.output
    assert path.read_text(encoding="utf-8") == UNFORMATTED
    path.write_text(FORMATTED, encoding="utf-8")
    assert fmt("--check", "a.cdl").exit_code == 0


def test_diff_prints_a_unified_diff(workdir):
    (workdir / "a.cdl").write_text(UNFORMATTED, encoding="utf-8")
    result = fmt("--diff", "a.cdl")
    assert result.exit_code == 0
    assert "--- a.cdl (original)" in result.output and "+++ a.cdl (formatted)" in result.output
    assert "+  why: \"w\"" in result.output
    assert (workdir / "a.cdl").read_text(encoding="utf-8") == UNFORMATTED


def test_directories_are_searched(workdir):
    (workdir / "sub").mkdir()
    (workdir / "sub" / "b.cdl").write_text(UNFORMATTED, encoding="utf-8")
    (workdir / "sub" / "notes.txt").write_text("not cdl", encoding="utf-8")
    assert fmt("sub").exit_code == 0
    assert (workdir / "sub" / "b.cdl").read_text(encoding="utf-8") == FORMATTED


def test_stdin_to_stdout():
    result = fmt("-", stdin=UNFORMATTED)
    assert result.exit_code == 0
    assert result.stdout == FORMATTED


def test_syntax_errors_are_reported_and_the_file_left_alone(workdir):
    broken = 'principle p.a "A" {\n  text: "t\n  why: "w"\n}\n'
    path = workdir / "bad.cdl"
    path.write_text(broken, encoding="utf-8")
    result = fmt("bad.cdl")
    assert result.exit_code == 1
    assert "bad.cdl:2:" in result.output and "[CDL001]" in result.output
    assert path.read_text(encoding="utf-8") == broken


def test_unreadable_file_exits_two(workdir):
    assert fmt("missing.cdl").exit_code == 2


def test_crlf_and_bom_inputs_come_out_as_plain_lf(workdir):
    path = workdir / "w.cdl"
    path.write_bytes(b"\xef\xbb\xbf" + FORMATTED.replace("\n", "\r\n").encode("utf-8"))
    assert fmt("w.cdl").exit_code == 0
    assert path.read_bytes() == FORMATTED.encode("utf-8")


def test_pre_commit_hooks_declare_check_and_fmt():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hooks["constitutionc-check"]["entry"] == "constitutionc lint --each --no-rules"
    assert hooks["constitutionc-fmt"]["entry"] == "constitutionc fmt --check"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["files"] == r"\.cdl$"


@pytest.mark.parametrize("name", ["messy", "axes"])
def test_golden_layout(name):
    from constitutionc.fmt import format_text
    from tests.conftest import assert_golden

    source = (REPO / f"tests/fmt/data/{name}.cdl").read_text(encoding="utf-8")
    result = format_text(source, f"{name}.cdl")
    assert result.ok, result.diagnostics
    assert_golden(REPO / f"tests/fmt/golden/{name}.cdl", result.text)
    assert format_text(result.text, f"{name}.cdl").text == result.text


@pytest.mark.parametrize("hook_id", ["constitutionc-check", "constitutionc-lint", "constitutionc-fmt"])
def test_each_hook_takes_staged_files_of_separate_constitutions(tmp_path, monkeypatch, hook_id):
    # pre-commit passes every staged .cdl file in one command line; two unrelated constitutions
    # (both defining the value `ethics`) must not be merged into one and fail as duplicates.
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    program, *arguments = shlex.split(hooks[hook_id]["entry"])
    assert program == "constitutionc"
    for folder, source in (("household", "examples/quickstart/constitution.cdl"),
                           ("finance", "examples/tutorial/finance.cdl")):
        (tmp_path / folder).mkdir()
        shutil.copy(REPO / source, tmp_path / folder / Path(source).name)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*arguments, "household/constitution.cdl", "finance/finance.cdl"])
    assert "CDL101" not in result.output
    assert result.exit_code == 0, result.output
