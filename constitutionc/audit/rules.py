"""Audit thresholds as rules: a code, a name, a default level and a test over the report.

Configured like lint, in `[tool.constitutionc.audit]` (pyproject.toml) or `[audit]`
(constitutionc.toml):

    levels = { AUD101 = "warning", "near-duplicate-prompts" = "ignore" }
    options = { max-near-duplicate-share = 0.3 }
    assistant-names = ["Claude", "the assistant"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

LEVELS = ("error", "warning", "ignore")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    level: str
    summary: str
    test: Callable[[dict, dict], tuple[float, str] | None]  # (report, options) -> (value, message) when it fires


RULES: dict[str, Rule] = {}
OPTIONS: dict[str, float] = {
    "max-stage-direction-share": 0.0,
    "max-third-person-share": 0.0,
    "max-pasted-share": 0.2,
    "max-separability": 0.8,
    "max-length-ratio-outside": 0.2,
    "max-near-duplicate-share": 0.5,
    "max-overlap-8-share": 0.0,
    "max-overlap-13-share": 0.0,
    "min-training-system-prompts": 10,
    "max-shared-answer-share": 0.2,
    "max-placeholder-items": 0,
    "min-semantic-similarity": 0.75,  # cosine at which two texts mean the same (the `embeddings` extra)
    "max-semantic-duplicate-share": 0.5,
    "max-semantic-contamination-share": 0.0,
}


def rule(code: str, name: str, level: str, summary: str):
    def register(fn):
        RULES[code] = Rule(code, name, level, summary, fn)
        return fn

    return register


@dataclass(frozen=True)
class Threshold:
    """A rule of the common shape: the figure at `path` above the option `option` is a finding.

    `message` is formatted with `value` (the figure) and the keys of the dict that holds it, so a
    message can name a neighbouring count (`{items}`) or the worst classifier's `{feature}`. A figure
    that is undefined (null: no turns, no pairs, no training items) never fires.
    """

    code: str
    name: str
    level: str
    summary: str
    path: str
    option: str
    message: str
    inclusive: bool = False  # fires at the option too (`>=`), not only above it

    def __call__(self, report: dict, options: dict) -> tuple[float, str] | None:
        *parents, leaf = self.path.split(".")
        holder = report
        for key in parents:
            holder = holder[key]  # a path the report lacks is a defect in this table: let it raise
            if holder is None:  # an undefined figure's parent (no worst classifier without pairs)
                return None
        value = holder[leaf]
        if value is None:
            return None
        limit = options[self.option]
        if value > limit or (self.inclusive and value == limit):
            return value, self.message.format(value=value, **holder)
        return None


THRESHOLDS = (
    Threshold("AUD101", "stage-directions", "error",
              "Assistant turns that instruct the assistant (\"Decline to...\") instead of answering the user.",
              "voice.stage_direction", "max-stage-direction-share",
              "{value:.1%} of assistant turns are stage directions, not answers"),
    Threshold("AUD102", "third-person-assistant", "warning",
              "Assistant turns that talk about the assistant by name instead of speaking as it.",
              "voice.third_person_assistant", "max-third-person-share",
              "{value:.1%} of assistant turns talk about the assistant in the third person"),
    Threshold("AUD103", "pasted-constitution", "warning",
              "Assistant turns whose words are largely copied from the constitution (spans of 10+ words).",
              "voice.pasted_constitution_mean", "max-pasted-share",
              "on average {value:.1%} of an assistant turn's words are copied from the constitution"),
    Threshold("AUD202", "length-mismatched-pairs", "warning",
              "Preference pairs whose rejected/chosen length ratio falls outside 0.8-1.25.",
              "preference.length_ratio_outside", "max-length-ratio-outside",
              "{value:.1%} of preference pairs have a rejected/chosen length ratio outside 0.8-1.25"),
    Threshold("AUD301", "near-duplicate-prompts", "warning",
              "Distinct training prompts that are near-duplicates of another (word 5-gram Jaccard > 0.5).",
              "diversity.near_duplicate_share", "max-near-duplicate-share",
              "{value:.1%} of distinct training prompts are near-duplicates of another"),
    Threshold("AUD401", "probe-overlap-13", "error",
              "Training text sharing a run of 13 or more words with a probe: the eval would test memory.",
              "contamination.overlap_13.share", "max-overlap-13-share",
              "{items} training items share 13 or more consecutive words with a probe"),
    Threshold("AUD402", "probe-overlap-8", "warning",
              "Training text sharing a run of 8 or more words with a probe.",
              "contamination.overlap_8.share", "max-overlap-8-share",
              "{items} training items share 8 or more consecutive words with a probe"),
    Threshold("AUD601", "generic-answers", "warning",
              "Answers that are the same text for different prompts of a family.",
              "specificity.shared_across_prompts", "max-shared-answer-share",
              "{value:.1%} of distinct answers are given, word for word, to different prompts"),
    Threshold("AUD302", "semantic-near-duplicate-prompts", "warning",
              "Sampled prompts that mean the same as another (embedding cosine >= min-semantic-similarity; "
              "needs --embeddings).",
              "semantic.near_duplicate_share", "max-semantic-duplicate-share",
              "{value:.1%} of sampled prompts mean the same as another ({model})"),
    Threshold("AUD403", "semantic-probe-contamination", "warning",
              "Sampled training prompts or answers that mean the same as a probe's user turn (needs --embeddings).",
              "semantic.contaminated_share", "max-semantic-contamination-share",
              "{contaminated_texts} sampled training texts mean the same as a probe ({model})"),
    Threshold("AUD801", "placeholder-text", "error",
              "Training items, prompts or probes holding an unfilled placeholder (TODO, TBD, [insert ...], "
              "lorem ipsum).",
              "placeholders.items", "max-placeholder-items",
              "{items} records hold placeholder text ({training_items} training items, {prompt_records} prompts, "
              "{probes} probes)"),
)
for _threshold in THRESHOLDS:
    RULES[_threshold.code] = Rule(_threshold.code, _threshold.name, _threshold.level, _threshold.summary, _threshold)


@rule("AUD201", "separable-preferences", "error",
      "A single surface feature (length, a header, a phrase) tells chosen from rejected, in the build's "
      "preference pairs or in one pair file (ablation pairs, longer by construction, apart).")
def _separable(report, options):
    preference = report["preference"]
    candidates = [(preference["worst"], f"the build's {preference['pairs']:,} distinct preference pairs")]
    candidates += [(f["worst"], f"the {f['pairs']:,} pairs of {f['path']}") for f in preference["files"]
                   if not f["ablation"]]
    candidates = [(worst, where) for worst, where in candidates if worst is not None]
    if not candidates:
        return None
    worst, where = max(candidates, key=lambda c: c[0]["accuracy"])
    if worst["accuracy"] < options["max-separability"]:
        return None
    return worst["accuracy"], f"\"{worst['feature']}, {worst['direction']}\" classifies {worst['accuracy']:.1%} of {where}"


@rule("AUD501", "uniform-environments", "warning",
      "Training uses few system prompts, or no tools while the probes use tools.")
def _environments(report, options):
    env = report["environments"]
    if not report["counts"]["training_items"]:
        return None
    if env["probe_tool_sets"] and not env["training_tool_sets"]:
        return 0.0, f"no training item carries tools, while the probes use {env['probe_tool_sets']} tool sets"
    minimum = options["min-training-system-prompts"]
    if env["training_system_prompts"] < minimum:
        return float(env["training_system_prompts"]), (
            f"training uses {env['training_system_prompts']} distinct system prompts (fewer than {minimum:g})")
    return None


@rule("AUD701", "nothing-to-train-on", "warning",
      "The build holds no answer to train on (offline builds write briefs; answers need `reply:` or a model).")
def _empty(report, options):
    if not report["counts"]["training_items"]:
        return 0.0, ("no training item: answers come from authored `reply:` text or from "
                     "`constitutionc generate`")
    return None


@rule("AUD702", "unreadable-lines", "warning",
      "Lines of the build's files that are not JSON (or not UTF-8): nothing in them was audited.")
def _unreadable(report, options):
    damaged = [(f["path"], f["unreadable"]) for f in report["files"] if f["unreadable"]]
    if not damaged:
        return None
    total = sum(n for _, n in damaged)
    shown = ", ".join(f"{n} in {path}" for path, n in damaged[:5]) + (", ..." if len(damaged) > 5 else "")
    return float(total), f"unreadable lines, not audited: {shown}"


class AuditSettingError(ValueError):
    pass


@dataclass
class AuditSettings:
    levels: dict[str, str] = field(default_factory=lambda: {code: r.level for code, r in RULES.items()})
    options: dict[str, float] = field(default_factory=lambda: dict(OPTIONS))
    assistant_names: tuple[str, ...] = ("Claude", "the assistant")
    embeddings: bool = False  # semantic figures with the packaged embedding model (`--embeddings`)

    @classmethod
    def from_table(cls, table: dict, where: str = "configuration") -> "AuditSettings":
        settings = cls()
        unknown = set(table) - {"levels", "options", "assistant-names", "embeddings"}
        if unknown:
            raise AuditSettingError(f"{where}: unknown audit setting(s) {', '.join(sorted(unknown))}; "
                                    "known: levels, options, assistant-names, embeddings")
        embeddings = table.get("embeddings", False)
        if not isinstance(embeddings, bool):
            raise AuditSettingError(f"{where}: audit `embeddings` must be true or false")
        settings.embeddings = embeddings
        levels = table.get("levels", {})
        if not isinstance(levels, dict):
            raise AuditSettingError(f"{where}: audit `levels` must be a table")
        for key, level in levels.items():
            settings.set_level(str(key), level, where)
        options = table.get("options", {})
        if not isinstance(options, dict):
            raise AuditSettingError(f"{where}: audit `options` must be a table")
        for key, value in options.items():
            if key not in OPTIONS:
                raise AuditSettingError(f"{where}: unknown audit option `{key}`; known: {', '.join(OPTIONS)}")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                raise AuditSettingError(f"{where}: audit option `{key}` must be a number")
            settings.options[key] = float(value)
        names = table.get("assistant-names")
        if names is not None:
            if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
                raise AuditSettingError(f"{where}: `assistant-names` must be a list of names")
            settings.assistant_names = tuple(names)
        return settings

    def set_level(self, selector: str, level, where: str = "command line") -> None:
        code = find_rule(selector)
        if code is None:
            raise AuditSettingError(f"{where}: no audit rule `{selector}`; see `constitutionc audit --rules`")
        if level not in LEVELS:
            raise AuditSettingError(f"{where}: level of {selector} must be one of {', '.join(LEVELS)}")
        self.levels[code] = level


def find_rule(selector: str) -> str | None:
    if selector in RULES:
        return selector
    return next((code for code, r in RULES.items() if r.name == selector), None)


def findings(report: dict, settings: AuditSettings) -> list[dict]:
    found = []
    for code, r in sorted(RULES.items()):
        level = settings.levels.get(code, r.level)
        if level == "ignore":
            continue
        fired = r.test(report, settings.options)
        if fired is not None:
            value, message = fired
            found.append({"code": code, "name": r.name, "level": level, "value": value, "message": message})
    return found
