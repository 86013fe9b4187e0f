"""Message Batches mode: half the price, answers within a day.

Requests go out in chunks under the API's limits (100,000 requests, 256 MB); each batch id is journaled
before the first poll, so a killed run polls the same batches again instead of paying twice. Errored,
expired and canceled items are queued again for the next round; results are matched by `custom_id`, which is
the request's cache key.
"""

from __future__ import annotations

from typing import Callable, Protocol, TypeVar

from .cache import Cache
from .errors import Failure, ProviderError
from .journal import Journal, JournalState
from .outcome import Outcome
from .pricing import Budget, PriceTable
from .progress import Progress
from .providers.base import Provider
from .request import Request, Response
from .retry import RetryPolicy

T = TypeVar("T")


class BatchSession(Protocol):
    """What the batch runner needs of a session (`session.Session` is one): its stores, budget, prices
    and limits, and the bookkeeping it shares with plain calls. Declared here, so this module does not
    import the session that imports it."""

    provider: Provider | None  # a BatchProvider: `run_batched` refuses any other
    provider_name: str
    cache: Cache | None
    journal: Journal | None
    replayed: JournalState
    fresh: set[str]
    budget: Budget
    prices: PriceTable
    retry: RetryPolicy
    progress: Progress
    sleep: Callable[[float], None]
    batch_poll_interval: float
    max_batch_rounds: int
    max_batch_requests: int
    max_batch_bytes: int

    @property
    def spent_usd(self) -> float: ...

    def key(self, request: Request) -> str: ...

    def known(self, key: str, accept: Callable[[Response], bool] | None = None) -> Response | None: ...

    def reuse(self, request: Request, key: str, response: Response) -> Outcome: ...

    def worst_case(self, request: Request, batch: bool = False) -> float: ...

    def count_answered(self, n: int = 1) -> None: ...

    def count_failure(self, kind: str) -> None: ...

    def count_retry(self, kind: str) -> None: ...

    def count_batch(self, resumed: bool) -> None: ...

# Failures a further round cannot fix.
FINAL_KINDS = frozenset({"error"})


def _with_retries(session: BatchSession, action: Callable[[], T]) -> T:
    for attempt in range(1, session.retry.max_attempts + 1):
        try:
            return action()
        except ProviderError as error:
            if not error.transient or attempt == session.retry.max_attempts:
                raise
            session.count_retry(error.kind)
            session.sleep(session.retry.delay(attempt, error.retry_after))
    raise AssertionError("unreachable")


def _plan(session: BatchSession, pending: dict[str, Request]) -> tuple[list[list[str]], dict[str, float]]:
    """Chunks of keys under the count and size limits, each item's worst cost reserved in the budget."""
    chunks: list[list[str]] = []
    reserved: dict[str, float] = {}
    size = 0
    for key, request in pending.items():
        worst = session.worst_case(request, batch=True)
        if not session.budget.reserve(worst):
            break
        reserved[key] = worst
        line = session.provider.batch_line_size(key, request)
        if not chunks or len(chunks[-1]) >= session.max_batch_requests or size + line > session.max_batch_bytes:
            chunks.append([])
            size = 0
        chunks[-1].append(key)
        size += line
    return chunks, reserved


def _wait(session: BatchSession, batch_id: str) -> None:
    while True:
        state = _with_retries(session, lambda: session.provider.retrieve_batch(batch_id))
        if state.status == "ended":
            return
        session.sleep(session.batch_poll_interval)


def _collect(session: BatchSession, batch_id: str, requests: dict[str, Request], pending: dict[str, Request],
             reserved: dict[str, float], failures: dict[str, Failure], answers: dict[str, tuple[Response, float]]):
    """Read an ended batch's results into the journal and cache; keys answered leave `pending`."""
    _wait(session, batch_id)
    received: list[tuple[str, Response]] = []
    for custom_id, result in _with_retries(session, lambda: list(session.provider.batch_results(batch_id))):
        request = requests.get(custom_id)
        if isinstance(result, Response):
            model = request.model if request is not None else result.model
            cost = session.prices.cost(model, result.usage, batch=True)
            session.budget.settle(reserved.pop(custom_id, 0.0), cost)
            received.append((custom_id, result))
            answers[custom_id] = (result, cost)
            pending.pop(custom_id, None)
            failures.pop(custom_id, None)
        else:
            failures[custom_id] = result
            if result.kind in FINAL_KINDS:
                pending.pop(custom_id, None)
    if session.journal is not None:
        session.journal.answers(received)
    for custom_id, response in received:
        if session.cache is not None:
            session.cache.put(custom_id, requests.get(custom_id), response)
        session.replayed.answers[custom_id] = response
        session.fresh.add(custom_id)
    session.count_answered(len(received))
    if session.journal is not None:
        session.journal.batch_ended(batch_id)
    session.replayed.ended.add(batch_id)
    session.progress.advance(session.spent_usd, len(received))


def run_batched(session: BatchSession, requests: list[Request],
                accept: Callable[[Response], bool] | None = None) -> list[Outcome]:
    provider = session.provider
    if provider is None or not provider.supports_batches:
        raise ValueError(f"the {session.provider_name} provider has no batch API; run without --batch")
    keys = [session.key(r) for r in requests]
    results: list[Outcome | None] = [None] * len(requests)
    unknown: dict[str, Request] = {}
    for index, (request, key) in enumerate(zip(requests, keys)):
        known = session.known(key, accept)
        if known is not None:
            results[index] = session.reuse(request, key, known)
        else:
            unknown.setdefault(key, request)
    pending = dict(unknown)
    failures: dict[str, Failure] = {}
    answers: dict[str, tuple[Response, float]] = {}
    reserved: dict[str, float] = {}
    session.progress.start(len(pending))

    for batch_id in list(session.replayed.open_batches):
        session.count_batch(resumed=True)
        _collect(session, batch_id, unknown, pending, reserved, failures, answers)

    for _ in range(session.max_batch_rounds):
        if not pending or session.budget.stop is not None:
            break
        chunks, round_reserved = _plan(session, pending)
        reserved.update(round_reserved)
        created = []
        for chunk in chunks:
            items = [(key, pending[key]) for key in chunk]
            batch_id = _with_retries(session, lambda: provider.create_batch(items))
            session.count_batch(resumed=False)
            if session.journal is not None:
                session.journal.batch_created(batch_id, chunk)
            session.replayed.batches[batch_id] = chunk
            created.append(batch_id)
        for batch_id in created:
            _collect(session, batch_id, unknown, pending, reserved, failures, answers)
        for key in list(reserved):  # items the batch did not answer this round
            session.budget.settle(reserved.pop(key), 0.0)

    for index, (request, key) in enumerate(zip(requests, keys)):
        if results[index] is not None:
            continue
        if key in answers:
            response, cost = answers.pop(key)
            results[index] = Outcome(request, key, response=response, cost_usd=cost)
        elif key in session.replayed.answers:
            results[index] = Outcome(request, key, response=session.replayed.answers[key], cached=True)
        else:
            failure = failures.get(key)
            if failure is None and session.budget.stop is not None:
                failure = Failure("budget", session.budget.stop.message())
            failure = failure or Failure("expired", "no answer after every batch round")
            session.count_failure(failure.kind)
            results[index] = Outcome(request, key, failure=failure)
    return results  # type: ignore[return-value]


def cancel_open_batches(session: BatchSession) -> int:
    """Cancel every batch this run's journal has open, keeping whatever answers they already have."""
    open_batches = list(session.replayed.open_batches)
    for batch_id in open_batches:
        _with_retries(session, lambda: session.provider.cancel_batch(batch_id))
        _collect(session, batch_id, {}, {}, {}, {}, {})
    return len(open_batches)
