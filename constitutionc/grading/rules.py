"""Which rule combines a probe's checks and its judge: the names, the default and how a probe's rule is read.

Declared per probe in its `combine` field (default `both`, as the study required); what each rule makes of
the two verdicts is `evaluate/combine.py` (the eval runner, `grade`, the Inspect scorer); the promptfoo
target writes the same rule as promptfoo assertions. Here, so that the build's targets can read a probe's
rule without importing the eval runner.
"""

from __future__ import annotations

RULES = ("both", "either", "checks", "judge")
DEFAULT_RULE = "both"


def rule_for(probe: dict, judged: bool) -> str:
    """The rule a run of `probe` is graded by: the declared one, else `both`; `checks` when no judge was
    named and none is declared; `judge` when the probe has no checks and the rule needs them both."""
    declared = probe.get("combine") if probe.get("combine") in RULES else None
    if not judged and declared is None and probe.get("checks"):
        return "checks"
    rule = declared or DEFAULT_RULE
    if not probe.get("checks") and rule in ("both", "either"):
        return "judge"
    return rule
