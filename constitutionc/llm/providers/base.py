"""The provider contract: turn a canonical `Request` into a `Response` over one vendor's wire protocol.

Providers register by name when their class is defined (`name = "..."`); the SDK each one needs is imported
when one is constructed, so naming and listing providers imports no SDK.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

from ..errors import Failure
from ..request import Request, Response

PROVIDERS: dict[str, type["Provider"]] = {}

# The documented fallback when a provider cannot count tokens: one token per four characters of the
# request's JSON (system, messages, tools). It overestimates English prose slightly, which is the safe
# side for a budget.
CHARS_PER_TOKEN = 4


def heuristic_tokens(request: Request) -> int:
    return max(1, math.ceil(request.text_size() / CHARS_PER_TOKEN))


@dataclass(frozen=True)
class BatchState:
    id: str
    status: str  # "in_progress" | "canceling" | "ended"


class Provider:
    name: ClassVar[str]
    key_variable: ClassVar[str]
    supports_batches: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            PROVIDERS[cls.name] = cls

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float = 120.0,
                 env: Mapping[str, str] | None = None):
        raise NotImplementedError

    def send(self, request: Request) -> Response:
        """One attempt; raises `ProviderError` (with `transient` telling whether another try may help)."""
        raise NotImplementedError

    def count_tokens(self, request: Request) -> int:
        """Input tokens of a request, free of charge where the provider can say; else the heuristic."""
        return heuristic_tokens(request)

    # -- Message Batches (providers with supports_batches) -------------------------------------------
    def create_batch(self, items: list[tuple[str, Request]]) -> str:
        raise NotImplementedError(f"{self.name} has no batch API")

    def retrieve_batch(self, batch_id: str) -> BatchState:
        raise NotImplementedError

    def batch_results(self, batch_id: str) -> Iterator[tuple[str, Response | Failure]]:
        raise NotImplementedError

    def cancel_batch(self, batch_id: str) -> None:
        raise NotImplementedError

    def batch_line_size(self, custom_id: str, request: Request) -> int:
        """Bytes this item adds to a batch creation body (for the 256 MB limit)."""
        raise NotImplementedError

    def close(self) -> None:
        pass
