"""`constitutionc lint`: everything `check` reports, plus quality rules from one registry.

Importing this package registers every rule (and its code in
`diagnostics.CODES`). `lint_result` runs the active rules over a loaded
`api.Result` and returns the combined, suppressed, sorted diagnostics.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import INTERNAL, Diagnostic, Severity, apply_suppressions, diag, unique
from .registry import RULES, LintContext, Rule, rule
from .settings import LintSettings, SelectorError, apply_command_line, from_config

# Importing the rule modules registers their rules, in code order.
from . import answers, clarity, coverage, grading, leakage, slips, tensions, variation  # noqa: E402,F401

__all__ = ["RULES", "Rule", "rule", "LintContext", "LintSettings", "LintReport", "SelectorError",
           "settings_for", "no_rules", "lint_result", "merge"]

_SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING}


@dataclass
class LintReport:
    diagnostics: list[Diagnostic]
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def no_rules() -> LintSettings:
    """Settings that run no lint rule: the report is exactly what `constitutionc check` finds."""
    return LintSettings(levels={code: "ignore" for code in RULES})


def merge(reports: list[LintReport]) -> LintReport:
    """One report of several lint runs (one per file), each diagnostic once, in order."""
    combined = unique([d for report in reports for d in report.diagnostics])
    combined.sort(key=Diagnostic.sort_key)
    return LintReport(combined, {name: text for report in reports for name, text in report.sources.items()})


def settings_for(result, enable=(), disable=()) -> LintSettings:
    """Settings from the result's configuration, then the command line. Raises SelectorError."""
    settings = from_config(result.config.lint, result.config.path)
    apply_command_line(settings, enable, disable)
    return settings


def run_rules(context: LintContext, settings: LintSettings) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for code in settings.active():
        entry = RULES[code]
        try:
            produced = list(entry.check(context))
        except Exception as e:  # a rule's bug must not hide the other results
            found.append(diag(INTERNAL.code, f"lint rule {code} ({entry.name}) failed: {type(e).__name__}: {e}"))
            continue
        severity = _SEVERITY[settings.levels[code]]
        found.extend(d if d.severity is severity else d.model_copy(update={"severity": severity})
                     for d in produced)
    return found


def lint_result(result, settings: LintSettings) -> LintReport:
    """Lint a loaded `api.Result`: its own diagnostics plus the active rules' findings."""
    context = LintContext(constitution=result.constitution, sources=result.sources, options=settings.options,
                          max_combinations=result.config.max_combinations)
    found = run_rules(context, settings)
    # Problems with the suppressions themselves were already reported when the files were loaded.
    found = apply_suppressions(result.constitution.suppressions, found, report_problems=False)
    combined = unique(list(result.diagnostics) + found + settings.diagnostics)
    combined.sort(key=Diagnostic.sort_key)
    return LintReport(combined, {**result.sources, **settings.sources})

