"""What can go wrong with a model call, as values the session and the commands understand."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of transient failure: retried with backoff; none of them is ever cached as an answer.
TRANSIENT_KINDS = ("rate_limit", "overloaded", "server", "timeout", "connection", "malformed")

# HTTP statuses that are worth another try (the Messages API's own advice): request timeout, lock
# conflict, rate limit, any server error, 529 overloaded.
RETRYABLE_STATUS = frozenset({408, 409, 429})


def is_retryable_status(status: int) -> bool:
    return status in RETRYABLE_STATUS or status >= 500


def transient_kind(status: int) -> str:
    if status == 429:
        return "rate_limit"
    if status == 529:
        return "overloaded"
    if status in (408, 504):
        return "timeout"
    return "server"


class MissingCredentials(Exception):
    """The provider's key is not set. The message names the variable."""

    def __init__(self, variable: str):
        self.variable = variable
        super().__init__(f"{variable} is not set; export it (or use --dry-run, which calls nothing paid)")


class ProviderError(Exception):
    """A call that did not produce an answer."""

    def __init__(self, kind: str, message: str, status: int | None = None, retry_after: float | None = None):
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        super().__init__(message)

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT_KINDS


@dataclass(frozen=True)
class Failure:
    """Why a request has no answer. `kind` is one of TRANSIENT_KINDS (after the retries ran out), `error`
    (a request the API rejects: bad request, authentication, not found), `budget` (not sent: the budget
    would be exceeded) or `expired`/`canceled` (a batch item that stayed unanswered)."""

    kind: str
    message: str
    status: int | None = None
