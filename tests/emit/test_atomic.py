"""Output is atomic: a failure or a kill mid-build leaves the previous output, never a partial one."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

from constitutionc.emit import writer

from .conftest import DATA, SUBPROCESS_BUILD, run_build, run_merge, tree_bytes


def _previous(tmp_path):
    out = tmp_path / "out"
    assert run_build("quickstart.cdl", "-o", out).exit_code == 0
    return out, tree_bytes(out)


def _siblings(out):
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


def test_disk_full_mid_write_keeps_previous_output(in_data, tmp_path, monkeypatch):
    out, before = _previous(tmp_path)
    written = {"n": 0}
    real_write = writer.JsonlSink.write

    def failing_write(self, record):
        written["n"] += 1
        if written["n"] == 10:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, record)

    monkeypatch.setattr(writer.JsonlSink, "write", failing_write)
    result = run_build("families.cdl", "-o", out)
    assert result.exit_code == 1
    assert "No space left on device" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert tree_bytes(out) == before
    assert _siblings(out) == []


def test_a_real_full_device_keeps_previous_output(in_data, tmp_path, monkeypatch):
    """Records written to /dev/full fail with the kernel's own ENOSPC, in the helper thread."""
    out, before = _previous(tmp_path)
    monkeypatch.setattr(writer.JsonlSink, "CHUNK_BYTES", 1024)

    def full_open(path, mode="r", *args, **kwargs):
        if str(path).endswith(".jsonl") and "w" in mode:
            return open("/dev/full", mode, *args, **kwargs)
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr(writer, "open", full_open, raising=False)
    result = run_build("families.cdl", "-o", out)
    assert result.exit_code == 1
    assert result.output == f"constitutionc: error: cannot write {out}: No space left on device; " \
                            "the previous output is intact\n"
    assert tree_bytes(out) == before and _siblings(out) == []


def test_failure_during_commit_keeps_previous_output(in_data, tmp_path, monkeypatch):
    out, before = _previous(tmp_path)
    monkeypatch.setattr(writer.Staging, "write_manifest",
                        lambda self, manifest: (_ for _ in ()).throw(OSError(errno.EIO, "Input/output error")))
    result = run_build("families.cdl", "-o", out)
    assert result.exit_code == 1 and "Input/output error" in result.output
    assert tree_bytes(out) == before and _siblings(out) == []


def test_unwritable_directory_is_a_one_line_error(in_data, tmp_path):
    if os.geteuid() == 0:  # root writes anywhere a permission bit allows; /sys refuses even root
        target = "/sys/constitutionc-test/out"
        result = run_build("quickstart.cdl", "-o", target)
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            result = run_build("quickstart.cdl", "-o", locked / "out")
        finally:
            locked.chmod(0o700)
    assert result.exit_code == 1
    assert result.output.startswith("constitutionc: error: cannot write") and result.output.count("\n") == 1


def test_output_path_that_is_a_file_is_refused(in_data, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("keep me", encoding="utf-8")
    result = run_build("quickstart.cdl", "-o", target)
    assert result.exit_code == 1 and "not a directory" in result.output
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_directory_that_is_not_a_build_is_never_replaced(in_data, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "notes.txt").write_text("precious", encoding="utf-8")
    result = run_build("quickstart.cdl", "-o", project)
    assert result.exit_code == 1 and "refusing to replace" in result.output
    assert tree_bytes(project) == {"notes.txt": b"precious"}


def test_killed_build_leaves_previous_output(in_data, tmp_path):
    """SIGKILL a real build while it is writing; DIR must hold the previous complete build."""
    out, before = _previous(tmp_path)
    big = tmp_path / "big.cdl"
    values = " | ".join(f'"v{i}"' for i in range(300))
    big.write_text('principle p "P" { text: "t" why: "w" }\n'
                   f'dilemma d teaches p {{\n  vary a: {values}\n  vary b: {values}\n'
                   '  user: "{a} {b}"\n  stance: "s {a}"\n  misaligned: "m {b}"\n}\n', encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", SUBPROCESS_BUILD, str(big), "-o", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, CI="true"))
    try:
        deadline = time.monotonic() + 60
        staged = []
        while time.monotonic() < deadline and proc.poll() is None:
            staged = [p for p in tmp_path.iterdir() if p.name.startswith("out.tmp-")]
            if staged and any(f.stat().st_size > 0 for f in staged[0].glob("*.jsonl")):
                break
            time.sleep(0.01)
        assert proc.poll() is None and staged, "the build finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert tree_bytes(out) == before


def test_an_output_directory_holding_the_sources_is_never_replaced(tmp_path, monkeypatch):
    """A previous build's DIR that now also holds the constitution (`-o .` in a project) keeps its files."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "constitution.cdl").write_bytes((DATA / "quickstart.cdl").read_bytes())
    assert run_build("constitution.cdl", "-o", "out").exit_code == 0
    (tmp_path / "out" / "mine.cdl").write_bytes((DATA / "quickstart.cdl").read_bytes())
    before = tree_bytes(tmp_path / "out")
    result = run_build("out/mine.cdl", "-o", "out")
    assert result.exit_code == 1
    assert "holds out/mine.cdl, a source of this build" in result.output
    assert tree_bytes(tmp_path / "out") == before
    # `-o .` from the project: the same refusal once the directory looks like a build.
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    result = run_build("constitution.cdl", "-o", ".")
    assert result.exit_code == 1 and "a source of this build" in result.output
    assert (tmp_path / "constitution.cdl").is_file()


def test_merging_into_a_shard_directory_is_refused(in_data, tmp_path):
    shards = [tmp_path / f"shard{i}" for i in range(2)]
    for i, shard in enumerate(shards):
        assert run_build("quickstart.cdl", "-o", shard, "--shard", f"{i}/2").exit_code == 0
    before = tree_bytes(tmp_path)
    result = run_merge(*shards, "-o", shards[0])
    assert result.exit_code == 1 and "a source of this build" in result.output
    assert tree_bytes(tmp_path) == before
    result = run_merge(*shards, "-o", tmp_path)
    assert result.exit_code == 1 and tree_bytes(tmp_path) == before


def test_a_failed_swap_puts_the_previous_output_back(in_data, tmp_path, monkeypatch):
    """Where the one-step exchange is unavailable, the two renames undo the first when the second fails."""
    out, before = _previous(tmp_path)
    monkeypatch.setattr(writer, "exchange", lambda a, b: False)
    real_rename = os.rename

    def failing_second_rename(src, dst):
        if ".tmp-" in str(src):
            raise OSError(errno.EIO, "Input/output error")
        real_rename(src, dst)

    monkeypatch.setattr(writer.os, "rename", failing_second_rename)
    result = run_build("families.cdl", "-o", out)
    assert result.exit_code == 1 and "Input/output error" in result.output
    assert tree_bytes(out) == before and _siblings(out) == []


def test_a_symlinked_output_directory_is_rebuilt_where_it_points(in_data, tmp_path):
    real = tmp_path / "disk" / "out"
    real.parent.mkdir()
    assert run_build("quickstart.cdl", "-o", real).exit_code == 0
    link = tmp_path / "out"
    link.symlink_to(real, target_is_directory=True)
    assert run_build("families.cdl", "-o", link).exit_code == 0
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk", "out"]
    assert sorted(p.name for p in real.parent.iterdir()) == ["out"]
    assert b"comforting_lie" in (real / "dilemmas.jsonl").read_bytes()


def test_files_the_previous_build_did_not_write_are_never_deleted(in_data, tmp_path):
    # A user keeps a coverage report and graded results beside a build, or nests another build in it.
    out = tmp_path / "out"
    assert run_build("quickstart.cdl", "-o", out).exit_code == 0
    (out / "coverage.html").write_text("<html>report</html>")
    (out / "nested").mkdir()
    (out / "nested" / "graded.jsonl").write_text("{}\n")
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    result = run_build("quickstart.cdl", "-o", out)
    assert result.exit_code == 1
    assert "coverage.html, nested/graded.jsonl" in result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_a_previous_build_with_its_targets_is_replaced(in_data, tmp_path):
    out = tmp_path / "out"
    assert run_build("quickstart.cdl", "-o", out, "--target", "hf").exit_code == 0
    assert run_build("quickstart.cdl", "-o", out, "--target", "hf").exit_code == 0


def test_the_audit_of_the_previous_build_is_replaced_with_it_and_nothing_else_is(in_data, tmp_path):
    """docs/audit.md writes the audit into the build so coverage links it; the next build replaces that
    report (it describes the data being replaced), while any other file still stops the build."""
    out, _ = _previous(tmp_path)
    for name in writer.AUDIT_REPORTS:
        (out / name).write_text("the audit of the previous data", encoding="utf-8")
    assert run_build("quickstart.cdl", "-o", out).exit_code == 0
    assert not any((out / name).exists() for name in writer.AUDIT_REPORTS)
    (out / "audit.html").write_text("again", encoding="utf-8")
    (out / "graded.jsonl").write_text("{}\n", encoding="utf-8")
    result = run_build("quickstart.cdl", "-o", out)
    assert result.exit_code == 1 and "graded.jsonl" in result.output and "audit.html" not in result.output
