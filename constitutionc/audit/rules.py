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
}


def rule(code: str, name: str, level: str, summary: str):
    def register(fn):
        RULES[code] = Rule(code, name, level, summary, fn)
        return fn

    return register


@rule("AUD101", "stage-directions", "error",
      "Assistant turns that instruct the assistant (\"Decline to...\") instead of answering the user.")
def _stage(report, options):
    share = report["voice"]["stage_direction"]
    if share > options["max-stage-direction-share"]:
        return share, f"{share:.1%} of assistant turns are stage directions, not answers"
    return None


@rule("AUD102", "third-person-assistant", "warning",
      "Assistant turns that talk about the assistant by name instead of speaking as it.")
def _third(report, options):
    share = report["voice"]["third_person_assistant"]
    if share > options["max-third-person-share"]:
        return share, f"{share:.1%} of assistant turns talk about the assistant in the third person"
    return None


@rule("AUD103", "pasted-constitution", "warning",
      "Assistant turns whose words are largely copied from the constitution (spans of 10+ words).")
def _pasted(report, options):
    share = report["voice"]["pasted_constitution_mean"]
    if share > options["max-pasted-share"]:
        return share, f"on average {share:.1%} of an assistant turn's words are copied from the constitution"
    return None


@rule("AUD201", "separable-preferences", "error",
      "A single surface feature (length, a header, a phrase) tells chosen from rejected.")
def _separable(report, options):
    worst = report["preference"]["worst"]
    if worst and worst["accuracy"] >= options["max-separability"]:
        return worst["accuracy"], (f"\"{worst['feature']}, {worst['direction']}\" classifies "
                                   f"{worst['accuracy']:.1%} of preference pairs")
    return None


@rule("AUD202", "length-mismatched-pairs", "warning",
      "Preference pairs whose rejected/chosen length ratio falls outside 0.8-1.25.")
def _length(report, options):
    share = report["preference"]["length_ratio_outside"]
    if share > options["max-length-ratio-outside"]:
        return share, f"{share:.1%} of preference pairs have a rejected/chosen length ratio outside 0.8-1.25"
    return None


@rule("AUD301", "near-duplicate-prompts", "warning",
      "Distinct training prompts that are near-duplicates of another (word 5-gram Jaccard > 0.5).")
def _near(report, options):
    share = report["diversity"]["near_duplicate_share"]
    if share > options["max-near-duplicate-share"]:
        return share, f"{share:.1%} of distinct training prompts are near-duplicates of another"
    return None


@rule("AUD401", "probe-overlap-13", "error",
      "Training text sharing a run of 13 or more words with a probe: the eval would test memory.")
def _overlap13(report, options):
    share = report["contamination"]["overlap_13"]["share"]
    if share > options["max-overlap-13-share"]:
        items = report["contamination"]["overlap_13"]["items"]
        return share, f"{items} training items share 13 or more consecutive words with a probe"
    return None


@rule("AUD402", "probe-overlap-8", "warning",
      "Training text sharing a run of 8 or more words with a probe.")
def _overlap8(report, options):
    share = report["contamination"]["overlap_8"]["share"]
    if share > options["max-overlap-8-share"]:
        items = report["contamination"]["overlap_8"]["items"]
        return share, f"{items} training items share 8 or more consecutive words with a probe"
    return None


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


@rule("AUD601", "generic-answers", "warning",
      "Answers that are the same text for different prompts of a family.")
def _generic(report, options):
    share = report["specificity"]["shared_across_prompts"]
    if share > options["max-shared-answer-share"]:
        return share, f"{share:.1%} of distinct answers are given, word for word, to different prompts"
    return None


@rule("AUD701", "nothing-to-train-on", "warning",
      "The build holds no answer to train on (offline builds write briefs; answers need `reply:` or a model).")
def _empty(report, options):
    if not report["counts"]["training_items"]:
        return 0.0, ("no training item: answers come from authored `reply:` text or from "
                     "`constitutionc generate`")
    return None


class AuditSettingError(ValueError):
    pass


@dataclass
class AuditSettings:
    levels: dict[str, str] = field(default_factory=lambda: {code: r.level for code, r in RULES.items()})
    options: dict[str, float] = field(default_factory=lambda: dict(OPTIONS))
    assistant_names: tuple[str, ...] = ("Claude", "the assistant")

    @classmethod
    def from_table(cls, table: dict, where: str = "configuration") -> "AuditSettings":
        settings = cls()
        unknown = set(table) - {"levels", "options", "assistant-names"}
        if unknown:
            raise AuditSettingError(f"{where}: unknown audit setting(s) {', '.join(sorted(unknown))}; "
                                    "known: levels, options, assistant-names")
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
    for code, r in RULES.items():
        level = settings.levels.get(code, r.level)
        if level == "ignore":
            continue
        fired = r.test(report, settings.options)
        if fired is not None:
            value, message = fired
            found.append({"code": code, "name": r.name, "level": level, "value": value, "message": message})
    return found
