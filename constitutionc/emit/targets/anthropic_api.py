"""The `anthropic` target: Messages API request bodies, Message Batches lines, SFT conversations.

- `requests.jsonl`: one Messages API request body per dilemma (the model is asked
  the user's question) and per probe (with the environment's tools).
- `batch.jsonl`: the same requests as Message Batches lines, `custom_id` = record id
  (record ids are already 1-64 chars of `[A-Za-z0-9_-]`), in the same order.
- `sft.jsonl`: justified and bare responses as Messages-format conversations
  (top-level `system`, user turn, assistant turn) with the record id and sources.

Separate-style reasoning goes inline in the assistant turn: the SDK's thinking
block requires a `signature` that only the API can mint, so a thinking block
built here would be rejected when replayed.
"""

from __future__ import annotations

from pathlib import Path

from .base import Record, Target, anthropic_turns, answer_text, target

DEFAULT_MODEL = "claude-sonnet-5-5"
DEFAULT_MAX_TOKENS = 2048


@target("anthropic")
class AnthropicTarget(Target):
    description = "Messages API requests, Message Batches lines and SFT conversations"
    kinds = frozenset({"dilemma", "response", "probe"})

    takes_model = True

    def __init__(self, out_dir: Path, model: str = DEFAULT_MODEL, max_tokens: int = DEFAULT_MAX_TOKENS):
        super().__init__(out_dir)
        self.model = model
        self.max_tokens = max_tokens

    def request(self, record: Record, user: str) -> dict:
        system, earlier = anthropic_turns(record)
        params: dict = {"model": self.model, "max_tokens": self.max_tokens,
                        "messages": [*earlier, {"role": "user", "content": user}]}
        if system:
            params["system"] = system
        return params

    def emit_request(self, record: Record, params: dict) -> None:
        self.jsonl("requests.jsonl").append(params)
        self.jsonl("batch.jsonl").append({"custom_id": record["id"], "params": params})

    def on_dilemma(self, record: Record) -> None:
        self.emit_request(record, self.request(record, record["prompt"]))

    def on_probe(self, record: Record) -> None:
        params = self.request(record, record["user"])
        if record.get("tools"):
            params["tools"] = [{"name": t["name"], "description": t["description"],
                                "input_schema": t["input_schema"]} for t in record["tools"]]
        self.emit_request(record, params)

    def accepts(self, kind: str, record: Record) -> bool:
        # The Messages format has no preference pairs; the chosen side is the justified
        # response, which arrives as its own record.
        return kind != "response" or record["variant"] != "preference"

    def on_response(self, record: Record) -> None:
        system, earlier = anthropic_turns(record)
        line = {
            "id": record["id"],
            "dilemma_id": record["dilemma_id"],
            "variant": record["variant"],
            "style": record["style"],
            "sources": record["sources"],
            "messages": [*earlier, {"role": "user", "content": record["prompt"]},
                         {"role": "assistant", "content": answer_text(record)}],
        }
        if system:
            line["system"] = system
        self.jsonl("sft.jsonl").append(line)
