"""The `hf` target: TRL conversational SFT and preference JSONL, for `datasets.load_dataset("json", ...)`.

`datasets` infers one Arrow schema per file, so every column keeps one type on
every row: `sources` is always a list of the same struct, `axes` a list of
`{axis, value}` pairs (generators vary different axes, and a struct with
per-generator keys would not unify), and messages always `{role, content}`.

- `sft.jsonl`: `{"messages": [system?, user, assistant], id, dilemma_id, variant, style,
  generator, principles, axes, sources}`: justified and bare rows; filter on `variant`
  for the ablation.
- `preference.jsonl`: `{"prompt": [system?, user], "chosen": [assistant], "rejected":
  [assistant], ...same extra columns}`.
"""

from __future__ import annotations

from .base import Record, Target, answer_text, chosen_text, prompt_messages, target


def axis_pairs(record: Record) -> list[dict[str, str]]:
    return [{"axis": name, "value": str(value)} for name, value in sorted(record["axes"].items())]


def extra_columns(record: Record) -> dict:
    return {
        "id": record["id"],
        "dilemma_id": record["dilemma_id"],
        "variant": record["variant"],
        "style": record["style"],
        "generator": record["generator"],
        "principles": list(record["principles"]),
        "axes": axis_pairs(record),
        "sources": record["sources"],
    }


@target("hf")
class HuggingFaceTarget(Target):
    description = "TRL conversational SFT and preference JSONL (datasets-loadable)"
    kinds = frozenset({"response"})

    def on_response(self, record: Record) -> None:
        row = extra_columns(record)
        if record["variant"] == "preference":
            row["prompt"] = prompt_messages(record, "plain")
            row["chosen"] = [{"role": "assistant", "content": chosen_text(record)}]
            row["rejected"] = [{"role": "assistant", "content": record["rejected"]}]
            self.jsonl("preference.jsonl").append(row)
        else:
            row["messages"] = [*prompt_messages(record, "plain"),
                               {"role": "assistant", "content": answer_text(record)}]
            self.jsonl("sft.jsonl").append(row)
