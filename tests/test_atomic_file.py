"""Writing a file atomically: the new text or the old file, and never a staging file left behind."""

from __future__ import annotations

import os
import stat

import pytest

from constitutionc.atomic_file import atomic_writer, write_atomic


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_the_new_text_replaces_the_old_file(tmp_path):
    path = tmp_path / "deep" / "out.txt"
    write_atomic(path, "first\n")
    write_atomic(path, "second\nline\n")
    assert path.read_bytes() == b"second\nline\n" and leftovers(path.parent) == []


def test_text_that_cannot_be_encoded_leaves_the_old_file_and_no_staging_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "a lone surrogate \ud800 cannot be UTF-8")
    assert path.read_text(encoding="utf-8") == "old\n" and leftovers(tmp_path) == []


def test_an_error_in_the_callers_block_leaves_the_old_file_and_no_staging_file(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyError):
        with atomic_writer(path) as handle:
            handle.write("half of the new rows\n")
            raise KeyError("a row could not be made")
    assert path.read_text(encoding="utf-8") == "old\n" and leftovers(tmp_path) == []


def test_a_refused_rename_leaves_no_staging_file(tmp_path):
    target = tmp_path / "a-directory"
    (target / "inside").mkdir(parents=True)
    with pytest.raises(OSError):
        write_atomic(target, "text")
    assert (target / "inside").is_dir() and leftovers(tmp_path) == []


def test_permissions_follow_the_umask_unless_a_mode_is_given(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "shared.txt", "x")
        write_atomic(tmp_path / "private.txt", "x", mode=0o600)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "shared.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600
