"""`constitutionc audit`: what a researcher wants to know about a dataset before training on it.

    report = audit(Path("out"), AuditSettings(), clauses=clause_texts(constitution))

Reads every JSON-lines file of a build (offline or generated) in one streaming
pass (`rows`), feeds the figures (`measures`), then applies the rules
(`rules`). The report is a plain dict whose shape `constitutionc schema audit`
publishes; `render` prints it as text, JSON, Markdown or HTML.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

from ..textmeasures import OverlapIndex, constitution_texts
from .measures import PASTED_WORDS, Contamination, Diversity, Environments, Placeholders, Preferences, Specificity, \
    TextJudge, Voice
from .rows import PROBE, PROMPT, TRAINING, data_files, read_rows
from .rules import RULES, AuditSettingError, AuditSettings, findings

__all__ = ["AuditSettingError", "AuditSettings", "RULES", "audit", "clause_texts"]

SCHEMA_VERSION = 2


def clause_texts(constitution) -> list[str]:
    """The texts a training answer should not paste: the constitution's authored sentences (the same
    ones `generate` rejects pasted runs of)."""
    return [text for _, text in constitution_texts(constitution)]


VOICE_COLUMNS = ("assistant_turns", "stage_direction", "third_person_assistant", "speaks_as_assistant")


def _file_entry(path: str) -> dict:
    return {"path": path, "rows": 0, "training": 0, "probes": 0, "prompts": 0, "other": 0, "unreadable": 0,
            "assistant_turns": 0, "stage_direction": 0, "third_person_assistant": 0, "speaks_as_assistant": 0}


def audit(out_dir: Path, settings: AuditSettings | None = None, clauses: Iterable[str] | None = None,
          constitution: str | None = None) -> dict:
    """The report of the build in `out_dir`; `clauses` are the texts `constitution` (its path, named in the
    report so it can print the coverage command of the same build) says."""
    settings = settings or AuditSettings()
    copied = None
    if clauses is not None:
        copied = OverlapIndex(PASTED_WORDS)
        for number, text in enumerate(clauses):
            copied.add(text, str(number))
    files = data_files(out_dir)

    # Probes first: contamination needs every probe text before the first training text.
    contamination = Contamination()
    for row in read_rows(out_dir, files):
        if row.role == PROBE:
            contamination.add_probe(row)
    judge = TextJudge(tuple(settings.assistant_names), copied, contamination.index)
    voice, preferences, diversity = Voice(copied is not None), Preferences(), Diversity()
    environments, specificity, placeholders = Environments(), Specificity(), Placeholders()
    per_file: dict[str, dict] = {}
    kinds: Counter = Counter()
    variants: Counter = Counter()
    clause_counts: Counter = Counter()
    shapes: dict[tuple[int, ...], tuple[int, ...]] = {}
    seen: dict[int, tuple[int, ...]] = {}  # example -> its turns' voice counts, for the files repeating it
    role_column = {"training": "training", "probe": "probes", "prompt": "prompts", "unreadable": "unreadable"}
    for row in read_rows(out_dir, files):
        entry = per_file.get(row.file)
        if entry is None:
            entry = per_file[row.file] = _file_entry(row.file)
        entry["rows"] += 1
        entry[role_column.get(row.role, "other")] += 1
        if row.kind:
            kinds[row.kind] += 1
            variants[f"{row.kind}/{row.variant}" if row.variant else row.kind] += 1
            clause_counts.update(row.clauses)
        environments.add(row)
        if row.role == PROMPT:
            placeholders.add_prompt(row)
        if row.role != TRAINING:
            continue
        key = hash((row.system, row.prompt, tuple(row.assistant), row.chosen, row.rejected))  # in-process only
        known = seen.get(key)
        if known is not None:  # the same example in another file: its turns sound the same
            for column, count in zip(VOICE_COLUMNS, known):
                entry[column] += count
            continue
        answers = row.assistant + [t for t in (row.chosen,) if t]
        spoken = answers + [t for t in (row.rejected,) if t]  # a rejected answer must sound like one too
        spoken_facts = [judge(text, True, row.prompt) for text in spoken]
        counts = (len(spoken_facts), sum(f.stage for f in spoken_facts), sum(f.third_assistant for f in spoken_facts),
                  sum(not (f.stage or f.third_assistant or f.third_user or f.pasted >= 0.5) for f in spoken_facts))
        for column, count in zip(VOICE_COLUMNS, counts):
            entry[column] += count
        seen[key] = shapes.setdefault(counts, counts)  # a few shapes recur: store each tuple once
        for text, facts in zip(spoken, spoken_facts):
            voice.add(row, text, facts)
        if row.chosen is not None and row.rejected is not None:
            preferences.add(row.chosen, row.rejected, judge(row.chosen, True, row.prompt),
                            judge(row.rejected, True, row.prompt))
        prompt_facts = judge(row.prompt) if row.prompt else None
        answer_facts = spoken_facts[:len(answers)]
        diversity.add(row, prompt_facts, list(zip(answers, answer_facts)))
        specificity.add(row, prompt_facts.key if prompt_facts else 0, [f.key for f in answer_facts])
        read = ([row.system] if row.system else []) + ([row.prompt] if prompt_facts else []) + spoken
        read_facts = ([judge(row.system)] if row.system else []) + ([prompt_facts] if prompt_facts else []) \
            + spoken_facts
        contamination.add(row, read_facts)
        placeholders.add_training(row, list(zip(read, read_facts)))
    report = {
        "schema_version": SCHEMA_VERSION,
        "build": {"path": str(out_dir), "constitution": constitution},
        "files": sorted(per_file.values(), key=lambda f: f["path"]),
        "counts": {"training_items": len(seen), "kinds": dict(sorted(kinds.items())),
                   "variants": dict(sorted(variants.items())), "clauses": dict(sorted(clause_counts.items()))},
        "voice": voice.summary(),
        "preference": preferences.summary(),
        "diversity": diversity.summary(),
        "contamination": contamination.summary(),
        "environments": environments.summary(),
        "specificity": specificity.summary(),
        "placeholders": placeholders.summary(),
    }
    report["findings"] = findings(report, settings)
    report["ok"] = not any(f["level"] == "error" for f in report["findings"])
    return report
