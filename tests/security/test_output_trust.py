"""A build replaces only what a build wrote (issue 16 item 10).

The previous DIR's manifest is a file anyone can write; its `outputs` list is believed only for
files that still have the sha256 it records. Symbolic links (which no build writes) make DIR
foreign, and an old output that cannot be deleted is reported instead of left silently.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from .conftest import QUICKSTART, siblings, tree_bytes
from .test_cli_bad_inputs import run


@pytest.fixture
def source(tmp_path):
    shutil.copy(QUICKSTART, tmp_path / "c.cdl")
    return tmp_path / "c.cdl"


def test_a_hand_written_manifest_does_not_let_build_delete_files(source, tmp_path):
    victim = tmp_path / "precious"
    victim.mkdir()
    (victim / "thesis.txt").write_text("years of work", encoding="utf-8")
    fake = {"outputs": [{"path": "thesis.txt", "sha256": "0" * 64, "records": None}]}
    (victim / "manifest.json").write_text(json.dumps(fake), encoding="utf-8")
    before = tree_bytes(victim)
    result = run("build", source, "-o", victim)
    assert result.exit_code == 1 and "thesis.txt no longer match the sha256" in result.output
    assert tree_bytes(victim) == before


@pytest.mark.parametrize("manifest", ['{"outputs": [{"path": "../../etc/passwd", "sha256": "x"}]}',
                                      '{"outputs": "everything"}', "[1, 2]", "[" * 50_000])
def test_a_manifest_of_the_wrong_shape_is_refused(source, tmp_path, manifest):
    victim = tmp_path / "dir"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep", encoding="utf-8")
    (victim / "manifest.json").write_text(manifest, encoding="utf-8")
    before = tree_bytes(victim)
    result = run("build", source, "-o", victim)
    assert result.exit_code == 1 and "refusing to replace" in result.output, result.output
    assert tree_bytes(victim) == before


def test_an_edited_output_is_not_deleted(source, tmp_path):
    out = tmp_path / "out"
    assert run("build", source, "-o", out).exit_code == 0
    (out / "probes.jsonl").write_text("my own notes, written over the build's file\n", encoding="utf-8")
    before = tree_bytes(out)
    result = run("build", source, "-o", out, "--seed", 1)
    assert result.exit_code == 1 and "probes.jsonl no longer match" in result.output
    assert tree_bytes(out) == before


def test_a_symlink_inside_a_previous_build_is_never_followed_or_deleted(source, tmp_path):
    out = tmp_path / "out"
    assert run("build", source, "-o", out).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data.txt").write_text("not the build's", encoding="utf-8")
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    result = run("build", source, "-o", out, "--seed", 1)
    assert result.exit_code == 1 and "symbolic links (link)" in result.output
    assert (out / "link").is_symlink() and (elsewhere / "data.txt").read_text(encoding="utf-8") == "not the build's"


def test_an_old_output_that_cannot_be_deleted_is_reported_and_cleaned_later(source, tmp_path):
    chattr = shutil.which("chattr")
    out = tmp_path / "out"
    assert run("build", source, "-o", out).exit_code == 0
    stuck = out / "dilemmas.jsonl"
    if chattr is None or subprocess.run([chattr, "+i", str(stuck)], capture_output=True).returncode != 0:
        pytest.skip("needs chattr +i (root, a filesystem with immutable files) to make a real undeletable file")
    try:
        result = run("build", source, "-o", out, "--seed", 1)
        assert result.exit_code == 0, result.output
        assert "warning: the previous output is left at" in result.output and "could not be deleted" in result.output
        assert b'"seed":1' in (out / "dilemmas.jsonl").read_bytes()
        [left] = siblings(out)
    finally:
        for path in tmp_path.rglob("dilemmas.jsonl"):
            subprocess.run([chattr, "-i", str(path)], capture_output=True)
    # Deletable again: the next build removes the leftover.
    assert run("build", source, "-o", out).exit_code == 0
    assert siblings(out) == []
