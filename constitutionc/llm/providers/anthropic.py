"""The Anthropic Messages API through the official `anthropic` SDK (retries are ours: max_retries=0)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping

from ...models import answer_instruction, rejects_forced_tool_choice
from ..errors import Failure, MissingCredentials, ProviderError
from ..request import Request, Response, Usage
from ._http import raw_json
from .base import BatchProvider, BatchState

# Batch item errors that another try cannot fix; every other errored item is re-queued.
PERMANENT_ERROR_TYPES = frozenset({"invalid_request_error", "authentication_error", "permission_error",
                                   "not_found_error", "request_too_large"})


FORCED_CHOICES = ("tool", "any")


def with_instruction(system: str | list | None, text: str) -> str | list:
    """`system` with `text` after it: a block appended to a list (so a cached prefix stays as it was)."""
    if isinstance(system, list):
        return [*system, {"type": "text", "text": text}]
    return f"{system}\n\n{text}" if system else text


def wire_body(request: Request) -> dict:
    """The Messages API body of `request`. A model that refuses a forced tool choice
    (`models.rejects_forced_tool_choice`) is asked with an automatic choice and told in the system
    prompt to answer through the tool; an answer that still does not call it is read as none (a judge's
    answer is then unparseable, and asked again by the next run: `Session.run(accept=...)`)."""
    body: dict = {"model": request.model, "max_tokens": request.max_tokens, "messages": request.messages}
    system, choice = request.system, request.tool_choice
    if choice and choice.get("type") in FORCED_CHOICES and rejects_forced_tool_choice(request.model):
        system = with_instruction(system, answer_instruction(choice))
        choice = {"type": "auto", **{k: v for k, v in choice.items() if k == "disable_parallel_tool_use"}}
    if system:
        body["system"] = system
    if request.tools:
        body["tools"] = request.tools
    if choice:
        body["tool_choice"] = choice
    body.update(request.params)
    return body


def response_from_message(data: dict) -> Response:
    content = data.get("content")
    if not isinstance(content, list) or not all(isinstance(b, dict) and "type" in b for b in content):
        raise ProviderError("malformed", "the answer has no list of content blocks")
    usage = data.get("usage") or {}
    return Response(id=str(data.get("id", "")), model=str(data.get("model", "")), content=content,
                    stop_reason=data.get("stop_reason"),
                    usage=Usage(**{k: int(usage.get(k) or 0) for k in Usage.model_fields}))


class AnthropicProvider(BatchProvider):
    name = "anthropic"
    key_variable = "ANTHROPIC_API_KEY"
    # The Messages API (version 2026-10-21, what the SDK sends) answers 400 to a temperature for every
    # Claude model: the model's own sampling is used.
    takes_temperature = False

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None, timeout: float = 120.0,
                 env: Mapping[str, str] | None = None):
        env = os.environ if env is None else env
        key = api_key or env.get(self.key_variable)
        if not key:
            raise MissingCredentials(self.key_variable)
        import anthropic

        self._sdk = anthropic
        self._client = anthropic.Anthropic(api_key=key, base_url=base_url or env.get("ANTHROPIC_BASE_URL") or None,
                                           timeout=timeout, max_retries=0)

    @staticmethod
    def _arguments(request: Request) -> dict:
        """SDK arguments: parameters travel in `extra_body`, so one the SDK does not name still reaches the API."""
        body = wire_body(request)
        extra = {name: body.pop(name) for name in request.params}
        return {**body, "extra_body": extra} if extra else body

    def send(self, request: Request) -> Response:
        raw = self.call(self._client.messages.with_raw_response.create, **self._arguments(request))
        return response_from_message(raw_json(raw))

    def count_tokens(self, request: Request) -> int:
        body = wire_body(request)
        body.pop("max_tokens", None)
        for name in request.params:  # sampling parameters do not change the count
            body.pop(name, None)
        result = self.call(self._client.messages.count_tokens, **body)
        return int(result.input_tokens)

    # -- Message Batches -------------------------------------------------------------------------------
    def create_batch(self, items: list[tuple[str, Request]]) -> str:
        requests = [{"custom_id": custom_id, "params": wire_body(request)} for custom_id, request in items]
        batch = self.call(self._client.messages.batches.create, requests=requests)
        return batch.id

    def retrieve_batch(self, batch_id: str) -> BatchState:
        batch = self.call(self._client.messages.batches.retrieve, batch_id)
        return BatchState(batch.id, batch.processing_status)

    def batch_results(self, batch_id: str) -> Iterator[tuple[str, Response | Failure]]:
        lines = self.call(self._client.messages.batches.results, batch_id)
        iterator = iter(lines)
        while True:
            line = self.call(next, iterator, None)
            if line is None:
                return
            yield line.custom_id, self._result(line.result.model_dump(mode="json", exclude_unset=True))

    @staticmethod
    def _result(result: dict) -> Response | Failure:
        kind = result.get("type")
        if kind == "succeeded":
            try:
                return response_from_message(result.get("message") or {})
            except ProviderError as e:
                return Failure("malformed", str(e))
        if kind == "errored":
            error = (result.get("error") or {}).get("error") or {}
            permanent = error.get("type") in PERMANENT_ERROR_TYPES
            return Failure("error" if permanent else "server", f"{error.get('type')}: {error.get('message')}")
        return Failure(kind or "expired", f"batch item {kind}")

    def cancel_batch(self, batch_id: str) -> None:
        self.call(self._client.messages.batches.cancel, batch_id)

    def batch_line_size(self, custom_id: str, request: Request) -> int:
        return len(json.dumps({"custom_id": custom_id, "params": wire_body(request)}).encode()) + 1

    def close(self) -> None:
        self._client.close()
