"""The `hf` target: a Hugging Face dataset folder, one file per variant and a dataset card.

`datasets.load_dataset(OUT/hf, NAME)` loads each file by its config name (the
card's `configs`), and the folder can be pushed to a dataset hub as it is.
In a build every assistant turn is an answer the author wrote (`reply:`); what a
build cannot answer without a model stays in the canonical `briefs.jsonl`. In
the output of `constitutionc generate` the same files hold the model's answers
(`model_response`), and the generated kinds get configs of their own.

`datasets` infers one Arrow schema per file, so every column keeps one type on
every row: `sources` is always a list of the same struct, `axes` a list of
`{axis, value}` pairs (generators vary different axes, and a struct with
per-generator keys would not unify), and messages always `{role, content}`.

- `justified.jsonl`: TRL conversational SFT, `{"messages": [system?, ..., user,
  assistant]}` where the answer carries the deliberation woven into it (`inline`); at most one
  system message, first (the system prompt and the conversation's developer and system turns joined,
  as open models' chat templates require);
- `justified_separate.jsonl`: the same prompts, the deliberation in `<reasoning>`
  ahead of the answer (`separate`);
- `bare.jsonl`: the same answers without the deliberation (the ablation);
- `preference.jsonl` (and `preference_separate.jsonl`): TRL conversational
  preference, `{"prompt": [...], "chosen": [assistant], "rejected": [assistant]}`:
  the authored answer against each authored wrong answer;
each with id, dilemma_id, variant, style, generator, principles, axes, sources.

One file holds one style. A build or a generate run with both styles answers every prompt
once per style; in one file that would give each prompt twice and the justified arm twice the
rows of the bare arm, so the arms of the ablation would not match (`justified` and `bare` hold
one row per answer of the same dilemmas; the separate style is the other way to train it).

Written by a model (`constitutionc generate`):
- `ablation.jsonl`: justified > bare on one dilemma, in the preference shape (the ablation as a pair);
- `revision.jsonl`: revision > draft after a critique that names and quotes one clause (`critique`);
- `documents.jsonl`, `stories.jsonl`: language-modelling text (`{"text": title, blank line, body}`);
- `episodes.jsonl`: TRL tool calling, `{"messages": [...], "tools": "<JSON>"}`: chat messages with
  `tool_calls` (arguments a JSON string) and `tool` results. `tools` is the JSON text of the function
  definitions, as TRL takes it: tools' parameter schemas differ from row to row, and Arrow would
  align them into one struct, filling the keys a tool never had with nulls.
"""

from __future__ import annotations

from pathlib import Path

from ... import __version__
from . import yaml_text
from ..kinds import KINDS
from .base import Record, Target, answer_text, chosen_text, dumps, episode_chat, function_tools, prompt_messages, \
    rejected_text, target

# The files, by config name, in the card's order, with what to train on each for.
CONFIGS = (
    ("justified", "supervised fine-tuning on answers that state the principles behind them, woven into "
                  "the answer (the deliberation arm of the justified-versus-bare ablation)"),
    ("justified_separate", "the same prompts answered with the deliberation in a `<reasoning>` block ahead of "
                           "the answer (the reasoning-channel style: train on it or on `justified`, not both)"),
    ("bare", "supervised fine-tuning on the same answers without the deliberation (the other arm; "
             "also the plain SFT set)"),
    ("preference", "preference tuning (DPO and the like): each answer against a wrong answer to the same "
                   "prompt, in the same voice (both authored in a build, both model-written by `generate`)"),
    ("preference_separate", "the same pairs in the reasoning-channel style: each side's reasoning in "
                            "`<reasoning>` ahead of its answer"),
    ("ablation", "the justified-versus-bare ablation as preference pairs: the answer with its deliberation "
                 "chosen over the same answer without it"),
    ("revision", "preference tuning on revision over draft: each draft revised after a critique against "
                 "one clause (named and quoted in `critique`)"),
    ("revision_separate", "the same in the reasoning-channel style (drafts whose reasoning was revised too)"),
    ("documents", "continued pretraining or language modelling on documents about each principle and section"),
    ("stories", "language modelling on short stories of an AI acting with integrity under a clause's pressure"),
    ("episodes", "tool-calling SFT on agentic episodes: system prompt, tools, tool calls and results"),
)


def config_name(name: str, record: Record) -> str:
    """The file a row goes to: one style per file (`justified`, `justified_separate`, ...)."""
    return f"{name}_separate" if record.get("style") == "separate" else name


def axis_pairs(record: Record) -> list[dict[str, str]]:
    # A model-written response has no axes of its own (its dilemma has them).
    return [{"axis": name, "value": str(value)} for name, value in sorted((record.get("axes") or {}).items())]


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
    kinds = frozenset({"response", "model_response", "ablation", "revision", "document", "story", "episode"})

    def __init__(self, out_dir: Path):
        super().__init__(out_dir)
        self.model_written = False

    def write(self, kind: str, record: Record) -> None:
        if kind in self.kinds and not KINDS[kind].offline:
            self.model_written = True
        super().write(kind, record)

    def on_model_response(self, record: Record) -> None:
        self.on_response(record)

    def _pair(self, filename: str, record: Record, chosen: str, **columns) -> None:
        self.jsonl(filename).append({
            "id": record["id"], "dilemma_id": record["dilemma_id"], "generator": record["generator"],
            "principles": list(record["principles"]), "sources": record["sources"], **columns,
            "prompt": prompt_messages(record, "plain"), "chosen": [{"role": "assistant", "content": chosen}],
            "rejected": [{"role": "assistant", "content": rejected_text(record)}]})

    def on_ablation(self, record: Record) -> None:
        self._pair("ablation.jsonl", record, record["chosen"])

    def on_revision(self, record: Record) -> None:
        critique = record["critique"]
        self._pair(f"{config_name('revision', record)}.jsonl", record, chosen_text(record), style=record["style"],
                   critique={key: critique.get(key) for key in ("clause", "quote", "problem", "verdict")})

    def _text(self, filename: str, record: Record, title: str, body: str, **columns) -> None:
        self.jsonl(filename).append({"id": record["id"], "text": f"{title}\n\n{body}", **columns,
                                     "principles": list(record["principles"]), "sources": record["sources"]})

    def on_document(self, record: Record) -> None:
        self._text("documents.jsonl", record, record["title"], record["body"], subject=record["subject"],
                   subject_kind=record["subject_kind"], form=record["form"])

    def on_story(self, record: Record) -> None:
        self._text("stories.jsonl", record, record["title"], record["story"], subject=record["subject"],
                   subject_kind=record["subject_kind"], axes=axis_pairs(record))

    def on_episode(self, record: Record) -> None:
        self.jsonl("episodes.jsonl").append({
            "id": record["id"], "environment": record["environment"], "axes": axis_pairs(record),
            "principles": list(record["principles"]), "sources": record["sources"],
            "messages": episode_chat(record, uniform=True), "tools": dumps(function_tools(record["tools"]))})

    def on_response(self, record: Record) -> None:
        row = extra_columns(record)
        if record["variant"] == "preference":
            row["prompt"] = prompt_messages(record, "plain")
            row["chosen"] = [{"role": "assistant", "content": chosen_text(record)}]
            row["rejected"] = [{"role": "assistant", "content": rejected_text(record)}]
        else:
            row["messages"] = [*prompt_messages(record, "plain"),
                               {"role": "assistant", "content": answer_text(record)}]
        self.jsonl(f"{config_name(record['variant'], record)}.jsonl").append(row)

    def finish(self, written: list[Path]) -> list[Path]:
        if not written:
            return []
        return [self.write_text("README.md", self.card())]

    WRITTEN_BY_AUTHOR = "Every assistant turn is an answer its author wrote."
    WRITTEN_BY_MODEL = ("Answers, documents, stories and episodes were written by a model through "
                        "`constitutionc generate`; each row's `id` is the canonical record's, whose `provenance` "
                        "names the provider, model, prompt id and version and the request's hash.")

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
                 (self.WRITTEN_BY_MODEL if self.model_written else self.WRITTEN_BY_AUTHOR)
                 + " Each row names the clauses it comes from (`sources`: clause id, file, lines and the "
                 "sha256 of the clause text).", "",
                 "| config | file | rows | train on it for |", "|---|---|---|---|"]
        lines += [f"| `{name}` | `{name}.jsonl` | {n} | {use} |" for name, use, n in files]
        names = {name for name, _use, _n in files}
        if any(f"{name}_separate" in names for name in names):
            lines += ["", "Each prompt is answered once in each style, and each config holds one style: "
                      "`justified` and `bare` are the two arms of the ablation on the same dilemmas (matched by "
                      "`dilemma_id`), and a `_separate` config holds the same prompts with the deliberation in "
                      "`<reasoning>` ahead of the answer. Train on one style at a time."]
        lines += ["", "```python", "import datasets", "",
                  f"rows = datasets.load_dataset(\"path/to/this/folder\", \"{files[0][0]}\", split=\"train\")",
                  "```", ""]
        if any(name == "episodes" for name, _use, _n in files):
            lines += ["In `episodes`, `tools` is JSON text (`json.loads(row[\"tools\"])` gives the function "
                      "definitions) and each tool call's `arguments` is a JSON string, as the chat-completions "
                      "API sends it.", ""]
        return "\n".join(lines)
