"""Variation rules: every declared axis value should be able to appear in some instance."""

from __future__ import annotations

from typing import Iterator

from .. import axes as axis_math
from ..diagnostics import Diagnostic
from ..spec import STD_PREFIX
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


@rule("CDL611", "unused-shared-axis", category="variation", level="warning",
      summary="A shared axis is declared but no dilemma or probe family takes it with `vary:`.",
      rationale="A shared axis varies nothing until a family uses it; it is usually a family that forgot "
                "`vary: NAME`, or an axis left behind after a rename. The standard library's axes are exempt.",
      example='axis tone { values: calm | upset }\n\n'
              'principle ethics.kindness "Be kind" {\n'
              '  text: "Be kind to the person you are talking to."\n'
              '  why: "Kindness makes hard news bearable."\n}\n\n'
              'dilemma bad_news teaches ethics.kindness {\n'
              '  user: "Tell me straight whether I failed the exam."\n'
              '  stance: "Answer truthfully and gently."\n}')
def unused_shared_axis(ctx: LintContext) -> Iterator[Diagnostic]:
    c = ctx.constitution
    used = {axis.shared for g in c.generators for axis in g.axes if axis.shared}
    for axis in c.axes:
        if axis.id not in used and not axis.span.file.startswith(STD_PREFIX):
            yield make("CDL611", f"shared axis `{axis.id}` is used by no family; take it in one with "
                                 f"`vary: {axis.id}`, or remove it", axis.name_span or axis.span)
