"""The `openai` target: chat fine-tuning JSONL and preference (DPO) JSONL.

OpenAI's fine-tuning files accept only the documented keys on each line, so the
record ids and sources go to a sidecar, `lineage.jsonl`: one line per emitted
example naming its file, its 1-based line number, the record id and sources.

- `chat.justified.jsonl` / `chat.bare.jsonl`: `{"messages": [system?, user, assistant]}`,
  one file per variant so the with/without-deliberation ablation is two uploads.
- `preference.jsonl`: `{"input": {"messages": [...]}, "preferred_output": [...],
  "non_preferred_output": [...]}`.
- Answers in the separate style (deliberation in `<reasoning>` ahead of the answer) go to files of
  their own, `chat.justified.separate.jsonl`, `preference.separate.jsonl`, `preference.revision.separate.jsonl`:
  a build with both styles answers each prompt twice, and one file would give the justified arm
  twice the bare arm's rows.

From `constitutionc generate` (model-written answers go to the same files):
- `preference.ablation.jsonl`: justified > bare on one dilemma;
- `preference.revision.jsonl`: revision > draft after a critique against one clause;
- `chat.episodes.jsonl`: `{"messages": [...], "tools": [...]}`, fine-tuning with function calling:
  assistant turns with `tool_calls`, `tool` results, the functions offered.
Documents and stories have no place here: OpenAI fine-tunes chat models on conversations only (the
`hf` target writes them as text).
"""

from __future__ import annotations

from .base import Record, Target, answer_text, chosen_text, episode_chat, function_tools, prompt_messages, \
    rejected_text, target


def styled(filename: str, record: Record) -> str:
    """One style per file: `chat.justified.jsonl` holds inline answers, `chat.justified.separate.jsonl`
    the same prompts answered with the reasoning ahead."""
    return filename.replace(".jsonl", ".separate.jsonl") if record.get("style") == "separate" else filename


@target("openai")
class OpenAITarget(Target):
    description = "chat fine-tuning JSONL (justified, bare, tool-calling episodes) and preference JSONL"
    kinds = frozenset({"response", "model_response", "ablation", "revision", "episode"})

    def emit(self, filename: str, example: dict, record: Record) -> None:
        file = self.jsonl(filename)
        file.append(example)
        self.jsonl("lineage.jsonl").append(
            {"file": filename, "line": file.entries, "id": record["id"], "sources": record["sources"]})

    def pair(self, filename: str, record: Record) -> None:
        self.emit(styled(filename, record), {"input": {"messages": prompt_messages(record)},
                             "preferred_output": [{"role": "assistant", "content": chosen_text(record)}],
                             "non_preferred_output": [{"role": "assistant", "content": rejected_text(record)}]},
                  record)

    def on_response(self, record: Record) -> None:
        if record["variant"] == "preference":
            self.pair("preference.jsonl", record)
            return
        self.emit(styled(f"chat.{record['variant']}.jsonl", record),
                  {"messages": [*prompt_messages(record), {"role": "assistant", "content": answer_text(record)}]},
                  record)

    def on_model_response(self, record: Record) -> None:
        self.on_response(record)

    def on_ablation(self, record: Record) -> None:
        self.pair("preference.ablation.jsonl", record)

    def on_revision(self, record: Record) -> None:
        self.pair("preference.revision.jsonl", record)

    def on_episode(self, record: Record) -> None:
        self.emit("chat.episodes.jsonl", {"messages": episode_chat(record), "tools": function_tools(record["tools"])},
                  record)
