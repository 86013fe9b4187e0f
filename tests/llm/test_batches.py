"""Message Batches mode against the local server: chunks, matching by custom_id, re-queues, budgets, cancel."""

from __future__ import annotations

import pytest

from constitutionc.llm import Budget
from constitutionc.llm.batches import cancel_open_batches
from tests.llm.conftest import make_session, requests
from tests.llm.server import Fault, Reply, text_block


def answer(call):
    return "answer " + call.last_user_text().split()[-1]


def test_results_are_matched_by_custom_id_in_chunks(model_server, tmp_path):
    model_server.script = answer
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0, max_batch_requests=4) as session:
        outcomes = session.run(requests(10), batch=True)
    assert [o.response.text for o in outcomes] == [f"answer {i}" for i in range(10)]  # served in reverse
    assert model_server.batches_created == 3 and model_server.paid == 10
    assert [len(b["requests"]) for b in model_server.batches.values()] == [4, 4, 2]
    custom_ids = [item["custom_id"] for b in model_server.batches.values() for item in b["requests"]]
    assert custom_ids == [o.key for o in outcomes]


def test_chunks_respect_the_size_limit(model_server, tmp_path):
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0, max_batch_bytes=600) as session:
        line = session.provider.batch_line_size("k" * 64, requests(1)[0])
        outcomes = session.run(requests(6), batch=True)
    assert all(o.ok for o in outcomes)
    per_batch = 600 // line
    assert [len(b["requests"]) for b in model_server.batches.values()] == [per_batch] * (6 // per_batch) + (
        [6 % per_batch] if 6 % per_batch else [])


def test_errored_and_expired_items_are_queued_again(model_server, tmp_path):
    def script(call):
        number = int(call.last_user_text().split()[-1])
        if call.attempt == 1 and number % 3 == 0:
            return Fault.expired()
        if call.attempt == 1 and number % 3 == 1:
            return Fault.status(529)
        return answer(call)

    model_server.script = script
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0) as session:
        outcomes = session.run(requests(9), batch=True)
    assert [o.response.text for o in outcomes] == [f"answer {i}" for i in range(9)]
    assert model_server.batches_created == 2
    assert len(list(model_server.batches.values())[1]["requests"]) == 6


def test_invalid_items_fail_without_another_round(model_server, tmp_path):
    model_server.script = lambda call: Fault.status(400) if call.last_user_text() == "question 1" else answer(call)
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0) as session:
        outcomes = session.run(requests(3), batch=True)
    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].failure.kind == "error" and model_server.batches_created == 1


def test_batch_answers_are_cached_and_cost_half(model_server, tmp_path):
    model_server.script = lambda call: Reply([text_block("x")], output_tokens=1000)
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0) as session:
        batched = session.run(requests(2, max_tokens=1000), batch=True)
    with make_session(model_server, "anthropic", tmp_path / "other") as session:
        direct = session.run(requests(2, max_tokens=1000))
    assert batched[0].cost_usd == pytest.approx(direct[0].cost_usd / 2)
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0) as session:
        again = session.run(requests(2, max_tokens=1000), batch=True)
    assert all(o.cached for o in again) and model_server.batches_created == 1


def test_batch_budget_sends_only_what_fits(model_server, tmp_path):
    model_server.script = answer
    with make_session(model_server, "anthropic", tmp_path, batch_poll_interval=0,
                      budget=Budget(max_requests=4)) as session:
        outcomes = session.run(requests(10), batch=True)
    assert sum(o.ok for o in outcomes) == 4 and session.budget_stop.reason == "max-requests"
    assert {o.failure.kind for o in outcomes if not o.ok} == {"budget"}
    assert model_server.paid == 4


def test_cancel_keeps_what_was_answered(model_server, tmp_path):
    model_server.batch_polls = 10_000
    with make_session(model_server, "anthropic", tmp_path) as session:
        batch_id = session.provider.create_batch([(r.key("anthropic"), r) for r in requests(3)])
        session.journal.batch_created(batch_id, [r.key("anthropic") for r in requests(3)])
        session.replayed.batches[batch_id] = []
        assert cancel_open_batches(session) == 1
        assert session.replayed.open_batches == {}
    assert [r["result"]["type"] for r in model_server.batches[batch_id]["results"]] == ["canceled"] * 3


def test_providers_without_batches_say_so(model_server, tmp_path):
    with make_session(model_server, "openai-compatible", tmp_path) as session:
        with pytest.raises(ValueError, match="no batch API"):
            session.run(requests(1), batch=True)
