"""Principles have text and why; priorities and tensions are consistent."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterator

from ..diagnostics import (CONSTRAINT_READS_AS_INSTRUCTION, CONTRADICTORY_TENSION, CRITERION_TAUGHT, MISSING_TEMPLATE, MISSING_TEXT, MISSING_WHY,
                           PRIORITY_CYCLE, TENSION_SELF, UNRESOLVED, Diagnostic, diag)
from .names import order_repeats, unresolved
from ..ir import Constitution
from .registry import CheckOptions, check


@check("principle-fields")
def principle_fields(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for p in c.principles:
        if not p.text.strip():
            yield diag(MISSING_TEXT.code, f"principle `{p.id}` has no `text`", p.name_span or p.span)
        if not p.why.strip() and p.kind != "criterion":  # a comparison states no reason of its own
            yield diag(MISSING_WHY.code, f"principle `{p.id}` has no `why`", p.name_span or p.span)


# Words that make a clause a prohibition or an obligation rather than an instruction to act.
_GOVERNING = re.compile(r"\b(?:never|not|no|nor|refuse|refrain|avoid|always|must|without)\b|n[’']t\b", re.IGNORECASE)


@check("hard-constraint-sense")
def hard_constraint_sense(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for p in c.principles:
        if p.kind == "hard_constraint" and p.text.strip() and not _GOVERNING.search(p.text):
            yield diag(CONSTRAINT_READS_AS_INSTRUCTION.code,
                       f"hard constraint `{p.id}` reads as an instruction to do what it forbids: its text has no "
                       "\"never\", \"not\" or \"always\"; quote the words that govern it with `lead_in:` (e.g. "
                       "`lead_in: \"Claude should never:\"`)", p.name_span or p.span)


@check("priority-order")
def priority_order(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    yield from order_repeats(PRIORITY_CYCLE.code, c.priority, "priority", c.priority_span)


def _value_rank(c: Constitution) -> dict[str, int]:
    return {name: i for i, name in enumerate(dict.fromkeys(c.priority))}


@check("tensions")
def tensions(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    by_pair: dict[tuple[str, str], list] = defaultdict(list)
    for t in c.tensions:
        if t.prevails == t.yields:
            yield diag(TENSION_SELF.code, f"`{t.prevails}` cannot be in tension with itself", t.span)
            continue
        by_pair[(t.prevails, t.yields)].append(t)
    for (a, b), group in by_pair.items():
        for t in group:
            for other in by_pair.get((b, a), []):
                if other.when.strip() == t.when.strip() and (t.span.file, t.span.line) > (other.span.file,
                                                                                           other.span.line):
                    condition = f" when {t.when!r}" if t.when else " (with no condition to tell them apart)"
                    yield diag(CONTRADICTORY_TENSION.code,
                               f"this says `{a}` prevails over `{b}`, but another tension says the opposite"
                               f"{condition}", t.span,
                               notes=(f"the other is at {other.span.file}:{other.span.line}",))
    # A tension that contradicts the declared priority of core values is a contradiction too.
    rank = _value_rank(c)
    for t in c.tensions:
        if t.prevails in rank and t.yields in rank and rank[t.prevails] > rank[t.yields] and not t.when.strip():
            yield diag(CONTRADICTORY_TENSION.code,
                       f"`{t.prevails}` ranks below `{t.yields}` in the priority order, yet this tension says it "
                       "prevails with no condition", t.span)
    # Unconditional tensions that form a cycle (a over b, b over c, c over a) contradict each other.
    graph: dict[str, set[str]] = defaultdict(set)
    for t in c.tensions:
        if not t.when.strip():
            graph[t.prevails].add(t.yields)
    cycle = _find_cycle(graph)
    if cycle and len(cycle) > 3:
        first = next(t for t in c.tensions if t.prevails == cycle[0] and t.yields == cycle[1])
        yield diag(CONTRADICTORY_TENSION.code,
                   "unconditional tensions form a cycle: " + " over ".join(f"`{n}`" for n in cycle), first.span)


@check("criteria")
def criteria(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for g in c.generators:
        verb = "teaches" if g.kind == "dilemma" else "tests"
        for pid, span in zip(g.principles, g.principle_spans):
            p = c.principle(pid)
            if p is not None and p.kind == "criterion":
                yield diag(CRITERION_TAUGHT.code, f"{g.kind} `{g.id}` {verb} `{pid}`, a judging criterion; name it "
                                                  "in `judged_by:` instead", span)
        for pid in g.judged_by:
            p = c.principle(pid)
            if p is None:
                yield unresolved("criterion", pid, [q.id for q in c.principles if q.kind == "criterion"],
                                 g.field_span("judged_by"))
            elif p.kind != "criterion":
                yield diag(CRITERION_TAUGHT.code, f"`judged_by` names `{pid}`, which is not a criterion (`kind: "
                                                  "criterion`)", g.field_span("judged_by"))
        if g.kind != "dilemma":
            continue
        parts = [name for name in ("draft", "critique", "revision") if g.template(name) is not None]
        if parts and g.template("draft") is None:
            yield diag(MISSING_TEMPLATE.code, f"dilemma `{g.id}` has `{parts[0]}:` but no `draft:` to critique",
                       g.field_span(parts[0]))
        elif parts and g.selects is None and len(g.principles) != 1:
            yield diag(MISSING_TEMPLATE.code,
                       f"dilemma `{g.id}` critiques its draft against one principle per instance: teach one, or "
                       "vary one over the principles it teaches (`vary principle: a | b`)", g.field_span("draft"))


@check("argued-tensions")
def argued_tensions(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    declared = {(t.prevails, t.yields) for t in c.tensions}
    for g in c.generators:
        for (a, b), span in zip(g.argues, g.argues_spans):
            if (a, b) in declared:
                continue
            hint = f"; the constitution says `{b}` prevails over `{a}`" if (b, a) in declared else ""
            yield diag(UNRESOLVED.code, f"{g.kind} `{g.id}` argues `{a} > {b}`, but no tension says `{a}` "
                                        f"prevails over `{b}`{hint}", span)


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    colour: dict[str, int] = {}
    for start in sorted(graph):
        if colour.get(start):
            continue
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        path = [start]
        colour[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            if colour.get(child) == 1:
                return path[path.index(child):] + [child]
            if not colour.get(child):
                colour[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph.get(child, ())))))
    return None
