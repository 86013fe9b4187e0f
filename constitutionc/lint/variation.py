"""Variation rules: every declared axis value should be able to appear in some instance."""

from __future__ import annotations

from typing import Iterator

from .. import axes as axis_math
from ..diagnostics import Diagnostic
from .registry import LintContext, make, rule
from .text import locate


@rule("CDL609", "unreachable-axis-value", category="variation", level="warning",
      summary="An axis value never appears in any combination once the `set` and `exclude` rules apply.",
      rationale="A value that the rules always exclude or overwrite is dead text; it usually means a rule "
                "is broader than intended.",
      example='principle ethics.kindness "Be kind" {\n'
              '  text: "Be kind to the person you are talking to."\n'
              '  why: "Kindness makes hard news bearable."\n}\n\n'
              'dilemma bad_news teaches ethics.kindness {\n'
              '  vary tone: calm | angry\n'
              '  exclude when tone is angry\n'
              '  user: "I am {tone}: tell me straight whether I failed the exam."\n'
              '  stance: "Answer truthfully and gently."\n}')
def unreachable_axis_value(ctx: LintContext) -> Iterator[Diagnostic]:
    for g in ctx.constitution.generators:
        if not g.axes or axis_math.raw_size(g) > ctx.max_combinations:
            continue  # an oversized product is the error CDL303; enumerating it would take too long
        names = {axis.name for axis in g.axes}
        if any(c.axis not in names for r in g.rules for c in r.conditions):
            continue  # a rule over an unknown axis is the error CDL306
        reached = axis_math.reachable_values(g)
        if not any(reached.values()):
            continue  # nothing at all is produced: the error CDL307 says so
        for axis in g.axes:
            if axis.shared is not None:
                continue  # a family takes some values of a shared axis by excluding the others, on purpose
            for value in dict.fromkeys(axis.values):
                if value not in reached.get(axis.name, set()):
                    yield make("CDL609", f"value `{value}` of axis `{axis.name}` in {g.kind} `{g.id}` is never "
                                         "reached after its rules", locate(ctx.sources, axis.span, value))
