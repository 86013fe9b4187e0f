"""A run of many requests in its own process, for the kill -9 tests: `python worker.py CONFIG_JSON`.

Prints one JSON line per outcome (in request order) when it finishes.
"""

from __future__ import annotations

import json
import sys

from constitutionc.llm import Cache, Journal, PriceTable, Request, RetryPolicy, Session, get_provider


def main(config: dict) -> None:
    cache = Cache(config["cache"])
    provider = get_provider(config["provider"], api_key="test-key", base_url=config["base_url"], timeout=10)
    session = Session(provider, cache=cache, journal=Journal(cache.journal_path("killed-run")),
                      prices=PriceTable.load(), concurrency=config["concurrency"],
                      retry=RetryPolicy(base_delay=0.01, max_delay=0.05), batch_poll_interval=0.02,
                      max_batch_requests=config.get("max_batch_requests", 100_000))
    requests = [Request(model="claude-sonnet-5-5", messages=[{"role": "user", "content": f"question {i}"}])
                for i in range(config["count"])]
    outcomes = session.run(requests, batch=config.get("batch", False))
    for outcome in outcomes:
        print(json.dumps({"text": outcome.response.text if outcome.ok else None,
                          "failure": outcome.failure.kind if outcome.failure else None}))
    session.close()


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
