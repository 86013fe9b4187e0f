"""Bad inputs to the command line end in a one-line error and exit status 1 or 2, never a traceback or a hang.

Each case is one the audit of issue 16 found (item 12: 17 tracebacks or hangs; items 3, 5, 16). The
commands run in-process through click with exceptions caught, so a traceback shows as
`result.exception` being something other than SystemExit.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from tests.conftest import REPO

QUICKSTART = REPO / "examples/quickstart/constitution.cdl"


def run(*args, cwd: Path | None = None):
    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    finally:
        os.chdir(previous)


def assert_clean_failure(result, status=(1, 2)) -> str:
    """Exit 1 or 2 by SystemExit, with an error message and no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{type(result.exception).__name__}: {result.exception}"
    assert result.exit_code in status, result.output
    assert "Traceback" not in result.output
    assert "error" in result.output.lower(), result.output
    return result.output


@pytest.fixture
def project(tmp_path) -> Path:
    shutil.copy(QUICKSTART, tmp_path / "constitution.cdl")
    return tmp_path


@pytest.fixture
def built(project) -> Path:
    out = project / "out"
    result = run("build", project / "constitution.cdl", "-o", out)
    assert result.exit_code == 0, result.output
    return out


def _unreadable(path: Path) -> None:
    """Make `path` a file that exists but cannot be read, for root too (which ignores permission bits)."""
    path.unlink(missing_ok=True)
    if os.geteuid() == 0:
        path.symlink_to("/proc/self/mem")  # a regular file whose read fails with EIO
    else:
        path.write_text("x", encoding="utf-8")
        path.chmod(0)


# --- configuration (every command reads it) ----------------------------------------------------

@pytest.mark.parametrize("command", [["check"], ["lint"], ["ir"], ["build", "-o", "out"],
                                     ["coverage", "--data", "out"]])
def test_config_lint_that_is_not_a_table(project, command):
    (project / "constitutionc.toml").write_text("lint = 5\n", encoding="utf-8")
    output = assert_clean_failure(run(*command[:1], project / "constitution.cdl", *command[1:], cwd=project), (2,))
    assert "lint must be a table" in output


@pytest.mark.parametrize("text, message", [("root = 5\n", "root must be a path"),
                                           ('root = "nowhere"\n', "is not a directory"),
                                           ("[tool]\nconstitutionc = 1\n", None)])
def test_config_values_of_the_wrong_kind(project, text, message):
    name = "pyproject.toml" if text.startswith("[tool]") else "constitutionc.toml"
    (project / name).write_text(text, encoding="utf-8")
    output = assert_clean_failure(run("check", project / "constitution.cdl"), (2,))
    assert message is None or message in output


def test_unreadable_config_file(project):
    _unreadable(project / "constitutionc.toml")
    output = assert_clean_failure(run("check", project / "constitution.cdl"), (2,))
    assert "constitutionc.toml: cannot read" in output


# --- coverage --fail-under and --results -------------------------------------------------------

@pytest.mark.parametrize("threshold", ["inf", "-inf", "nan", "1e999999999", "-1e999999999", "1e-999999999",
                                       "0e-999999999"])
def test_fail_under_out_of_range_or_unbounded(project, built, threshold):
    # 1e999999999 and 1e-999999999 once ran for half an hour turning the decimal into a fraction.
    output = assert_clean_failure(run("coverage", project / "constitution.cdl", "--data", built,
                                      "--fail-under", threshold), (2,))
    assert "--fail-under" in output


def test_fail_under_zero_with_a_huge_exponent_is_zero(project, built):
    result = run("coverage", project / "constitution.cdl", "--data", built, "--fail-under", "0e999999999")
    assert result.exit_code == 0, result.output


def test_results_nested_too_deeply(project, built):
    results = project / "results.jsonl"
    results.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    output = assert_clean_failure(run("coverage", project / "constitution.cdl", "--data", built,
                                      "--results", results), (2,))
    assert "results.jsonl:1: nested too deeply" in output


def test_results_from_an_endless_stream(project, built):
    """/dev/zero has no line ends: it is refused after one line's worth, not read until memory runs out."""
    output = assert_clean_failure(run("coverage", project / "constitution.cdl", "--data", built,
                                      "--results", "/dev/zero"), (2,))
    assert "a line longer than" in output


# --- trace ------------------------------------------------------------------------------------

def _first_record(out: Path, name: str) -> dict:
    with open(out / name, encoding="utf-8") as handle:
        return json.loads(handle.readline())


def _rewrite_first(out: Path, name: str, record: dict | str) -> None:
    lines = (out / name).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = (record if isinstance(record, str) else json.dumps(record)) + "\n"
    (out / name).write_text("".join(lines), encoding="utf-8")


def test_trace_record_missing_variant(project, built):
    record = _first_record(built, "responses.jsonl")
    del record["variant"]
    _rewrite_first(built, "responses.jsonl", record)
    result = run("trace", record["id"], "--data", built, cwd=project)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert record["id"] in result.output


def test_trace_record_source_missing_file(project, built):
    record = _first_record(built, "dilemmas.jsonl")
    del record["sources"][0]["file"]
    _rewrite_first(built, "dilemmas.jsonl", record)
    result = run("trace", record["id"], "--data", built, cwd=project)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "a source without a file" in result.output


def test_trace_garbage_line_containing_the_id(project, built):
    record = _first_record(built, "dilemmas.jsonl")
    _rewrite_first(built, "dilemmas.jsonl", '{"id": ' + json.dumps(record["id"]) + ', broken')
    output = assert_clean_failure(run("trace", record["id"], "--data", built, cwd=project), (1,))
    assert "no record" in output


def test_trace_unreadable_data_file(project, built):
    record = _first_record(built, "probes.jsonl")
    _unreadable(built / "probes.jsonl")
    output = assert_clean_failure(run("trace", record["id"], "--data", built, cwd=project), (2,))
    assert "cannot read" in output


# --- merge on malformed shard manifests ---------------------------------------------------------

@pytest.fixture
def shards(project) -> list[Path]:
    dirs = []
    for index in range(2):
        out = project / f"shard{index}"
        result = run("build", project / "constitution.cdl", "-o", out, "--shard", f"{index}/2")
        assert result.exit_code == 0, result.output
        dirs.append(out)
    return dirs


MALFORMED = {
    "a list": lambda m: [m],
    "shard is a string": lambda m: {**m, "shard": "0/2"},
    "shard without count": lambda m: {**m, "shard": {"index": 0}},
    "outputs not a list": lambda m: {**m, "outputs": {"path": "dilemmas.jsonl"}},
    "options without only": lambda m: {**m, "options": {"targets": []}},
    "principles not counts": lambda m: {**m, "principles": {"p": 3}},
    "unknown kind": lambda m: {**m, "options": {**m["options"], "only": ["nonsense"]}},
    "unknown target": lambda m: {**m, "options": {**m["options"], "targets": ["nonsense"]}},
    "output outside": lambda m: {**m, "outputs": [{"path": "../../etc/passwd", "sha256": "0" * 64}]},
    "deeply nested": None,
}


@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_merge_malformed_shard_manifest(project, shards, kind):
    path = shards[1] / "manifest.json"
    if MALFORMED[kind] is None:
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    else:
        path.write_text(json.dumps(MALFORMED[kind](json.loads(path.read_text(encoding="utf-8")))),
                        encoding="utf-8")
    output = assert_clean_failure(run("merge", *shards, "-o", project / "merged"), (1,))
    assert str(path) in output or "disagree" in output
    assert not (project / "merged").exists()


def test_merge_unreadable_shard_file_names_the_shard(project, shards):
    """Item 16: an unreadable shard is the shard's problem, not `cannot merge into OUT`."""
    _unreadable(shards[0] / "dilemmas.jsonl")
    output = assert_clean_failure(run("merge", *shards, "-o", project / "merged"), (1,))
    assert "cannot read shard file" in output and str(shards[0] / "dilemmas.jsonl") in output


# --- paths and sizes ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["check", "lint", "build", "ir", "coverage"])
def test_root_that_does_not_exist(project, command):
    """Item 16: `--root /nonexistent` was accepted silently."""
    extra = {"build": ["-o", project / "out"], "coverage": ["--data", project]}.get(command, [])
    output = assert_clean_failure(run(command, project / "constitution.cdl", *extra, "--root",
                                      project / "nonexistent"), (2,))
    assert "nonexistent" in output


@pytest.mark.parametrize("command", ["check", "lint", "build"])
def test_import_name_longer_than_the_filesystem_allows(project, command):
    """Item 5: a path component over 255 bytes raised ENAMETOOLONG through check, lint and build."""
    source = project / "long.cdl"
    source.write_text(f'import "{"a" * 300}.cdl"\n' + QUICKSTART.read_text(encoding="utf-8"), encoding="utf-8")
    extra = ["-o", project / "out"] if command == "build" else []
    output = assert_clean_failure(run(command, source, *extra), (1,))
    assert "CDL401" in output and "File name too long" in output
    output = assert_clean_failure(run(command, project / ("b" * 300 + ".cdl"), *extra), (2,))
    assert "File name too long" in output


def test_an_oversized_import_is_refused_unread(project):
    """Item 3: an 8 GB import (sparse: no disk used) under a 4 GB address-space limit was a MemoryError;
    now the 50 MB limit refuses it after reading at most 50 MB."""
    big = project / "big.cdl"
    with open(big, "wb") as handle:
        handle.truncate(8 << 30)
    source = project / "main.cdl"
    source.write_text('import "big.cdl"\n' + QUICKSTART.read_text(encoding="utf-8"), encoding="utf-8")

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    result = subprocess.run([sys.executable, "-m", "constitutionc", "check", str(source)], cwd=project,
                            capture_output=True, text=True, preexec_fn=limit_memory, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "big.cdl:1:1: error: the file is larger than 50 MB" in result.stdout
