"""Killing a build or a merge at any moment leaves DIR as the previous output or the new one (issue 16 item 2).

Kills are injected by strace at the Nth call of each system call that writes, renames, syncs,
creates or deletes (strace counts calls per thread, so "the Nth" is the first thread to make its Nth
call; N runs until the command finishes unkilled), and at timed moments of a larger build. After
every kill DIR must be byte-identical to the old or the new output, and the next run must delete
what the killed one left beside DIR.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import BUILD, MERGE, QUICKSTART, command_env, run_command, scale, siblings, tree_bytes

STRACE = shutil.which("strace")
needs_strace = pytest.mark.skipif(STRACE is None, reason="strace is not installed (apt-get install strace)")
KILLED = (-signal.SIGKILL, 128 + signal.SIGKILL)  # strace dies of its tracee's signal (or exits 137)

# syscall -> step between the kill points tried (1: every call) in the bounded run and in the full run;
# None: only in the full run. The bounded run covers the swap itself and samples the writes around it.
POINTS = {"renameat2": (1, 1), "rename": (None, 1), "write": (9, 1), "fsync": (None, 1), "mkdir": (None, 1),
          "unlinkat": (None, 1), "rmdir": (None, 1), "openat": (None, 10)}
MERGE_POINTS = {"renameat2": (1, 1), "write": (None, 1), "unlinkat": (None, 1)}
LIMIT = 2000  # of N: far past the calls a quickstart build makes


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> dict:
    """A constitution, its output for seed 0 (the old) and for seed 1 (the new), as file trees."""
    root = tmp_path_factory.mktemp("kills")
    shutil.copy(QUICKSTART, root / "c.cdl")
    trees, outs = {}, []
    for seed in (0, 1):
        # Outside the project, as each test's DIR is: the manifest's `project.root` depends on where DIR is.
        out = tmp_path_factory.mktemp("kills-out") / f"seed{seed}"
        result = run_command(BUILD, ["c.cdl", "-o", out, "--seed", seed, "--target", "openai"], root)
        assert result.returncode == 0, result.stderr
        trees[seed] = tree_bytes(out)
        outs.append(out)
    assert trees[0] != trees[1]
    return {"root": root, "old": trees[0], "new": trees[1], "seed0": outs[0]}


def _strace(syscall: str, n: int) -> list[str]:
    return [STRACE, "-f", "-qq", "-o", os.devnull, "-e", f"trace={syscall}",
            "-e", f"inject={syscall}:signal=KILL:when={n}"]


def _step(points: dict, syscall: str) -> int:
    step = points[syscall][scale(0, 1)]
    if step is None:
        pytest.skip("in the full audit only (CONSTITUTIONC_AUDIT=full)")
    return step


def _kill_points(syscall: str, step: int, run) -> tuple[int, int]:
    """Run `run(prefix)` with a kill at each chosen N; returns (kills that landed, runs)."""
    kills = runs = 0
    n = 1
    while n < LIMIT:
        status = run(_strace(syscall, n))
        runs += 1
        if status not in KILLED:
            assert status == 0, f"the command failed with {status} under strace ({syscall} #{n})"
            break
        kills += 1
        n += step
    return kills, runs


@needs_strace
@pytest.mark.parametrize("syscall", sorted(POINTS))
def test_build_killed_at_each_call_leaves_old_or_new(project, syscall, tmp_path):
    step = _step(POINTS, syscall)
    root, old, new = project["root"], project["old"], project["new"]
    out = tmp_path / "out"
    seen = []

    def run(prefix):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(project["seed0"], out)
        result = run_command(BUILD, [root / "c.cdl", "-o", out, "--seed", 1, "--target", "openai"], tmp_path,
                             prefix=prefix)
        now = tree_bytes(out)
        assert now in (old, new), f"after a kill at {prefix[-1]}, DIR is neither the old nor the new output"
        seen.append("old" if now == old else "new")
        return result.returncode

    kills, runs = _kill_points(syscall, step, run)
    if syscall in ("renameat2", "write"):
        assert kills > 0, f"no {syscall} call was ever reached"
    # The last, unkilled run deletes what the killed ones left beside DIR.
    assert siblings(out) == [], siblings(out)
    assert tree_bytes(out) == new
    print(f"{syscall}: {kills} kills in {runs} runs, DIR afterwards: {seen.count('old')} old, "
          f"{seen.count('new')} new")


@pytest.fixture(scope="module")
def shards(project) -> list[Path]:
    root = project["root"]
    dirs = []
    for index in range(2):
        out = root / f"shard{index}"
        result = run_command(BUILD, ["c.cdl", "-o", out, "--seed", 1, "--shard", f"{index}/2"], root)
        assert result.returncode == 0, result.stderr
        dirs.append(out)
    return dirs


@needs_strace
@pytest.mark.parametrize("syscall", sorted(MERGE_POINTS))
def test_merge_killed_at_each_call_leaves_old_or_new(project, shards, syscall, tmp_path):
    step = _step(MERGE_POINTS, syscall)
    root = project["root"]
    out = tmp_path / "merged"
    old = tree_bytes(root / "shard0")  # a previous build (any build) at DIR
    run_command(MERGE, [*shards, "-o", tmp_path / "reference"], tmp_path)
    new = tree_bytes(tmp_path / "reference")
    assert new and new != old

    def run(prefix):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(root / "shard0", out)
        result = run_command(MERGE, [*shards, "-o", out], tmp_path, prefix=prefix)
        assert tree_bytes(out) in (old, new), f"after a kill at {prefix[-1]}, DIR is neither old nor new"
        return result.returncode

    kills, runs = _kill_points(syscall, step, run)
    assert kills > 0
    assert siblings(out) == [] and tree_bytes(out) == new
    print(f"merge {syscall}: {kills} kills in {runs} runs, DIR old or new after each")


def _big_constitution(path: Path, values: int) -> None:
    axis = " | ".join(f'"v{i}"' for i in range(values))
    path.write_text('principle p "P" { text: "t" why: "w" }\n'
                    f'dilemma d teaches p {{\n  vary a: {axis}\n  vary b: {axis}\n'
                    '  user: "{a} {b}"\n  stance: "s {a}"\n  misaligned: "m {b}"\n}\n', encoding="utf-8")


def test_build_killed_at_timed_moments_leaves_old_or_new(tmp_path):
    """SIGKILL at moments spread over a build of 3,600 dilemmas (90,000 in the full run), start to end."""
    source = tmp_path / "big.cdl"
    _big_constitution(source, scale(60, 300))
    out = tmp_path / "out"
    assert run_command(BUILD, [source, "-o", out, "--only", "dilemmas", "--seed", 0], tmp_path).returncode == 0
    old = tree_bytes(out)
    started = time.monotonic()
    assert run_command(BUILD, [source, "-o", tmp_path / "new", "--only", "dilemmas", "--seed", 1],
                       tmp_path).returncode == 0
    duration = time.monotonic() - started
    new = tree_bytes(tmp_path / "new")
    moments = scale(3, 25)
    outcomes = []
    for i in range(moments):
        # Evenly spread over the whole run, a little past its measured end (machines vary).
        delay = duration * 1.1 * (i + 0.5) / moments
        process = subprocess.Popen([sys.executable, "-c", BUILD, str(source), "-o", str(out), "--only", "dilemmas",
                                    "--seed", "1" if i % 2 == 0 else "0"], cwd=tmp_path,
                                   env=command_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree_bytes(out)
        assert now in (old, new), f"after a kill at {delay:.2f}s, DIR is neither the old nor the new output"
        outcomes.append(now == new)
    assert run_command(BUILD, [source, "-o", out, "--only", "dilemmas", "--seed", 1], tmp_path).returncode == 0
    assert siblings(out) == [] and tree_bytes(out) == new
    print(f"timed: {moments} kills, DIR afterwards: {outcomes.count(False)} old, {outcomes.count(True)} new")
