"""A session: the one door every stage goes through to call a model.

Order of business for each request: the cache; the journal of this run (answers a killed run received);
then the provider, with retries, adaptive concurrency and the budget. Answers are journaled (fsync'd) and
cached as they arrive; errors are returned as `Failure`s and never stored as answers. A caller that can
tell a useless answer (a judge's reply that does not parse) passes `accept`: a stored answer it rejects is
asked again rather than reused, so a fixed judge (or a luckier sample) replaces it on the rerun.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .batches import run_batched
from .cache import Cache
from .errors import Failure, ProviderError
from .journal import Journal, JournalState
from .outcome import Outcome
from .pricing import Budget, BudgetStop, PriceTable
from .progress import Progress
from .providers.base import Provider, heuristic_tokens
from .request import Request, Response
from .retry import AdaptiveLimit, RetryPolicy


@dataclass
class Stats:
    sent: int = 0  # attempts that reached the provider
    answered: int = 0  # paid answers received
    cached: int = 0  # answers from the cache or the journal
    retries: dict[str, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    batches_created: int = 0
    batches_resumed: int = 0


@dataclass(frozen=True)
class Estimate:
    """What a run would cost, computed without calling anything paid."""

    requests: int
    cached: int
    input_tokens: int
    output_tokens: int
    usd: float
    token_source: str  # "count_tokens" or "heuristic"
    unpriced_models: tuple[str, ...] = ()


class Session:
    def __init__(self, provider: Provider | None, *, provider_name: str | None = None, cache: Cache | None = None,
                 journal: Journal | None = None, budget: Budget | None = None, prices: PriceTable | None = None,
                 concurrency: int = 8, retry: RetryPolicy | None = None, progress: Progress | None = None,
                 batch_poll_interval: float = 30.0, max_batch_rounds: int = 3,
                 max_batch_requests: int = 100_000, max_batch_bytes: int = 256 * 1000 * 1000 - 1_000_000,
                 sleep: Callable[[float], None] = time.sleep):
        if provider is None and provider_name is None:
            raise ValueError("a session needs a provider, or at least its name (dry runs)")
        self.provider = provider
        self.provider_name = provider.name if provider is not None else provider_name
        self.cache = cache
        self.journal = journal
        self.budget = budget or Budget()
        self.prices = prices or PriceTable.load()
        self.limit = AdaptiveLimit(concurrency)
        self.concurrency = max(1, concurrency)
        self.retry = retry or RetryPolicy()
        self.progress = progress or Progress(enabled=False)
        self.batch_poll_interval = batch_poll_interval
        self.max_batch_rounds = max_batch_rounds
        self.max_batch_requests = max_batch_requests
        self.max_batch_bytes = max_batch_bytes
        self.sleep = sleep
        self.stats = Stats()
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Event] = {}
        self.replayed: JournalState = journal.replay() if journal is not None else JournalState()
        # Keys answered by the provider in this session: final for this run even when `accept` rejects them.
        self.fresh: set[str] = set()

    # -- public --------------------------------------------------------------------------------------
    @property
    def budget_stop(self) -> BudgetStop | None:
        return self.budget.stop

    @property
    def spent_usd(self) -> float:
        return self.budget.spent_usd

    def key(self, request: Request) -> str:
        return request.key(self.provider_name)

    def call(self, request: Request, accept: Callable[[Response], bool] | None = None) -> Outcome:
        """One request, answered from the cache or the model; safe to call from many threads. A stored
        answer that `accept` rejects is not reused: the request is sent again."""
        key = self.key(request)
        known = self.known(key, accept)
        if known is not None:
            return self.reuse(request, key, known)
        # The same request twice at once is sent once; the second caller waits for the first's answer.
        with self._lock:
            waiting = self._in_flight.get(key)
            if waiting is None:
                self._in_flight[key] = threading.Event()
        if waiting is not None:
            waiting.wait()
            known = self.known(key, accept)
            if known is not None:
                return self.reuse(request, key, known)
        try:
            return self._send(request, key)
        finally:
            if waiting is None:
                with self._lock:
                    self._in_flight.pop(key).set()

    def run(self, requests: Iterable[Request], *, batch: bool = False,
            accept: Callable[[Response], bool] | None = None) -> list[Outcome]:
        """Many independent requests, in their order; `batch=True` sends them through Message Batches.
        `accept` as in `call`."""
        requests = list(requests)
        if batch:
            return run_batched(self, requests, accept)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(partial(self.call, accept=accept), requests))

    def estimate(self, requests: Iterable[Request], *, batch: bool = False, exact_counts: int = 50) -> Estimate:
        """Tokens and dollars of the requests the cache cannot answer. The first `exact_counts` distinct
        requests are counted by the provider's free token counter where it has one; the rest by the
        heuristic (four characters a token), scaled by what the counted ones showed."""
        seen: set[str] = set()
        pending: list[Request] = []
        cached = 0
        for request in requests:
            key = self.key(request)
            if key in seen:
                continue
            seen.add(key)
            if self.known(key) is not None:
                cached += 1
            else:
                pending.append(request)
        source, ratio, exact = "heuristic", 1.0, {}
        if self.provider is not None and type(self.provider).count_tokens is not Provider.count_tokens:
            counted = heuristic = 0
            for request in pending[:exact_counts]:
                try:
                    tokens = self.provider.count_tokens(request)
                except ProviderError:
                    break
                exact[id(request)] = tokens
                counted += tokens
                heuristic += heuristic_tokens(request)
            if exact:
                source, ratio = "count_tokens", counted / max(1, heuristic)
        input_tokens = output_tokens = 0
        usd = 0.0
        unpriced: set[str] = set()
        for request in pending:
            tokens = exact.get(id(request)) or round(heuristic_tokens(request) * ratio)
            output = request.expected_output_tokens or request.max_tokens
            input_tokens += tokens
            output_tokens += output
            price = self.prices.price(request.model)
            if price is None:
                unpriced.add(request.model)
                continue
            usd += (tokens * price.input + output * price.output) / 1_000_000 * (
                self.prices.batch_discount if batch else 1.0)
        return Estimate(len(pending) + cached, cached, input_tokens, output_tokens, usd, source,
                        tuple(sorted(unpriced)))

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
        if self.provider is not None:
            self.provider.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- shared with the batch runner (batches.py) ---------------------------------------------------
    def known(self, key: str, accept: Callable[[Response], bool] | None = None) -> Response | None:
        """The answer the cache or this run's journal already holds for `key`, if any (and if `accept`
        takes it, or this session received it)."""
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is None:
            hit = self.replayed.answers.get(key)
        if hit is not None and accept is not None and key not in self.fresh and not accept(hit):
            return None
        return hit

    def reuse(self, request: Request, key: str, response: Response) -> Outcome:
        """The outcome of a request answered before (`known`), counted as cached."""
        if self.cache is not None and key not in self.cache:
            self.cache.put(key, request, response)  # an answer the journal kept from a killed run
        with self._lock:
            self.stats.cached += 1
        self.progress.advance(self.spent_usd)
        return Outcome(request, key, response=response, cached=True)

    def count_answered(self, n: int = 1) -> None:
        with self._lock:
            self.stats.answered += n

    def count_failure(self, kind: str) -> None:
        with self._lock:
            self.stats.failures[kind] = self.stats.failures.get(kind, 0) + 1

    def worst_case(self, request: Request, batch: bool = False) -> float:
        return self.prices.worst_case(request.model, heuristic_tokens(request), request.max_tokens, batch)

    def record_answer(self, request: Request | None, key: str, response: Response) -> None:
        if self.journal is not None:
            self.journal.answer(key, response)
        if self.cache is not None:
            self.cache.put(key, request, response)
        self.replayed.answers[key] = response
        self.fresh.add(key)

    def count_retry(self, kind: str) -> None:
        with self._lock:
            self.stats.retries[kind] = self.stats.retries.get(kind, 0) + 1

    def count_batch(self, resumed: bool) -> None:
        """A batch this run created, or one a killed run's journal left open that it polls again."""
        with self._lock:
            if resumed:
                self.stats.batches_resumed += 1
            else:
                self.stats.batches_created += 1

    # -- internals -----------------------------------------------------------------------------------
    def _fail(self, request: Request, key: str, failure: Failure) -> Outcome:
        self.count_failure(failure.kind)
        self.progress.advance(self.spent_usd)
        return Outcome(request, key, failure=failure)

    def _send(self, request: Request, key: str) -> Outcome:
        if self.provider is None:
            return self._fail(request, key, Failure("error", "no provider (dry run)"))
        reserved = self.worst_case(request)
        if not self.budget.reserve(reserved):
            return self._fail(request, key, Failure("budget", self.budget.stop.message()))
        actual = 0.0
        try:
            response = self._send_with_retries(request)
            if isinstance(response, Failure):
                return self._fail(request, key, response)
            actual = self.prices.cost(request.model, response.usage)
            self.record_answer(request, key, response)
            self.count_answered()
        finally:
            self.budget.settle(reserved, actual)
        self.progress.advance(self.spent_usd)
        return Outcome(request, key, response=response, cost_usd=actual)

    def _send_with_retries(self, request: Request) -> Response | Failure:
        for attempt in range(1, self.retry.max_attempts + 1):
            self.limit.acquire()
            try:
                with self._lock:
                    self.stats.sent += 1
                response = self.provider.send(request)
            except ProviderError as error:
                failure = error
            else:
                self.limit.succeeded()
                return response
            finally:
                self.limit.release()
            if failure.kind == "rate_limit":
                self.limit.rate_limited()
            if not failure.transient or attempt == self.retry.max_attempts:
                return Failure(failure.kind, str(failure), failure.status)
            self.count_retry(failure.kind)
            self.sleep(self.retry.delay(attempt, failure.retry_after))
        raise AssertionError("unreachable: the last attempt returns")
