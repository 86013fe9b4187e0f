"""How long to wait before another try, and how many calls to keep in flight while the API pushes back."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; a server's `retry-after` is obeyed instead (up to a ceiling)."""

    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_retry_after: float = 600.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        backoff = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return backoff * (0.75 + 0.25 * random.random())


class AdaptiveLimit:
    """At most `limit` calls in flight; the limit halves on every rate limit and grows back by one after a
    limit's worth of successes in a row (additive increase, multiplicative decrease)."""

    def __init__(self, maximum: int):
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.lowest = self.maximum
        self._in_flight = 0
        self._streak = 0
        self._condition = threading.Condition()

    def acquire(self) -> None:
        with self._condition:
            while self._in_flight >= self.limit:
                self._condition.wait()
            self._in_flight += 1

    def release(self) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify_all()

    def rate_limited(self) -> None:
        with self._condition:
            self.limit = max(1, self.limit // 2)
            self.lowest = min(self.lowest, self.limit)
            self._streak = 0

    def succeeded(self) -> None:
        with self._condition:
            self._streak += 1
            if self._streak >= self.limit and self.limit < self.maximum:
                self.limit += 1
                self._streak = 0
                self._condition.notify_all()
