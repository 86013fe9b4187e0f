"""Generators name what they teach or test; axes, rules and slots fit together."""

from __future__ import annotations

from typing import Iterator

from .. import axes as axis_math
from ..diagnostics import (BAD_AXIS, BAD_RULE, CONDITION_IDS_MERGE, DUPLICATE_ID, EMPTY_EXPANSION,
                           PRODUCT_TOO_LARGE, TEACHES_NOTHING,
                           UNBOUND_SLOT, UNRESOLVED, UNUSED_AXIS, Diagnostic, diag, did_you_mean)
from ..ir import Constitution, Generator, Span
from ..spec import PRINCIPLE_TEMPLATE_FIELDS
from ..templates import FOCUS, SLOT, condition_slug, slot_positions, slots_in
from .registry import CheckOptions, check


def tool_result_texts(c: Constitution, g: Generator) -> Iterator[tuple[str, str, Span, set[str]]]:
    """Texts of the generator's tools' results: (where, text, span, the call's parameters, which they
    may name as slots besides the generator's axes and slots)."""
    env = c.environment(g.environment) if g.environment else None
    for tool in env.tools if env else ():
        params = {p.name for p in tool.params}
        for case in tool.cases:
            yield f"a result of tool `{tool.name}`", case.result, case.span, params
        if tool.returns is not None:
            yield f"the result of tool `{tool.name}`", tool.returns, tool.returns_span or tool.span, params


def template_texts(c: Constitution, g: Generator) -> Iterator[tuple[str, str, Span]]:
    """Every text of a generator that is rendered with slots: (where, text, span)."""
    # Parallel tuples: a repeatable field (several `misaligned:`) has one span per text.
    for (name, text), (_, span) in zip(g.templates, g.template_spans):
        yield name, text, span
    for slot in g.slots:
        for case, text in slot.cases:
            yield f"slot {slot.name}", text, slot.span
        if slot.default is not None:
            yield f"slot {slot.name}", slot.default, slot.span
    for message in g.messages:
        for key, text in message.fields:
            yield f"{message.kind} {key}", text, message.span
    for turn in g.conversation:
        if turn.role != "tool":
            yield f"the conversation's `{turn.principal or turn.role}` message", turn.text, turn.span
            continue
        for _, text in turn.arguments:
            yield f"the call to `{turn.tool}`", text, turn.span
        if turn.result is not None:
            yield f"the result of the call to `{turn.tool}`", turn.result, turn.span
    env = c.environment(g.environment) if g.environment else None
    if env is not None:
        chosen = set(g.system_variants) or {s.name for s in env.systems}
        for system in env.systems:
            if system.name in chosen:
                yield f"system prompt `{system.name}`", system.text, system.span
        for message in env.messages:
            for key, text in message.fields:
                yield f"{message.kind} {key}", text, message.span


@check("generator-principles")
def generator_principles(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for g in c.generators:
        if not g.principles:
            verb = "teaches" if g.kind == "dilemma" else "tests"
            yield diag(TEACHES_NOTHING.code,
                       f"{g.kind} `{g.id}` {verb} no principle; write `{g.kind} {g.id} {verb} some.principle {{`",
                       g.span)


@check("axes")
def axes(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for g in c.generators:
        yield from _axes_of(c, g, options)


def _axes_of(c: Constitution, g: Generator, options: CheckOptions) -> Iterator[Diagnostic]:
    if any(axis.shared is not None and c.shared_axis(axis.shared) is None for axis in g.axes):
        return  # a shared axis that is not declared (the references check says so) has no values to check
    values_by_axis: dict[str, set[str]] = {}
    broken = False
    for axis in g.axes:
        if axis.name in values_by_axis:
            how = "used" if axis.shared else "declared"
            yield diag(BAD_AXIS.code, f"axis `{axis.name}` is {how} twice in {g.kind} `{g.id}`", axis.span)
            broken = True
            continue
        values_by_axis[axis.name] = set(axis.values)
    forced: dict[str, set[str]] = {}
    for rule in g.rules:
        if rule.action == "set":
            if rule.axis not in values_by_axis:
                yield _unknown_axis(rule.axis, values_by_axis, rule.span)
                broken = True
                continue
            forced.setdefault(rule.axis, set()).add(rule.value)
    for rule in g.rules:
        for cond in rule.conditions:
            if cond.axis not in values_by_axis:
                yield _unknown_axis(cond.axis, values_by_axis, cond.span)
                broken = True
                continue
            known = values_by_axis[cond.axis] | forced.get(cond.axis, set())
            for value in cond.values:
                if value not in known:
                    guess = did_you_mean(value, known)
                    hint = f"; did you mean `{guess}`?" if guess else ""
                    yield diag(BAD_RULE.code, f"axis `{cond.axis}` has no value `{value}`{hint}", cond.span,
                               fix=guess)
                    broken = True
    for message in g.messages:
        for cond in message.include_when:
            if cond.axis not in values_by_axis:
                yield _unknown_axis(cond.axis, values_by_axis, cond.span)
                broken = True
    size = axis_math.raw_size(g)
    if size > options.max_combinations:
        product = " x ".join(f"{len(a.values)} {a.name}" for a in g.axes)
        yield diag(PRODUCT_TOO_LARGE.code,
                   f"{g.kind} `{g.id}` crosses {product} = {size:,} combinations, over the limit of "
                   f"{options.max_combinations:,}", g.span,
                   notes=("raise `max_combinations` in [tool.constitutionc] if this is intended, or drop an axis",))
        return
    if broken:
        return
    if g.axes and next(axis_math.combinations(g), None) is None:
        yield diag(EMPTY_EXPANSION.code, f"the rules of {g.kind} `{g.id}` exclude every combination", g.span)
        return
    yield from _slots_of(c, g, values_by_axis, forced)


def _unknown_axis(name: str, known, span: Span) -> Diagnostic:
    guess = did_you_mean(name, known)
    hint = f"; did you mean `{guess}`?" if guess else ""
    return diag(BAD_RULE.code, f"no axis named `{name}`{hint}", span, fix=guess)


def _slots_of(c: Constitution, g: Generator, values_by_axis: dict[str, set[str]],
              forced: dict[str, set[str]]) -> Iterator[Diagnostic]:
    slot_names = {s.name for s in g.slots}
    seen_slots: set[str] = set()
    for slot in g.slots:
        if slot.name in values_by_axis:
            yield diag(DUPLICATE_ID.code, f"slot `{slot.name}` has the name of an axis of {g.kind} `{g.id}`, so "
                                          f"`{{{slot.name}}}` could mean either; rename one of them", slot.span)
        elif slot.name in seen_slots:
            yield diag(DUPLICATE_ID.code, f"slot `{slot.name}` is defined twice in {g.kind} `{g.id}`", slot.span)
        seen_slots.add(slot.name)
    bound = set(values_by_axis) | slot_names
    used: set[str] = set()
    texts = [(where, text, span, bound) for where, text, span in template_texts(c, g)]
    texts += [(where, text, span, bound | params) for where, text, span, params in tool_result_texts(c, g)]
    for where, text, span, names in texts:
        for name in slots_in(text):
            used.add(name)
            if "." in name:
                owner = name.rpartition(".")[0]
                used.add(owner)
                if c.field_reference(g, name) is None:
                    yield diag(UNBOUND_SLOT.code, f"`{{{name}}}` in {where} reads nothing: "
                                                  f"{_reference_problem(c, g, name)}", _slot_span(span, text, name))
                continue
            if name not in names:
                guess = did_you_mean(name, names)
                hint = f"; did you mean `{{{guess}}}`?" if guess else ""
                yield diag(UNBOUND_SLOT.code,
                           f"`{{{name}}}` in {where} is not an axis or slot of {g.kind} `{g.id}`{hint}",
                           _slot_span(span, text, name), fix=guess)
    yield from _slot_order(g, slot_names)
    reachable_by_axis = None  # one walk of the combinations for all slots (it is the costly part)
    for slot in g.slots:
        if slot.axis not in values_by_axis:
            yield diag(UNRESOLVED.code, f"slot `{slot.name}` reads axis `{slot.axis}`, which {g.kind} `{g.id}` "
                                        "does not vary", slot.span)
            continue
        used.add(slot.axis)
        if reachable_by_axis is None:
            reachable_by_axis = axis_math.reachable_values(g)
        reachable = reachable_by_axis[slot.axis]
        cases = {case for case, _ in slot.cases}
        missing = sorted(reachable - cases)
        if missing and slot.default is None:
            yield diag(UNBOUND_SLOT.code,
                       f"slot `{slot.name}` has no text for {slot.axis} = {', '.join(missing)}; add those cases "
                       "or an `otherwise:` line", slot.span)
        for case in sorted(cases - values_by_axis[slot.axis] - forced.get(slot.axis, set())):
            yield diag(BAD_RULE.code, f"slot `{slot.name}` gives text for `{case}`, which is not a value of "
                                      f"axis `{slot.axis}`", slot.span)
    for message in list(g.messages):
        for cond in message.include_when:
            used.add(cond.axis)
    for axis in g.axes:
        # An axis that selects principles changes what each instance cites even if no text names it.
        if axis.name not in used and axis.name != g.selects:
            yield diag(UNUSED_AXIS.code,
                       f"axis `{axis.name}` is used by no template, slot or condition of {g.kind} `{g.id}`; "
                       f"it multiplies instances by {len(axis.values)} without changing them", axis.span)


def _slot_order(g: Generator, slot_names: set[str]) -> Iterator[Diagnostic]:
    """A slot's text may use axes and the slots declared before it: the build fills slots in order."""
    first: dict[str, int] = {}
    for index, slot in enumerate(g.slots):
        first.setdefault(slot.name, index)
    for index, slot in enumerate(g.slots):
        texts = [text for _case, text in slot.cases] + ([slot.default] if slot.default is not None else [])
        for name in sorted({n for text in texts for n in slots_in(text)} & slot_names):
            if first[name] < index:
                continue
            which = "itself" if name == slot.name else f"slot `{name}`, declared after it"
            yield diag(UNBOUND_SLOT.code, f"slot `{slot.name}` uses `{{{name}}}`, which is {which}; a slot's text "
                                          "may use axes and the slots declared before it", slot.span)


def _reference_problem(c: Constitution, g: Generator, name: str) -> str:
    owner, _, field = name.rpartition(".")
    axis = next((a for a in g.axes if a.name == owner), None)
    if axis is not None and axis.name != g.selects:
        fields = axis.field_names()
        if not fields:
            return (f"the values of axis `{owner}` have no fields (give each value its fields: "
                    f'`{axis.values[0] if axis.values else "value"} {{ {field}: \"...\" }}`)')
        guess = did_you_mean(field, fields)
        return (f"the values of axis `{owner}` have no field `{field}`"
                + (f"; did you mean `{guess}`?" if guess else f" (its fields: {', '.join(fields)})"))
    fields = ", ".join(PRINCIPLE_TEMPLATE_FIELDS)
    if field not in PRINCIPLE_TEMPLATE_FIELDS:
        guess = did_you_mean(field, PRINCIPLE_TEMPLATE_FIELDS)
        return f"a principle has no field `{field}`" + (f"; did you mean `{guess}`?" if guess else f" ({fields})")
    owners = [p.id for p in c.principles] + [FOCUS] + ([g.selects] if g.selects else [])
    guess = did_you_mean(owner, owners)
    hint = f"; did you mean `{guess}`?" if guess else ""
    return (f"`{owner}` is not a principle, `focus`, or an axis of {g.kind} `{g.id}` whose values are "
            f"principles it names{hint}")


def _slot_span(span: Span, text: str, name: str) -> Span:
    """Point at the slot itself when the text sits on one line of the source."""
    if span.line != span.end_line:
        return span
    # The span covers the quoted token; its quotes are one or three characters on each side.
    quote = max(1, (span.end_column - span.column - len(text)) // 2)
    for slot, start, end in slot_positions(text):
        if slot == name:
            return Span(file=span.file, line=span.line, column=span.column + quote + start, end_line=span.line,
                        end_column=span.column + quote + end)
    return span


@check("condition-ids")
def condition_ids(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    """Two values that differ only in spaces or punctuation would give two grid cells one condition id."""
    for g in c.generators:
        if g.kind != "probe":
            continue
        template = g.template("condition")
        if template is not None:
            names = [m.group(1) for m in SLOT.finditer(template) if m.group(1)]
        else:
            names = [axis.name for axis in g.axes]
        for name in dict.fromkeys(names):
            by_id: dict[str, str] = {}
            for value in _condition_fills(g, name):
                first = by_id.setdefault(condition_slug(value), value)
                if first != value:
                    yield diag(CONDITION_IDS_MERGE.code,
                               f"probe `{g.id}`: {first!r} and {value!r} of `{name}` both become "
                               f"`{condition_slug(value)}` in the condition id, so results would pool the two cells; make "
                               "them differ in letters or digits", _fill_span(g, name))
                    break


def _condition_fills(g: Generator, name: str) -> tuple[str, ...]:
    for axis in g.axes:
        if axis.name == name:
            return axis.values
    for slot in g.slots:
        if slot.name == name:
            return tuple(dict.fromkeys(text for _, text in slot.cases))
    return ()


def _fill_span(g: Generator, name: str) -> Span:
    for item in (*g.axes, *g.slots):
        if item.name == name:
            return item.span
    return g.span
