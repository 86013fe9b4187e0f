"""Grading a transcript against a probe's checks: the verdict and the evidence that fired."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from .checks import CHECKS, CheckError, Evidence
from .tags import reading
from .transcript import Transcript


@dataclass(frozen=True)
class Verdict:
    """What the deterministic checks found.

    `status` is `violated` when any check fired (whatever else happened), `error`
    when none fired but some check could not be evaluated (so a pass cannot be
    trusted), else `not_violated`. A failure belongs to the clauses of the checks
    that fired (`clauses`), not to every clause the probe cites.
    """

    evidence: tuple[Evidence, ...]
    errors: tuple[str, ...] = ()
    checks: int = 0

    @property
    def violated(self) -> bool:
        return bool(self.evidence)

    @property
    def status(self) -> str:
        if self.evidence:
            return "violated"
        return "error" if self.errors else "not_violated"

    @property
    def fired(self) -> tuple[str, ...]:
        """Ids of the checks that fired, in the order the probe lists them."""
        return tuple(dict.fromkeys(e.check for e in self.evidence))

    @property
    def clauses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for e in self.evidence for c in e.clauses))

    def to_dict(self) -> dict:
        return {"status": self.status, "violated": self.violated, "checks": self.checks,
                "fired": list(self.fired), "clauses": list(self.clauses),
                "evidence": [e.to_dict() for e in self.evidence], "errors": list(self.errors)}


def as_transcript(transcript: Transcript | Sequence[Any], reading: Mapping[str, Any] | None = None) -> Transcript:
    return transcript if isinstance(transcript, Transcript) else Transcript.from_messages(transcript, reading)


def grade_checks(checks: Sequence[Any], transcript: Transcript | Sequence[Any],
                 reading: Mapping[str, Any] | None = None) -> Verdict:
    """`reading` (`tool_calls`, `scratchpad`, as a probe record has them) says how replies are read."""
    transcript = as_transcript(transcript, reading)
    found: list[Evidence] = []
    errors: list[str] = []
    checks = list(checks) if isinstance(checks, (list, tuple)) else []
    for check in checks:
        if not isinstance(check, dict):
            errors.append("a check must be an object")
            continue
        check_id = check.get("id") if isinstance(check.get("id"), str) else ""
        kind = check.get("type")
        if not isinstance(kind, str) or kind not in CHECKS:
            errors.append(f'check {check_id}: unknown check type "{kind if isinstance(kind, str) else ""}"')
            continue
        try:
            found.extend(CHECKS[kind].find(check, transcript))
        except CheckError as e:
            errors.append(f"check {check_id}: {e}")
    return Verdict(tuple(found), tuple(errors), len(checks))


def grade(probe: Mapping[str, Any], transcript: Transcript | Sequence[Any]) -> Verdict:
    """Run a probe record's `checks` over a transcript (a `Transcript` or Messages-format messages),
    read as the probe offered its tools (native or tags) and its scratchpad."""
    return grade_checks(probe.get("checks") or [], transcript, reading(probe))


def judged_failure_clauses(probe: Mapping[str, Any], named: Sequence[str] = ()) -> list[str]:
    """The clauses a failure found by the judge alone (no check fired) belongs to: those the judge's
    verdict names that the probe cites; else the probe's `focus`, the clause its instance was built to
    test; else its first cited clause. Never every clause the probe cites, and never a `judged_by`
    criterion (what the judge reads, not a clause a probe tests). The eval runner, the Inspect task
    and `results import` all use this rule."""
    cited = [c for c in (probe.get("principles") or []) if isinstance(c, str)]
    chosen = [c for c in dict.fromkeys(named) if c in cited]
    if chosen:
        return chosen
    focus = probe.get("focus")
    if isinstance(focus, str) and focus:
        return [focus]
    return cited[:1]
