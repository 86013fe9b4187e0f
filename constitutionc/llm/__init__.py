"""The model-call layer: the only package (with the stages that import it) that talks to a model SDK.

    from constitutionc.llm import Request, open_session

    with open_session("anthropic", journal_name="generate-<hash>", max_usd=5.0) as session:
        outcomes = session.run([Request(model="claude-sonnet-5-5", messages=[...], sample=i) for i in range(3)])
        for outcome in outcomes:
            outcome.response.text if outcome.ok else outcome.failure.kind

- `Request` / `Response` (`request.py`): provider-neutral, Messages-shaped; `Request.structured(name, schema)`
  forces the answer through one tool (read it with `Response.tool_input(name)`); `sample` is part of the key.
- `Session` (`session.py`): cache, then this run's journal, then the provider with retries (408/409/429/5xx/
  529, dropped connections, timeouts, malformed bodies; `retry-after` obeyed), adaptive concurrency, budgets
  (`Budget`, stop before exceeding: `session.budget_stop` then holds a `BudgetStop`), `run(..., batch=True)`
  for Message Batches, `estimate(...)` for dry runs (nothing paid is called).
- `Outcome`: `.response` or `.failure` (`Failure.kind`: rate_limit, overloaded, server, timeout, connection,
  malformed after the retries ran out; error for requests the API rejects; budget; expired/canceled).
- Providers (`providers/`): `anthropic`, `openai-compatible`, registered by name; `get_provider(name, ...)`;
  `sampling_params(provider, temperature)`, the one rule for whether a request carries a temperature.
- `MissingCredentials`: the provider's key variable is unset (commands: one line, exit 2, nothing written).

Importing this package imports no SDK; constructing a provider does.
"""

from __future__ import annotations

from pathlib import Path

from .cache import Cache, default_cache_dir
from .errors import Failure, MissingCredentials, ProviderError
from .journal import Journal
from .pricing import Budget, BudgetStop, Price, PriceTable, parse_price
from .progress import Progress
from .providers import PROVIDER_NAMES, get_provider, sampling_params
from .request import Request, Response, Usage, canonical_json
from .retry import RetryPolicy
from .session import Estimate, Outcome, Session

__all__ = ["Budget", "BudgetStop", "Cache", "Estimate", "Failure", "Journal", "MissingCredentials", "Outcome",
           "PROVIDER_NAMES", "Price", "PriceTable", "Progress", "ProviderError", "Request", "Response", "RetryPolicy",
           "Session", "Usage", "canonical_json", "default_cache_dir", "get_provider", "open_session", "parse_price",
           "sampling_params"]


def open_session(provider: str = "anthropic", *, base_url: str | None = None, api_key: str | None = None,
                 cache_dir: Path | str | None = None, journal_name: str | None = None, dry_run: bool = False,
                 max_requests: int | None = None, max_usd: float | None = None, concurrency: int = 8,
                 timeout: float = 120.0, prices: Path | str | None = None, progress: Progress | None = None,
                 retry: RetryPolicy | None = None, fallback_price: Price | None = None,
                 **session_options) -> Session:
    """A session with the usual parts. A dry run connects only if a key is there (to count tokens for free);
    otherwise it raises `MissingCredentials` before anything is written."""
    cache = Cache(Path(cache_dir) if cache_dir else default_cache_dir())
    try:
        client = get_provider(provider, api_key=api_key, base_url=base_url, timeout=timeout)
    except MissingCredentials:
        if not dry_run:
            raise
        client = None
    journal = Journal(cache.journal_path(journal_name)) if journal_name and not dry_run else None
    return Session(client, provider_name=provider, cache=cache, journal=journal,
                   budget=Budget(max_requests, max_usd),
                   prices=PriceTable.load(prices).with_fallback(fallback_price), concurrency=concurrency,
                   retry=retry, progress=progress, **session_options)
