"""Helpers for the model-layer tests: sessions wired to the local server, with quick retries."""

from __future__ import annotations

import time

import pytest

from constitutionc.llm import Budget, Cache, Journal, PriceTable, Request, RetryPolicy, Session, get_provider

PROVIDERS = ["anthropic", "openai-compatible"]
MODEL = "claude-sonnet-5-5"

# Real waits, kept short: the delays the policy chooses are what the tests assert.
FAST = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05)


def base_url(server, provider: str) -> str:
    return server.url + "/v1" if provider == "openai-compatible" else server.url


def provider_for(server, provider: str, timeout: float = 5.0):
    return get_provider(provider, api_key="test-key", base_url=base_url(server, provider), timeout=timeout)


def make_session(server, provider: str, tmp_path, *, journal: str | None = "run", concurrency: int = 4,
                 budget: Budget | None = None, timeout: float = 5.0, sleep=None, **options) -> Session:
    cache = Cache(tmp_path / "cache")
    return Session(provider_for(server, provider, timeout), cache=cache,
                   journal=Journal(cache.journal_path(journal)) if journal else None, budget=budget,
                   prices=PriceTable.load(), concurrency=concurrency, retry=options.pop("retry", FAST),
                   sleep=sleep or time.sleep, **options)


def requests(count: int, samples: int = 1, **fields) -> list[Request]:
    return [Request(model=MODEL, messages=[{"role": "user", "content": f"question {i}"}], sample=s, **fields)
            for i in range(count) for s in range(samples)]


@pytest.fixture(params=PROVIDERS)
def provider(request):
    return request.param
