"""Axes with values of several fields, and shared axes.

A family's own axis is `vary tone: calm | angry`, or with fields per value `vary relation { sister {
pronoun: "she" } }`, read in its texts as `{relation.pronoun}`. A shared axis is declared once (`axis
relation { ... }`, at the top level, in an imported file or in the standard library) and used by any
family with `vary: relation`.

Lowering reads one file at a time, so `vary: relation` is lowered as an axis with no values that names
the shared axis it takes them from. Once every file is read, `resolve_uses` gives each such axis the
shared axis's values and fields: every later stage (checks, expansion, records, coverage) sees an
ordinary axis of the family, and a family's digest (`made_from`) covers the values it was built from.
A use naming no shared axis keeps no values; the references check reports it.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable

from .. import ir, spec
from ..diagnostics import (AXIS_FIELD_MISSING, BAD_AXIS, DUPLICATE_KEY, INVALID_VALUE, UNKNOWN_KEY, Diagnostic, diag,
                           did_you_mean)
from .ast import Block, Entry


def family_axes(node, out: list[Diagnostic]) -> list[ir.Axis]:
    """A family's `vary`: its own axis (`vary tone: calm | angry`, or with fields per value `vary relation {
    sister { pronoun: "she" } }`), or the shared axes it uses (`vary: relation, role`), whose values are
    filled in once every file is read (syntax/shared_axes.py)."""
    if isinstance(node, Block):
        if len(node.labels) != 1:
            out.append(diag(INVALID_VALUE.code, "write an axis with fields as `vary NAME { value "
                                                             "{ field: \"text\" } ... }`", node.span))
            return []
        name = node.labels[0].text
        values, fields = axis_values(node.body, f"axis `{name}`", name, out)
        return [ir.Axis.unchecked(name=name, values=values, value_fields=fields, span=node.span)]
    entry = node
    if not entry.labels:
        if entry.value.kind not in ("atom", "list") or not all(a.kind == "name" for a in entry.value.atoms):
            out.append(diag(INVALID_VALUE.code, "`vary:` names the shared axes a family uses: "
                                                             "`vary: relation` or `vary: relation, role`",
                                         entry.value.span, notes=("an axis of the family's own is "
                                                                  "`vary NAME: a | b | c`",)))
            return []
        return [ir.Axis.unchecked(name=a.text, values=(), shared=a.text, span=a.span) for a in entry.value.atoms]
    if len(entry.labels) != 1:
        like_slot = any(a.text == "from" for a in entry.labels)
        out.append(diag(INVALID_VALUE.code, "write an axis as `vary name: a | b | c`",
                                     entry.span, notes=("a text chosen by another axis's value is a slot: "
                                                        "`slot name from axis { value: \"text\" }`",)
                                     if like_slot else ()))
        return []
    if entry.value.kind not in ("choices", "atom"):
        out.append(diag(BAD_AXIS.code,
                                     "separate an axis's values with `|` (e.g. `vary tone: calm | angry`)",
                                     entry.value.span))
        return []
    values = tuple(a.text for a in entry.value.atoms)
    repeated = sorted(v for v, n in Counter(values).items() if n > 1)
    if repeated:
        out.append(diag(BAD_AXIS.code, f"axis `{entry.labels[0].text}` lists {', '.join(map(repr, repeated))} more "
                                       "than once", entry.span))
    return [ir.Axis.unchecked(name=entry.labels[0].text, values=values, span=entry.span)]


def axis_values(body, what: str, name: str, out: list[Diagnostic]) -> tuple[tuple[str, ...], tuple[ir.AxisValue, ...]]:
    """The values of an axis body (a shared axis, or a family's `vary NAME { ... }`): `values: a | b` and one
    block per value with its fields. Every value must give the fields any value gives, so `{NAME.field}`
    reads something for each."""
    values: list[ir.AxisValue] = []
    broken: set[tuple[str, str]] = set()  # (value, field) written but not as a text: reported already
    for node in body:
        if isinstance(node, Entry) and node.key.text == "values" and node.key.kind == "name" and not node.labels:
            if node.value.kind not in ("choices", "atom"):
                out.append(diag(BAD_AXIS.code, "separate an axis's values with `|`: `values: a | b`",
                                             node.value.span))
                continue
            values.extend(ir.AxisValue.unchecked(name=a.text, span=a.span) for a in node.value.atoms)
        elif isinstance(node, Block) and not node.labels:
            fields: dict[str, str] = {}
            for inner in node.body:
                single = inner.value.single if isinstance(inner, Entry) and not inner.labels else None
                if single is None or not single.is_text or inner.key.kind != "name":
                    out.append(diag(INVALID_VALUE.code, f"a field of value `{node.key.text}` is one "
                                                 'text: `pronoun: "she"`', inner.span))
                    broken.add((node.key.text, inner.key.text))
                elif inner.key.text in fields:
                    out.append(diag(DUPLICATE_KEY.code, f"`{inner.key.text}` is given twice for value "
                                                 f"`{node.key.text}`", inner.key.span))
                else:
                    fields[inner.key.text] = single.text
            values.append(ir.AxisValue.unchecked(name=node.key.text, fields=tuple(fields.items()), span=node.key.span))
        elif isinstance(node, Entry) and node.key.kind == "name":
            known = tuple(spec.AXIS)
            guess = did_you_mean(node.key.text, known)
            out.append(diag(UNKNOWN_KEY.code, f"{what} has no field `{node.key.text}`"
                            + (f"; did you mean `{guess}`?" if guess else ""), node.key.span, fix=guess,
                            notes=(f"known fields: {', '.join(known)}",
                                   'a value with fields is a block: `sister { pronoun: "she" }`')))
        else:
            out.append(diag(INVALID_VALUE.code, f"{what} holds `values: a | b` and one block per "
                                         'value with its fields: `sister { pronoun: "she" }`', node.span))
    seen: set[str] = set()
    for value in values:
        if value.name in seen:
            out.append(diag(BAD_AXIS.code, f"{what} lists `{value.name}` more than once", value.span))
        seen.add(value.name)
    names = tuple(dict.fromkeys(key for value in values for key, _ in value.fields))
    if names:
        for value in values:
            missing = [n for n in names if value.field(n) is None and (value.name, n) not in broken]
            if missing:
                listed = ", ".join(f"`{n}`" for n in missing)
                out.append(diag(AXIS_FIELD_MISSING.code,
                                             f"value `{value.name}` of {what} has no {listed}, which its other "
                                             f"values give, so `{{{name}.{missing[0]}}}` would read nothing for it",
                                             value.span))
    return tuple(v.name for v in values), (tuple(values) if names else ())


def resolve_uses(generators: Iterable[ir.Generator], shared: Iterable[ir.SharedAxis]) -> list[ir.Generator]:
    """The generators with each `vary: NAME` given the values and fields of shared axis NAME."""
    by_id: dict[str, ir.SharedAxis] = {}
    for axis in shared:
        by_id.setdefault(axis.id, axis)  # a second declaration is CDL101 (checks/names.py)
    out: list[ir.Generator] = []
    for generator in generators:
        if not any(axis.shared for axis in generator.axes):
            out.append(generator)
            continue
        axes = tuple(axis.model_copy(update={"values": by_id[axis.shared].values,
                                             "value_fields": by_id[axis.shared].value_fields})
                     if axis.shared in by_id else axis for axis in generator.axes)
        named = set(generator.principles)
        selects = generator.selects or next((a.name for a in axes if a.values and set(a.values) <= named), None)
        out.append(generator.model_copy(update={"axes": axes, "selects": selects}))
    return out
