"""The `openai` target: chat fine-tuning JSONL and preference (DPO) JSONL.

OpenAI's fine-tuning files accept only the documented keys on each line, so the
record ids and sources go to a sidecar, `lineage.jsonl`: one line per emitted
example naming its file, its 1-based line number, the record id and sources.

- `chat.justified.jsonl` / `chat.bare.jsonl`: `{"messages": [system?, user, assistant]}`,
  one file per variant so the with/without-deliberation ablation is two uploads.
- `preference.jsonl`: `{"input": {"messages": [...]}, "preferred_output": [...],
  "non_preferred_output": [...]}`.
"""

from __future__ import annotations

from .base import Record, Target, answer_text, chosen_text, prompt_messages, target


@target("openai")
class OpenAITarget(Target):
    description = "chat fine-tuning JSONL (justified, bare) and preference JSONL"
    kinds = frozenset({"response"})

    def on_response(self, record: Record) -> None:
        if record["variant"] == "preference":
            filename = "preference.jsonl"
            example = {
                "input": {"messages": prompt_messages(record)},
                "preferred_output": [{"role": "assistant", "content": chosen_text(record)}],
                "non_preferred_output": [{"role": "assistant", "content": record["rejected"]}],
            }
        else:
            filename = f"chat.{record['variant']}.jsonl"
            example = {"messages": [*prompt_messages(record),
                                    {"role": "assistant", "content": answer_text(record)}]}
        file = self.jsonl(filename)
        file.append(example)
        self.jsonl("lineage.jsonl").append(
            {"file": filename, "line": file.entries, "id": record["id"], "sources": record["sources"]})
