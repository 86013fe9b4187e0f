"""`constitutionc audit`: what a researcher wants to know about a dataset before training on it.

    report = audit(Path("out"), AuditSettings(), clauses=clause_texts(constitution))

Reads every JSON-lines file of a build (offline or generated) in one streaming
pass (`rows`), feeds the figures (`measures`), then applies the rules
(`rules`). The report is a plain dict whose shape `constitutionc schema audit`
publishes; `render` prints it as text, JSON, Markdown or HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..textmeasures import OverlapIndex, constitution_texts
from .measures import PASTED_WORDS, preference_summary
from .rows import data_files
from .rules import RULES, AuditSettingError, AuditSettings, findings
from .scan import Context, Probes, in_child, jobs_for, plan, run

__all__ = ["AuditSettingError", "AuditSettings", "RULES", "audit", "clause_texts"]

SCHEMA_VERSION = 3  # 3: per-file pair figures, ablation pairs apart; probe placeholders


def clause_texts(constitution) -> list[str]:
    """The texts a training answer should not paste: the constitution's authored sentences (the same
    ones `generate` rejects pasted runs of)."""
    return [text for _, text in constitution_texts(constitution)]


def audit(out_dir: Path, settings: AuditSettings | None = None, clauses: Iterable[str] | None = None,
          constitution: str | None = None, jobs: int | None = None, encoder=None) -> dict:
    """The report of the build in `out_dir`; `clauses` are the texts `constitution` (its path, named in the
    report so it can print the coverage command of the same build) says. `jobs` processes scan the rows
    (default: up to 2 for a large build, else 1); the report is the same for any number. With an
    `encoder` (`textmeasures.embed.Encoder`, the `embeddings` extra) the report has semantic figures too."""
    settings = settings or AuditSettings()
    copied = None
    if clauses is not None:
        copied = OverlapIndex(PASTED_WORDS)
        for number, text in enumerate(clauses):
            copied.add(text, str(number))
    files = data_files(out_dir)
    jobs = jobs_for(sum(path.stat().st_size for path in files), jobs)
    chunks = plan(out_dir, files, jobs=jobs)
    # Probes first: contamination needs every probe text before the first training text.
    probes = Probes.gather(chunks, jobs)
    items, partial = run(chunks, Context(tuple(settings.assistant_names), copied, probes), jobs)
    # The slowest summaries of the samples, the pair classifiers and the families' distinct-n, take as
    # long as the rest: with more than one process, a second one works out the classifiers and half the
    # families while this one does the rest.
    families = partial.families()
    theirs, ours = families[:len(families) // 2], families[len(families) // 2:]

    def classifiers_and_families():
        return (preference_summary(items, partial.pair_sample, partial.ratios, partial.pair_files),
                partial.family_diversity(theirs))

    other = in_child(classifiers_and_families) if jobs > 1 else classifiers_and_families
    our_rows, whole_build = partial.family_diversity(ours), partial.diversity()
    preference, their_rows = other()
    report = {
        "schema_version": SCHEMA_VERSION,
        "build": {"path": str(out_dir), "constitution": constitution},
        "files": sorted(partial.files.values(), key=lambda f: f["path"]),
        "counts": {"training_items": items.items, "kinds": dict(sorted(partial.kinds.items())),
                   "variants": dict(sorted(partial.variants.items())),
                   "clauses": dict(sorted(partial.clauses.items()))},
        "voice": items.voice(copied is not None),
        "preference": preference,
        "diversity": {**whole_build, "families": their_rows + our_rows},
        "contamination": items.contamination(probes.count),
        "environments": partial.environments(probes.systems, probes.tools),
        "specificity": partial.specificity_summary(),
        "placeholders": items.placeholders(),
        "semantic": None,
    }
    if encoder is not None:
        from .semantic import semantic_figures

        report["semantic"] = semantic_figures(partial, probes.prompts, encoder,
                                              settings.options["min-semantic-similarity"])
    report["findings"] = findings(report, settings)
    report["ok"] = not any(f["level"] == "error" for f in report["findings"])
    return report
