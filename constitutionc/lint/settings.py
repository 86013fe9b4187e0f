"""Which lint rules run, at which level, with which thresholds.

Configuration (`[tool.constitutionc.lint]` in pyproject.toml, or `[lint]` in
constitutionc.toml):

    levels = { CDL603 = "error", "probe-without-check" = "ignore", "category:leakage" = "error" }
    options = { min-shared-words = 10 }

A level names a rule by code or name, or a category as `category:NAME`; the
value is "error", "warning" or "ignore". Precedence, lowest first: each rule's
default, a category in the configuration, a rule in the configuration, a
category on the command line, a rule on the command line, then inline
`# constitutionc: ignore[...]` comments, which always win.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..diagnostics import CODES, UNKNOWN_SUPPRESSION, Diagnostic, Severity, diag, did_you_mean, register
from ..ir import Span
from .registry import LEVELS, RULES, all_options, by_name, categories

BAD_SETTING = register("CDL690", "invalid-lint-setting", Severity.ERROR, "configuration",
                       "A lint setting in the configuration has the wrong form or an unknown key.")

TABLE_KEYS = ("levels", "options")
CATEGORY_PREFIX = "category:"


class SelectorError(ValueError):
    """A command-line `--enable`/`--disable` names no rule or category."""


@dataclass
class LintSettings:
    levels: dict[str, str] = field(default_factory=lambda: {code: r.level for code, r in RULES.items()})
    options: dict[str, float | int] = field(
        default_factory=lambda: {name: opt.default for name, opt in all_options().items()})
    # Problems found in the configuration itself, reported with the lint results.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)

    def active(self) -> list[str]:
        return [code for code, level in self.levels.items() if level != "ignore"]


def resolve_selector(selector: str) -> list[str] | None:
    """The rule codes a selector (code, rule name or `category:NAME`) stands for; None if unknown."""
    if selector.startswith(CATEGORY_PREFIX):
        category = selector[len(CATEGORY_PREFIX):]
        codes = [code for code, r in RULES.items() if r.category == category]
        return codes or None
    if selector in RULES:
        return [selector]
    code = by_name().get(selector)
    return [code] if code else None


def _specificity(selector: str) -> int:
    return 0 if selector.startswith(CATEGORY_PREFIX) else 1


class _ConfigFile:
    """Locates keys in the configuration file so problems point at their line."""

    def __init__(self, path: Path | None):
        self.shown = "<configuration>"
        self.lines: list[str] = []
        if path is not None:
            from ..syntax.resolve import display_path

            self.shown = display_path(path)
            try:
                self.lines = path.read_text(encoding="utf-8").split("\n")
            except (OSError, UnicodeDecodeError):
                self.lines = []

    def span_of(self, key: str) -> Span:
        for number, line in enumerate(self.lines, start=1):
            column = line.find(key)
            if column >= 0 and not line.lstrip().startswith("#"):
                return Span(file=self.shown, line=number, column=column + 1, end_line=number,
                            end_column=column + 1 + len(key))
        return Span(file=self.shown, line=1, column=1, end_line=1, end_column=2)


def from_config(table: dict, path: Path | None) -> LintSettings:
    settings = LintSettings()
    where = _ConfigFile(path)
    if where.lines:
        settings.sources[where.shown] = "\n".join(where.lines)

    def problem(code: str, message: str, key: str, notes: Iterable[str] = ()) -> None:
        settings.diagnostics.append(diag(code, message, where.span_of(key), notes=notes))

    for key in table:
        if key not in TABLE_KEYS:
            guess = did_you_mean(key, TABLE_KEYS)
            problem(BAD_SETTING.code, f"the lint configuration has no key `{key}`"
                    + (f"; did you mean `{guess}`?" if guess else ""), key,
                    notes=[f"known keys: {', '.join(TABLE_KEYS)}"])

    levels = table.get("levels", {})
    if not isinstance(levels, dict):
        problem(BAD_SETTING.code, "`levels` must be a table of selector = \"error\" | \"warning\" | \"ignore\"",
                "levels")
        levels = {}
    # Categories first, then single rules, so the more specific setting wins.
    for selector in sorted(levels, key=_specificity):
        level = levels[selector]
        codes = resolve_selector(selector)
        if codes is None:
            _report_unknown_selector(selector, problem)
            continue
        if level not in LEVELS:
            problem(BAD_SETTING.code, f"the level of `{selector}` must be one of {', '.join(LEVELS)}, "
                                      f"not `{level}`", selector)
            continue
        for code in codes:
            settings.levels[code] = level

    options = table.get("options", {})
    if not isinstance(options, dict):
        problem(BAD_SETTING.code, "`options` must be a table of option = number", "options")
        options = {}
    known = all_options()
    for name, value in options.items():
        if name not in known:
            guess = did_you_mean(name, known)
            problem(BAD_SETTING.code, f"no lint rule has an option `{name}`"
                    + (f"; did you mean `{guess}`?" if guess else ""), name,
                    notes=[f"known options: {', '.join(sorted(known))}"])
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problem(BAD_SETTING.code, f"option `{name}` takes a non-negative number, not `{value!r}`", name)
            continue
        settings.options[name] = value
    return settings


def _report_unknown_selector(selector: str, problem) -> None:
    if selector in CODES:
        problem(BAD_SETTING.code, f"`{selector}` is a check of `constitutionc check`, not a lint rule; "
                                  "only lint rules take levels", selector,
                notes=[f"silence one occurrence with `# constitutionc: ignore[{selector}]`"])
        return
    candidates = list(RULES) + list(by_name()) + [CATEGORY_PREFIX + c for c in categories()]
    guess = did_you_mean(selector, candidates)
    problem(UNKNOWN_SUPPRESSION.code, f"`{selector}` is not a lint rule code, rule name or category"
            + (f"; did you mean `{guess}`?" if guess else ""), selector)


def apply_command_line(settings: LintSettings, enable: Iterable[str], disable: Iterable[str]) -> None:
    """Apply `--enable`/`--disable`; categories first, then rules; a disable beats an enable."""
    requests = [(s, "enable") for s in enable] + [(s, "disable") for s in disable]
    for selector, _ in requests:
        if resolve_selector(selector) is None:
            candidates = list(RULES) + list(by_name()) + [CATEGORY_PREFIX + c for c in categories()]
            guess = did_you_mean(selector, candidates)
            raise SelectorError(f"`{selector}` is not a lint rule code, rule name or category"
                                + (f"; did you mean `{guess}`?" if guess else ""))
    order = {"enable": 0, "disable": 1}
    for selector, action in sorted(requests, key=lambda r: (_specificity(r[0]), order[r[1]])):
        for code in resolve_selector(selector) or ():
            if action == "disable":
                settings.levels[code] = "ignore"
            elif settings.levels[code] == "ignore":
                default = RULES[code].level
                settings.levels[code] = default if default != "ignore" else "warning"
