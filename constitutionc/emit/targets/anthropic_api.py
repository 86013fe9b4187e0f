"""The `anthropic` target: Messages API request bodies and Message Batches lines.

- `requests.jsonl`: one Messages API request body per dilemma (the model is asked
  the user's question), per model-drafted dilemma, and per probe (with the environment's tools).
- `batch.jsonl`: the same requests as Message Batches lines, `custom_id` = record id
  (record ids are already 1-64 chars of `[A-Za-z0-9_-]`), in the same order.

No fine-tuning file: the one Anthropic fine-tuning format (Claude on Amazon
Bedrock: `{"system", "messages"}` lines, no other keys) has no place for the ids
and sources every line here must carry, and the openai and hf targets already
write the same conversations in formats their tools read.
"""

from __future__ import annotations

from pathlib import Path

from ...models import DEFAULT_MODEL
from .base import Record, Target, anthropic_turns, target

DEFAULT_MAX_TOKENS = 2048


@target("anthropic")
class AnthropicTarget(Target):
    description = "Messages API requests and Message Batches lines"
    kinds = frozenset({"dilemma", "drafted_dilemma", "probe"})

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

    def on_drafted_dilemma(self, record: Record) -> None:
        self.on_dilemma(record)

    def on_probe(self, record: Record) -> None:
        params = self.request(record, record["user"])
        if record.get("tools"):
            params["tools"] = [{"name": t["name"], "description": t["description"],
                                "input_schema": t["input_schema"]} for t in record["tools"]]
        self.emit_request(record, params)
