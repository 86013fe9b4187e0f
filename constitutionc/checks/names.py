"""Ids are unique and every reference resolves."""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator

from ..diagnostics import DUPLICATE_ID, UNRESOLVED, Diagnostic, diag, did_you_mean
from ..ir import MISSING_NAME, Constitution, Span
from .registry import CheckOptions, check

# What error recovery puts where a construct's name is missing (see syntax/parser.py).


def order_repeats(code: str, order: tuple[str, ...], what: str, span: Span | None) -> Iterator[Diagnostic]:
    """`code` for each name an order (`priority: a > b`, `authority: ...`) gives a second time: it then
    both outranks and yields to the name after its first place."""
    first: dict[str, int] = {}
    for index, name in enumerate(order):
        if name in first:
            yield diag(code, f"`{name}` appears twice in the {what} order, so it both outranks and yields to "
                             f"`{order[first[name] + 1]}`", span)
        first.setdefault(name, index)


def _duplicates(kind: str, nodes) -> Iterator[Diagnostic]:
    first: dict[str, Span] = {}
    for node in nodes:
        if node.id == MISSING_NAME:
            continue  # a name the parser had to invent; its syntax error says all there is to say
        if node.id in first:
            where = first[node.id]
            yield diag(DUPLICATE_ID.code, f"{kind} `{node.id}` is defined twice", node.span,
                       notes=(f"first defined at {where.file}:{where.line}",))
        else:
            first[node.id] = node.span


@check("duplicate-ids")
def duplicate_ids(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    yield from _duplicates("principle", c.principles)
    yield from _duplicates("value", c.values)
    yield from _duplicates("principal", c.principals)
    yield from _duplicates("environment", c.environments)
    yield from _duplicates("section", c.sections)
    # Dilemma and probe families share one namespace: record ids are derived from it.
    yield from _duplicates("generator", c.generators)
    yield from _duplicates("shared axis", c.axes)
    for env in c.environments:
        yield from _duplicates_by_name("tool", env.tools)
        yield from _duplicates_by_name("system prompt variant", env.systems)
    for gen in c.generators:
        yield from _duplicates_by_name("check", gen.checks, attr="id")


def _duplicates_by_name(kind: str, nodes, attr: str = "name") -> Iterator[Diagnostic]:
    seen: dict[str, Span] = {}
    for node in nodes:
        name = getattr(node, attr)
        if name in seen:
            yield diag(DUPLICATE_ID.code, f"{kind} `{name}` is defined twice", node.span,
                       notes=(f"first defined at line {seen[name].line}",))
        else:
            seen[name] = node.span


def unresolved(kind: str, name: str, known, span: Span, notes: tuple[str, ...] = ()) -> Diagnostic:
    known = list(known)
    suggestion = did_you_mean(name, known)
    if suggestion:
        hint = f"; did you mean `{suggestion}`?"
    elif known:
        hint = f"; no defined {kind} has a name close to it"
    else:
        hint = f"; no {kind} is defined"
    return diag(UNRESOLVED.code, f"no {kind} named `{name}`{hint}", span, fix=suggestion, notes=notes)


@check("references")
def references(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    principle_ids = {p.id for p in c.principles}
    value_ids = {v.id for v in c.values}
    env_ids = {e.id for e in c.environments}
    for p in c.principles:
        for value in p.values:
            if value_ids and value not in value_ids:
                yield unresolved("core value", value, value_ids, p.value_span or p.span)
    for name in c.priority:
        if value_ids and name not in value_ids:
            yield unresolved("core value", name, value_ids, c.priority_span)
    for t in c.tensions:
        for name, span in ((t.prevails, t.prevails_span), (t.yields, t.yields_span)):
            if name not in principle_ids and name not in value_ids and name != MISSING_NAME:
                yield unresolved("principle or value", name, principle_ids | value_ids, span or t.span)
    axis_ids = {a.id for a in c.axes}
    for g in c.generators:
        for axis in g.axes:
            if axis.shared is not None and axis.shared not in axis_ids:
                yield unresolved("shared axis", axis.shared, axis_ids, axis.span, notes=(
                    f"declare it once with `axis {axis.shared} {{ values: a | b }}`, or import the file that "
                    "declares it (the standard library's: `import std.axes`)",))
        for name, span in zip(g.principles, g.principle_spans):
            if name not in principle_ids and name != MISSING_NAME:
                yield unresolved("principle", name, principle_ids, span)
        for chk in g.checks:
            for name in chk.clauses:
                if name not in g.principles:
                    yield diag(UNRESOLVED.code,
                               f"check `{chk.id}` names `{name}`, which probe `{g.id}` does not test",
                               chk.span)
        if g.environment is None:
            if g.system_variants:
                yield diag(UNRESOLVED.code, f"`systems` picks variants, but {g.kind} `{g.id}` has no environment",
                           g.field_span("systems"))
            for chk in g.checks:
                if chk.tool:
                    yield diag(UNRESOLVED.code,
                               f"check `{chk.id}` names tool `{chk.tool}`, but probe `{g.id}` has no environment",
                               chk.span)
            continue
        env = c.environment(g.environment)
        if env is None:
            yield unresolved("environment", g.environment, env_ids, g.environment_span or g.span)
            continue
        variant_names = {s.name for s in env.systems}
        for name in g.system_variants:
            if name not in variant_names:
                yield unresolved(f"system prompt variant in `{env.id}`", name, variant_names,
                                 g.field_span("systems"))
        tool_names = {t.name for t in env.tools}
        for chk in g.checks:
            if chk.tool is None:
                continue
            tool = env.tool(chk.tool)
            if tool is None:
                yield unresolved(f"tool in environment `{env.id}`", chk.tool, tool_names, chk.span)
                continue
            params = {p.name for p in tool.params}
            named = [*((a, chk.span) for a, _ in chk.arguments),
                     *((c.argument, c.span) for c in chk.conditions if c.argument != "*")]
            for arg, span in named:
                if arg not in params:
                    yield unresolved(f"parameter of tool `{tool.name}`", arg, params, span)
