"""The `hf` target: a Hugging Face dataset folder, one file per variant and a dataset card.

`datasets.load_dataset(OUT/hf, NAME)` loads each file by its config name (the
card's `configs`), and the folder can be pushed to a dataset hub as it is.
Every assistant turn is an answer the author wrote (`reply:`); what a build
cannot answer without a model stays in the canonical `briefs.jsonl`.

`datasets` infers one Arrow schema per file, so every column keeps one type on
every row: `sources` is always a list of the same struct, `axes` a list of
`{axis, value}` pairs (generators vary different axes, and a struct with
per-generator keys would not unify), and messages always `{role, content}`.

- `justified.jsonl`: TRL conversational SFT, `{"messages": [system?, ..., user,
  assistant]}` where the answer carries the deliberation (the clauses at stake
  and their whys, inline or in `<reasoning>` ahead of the answer);
- `bare.jsonl`: the same answers without the deliberation (the ablation);
- `preference.jsonl`: TRL conversational preference, `{"prompt": [...],
  "chosen": [assistant], "rejected": [assistant]}`: the authored answer against
  each authored wrong answer;
each with id, dilemma_id, variant, style, generator, principles, axes, sources.
"""

from __future__ import annotations

from pathlib import Path

from ... import __version__
from . import yaml_text
from .base import Record, Target, answer_text, chosen_text, prompt_messages, target

# The files, by config name, in the card's order, with what to train on each for.
CONFIGS = (
    ("justified", "supervised fine-tuning on answers that state the principles behind them "
                  "(the deliberation arm of the justified-versus-bare ablation)"),
    ("bare", "supervised fine-tuning on the same answers without the deliberation (the other arm; "
             "also the plain SFT set)"),
    ("preference", "preference tuning (DPO and the like): each authored answer against an authored "
                   "wrong answer to the same prompt"),
)


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


def hub_licence(licence: str) -> str:
    """The card's `license`: the constitution's own identifier when it looks like one, else `other`."""
    word = licence.strip().lower()
    return word if word and all(c.isalnum() or c in ".-+" for c in word) else "other"


@target("hf")
class HuggingFaceTarget(Target):
    description = "Hugging Face dataset folder: one file per variant and a dataset card (datasets-loadable)"
    kinds = frozenset({"response"})

    def on_response(self, record: Record) -> None:
        row = extra_columns(record)
        if record["variant"] == "preference":
            row["prompt"] = prompt_messages(record, "plain")
            row["chosen"] = [{"role": "assistant", "content": chosen_text(record)}]
            row["rejected"] = [{"role": "assistant", "content": record["rejected"]}]
        else:
            row["messages"] = [*prompt_messages(record, "plain"),
                               {"role": "assistant", "content": answer_text(record)}]
        self.jsonl(f"{record['variant']}.jsonl").append(row)

    def finish(self, written: list[Path]) -> list[Path]:
        if not written:
            return []
        return [self.write_text("README.md", self.card())]

    def card(self) -> str:
        """The dataset card: YAML front matter the hub and `datasets` read, then what each file is for."""
        about = self.about
        title = about.get("title") or "Constitution"
        files = [(name, use, self._files[f"{name}.jsonl"].entries) for name, use in CONFIGS
                 if f"{name}.jsonl" in self._files and self._files[f"{name}.jsonl"].entries]
        front = {
            "license": hub_licence(about.get("licence", "")),
            "pretty_name": title,
            "tags": ["constitutionc", "constitution"],
            "configs": [{"config_name": name, "data_files": [{"split": "train", "path": f"{name}.jsonl"}]}
                        for name, _use, _n in files],
            "constitutionc": {"compiler_version": __version__, "constitution": title,
                              "constitution_version": about.get("version", ""),
                              "constitution_licence": about.get("licence", ""),
                              "constitution_sha256": about.get("sha256", "")},
        }
        lines = ["---", yaml_text.dump(front).rstrip("\n"), "---", "", f"# {title}", "",
                 f"Training data compiled by constitutionc {__version__} from the constitution "
                 f"\"{title}\"" + (f", version {about['version']}" if about.get("version") else "")
                 + (f" (sha256 {about['sha256']})" if about.get("sha256") else "") + ".",
                 "Every assistant turn is an answer its author wrote; each row names the clauses it comes "
                 "from (`sources`: clause id, file, lines and the sha256 of the clause text).", "",
                 "| config | file | rows | train on it for |", "|---|---|---|---|"]
        lines += [f"| `{name}` | `{name}.jsonl` | {n} | {use} |" for name, use, n in files]
        lines += ["", "```python", "import datasets", "",
                  f"rows = datasets.load_dataset(\"path/to/this/folder\", \"{files[0][0]}\", split=\"train\")",
                  "```", ""]
        return "\n".join(lines)
