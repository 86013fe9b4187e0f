"""The provider-neutral request and response: what the cache keys, the journal stores and stages read.

Messages, tools and tool choice are in the Anthropic Messages shape (content blocks `text`, `thinking`,
`tool_use`, `tool_result`); each provider translates to and from its own wire format.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, non-ASCII kept; the basis of every cache key."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Request(BaseModel):
    """One model call. `sample` separates the N samples of the same prompt, so N samples are N calls.

    `run`, when set, names the independent draw a request belongs to (the eval: a probe and its sample),
    so two runs whose requests happen to be byte-identical still get an answer each. Neither is sent;
    both are part of the key (`run` only when set, so requests without one keep their keys).
    `expected_output_tokens` only feeds cost estimates and is not part of the key.
    """

    model_config = ConfigDict(frozen=True)

    model: str
    messages: list[dict[str, Any]]
    system: str | list[dict[str, Any]] | None = None
    tools: list[dict[str, Any]] = Field(default_factory=list)
    tool_choice: dict[str, Any] | None = None
    max_tokens: int = 1024
    params: dict[str, Any] = Field(default_factory=dict)
    sample: int = 0
    run: str | None = None
    expected_output_tokens: int | None = None

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"expected_output_tokens"} | ({"run"} if self.run is None else set()))

    def key(self, provider: str) -> str:
        """sha256 of the canonical request and the provider that answers it (64 hex digits)."""
        payload = canonical_json({"provider": provider, "request": self.canonical()})
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def structured(self, name: str, schema: dict[str, Any], description: str = "") -> "Request":
        """The same request with its answer forced through one tool whose input is the structured output.

        Read the answer with `Response.tool_input(name)`. The request says what is wanted, whoever sends
        it: a provider whose model refuses a forced choice asks with an automatic one instead (see
        `providers/anthropic.wire_body`), and an answer that does not call the tool reads as None. (The
        Messages API does not combine a forced tool with extended thinking; leave `params["thinking"]`
        unset on structured requests.)
        """
        tool = {"name": name, "description": description or f"Record the {name}.", "input_schema": schema}
        return self.model_copy(update={"tools": [*self.tools, tool],
                                       "tool_choice": {"type": "tool", "name": name}})

    def text_size(self) -> int:
        """Characters of everything the model reads: the basis of the token heuristic."""
        return len(canonical_json([self.system, self.messages, self.tools]))


class Usage(BaseModel):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


StopReason = Literal["end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal",
                     "model_context_window_exceeded"]


class Response(BaseModel):
    """A model's answer: content blocks in the Messages shape, why it stopped, and what it cost in tokens."""

    model_config = ConfigDict(frozen=True)

    id: str = ""
    model: str = ""
    content: list[dict[str, Any]]
    stop_reason: str | None = None
    usage: Usage = Field(default_factory=Usage)

    @property
    def text(self) -> str:
        return "".join(block.get("text", "") for block in self.content if block.get("type") == "text")

    @property
    def thinking(self) -> str:
        return "".join(block.get("thinking", "") for block in self.content if block.get("type") == "thinking")

    @property
    def tool_uses(self) -> list[dict[str, Any]]:
        return [block for block in self.content if block.get("type") == "tool_use"]

    @property
    def refused(self) -> bool:
        return self.stop_reason == "refusal"

    def tool_input(self, name: str) -> dict[str, Any] | None:
        for block in self.tool_uses:
            if block.get("name") == name:
                return block.get("input")
        return None

    def as_message(self) -> dict[str, Any]:
        """The assistant turn to append to the conversation for the next request."""
        return {"role": "assistant", "content": list(self.content)}
