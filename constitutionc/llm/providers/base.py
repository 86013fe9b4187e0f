"""The provider contract: turn a canonical `Request` into a `Response` over one vendor's wire protocol.

Providers register by name when their class is defined (`name = "..."`); the SDK each one needs is imported
when one is constructed, so naming and listing providers imports no SDK.
"""

from __future__ import annotations

import abc
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from ..errors import Failure, ProviderError
from ..request import Request, Response
from ._http import error_message, status_error

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


class Provider(abc.ABC):
    """One vendor's API. A subclass that sets `name` is registered under it; one that leaves a method of
    the contract abstract is refused when it is defined (and, as with any ABC, cannot be instantiated).

    The constructor takes `api_key`, `base_url`, `timeout` and `env` (where to read the key variable),
    and raises `MissingCredentials` naming `key_variable` when there is no key."""

    name: ClassVar[str]
    key_variable: ClassVar[str]
    supports_batches: ClassVar[bool] = False
    # Whether the API takes a sampling temperature; where it does not, none is sent (`sampling_params`).
    takes_temperature: ClassVar[bool] = True
    # The SDK module a provider calls (set in its constructor): `call` maps its exceptions.
    _sdk = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            return
        missing = sorted(attribute for attribute in dir(cls)
                         if getattr(getattr(cls, attribute, None), "__isabstractmethod__", False))
        if missing:
            raise TypeError(f"provider {cls.name!r} does not implement {', '.join(missing)}")
        PROVIDERS[cls.name] = cls

    @abc.abstractmethod
    def send(self, request: Request) -> Response:
        """One attempt; raises `ProviderError` (with `transient` telling whether another try may help)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the client's connections."""

    def count_tokens(self, request: Request) -> int:
        """Input tokens of a request, free of charge where the provider can say; else the heuristic."""
        return heuristic_tokens(request)

    def call(self, function, *args, **kwargs):
        """Run one call of a Stainless-generated SDK (`anthropic` and `openai` share the exception
        classes); its exceptions become `ProviderError`s the session knows how to retry or report."""
        sdk = self._sdk
        try:
            return function(*args, **kwargs)
        except sdk.APITimeoutError as e:
            raise ProviderError("timeout", f"no answer in time: {e}") from None
        except sdk.APIConnectionError as e:
            raise ProviderError("connection", f"connection failed: {e}") from None
        except sdk.APIStatusError as e:
            try:
                body = e.response.json()
            except ValueError:
                body = e.response.text
            raise status_error(e.status_code, e.response.headers, error_message(body)) from None
        except sdk.APIResponseValidationError as e:
            raise ProviderError("malformed", f"unexpected answer: {e}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise ProviderError("malformed", f"the answer is not JSON: {e}") from None


class BatchProvider(Provider):
    """A provider with a batch API (Message Batches): items by `custom_id`, polled until ended."""

    supports_batches: ClassVar[bool] = True

    @abc.abstractmethod
    def create_batch(self, items: list[tuple[str, Request]]) -> str:
        """Submit (custom_id, request) items; the batch id."""

    @abc.abstractmethod
    def retrieve_batch(self, batch_id: str) -> BatchState:
        ...

    @abc.abstractmethod
    def batch_results(self, batch_id: str) -> Iterator[tuple[str, Response | Failure]]:
        ...

    @abc.abstractmethod
    def cancel_batch(self, batch_id: str) -> None:
        ...

    @abc.abstractmethod
    def batch_line_size(self, custom_id: str, request: Request) -> int:
        """Bytes this item adds to a batch creation body (for the 256 MB limit)."""
