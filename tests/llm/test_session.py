"""The session: faults lose nothing, the cache answers reruns, budgets stop before exceeding, dry runs are free."""

from __future__ import annotations

import time

import pytest

from constitutionc.llm import Budget, Request, RetryPolicy, Session
from constitutionc.llm.retry import AdaptiveLimit
from tests.llm.conftest import MODEL, make_session, requests
from tests.llm.server import Fault, Reply, text_block

FAULTS = {"429": Fault.status(429), "500": Fault.status(500), "529": Fault.status(529), "408": Fault.status(408),
          "malformed": Fault.malformed(), "dropped": Fault.drop(), "timeout": Fault.delay(2.0)}


@pytest.mark.parametrize("name", list(FAULTS))
def test_every_fault_class_loses_nothing(model_server, provider, tmp_path, name):
    """Each request fails twice with the fault, then succeeds: every answer arrives, each paid for once."""
    fault = FAULTS[name]
    model_server.script = lambda call: fault if call.attempt <= 2 else f"answer to {call.last_user_text()}"
    with make_session(model_server, provider, tmp_path, timeout=0.5) as session:
        outcomes = session.run(requests(6))
    assert [o.response.text for o in outcomes] == [f"answer to question {i}" for i in range(6)]
    assert session.stats.retries == {"timeout" if name in ("timeout", "408") else
                                     {"429": "rate_limit", "529": "overloaded", "malformed": "malformed",
                                      "dropped": "connection", "500": "server"}[name]: 12}
    # A malformed 200 was produced (and paid) before it was spoiled; an HTTP error or a drop was not. (Late
    # answers are still being written when the test ends.)
    if name != "timeout":
        assert model_server.paid == (18 if name == "malformed" else 6)


def test_retry_after_is_obeyed(model_server, provider, tmp_path):
    waits: list[float] = []
    model_server.script = lambda call: Fault.status(429, retry_after="3") if call.attempt == 1 else "ok"
    session = make_session(model_server, provider, tmp_path, concurrency=1,
                           sleep=lambda seconds: waits.append(seconds))
    assert session.call(requests(1)[0]).response.text == "ok"
    assert waits == [3.0]


def test_backoff_grows_without_retry_after():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0)
    delays = [policy.delay(attempt, None) for attempt in range(1, 6)]
    assert 0.75 <= delays[0] <= 1.0 and 1.5 <= delays[1] <= 2.0 and 3.0 <= delays[2] <= 4.0
    assert all(3.75 <= d <= 5.0 for d in delays[3:])


def test_faults_that_never_clear_are_failures_not_answers(model_server, provider, tmp_path):
    model_server.script = lambda call: Fault.status(529)
    with make_session(model_server, provider, tmp_path) as session:
        outcome = session.call(requests(1)[0])
    assert outcome.failure.kind == "overloaded" and outcome.response is None
    model_server.script = lambda call: "recovered"
    with make_session(model_server, provider, tmp_path) as session:  # errors were not cached
        assert session.call(requests(1)[0]).response.text == "recovered"


def test_rejected_request_is_not_retried(model_server, provider, tmp_path):
    model_server.script = lambda call: Fault.status(400, message="bad field")
    with make_session(model_server, provider, tmp_path) as session:
        outcome = session.call(requests(1)[0])
    assert outcome.failure.kind == "error" and outcome.failure.status == 400
    assert model_server.http_requests == 1


def test_rerun_is_answered_from_the_cache(model_server, provider, tmp_path):
    with make_session(model_server, provider, tmp_path) as session:
        first = session.run(requests(5, samples=2))
    assert model_server.paid == 10  # the sample index is part of the key: N samples are N calls
    with make_session(model_server, provider, tmp_path, journal="another-run") as session:
        second = session.run(requests(5, samples=2))
    assert model_server.paid == 10 and session.stats.cached == 10
    assert [o.response for o in first] == [o.response for o in second]
    assert all(o.cached for o in second)


def test_the_same_request_twice_at_once_is_sent_once(model_server, provider, tmp_path):
    model_server.script = lambda call: Fault.delay(0.2, then="slow")
    with make_session(model_server, provider, tmp_path, concurrency=4) as session:
        outcomes = session.run(requests(1) * 4)
    assert [o.response.text for o in outcomes] == ["slow"] * 4 and model_server.paid == 1


def test_rate_limits_lower_the_concurrency(model_server, provider, tmp_path):
    model_server.script = lambda call: Fault.status(429) if call.attempt <= 2 else "ok"
    with make_session(model_server, provider, tmp_path, concurrency=8) as session:
        outcomes = session.run(requests(16))
    assert all(o.ok for o in outcomes)
    assert session.limit.lowest < 8


def test_adaptive_limit_halves_and_grows_back():
    limit = AdaptiveLimit(8)
    limit.rate_limited()
    limit.rate_limited()
    assert limit.limit == 2
    for _ in range(2):
        limit.succeeded()
    assert limit.limit == 3
    for _ in range(100):
        limit.succeeded()
    assert limit.limit == 8 and limit.lowest == 2


def test_max_requests_stops_before_exceeding_and_a_rerun_continues(model_server, provider, tmp_path):
    with make_session(model_server, provider, tmp_path, concurrency=1, budget=Budget(max_requests=4)) as session:
        outcomes = session.run(requests(10))
    assert model_server.paid == 4
    assert sum(o.ok for o in outcomes) == 4 and {o.failure.kind for o in outcomes if not o.ok} == {"budget"}
    stop = session.budget_stop
    assert stop.reason == "max-requests" and "rerun" in stop.message(10) and "4 of 10" in stop.message(10)
    with make_session(model_server, provider, tmp_path, budget=Budget(max_requests=6)) as session:
        assert all(o.ok for o in session.run(requests(10)))
    assert model_server.paid == 10 and model_server.repeated == 0


def test_max_usd_stops_before_exceeding(model_server, tmp_path):
    # claude-sonnet-5-5 at $2/$10 per million: each answer uses its 1,000 output tokens ($0.01) plus a little
    # input, so four fit in $0.05 and the fifth's worst case would not.
    model_server.script = lambda call: Reply([text_block("long")], output_tokens=1000)
    with make_session(model_server, "anthropic", tmp_path, concurrency=1, budget=Budget(max_usd=0.05)) as session:
        outcomes = session.run(requests(10, max_tokens=1000))
    answered = sum(o.ok for o in outcomes)
    assert answered == 4 and session.budget_stop.reason == "max-usd"
    assert session.spent_usd <= 0.05
    assert session.spent_usd == pytest.approx(sum(o.cost_usd for o in outcomes))


def test_dry_run_calls_nothing_paid(model_server, provider, tmp_path):
    with make_session(model_server, provider, tmp_path) as session:
        session.run(requests(2, max_tokens=500))
        estimate = session.estimate(requests(6, max_tokens=500))
    assert model_server.paid == 2
    assert estimate.requests == 6 and estimate.cached == 2
    assert estimate.output_tokens == 4 * 500 and estimate.input_tokens > 0
    assert estimate.usd == pytest.approx((estimate.input_tokens * 2 + estimate.output_tokens * 10) / 1e6)
    assert estimate.token_source == ("count_tokens" if provider == "anthropic" else "heuristic")
    assert model_server.token_counts == (4 if provider == "anthropic" else 0)


def test_dry_run_without_a_provider_uses_the_heuristic(tmp_path):
    session = Session(None, provider_name="anthropic")
    request = Request(model=MODEL, messages=[{"role": "user", "content": "x" * 400}], expected_output_tokens=300)
    estimate = session.estimate([request, request])
    assert estimate.requests == 1 and estimate.token_source == "heuristic"
    assert estimate.input_tokens == -(-request.text_size() // 4) and estimate.output_tokens == 300
    unknown = session.estimate([Request(model="my-local-llama", messages=[{"role": "user", "content": "x"}])])
    assert unknown.unpriced_models == ("my-local-llama",) and unknown.usd == 0


def test_keys_are_stable_and_separate_what_differs():
    base = Request(model=MODEL, messages=[{"role": "user", "content": "a"}])
    assert base.key("anthropic") == Request(model=MODEL, messages=[{"role": "user", "content": "a"}]).key("anthropic")
    others = [base.model_copy(update={"sample": 1}), base.model_copy(update={"model": "m2"}),
              base.model_copy(update={"system": "s"}), base.model_copy(update={"max_tokens": 5}),
              base.model_copy(update={"params": {"temperature": 0}})]
    keys = {base.key("anthropic"), base.key("openai-compatible"), *(o.key("anthropic") for o in others)}
    assert len(keys) == 7
    assert base.model_copy(update={"expected_output_tokens": 9}).key("anthropic") == base.key("anthropic")


def test_progress_counts_every_result(model_server, provider, tmp_path):
    with make_session(model_server, provider, tmp_path) as session:
        session.progress.start(5)
        session.run(requests(5))
    assert session.progress.done == 5 and session.progress.total == 5
    assert not session.progress.enabled  # not a terminal
    time.sleep(0)  # nothing to wait for: the bar never started
