"""Tension rules: a family that puts both sides of a tension at stake should say whether it argues it."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic
from ..ir import Constitution, Generator, Tension
from .registry import LintContext, make, rule


def tensions_at_stake(c: Constitution, g: Generator) -> list[Tension]:
    """Tensions both of whose sides a family cites: two of its principles, or one of its principles and
    a core value another of them serves."""
    principles = set(g.principles)
    at_stake = principles | {v for pid in g.principles if (p := c.principle(pid)) is not None for v in p.values}
    return [t for t in c.tensions if t.prevails in at_stake and t.yields in at_stake
            and (t.prevails in principles or t.yields in principles)]


@rule("CDL650", "unargued-tension", category="clarity", level="warning",
      summary="A dilemma family cites both sides of a tension but does not say it argues it.",
      rationale="Only the tensions a family names with `argues: a > b` reach its records, because a tension "
                "whose condition does not hold in the family's situation would contradict the answer. A family "
                "that cites both sides of one has probably forgotten to argue it, or should say it does not "
                "apply with a suppression.",
      example='principle ethics.honesty { text: "Do not deceive." why: "Trust depends on it." }\n'
              'principle help.comfort { text: "Support people kindly." why: "Kindness matters." }\n'
              'tension ethics.honesty over help.comfort { why: "Frame kindly, never falsely." }\n\n'
              'dilemma kind_truth teaches ethics.honesty, help.comfort {\n'
              '  # no `argues: ethics.honesty > help.comfort`\n'
              '  user: "Tell me my dog will be fine."\n'
              '  stance: "Be kind and honest about the uncertainty."\n}')
def unargued_tension(ctx: LintContext) -> Iterator[Diagnostic]:
    c = ctx.constitution
    for g in c.generators:
        if g.kind != "dilemma":
            continue
        argued = set(g.argues)
        for t in tensions_at_stake(c, g):
            if (t.prevails, t.yields) not in argued:
                yield make("CDL650", f"dilemma `{g.id}` cites both `{t.prevails}` and `{t.yields}` but does not "
                                     f"argue their tension; add `argues: {t.prevails} > {t.yields}` if its "
                                     "records should discuss it", g.name_span or g.span)
