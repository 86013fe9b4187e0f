"""kill -9 of `constitutionc generate` itself, as a user would see it: the command in its own process
against the local protocol server, killed at several points of the run (in the first wave, among the
critiques, among the revisions and pairs), then rerun. Each rerun pays only for what was unanswered
at the kill, the output directory holds the previous complete output until the run that finishes
replaces it, and the final output is byte-identical to an uninterrupted run's."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.generate.scripted import ScriptedModel
from tests.llm.server import ModelServer

DATA = Path(__file__).parent.parent / "prompts" / "data"
COUNTS = "dilemmas=1,stories=1,episodes=1,documents=1"
# Answers given before each kill, counted from the start of that run.
KILLS = (0, 5, 9)


def tree(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file()}


def usage_bearing(name: str) -> bool:
    """The canonical generated files: their records carry `provenance.usage`."""
    return "/" not in name and name.endswith(".jsonl") and name not in ("dilemmas.jsonl", "probes.jsonl")


def without_usage(path: Path) -> dict[str, object]:
    """Every file's content with the token usage the server reported taken out. Usage depends on the
    provider's prompt cache, which the answer a killed run never read has warmed (as the real API's
    would be); everything else must match byte for byte."""
    out: dict[str, object] = {}
    for name, digest in tree(path).items():
        if name == "manifest.json":
            manifest = json.loads((path / name).read_text())
            manifest["generation"].pop("usage")
            for entry in manifest["outputs"]:  # compared by content below
                if usage_bearing(entry["path"]):
                    entry.pop("sha256")
            out[name] = manifest
        elif usage_bearing(name):
            records = [json.loads(line) for line in (path / name).read_text().splitlines()]
            for record in records:
                record.get("provenance", {}).pop("usage", None)
            out[name] = records
        else:
            out[name] = digest
    return out


def command(server, out: str, cache: str, *extra) -> list[str]:
    # One request at a time, so exactly one is in flight when the run is killed.
    return [sys.executable, "-m", "constitutionc", "generate", "c.cdl", "-o", out, "--base-url", server.url,
            "--cache", cache, "--count", COUNTS, "--limit", "1", "--critique", "--concurrency", "1", "--target", "hf",
            "--target", "openai", *extra]


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "OPENAI_"))}
    env["ANTHROPIC_API_KEY"] = "test-key"
    return env


def journal_answers(cache: Path) -> int:
    """Answers the journals hold (canonical JSON lines, one event each)."""
    return sum(p.read_text(encoding="utf-8").count('{"event":"answer"') for p in (cache / "journals").glob("*.jsonl"))


def wait_until(condition, what: str, process: subprocess.Popen | None = None, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"generate ended (rc {process.returncode}) before {what}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


class Gate:
    """A script wrapper that answers the first `limit` requests and holds every later one until opened."""

    def __init__(self, script):
        self.script, self.lock, self.served = script, threading.Lock(), 0
        self.limit: int | None = None
        self.opened = threading.Event()

    def close_after(self, answers: int) -> None:
        with self.lock:
            self.limit = self.served + answers
            self.opened = threading.Event()

    def open(self) -> None:
        self.opened.set()

    def __call__(self, call):
        with self.lock:
            self.served += 1
            held = self.limit is not None and self.served > self.limit
            opened = self.opened
        if held:
            opened.wait(60)
        return self.script(call)


def test_kill_at_several_points_then_rerun(tmp_path, model_server, monkeypatch):
    shutil.copy(DATA / "guard.cdl", tmp_path / "c.cdl")
    monkeypatch.chdir(tmp_path)
    env = environment()

    def run_apart(out: str, cache: str, *extra) -> int:
        """A whole run, in this process, against a server of its own (so the one under test counts only
        the killed runs and the one that finishes)."""
        from click.testing import CliRunner

        from constitutionc.cli import main

        server = ModelServer(script=ScriptedModel()).start()
        try:
            done = CliRunner().invoke(main, command(server, out, cache, *extra)[3:], env=env)
        finally:
            server.stop()
        assert done.exit_code == 0, done.output
        return server.paid

    total = run_apart("reference", "cache-reference")  # the uninterrupted run
    assert total > max(KILLS) + 3, total  # every kill lands mid-run
    run_apart("out", "cache-old", "--kinds", "documents")  # OUT holds a complete, different output
    previous = tree(tmp_path / "out")
    model_server.script = gate = Gate(ScriptedModel())
    cache = tmp_path / "cache"

    for answers in KILLS:
        gate.close_after(answers)
        journaled = journal_answers(cache)
        process = subprocess.Popen(command(model_server, "out", "cache"), cwd=tmp_path, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Every answer given has been journaled and the next request is held: one request in flight.
        wait_until(lambda: model_server.in_flight == 1 and journal_answers(cache) == journaled + answers,
                   f"the run to block after {answers} answers", process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        gate.open()
        wait_until(lambda: model_server.in_flight == 0, "the held request to finish")
        assert tree(tmp_path / "out") == previous, "a killed run left OUT changed"

    finished = subprocess.run(command(model_server, "out", "cache"), cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    # Only what was in flight at each kill was asked twice; everything else was paid for once.
    assert model_server.repeated == len(KILLS)
    assert model_server.paid == total + len(KILLS)
    final, reference = tree(tmp_path / "out"), tree(tmp_path / "reference")
    assert final.keys() == reference.keys()
    # The target files (no provenance), the offline build and every record's content are byte-identical.
    assert without_usage(tmp_path / "out") == without_usage(tmp_path / "reference")
    assert {name for name in final if final[name] != reference[name]} <= {n for n in final if usage_bearing(n)} | {
        "manifest.json"}
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith("out") and p.name != "out"]
    assert leftovers == []
