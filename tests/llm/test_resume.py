"""Kill -9 anywhere, rerun: every answer received before the kill is reused; only what was in flight repeats."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from constitutionc.llm import Journal, Response
from tests.llm.conftest import base_url
from tests.llm.server import HoldAfter

WORKER = Path(__file__).with_name("worker.py")
COUNT = 12


def start_worker(server, provider, tmp_path, **config) -> subprocess.Popen:
    config = {"provider": provider, "base_url": base_url(server, provider), "cache": str(tmp_path / "cache"),
              "count": COUNT, "concurrency": 3, **config}
    return subprocess.Popen([sys.executable, str(WORKER), json.dumps(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_until(condition, what: str, limit: float = 60.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def finish(process: subprocess.Popen) -> list[dict]:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return [json.loads(line) for line in out.splitlines()]


def journal_lines(path: Path) -> int:
    try:
        return path.read_text().count("\n")
    except FileNotFoundError:
        return 0


def expected() -> list[dict]:
    return [{"text": f"answer {i}", "failure": None} for i in range(COUNT)]


@pytest.mark.parametrize("answered_before_kill", [0, 1, 5, 10])
def test_kill_while_requests_are_in_flight(model_server, provider, tmp_path, answered_before_kill):
    """The first k requests are answered; the next ones hang until the worker is killed. After the kill the
    hung ones are answered to nobody, so a rerun repeats exactly those and nothing else."""
    script = HoldAfter(answered_before_kill, lambda call: "answer " + call.last_user_text().split()[-1])
    model_server.script = script
    process = start_worker(model_server, provider, tmp_path)
    in_flight = min(3, COUNT - answered_before_kill)
    journal = tmp_path / "cache" / "journals" / "killed-run.jsonl"
    # Every answer given has been journaled and the rest hang: what is in flight is exactly the hung ones.
    wait_until(lambda: model_server.in_flight == in_flight and journal_lines(journal) == answered_before_kill,
               "the worker to block")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    script.release()
    wait_until(lambda: model_server.in_flight == 0, "the hung requests to finish")

    assert finish(start_worker(model_server, provider, tmp_path)) == expected()
    assert model_server.repeated == in_flight
    assert model_server.paid == COUNT + in_flight


def test_kill_at_an_arbitrary_moment(model_server, provider, tmp_path):
    model_server.script = lambda call: "answer " + call.last_user_text().split()[-1]
    process = start_worker(model_server, provider, tmp_path, concurrency=2)
    wait_until(lambda: model_server.paid >= 4, "some answers")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert finish(start_worker(model_server, provider, tmp_path, concurrency=2)) == expected()
    assert model_server.repeated <= 2  # at most what two workers had in flight


def test_batch_resume_after_a_kill_polls_the_same_batches(model_server, tmp_path):
    model_server.script = lambda call: "answer " + call.last_user_text().split()[-1]
    model_server.batch_polls = 10_000  # stays in progress while the first run polls
    process = start_worker(model_server, "anthropic", tmp_path, batch=True, max_batch_requests=5)
    wait_until(lambda: model_server.batch_retrieves >= 2, "the first run to poll")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # Twelve requests in chunks of five: three batches, all created (and journaled) before the first poll.
    assert model_server.batches_created == 3 and model_server.paid == 0
    for batch in model_server.batches.values():
        batch["polls"] = 1
    assert finish(start_worker(model_server, "anthropic", tmp_path, batch=True, max_batch_requests=5)) == expected()
    # The killed run's batches were polled again, not created again.
    assert model_server.batches_created == 3
    assert model_server.paid == COUNT and model_server.repeated == 0


def test_torn_last_line_is_dropped_and_the_rest_replayed(tmp_path):
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    journal.answer("a" * 64, Response(content=[{"type": "text", "text": "kept"}]))
    journal.batch_created("msgbatch_1", ["b" * 64])
    journal.close()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write('{"event": "answer", "key": "cccc", "respon')  # the kill came mid-write
    journal = Journal(path)
    state = journal.replay()
    assert state.answers["a" * 64].text == "kept" and list(state.open_batches) == ["msgbatch_1"]
    assert state.damaged_lines == 0
    journal.batch_ended("msgbatch_1")
    journal.close()
    assert Journal(path).replay().open_batches == {}
    assert all(json.loads(line) for line in path.read_text().splitlines())


def test_journal_answers_are_reused_when_the_cache_lost_them(model_server, provider, tmp_path):
    from tests.llm.conftest import make_session, requests

    with make_session(model_server, provider, tmp_path) as session:
        session.run(requests(3))
    for answer in (tmp_path / "cache" / "answers").rglob("*.json"):
        answer.unlink()
    with make_session(model_server, provider, tmp_path) as session:
        assert all(o.ok and o.cached for o in session.run(requests(3)))
    assert model_server.paid == 3
