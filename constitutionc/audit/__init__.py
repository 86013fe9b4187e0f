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

from .measures import Contamination, Diversity, Environments, Preferences, Specificity, Voice, VoiceJudge, _key
from .rows import PROBE, TRAINING, data_files, read_rows
from .rules import RULES, AuditSettingError, AuditSettings, findings
from .text import CopiedSpans, assistant_pattern, words

__all__ = ["AuditSettingError", "AuditSettings", "RULES", "audit", "clause_texts"]

SCHEMA_VERSION = 1


def clause_texts(constitution) -> list[str]:
    """The texts a training answer should not paste: every principle's text and why."""
    texts = []
    for principle in constitution.principles:
        texts.extend(t for t in (principle.text, principle.why) if t)
    return texts


def _file_entry(path: str) -> dict:
    return {"path": path, "rows": 0, "training": 0, "probes": 0, "prompts": 0, "other": 0, "unreadable": 0,
            "assistant_turns": 0, "stage_direction": 0, "third_person_assistant": 0, "speaks_as_assistant": 0}


def audit(out_dir: Path, settings: AuditSettings | None = None, clauses: Iterable[str] | None = None) -> dict:
    settings = settings or AuditSettings()
    copied = CopiedSpans.of(clauses) if clauses is not None else None
    pattern = assistant_pattern(settings.assistant_names)
    files = data_files(out_dir)

    # Probes first: contamination needs every probe text before the first training text.
    contamination = Contamination()
    probe_paths = []
    for row in read_rows(out_dir, files):
        if row.role == PROBE:
            contamination.add_probe(row)
            probe_paths.append(row.file)
    judge = VoiceJudge(pattern, settings.assistant_names, copied)
    voice, preferences, diversity = Voice(judge), Preferences(), Diversity()
    environments, specificity = Environments(), Specificity()
    per_file: dict[str, dict] = {}
    kinds: Counter = Counter()
    variants: Counter = Counter()
    clause_counts: Counter = Counter()
    seen: set[int] = set()
    for row in read_rows(out_dir, files):
        entry = per_file.setdefault(row.file, _file_entry(row.file))
        entry["rows"] += 1
        entry[{"training": "training", "probe": "probes", "prompt": "prompts", "unreadable": "unreadable"}.get(row.role, "other")] += 1
        if row.kind:
            kinds[row.kind] += 1
            variants[f"{row.kind}/{row.variant}" if row.variant else row.kind] += 1
            clause_counts.update(row.clauses)
        environments.add(row)
        if row.role != TRAINING:
            continue
        answers = row.assistant + [t for t in (row.chosen,) if t]
        spoken = answers + [t for t in (row.rejected,) if t]  # a rejected answer must sound like one too
        file_voice = Voice(judge)
        for text in spoken:
            file_voice.add(row, text)
        entry["assistant_turns"] += file_voice.turns
        entry["stage_direction"] += file_voice.stage
        entry["third_person_assistant"] += file_voice.third_assistant
        entry["speaks_as_assistant"] += file_voice.speaking
        key = hash((row.system, row.prompt, tuple(row.assistant), row.chosen, row.rejected))  # in-process only
        if key in seen:
            continue
        seen.add(key)
        # Each text is split into words once; every figure below reads the same list.
        tokens = {id(t): words(t) for t in (row.system, row.prompt, *spoken) if t}
        for text in spoken:
            voice.add(row, text, tokens[id(text)])
        if row.chosen is not None and row.rejected is not None:
            preferences.add(row.chosen, row.rejected, tokens[id(row.chosen)], tokens[id(row.rejected)])
        prompt_key = _key(row.prompt)
        answer_keys = [_key(a) for a in answers]
        diversity.add(row, prompt_key, len(tokens.get(id(row.prompt), ())),
                      [(k, a, len(tokens[id(a)])) for k, a in zip(answer_keys, answers)])
        specificity.add(row, prompt_key, answer_keys)
        if contamination.index8:
            contamination.add(row, list(tokens.values()))
        else:
            contamination.rows += 1
    report = {
        "schema_version": SCHEMA_VERSION,
        "files": sorted(per_file.values(), key=lambda f: f["path"]),
        "counts": {"training_items": len(seen), "kinds": dict(sorted(kinds.items())),
                   "variants": dict(sorted(variants.items())), "clauses": dict(sorted(clause_counts.items()))},
        "voice": voice.summary(),
        "preference": preferences.summary(),
        "diversity": diversity.summary(),
        "contamination": contamination.summary(),
        "environments": environments.summary(),
        "specificity": specificity.summary(),
    }
    report["findings"] = findings(report, settings)
    report["ok"] = not any(f["level"] == "error" for f in report["findings"])
    return report
