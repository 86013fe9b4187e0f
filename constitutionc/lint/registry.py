"""The one registry of lint rules: metadata and the function that finds problems.

A rule is a function over the resolved IR (given as a `LintContext`) that
yields diagnostics. Registering it with `@rule(...)` also registers its code in
`diagnostics.CODES`, so every report format (SARIF's rule list included) and
every suppression comment knows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from ..diagnostics import CODES, Diagnostic, Severity, register
from ..ir import Constitution, Span

LEVELS = ("error", "warning", "ignore")


@dataclass(frozen=True)
class RuleOption:
    """A tunable threshold of a rule, set under `[tool.constitutionc.lint.options]`."""

    name: str
    default: float | int
    help: str


@dataclass
class LintContext:
    constitution: Constitution
    # Displayed path -> source text, to point at the exact line inside a multi-line text.
    sources: dict[str, str] = field(default_factory=dict)
    options: dict[str, float | int] = field(default_factory=dict)
    max_combinations: int = 100_000

    def option(self, name: str) -> float | int:
        return self.options[name]


RuleFn = Callable[[LintContext], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    level: str  # the default: "error", "warning" or "ignore"
    summary: str
    rationale: str
    example: str
    check: RuleFn
    options: tuple[RuleOption, ...] = ()


RULES: dict[str, Rule] = {}


def rule(code: str, name: str, *, category: str, level: str, summary: str, rationale: str, example: str,
         options: Iterable[RuleOption] = ()) -> Callable[[RuleFn], RuleFn]:
    if level not in LEVELS:
        raise ValueError(f"rule {code}: level must be one of {LEVELS}")

    def add(fn: RuleFn) -> RuleFn:
        if code in RULES:
            raise ValueError(f"lint rule {code} registered twice")
        severity = Severity.ERROR if level == "error" else Severity.WARNING
        register(code, name, severity, category, summary, rationale, example, enabled=level != "ignore")
        RULES[code] = Rule(code, name, category, level, summary, rationale, example, fn, tuple(options))
        return fn

    return add


def all_options() -> dict[str, RuleOption]:
    return {opt.name: opt for r in RULES.values() for opt in r.options}


def categories() -> list[str]:
    return sorted({r.category for r in RULES.values()})


def by_name() -> dict[str, str]:
    return {r.name: code for code, r in RULES.items()}


def make(code: str, message: str, span: Span | None, *, notes: Iterable[str] = ()) -> Diagnostic:
    """A lint diagnostic at its code's enabled severity (levels are applied afterwards)."""
    return Diagnostic(code=code, severity=CODES[code].severity, message=message, span=span,
                      notes=tuple(notes))
