"""Syntax tree to IR: give each construct its meaning, one function per construct.

Lowering checks the *shape* of each construct (known keys, value forms,
required fields) and reports problems as diagnostics; it does not look across
constructs (that is `resolve` and the checks). The table `LOWERERS` maps each
top-level keyword to its function; a new construct is one function and one line.
"""

from __future__ import annotations

from ..ir import MISSING_NAME

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from .. import ir, spec
from ..diagnostics import (BAD_AXIS, DUPLICATE_KEY, INVALID_VALUE, MISPLACED, MISSING_TEMPLATE, SYNTAX,
                           UNKNOWN_KEY, Diagnostic, diag, did_you_mean)
from .ast import Atom, Block, Entry, Item, Module, ModuleItem, RuleItem, Value
from .axes import axis_values, family_axes
from .ast import Condition as AstCondition


@dataclass
class Fragment:
    """What one file contributes to the constitution, before imports are joined."""

    file: str
    header: ir.Header | None = None
    imports: list[tuple[str, ir.Span]] = field(default_factory=list)
    values: list[ir.CoreValue] = field(default_factory=list)
    priority: tuple[str, ...] = ()
    priority_span: ir.Span | None = None
    authority: tuple[str, ...] = ()
    authority_span: ir.Span | None = None
    principals: list[ir.Principal] = field(default_factory=list)
    sections: list[ir.Section] = field(default_factory=list)
    principles: list[ir.Principle] = field(default_factory=list)
    tensions: list[ir.Tension] = field(default_factory=list)
    environments: list[ir.Environment] = field(default_factory=list)
    generators: list[ir.Generator] = field(default_factory=list)
    axes: list[ir.SharedAxis] = field(default_factory=list)
    suppressions: list[ir.Suppression] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Fields:
    """The entries of one block, checked against the keys the construct accepts."""

    def __init__(self, what: str, body: Iterable, allowed: dict[str, str], out: list[Diagnostic],
                 *, repeatable: frozenset[str] = frozenset()):
        self.what = what
        self.out = out
        self.entries: dict[str, list] = {}
        previous = None
        for node in split_run_on_fields(body, allowed, out):
            name = node.key.text
            before, previous = previous, node
            if name not in allowed and (slip := _broken_text(before, node)) is not None:
                out.append(diag(INVALID_VALUE.code, slip, node.key.span))
                continue
            if name not in allowed:
                suggestion = did_you_mean(name, allowed)
                hint = f"; did you mean `{suggestion}`?" if suggestion else ""
                known = ", ".join(sorted(allowed))
                out.append(diag(UNKNOWN_KEY.code, f"{what} has no field `{name}`{hint}", node.key.span,
                                notes=(f"known fields: {known}",), fix=suggestion))
                continue
            form = allowed[name]
            if not _form_matches(form, node):
                out.append(diag(INVALID_VALUE.code, f"`{name}` in {what} {_FORM_WORDS[form]}",
                                node.span))
                continue
            if name in self.entries and name not in repeatable:
                out.append(diag(DUPLICATE_KEY.code, f"`{name}` is given twice in {what}",
                                node.key.span, notes=(f"first given at line {self.entries[name][0].span.line}",)))
                continue
            self.entries.setdefault(name, []).append(node)

    def get(self, name: str):
        nodes = self.entries.get(name)
        return nodes[0] if nodes else None

    def all(self, name: str) -> list:
        return self.entries.get(name, [])

    def text(self, name: str, default: str = "") -> str:
        node = self.get(name)
        if node is None:
            return default
        return self.text_of(node, name, default)

    def text_of(self, node, name: str, default: str = "") -> str:
        """The text of one entry of the field (each of a repeatable field's entries has its own)."""
        atom = node.value.single
        if atom is None:
            self.out.append(diag(INVALID_VALUE.code, f"`{name}` must be a single text", node.value.span))
            return default
        return atom.text

    def word(self, name: str, choices: Iterable[str] | None = None) -> str | None:
        node = self.get(name)
        if node is None:
            return None
        atom = node.value.single
        if atom is None:
            self.out.append(diag(INVALID_VALUE.code, f"`{name}` takes one value", node.value.span))
            return None
        if choices is not None and atom.text not in choices:
            options = sorted(choices)
            suggestion = did_you_mean(atom.text, options)
            hint = f"; did you mean `{suggestion}`?" if suggestion else ""
            self.out.append(diag(INVALID_VALUE.code,
                                 f"`{name}` must be one of {', '.join(options)}, not `{atom.text}`{hint}",
                                 atom.span, fix=suggestion))
            return None
        return atom.text

    def words(self, name: str) -> tuple[str, ...]:
        node = self.get(name)
        if node is None:
            return ()
        if node.value.kind not in ("atom", "list"):
            self.out.append(diag(INVALID_VALUE.code, f"`{name}` takes a comma-separated list",
                                 node.value.span))
            return ()
        return tuple(a.text for a in node.value.atoms)

    def integer(self, name: str) -> int | None:
        node = self.get(name)
        if node is None:
            return None
        atom = node.value.single
        if atom is None or atom.kind != "number" or not re.fullmatch(r"[0-9]+", atom.text):
            self.out.append(diag(INVALID_VALUE.code, f"`{name}` must be a whole number", node.value.span))
            return None
        return int(atom.text)


def _broken_text(before, node) -> str | None:
    """Why an unknown "field" right after a text is really part of that text, if it is.

    `text: the assistant never lies` reads `the` as the value and `assistant never lies` as words
    without a `:` (cut off where the next field starts); `text: "Avoid "filler" words"` ends the
    text at the inner quote and reads `filler "words"` so. Only the tree is consulted, never the
    layout, so a reformatted file gets the same message.
    """
    if not isinstance(before, Entry) or before.value.single is None or before.labels:
        return None
    if not isinstance(node, Entry) or node.value.atoms:
        return None  # a field of its own, with its own `:` and value
    value, key, field = before.value.single, node.key, before.key.text
    if value.kind == "name":
        words = " ".join([value.raw, key.raw, *(a.raw for a in node.labels)])
        return (f'text must be quoted: `{field}: {words}` reads `{value.raw}` as the value and `{key.raw}` as '
                f'another field; write `{field}: "{words}"` or a text block `{field}: """{words}"""`')
    if value.kind == "string" and any(a.kind == "string" for a in node.labels[:1]):
        return (f'the `"` before `{key.raw}` ends the text of `{field}` early: escape a quote inside a text '
                f'as `\\"`, or write the text as a block `"""..."""`, where quotes need no escaping')
    return None


# How each key may be written: as `key: value`, `key label: value`, a block or a rule.
_FORM_WORDS = {
    "value": "takes a value after `:`, with no name before it",
    "labelled": "takes a name before the `:` (e.g. `vary tone: calm | angry`)",
    "entry": "takes a value after `:`",
    "block": "is a block: `name { ... }`",
    "labelled_block": "is a block with a name: `name label { ... }`",
    "rule": "is a rule: `... when axis is value`",
    "any_block": "is a block: `name { ... }`",
    "entry_or_block": "takes a value after `:` or a block with a name: `name label { ... }`",
}


def split_run_on_fields(body: Iterable, allowed: dict[str, str], out: list[Diagnostic]) -> list:
    """Undo what a forgotten `:` does to the grammar's generic `key labels: value` form.

    `text "Hello" why: "w"` parses as one entry `text` whose labels are `"Hello"` and `why`.
    A key that takes a plain value has no labels, so a label naming another field of the
    construct is where the next field starts: the entry is cut there, the part before it is
    reported (and kept as `text: "Hello"` when it is a key and one value), and the part from
    it on is read as the field the author wrote. Line breaks play no part, so the formatter's
    layout never changes the meaning.
    """
    nodes: list = []
    for node in body:
        if isinstance(node, Entry) and allowed.get(node.key.text) in ("labelled", "entry_or_block") \
                and len(node.labels) > 1:
            # `vary audience from a` then `user: "..."` on the next line reads as one entry whose
            # labels run into `user`: cut there, so the field after it is not lost.
            cut = next((i for i, label in enumerate(node.labels) if i > 0 and label.kind == "name"
                        and label.text in allowed and label.pos[1] > node.key.pos[1]), None)
            if cut is not None:
                nodes.append(Entry(node.key, node.labels[:cut], Value("atom", (), node.labels[cut - 1].pos),
                                   _join(node.key.pos, node.labels[cut - 1].pos)))
                node = _with_key(node, node.labels[cut], node.labels[cut + 1:])
        while allowed.get(node.key.text, "value") == "value":
            cut = next((i for i, label in enumerate(node.labels)
                        if label.kind == "name" and label.text in allowed), None)
            if cut is None:
                break
            key, head = node.key, node.labels[:cut]
            if node.key.text not in allowed:
                nodes.append(Entry(key, head, Value("atom", (), key.pos), key.pos))  # reported as unknown
            elif len(head) == 1:
                out.append(diag(SYNTAX.code, f"expected `:` between `{key.text}` and its value",
                                _after(key), notes=(f"write `{key.text}: {head[0].raw}`",)))
                nodes.append(Entry(key, (), Value("atom", head, head[0].pos), _join(key.pos, head[0].pos)))
            else:
                out.append(diag(SYNTAX.code, f"expected `:` and a value after `{key.text}`", _after(head[-1] if head else key)))
            node = _with_key(node, node.labels[cut], node.labels[cut + 1:])
        nodes.append(node)
    return nodes


def _after(atom: Atom) -> ir.Span:
    file, _, _, end_line, end_column = atom.pos
    return ir.Span.unchecked(file=file, line=end_line, column=end_column, end_line=end_line, end_column=end_column + 1)


def _join(first, last):
    return (first[0], first[1], first[2], last[3], last[4])


def _with_key(node, key: Atom, labels: tuple[Atom, ...]):
    pos = (node.pos[0], key.pos[1], key.pos[2], node.pos[3], node.pos[4])
    if isinstance(node, Entry):
        return Entry(key, labels, node.value, pos)
    if isinstance(node, Block):
        return Block(key, labels, node.body, pos)
    return RuleItem(key, labels, node.conditions, pos)


# What a node must be to be written in each form of `spec.FORMS`.
_FORM_TESTS: dict[str, Callable[[Any], bool]] = {
    "value": lambda node: isinstance(node, Entry) and not node.labels,
    "labelled": lambda node: isinstance(node, Entry) and bool(node.labels),
    "entry": lambda node: isinstance(node, Entry),
    "block": lambda node: isinstance(node, Block) and not node.labels,
    "labelled_block": lambda node: isinstance(node, Block) and bool(node.labels),
    "any_block": lambda node: isinstance(node, Block),
    "rule": lambda node: isinstance(node, RuleItem),
    "entry_or_block": lambda node: isinstance(node, Entry) or (isinstance(node, Block) and bool(node.labels)),
}


def _form_matches(form: str, node) -> bool:
    return _FORM_TESTS[form](node)


def _require(fields: Fields, names: Iterable[str], what: str, span: ir.Span, code=MISSING_TEMPLATE.code):
    for name in names:
        if fields.get(name) is None:
            fields.out.append(diag(code, f"{what} needs `{name}`", span))


# --- constructs ---------------------------------------------------------------

Lowerer = Callable[[Item, Fragment, "Context"], None]
LOWERERS: dict[str, Lowerer] = {}


def lowers(kind: str):
    def register(fn: Lowerer) -> Lowerer:
        LOWERERS[kind] = fn
        return fn

    return register


@dataclass
class Context:
    section: str | None = None
    depth: int = 0


def _name(item: Item) -> str:
    return item.name.text if item.name else MISSING_NAME


@lowers("constitution")
def _header(item: Item, frag: Fragment, ctx: Context) -> None:
    f = Fields("the constitution header", item.body, spec.forms("constitution"), frag.diagnostics)
    dataset: list[tuple[str, int]] = []
    block = f.get("dataset")
    if block is not None:
        counts = Fields("the dataset block", block.body, spec.forms("dataset"), frag.diagnostics)
        dataset = [(name, n) for name in spec.DATASET if (n := counts.integer(name)) is not None]
    frag.header = ir.Header.unchecked(title=item.title.text if item.title else "", version=f.text("version"),
                            licence=f.text("licence") or f.text("license"), source=f.text("source"),
                            notes=f.text("notes"), dataset=tuple(dataset), span=item.span)


@lowers("import")
def _import(item: Item, frag: Fragment, ctx: Context) -> None:
    if ctx.section is not None:
        frag.diagnostics.append(diag(MISPLACED.code, "imports belong at the top level of a file, not inside a section",
                                     item.keyword_span))
    assert item.name is not None
    if item.name.kind == "name":
        if not item.name.text.startswith("std."):
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         "an unquoted import names a standard library module "
                                         f"(`import std.{item.name.text}`); quote a file path: "
                                         f'`import "{item.name.text}.cdl"`', item.name.span))
            return
        target = "std:" + item.name.text.removeprefix("std.")
    else:
        target = item.name.text
    frag.imports.append((target, item.name.span))


@lowers("value")
def _value(item: Item, frag: Fragment, ctx: Context) -> None:
    f = Fields(f"value `{_name(item)}`", item.body, spec.forms("value"), frag.diagnostics)
    frag.values.append(ir.CoreValue.unchecked(id=_name(item), title=item.title.text if item.title else "",
                                    text=f.text("text"), why=f.text("why"), span=item.span))


@lowers("principal")
def _principal(item: Item, frag: Fragment, ctx: Context) -> None:
    f = Fields(f"principal `{_name(item)}`", item.body, spec.forms("principal"), frag.diagnostics)
    frag.principals.append(ir.Principal.unchecked(id=_name(item), title=item.title.text if item.title else "",
                                        text=f.text("text"), trust=f.text("trust"), why=f.text("why"),
                                        channel=f.word("channel", spec.CHANNELS), span=item.span,
                                        name_span=item.name.span if item.name else None))




@lowers("principle")
def _principle(item: Item, frag: Fragment, ctx: Context) -> None:
    pid = _name(item)
    f = Fields(f"principle `{pid}`", item.body, spec.forms("principle"), frag.diagnostics)
    kind = f.word("kind", spec.PRINCIPLE_KINDS) or "default"
    default = f.word("default", ("on", "off"))
    values = f.words("value")
    # Who may switch depends on the principals the constitution declares: checks/principals.py.
    switchers = f.words("switchable_by")
    if kind == "instructable" and default is None:
        frag.diagnostics.append(diag(MISSING_TEMPLATE.code,
                                     f"instructable principle `{pid}` needs `default: on` or `default: off`",
                                     f.get("kind").value.span))
    if kind != "instructable" and (default is not None or switchers):
        node = f.get("default") or f.get("switchable_by")
        frag.diagnostics.append(diag(INVALID_VALUE.code,
                                     "`default` and `switchable_by` apply only to `kind: instructable`",
                                     node.span))
    text, lead_in = f.text("text"), f.text("lead_in").strip()
    quoted = {"text": f"{lead_in} {text.strip()}", "lead_in": lead_in, "item": text} if lead_in and text else {"text": text}
    frag.principles.append(ir.Principle.unchecked(
        id=pid, title=item.title.text if item.title else "", **quoted, why=f.text("why"),
        value=(values or (None,))[0], values=values, kind=kind, tags=f.words("tags"),
        default_on=None if default is None else default == "on",
        switchable_by=switchers, section=ctx.section, critique=f.text("critique"), revision=f.text("revision"),
        switchable_by_span=f.get("switchable_by").value.span if f.get("switchable_by") else None,
        span=item.span, name_span=item.name.span if item.name else None,
        value_span=f.get("value").value.span if f.get("value") else None))


@lowers("section")
def _section(item: Item, frag: Fragment, ctx: Context) -> None:
    title = item.title.text if item.title else ""
    local = item.name.text if item.name else _slug(title)
    sid = f"{ctx.section}/{local}" if ctx.section else local
    prose_parts = []
    inner = Context(section=sid, depth=ctx.depth + 1)
    for child in item.children:
        if isinstance(child, Entry):
            if child.key.text == "prose" and child.value.single is not None and not child.labels:
                prose_parts.append(child.value.single.text)
            else:
                suggestion = did_you_mean(child.key.text, ["prose"])
                frag.diagnostics.append(diag(UNKNOWN_KEY.code,
                                             f"a section has no field `{child.key.text}`"
                                             + (f"; did you mean `{suggestion}`?" if suggestion else ""),
                                             child.key.span, notes=("known fields: prose",), fix=suggestion))
            continue
        if child.kind in ("constitution", "import"):
            frag.diagnostics.append(diag(MISPLACED.code,
                                         f"`{child.kind}` belongs at the top level of a file, not inside a section",
                                         child.keyword_span))
            continue
        lower_item(child, frag, inner)
    frag.sections.append(ir.Section.unchecked(id=sid, title=title, prose="\n\n".join(prose_parts),
                                    parent=ctx.section, span=item.span))


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return slug or "section"


@lowers("tension")
def _tension(item: Item, frag: Fragment, ctx: Context) -> None:
    prevails, yields = item.relation
    f = Fields(f"tension `{prevails.text} over {yields.text}`", item.body, spec.forms("tension"),
               frag.diagnostics)
    _require(f, ["why"], f"tension `{prevails.text} over {yields.text}`", item.keyword_span)
    frag.tensions.append(ir.Tension.unchecked(prevails=prevails.text, yields=yields.text, when=f.text("when"),
                                    why=f.text("why"), span=item.span, prevails_span=prevails.span,
                                    yields_span=yields.span))


# --- environments ---------------------------------------------------------------

PARAM_TYPES = spec.PARAM_TYPES
MESSAGE_FIELDS = spec.MESSAGE_FIELDS


@lowers("environment")
def _environment(item: Item, frag: Fragment, ctx: Context) -> None:
    eid = _name(item)
    f = Fields(f"environment `{eid}`", item.body, spec.forms("environment"), frag.diagnostics,
               repeatable=spec.repeatable("environment"))
    systems = []
    for entry in f.all("system"):
        if entry.value.single is None:
            frag.diagnostics.append(diag(INVALID_VALUE.code, "a system prompt variant is one text",
                                         entry.value.span))
            continue
        systems.append(ir.SystemVariant.unchecked(name=entry.labels[0].text, text=entry.value.single.text,
                                        span=entry.span))
    tools = [_tool(block, frag) for block in f.all("tool")]
    messages = _messages(f, frag)
    frag.environments.append(ir.Environment.unchecked(id=eid, title=item.title.text if item.title else "",
                                            persona=f.text("persona"), systems=tuple(systems),
                                            tools=tuple(tools), messages=tuple(messages), span=item.span))


def _tool(block: Block, frag: Fragment) -> ir.Tool:
    name = block.labels[0].text
    description = " ".join(a.text for a in block.labels[1:])
    f = Fields(f"tool `{name}`", block.body, spec.forms("tool"), frag.diagnostics,
               repeatable=spec.repeatable("tool"))
    description = f.text("description", description)
    params = []
    for entry in f.all("param"):
        pname = entry.labels[0].text
        optional = any(a.kind == "name" and a.text == "optional" for a in entry.labels[1:])
        pdesc = " ".join(a.text for a in entry.labels[1:] if a.is_text)
        enum: tuple[str, ...] = ()
        ptype = "string"
        if entry.value.kind == "choices":
            enum = tuple(a.text for a in entry.value.atoms)
        elif entry.value.single is not None and entry.value.single.text in PARAM_TYPES:
            ptype = entry.value.single.text
        else:
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         f"parameter `{pname}` needs a type ({', '.join(PARAM_TYPES)}) "
                                         "or a list of choices `a | b`", entry.value.span))
        params.append(ir.Param.unchecked(name=pname, type=ptype, description=pdesc, required=not optional,
                               enum=enum, span=entry.span))
    cases = []
    for entry in f.all("case"):
        if len(entry.labels) != 2 or entry.value.single is None:
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         'write a tool result as `case PARAM "value": "result"`', entry.span))
            continue
        cases.append(ir.ToolCase.unchecked(param=entry.labels[0].text, value=entry.labels[1].text,
                                 result=entry.value.single.text, span=entry.span))
    serves = []
    for entry in f.all("serves"):
        kind = entry.labels[0].text if entry.labels else (entry.value.single.text if entry.value.single else "")
        param = entry.value.single.text if entry.labels and entry.value.single else None
        if kind not in MESSAGE_FIELDS or len(entry.labels) > 1 or (entry.labels and param is None):
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         "write `serves: email` (every email) or `serves document: PARAM` (the "
                                         "document whose field PARAM is the argument)", entry.span))
            continue
        serves.append(ir.Serve.unchecked(kind=kind, param=param, span=entry.span))
    returns = f.text("returns") if f.get("returns") is not None else None
    return ir.Tool.unchecked(name=name, description=description, params=tuple(params), cases=tuple(cases),
                   serves=tuple(serves), returns=returns,
                   returns_span=f.get("returns").value.span if f.get("returns") else None, span=block.span)


def _messages(f: Fields, frag: Fragment) -> list[ir.Message]:
    out = []
    for kind in ("email", "document"):
        for block in f.all(kind):
            mf = Fields(f"this {kind}", block.body, spec.forms(kind), frag.diagnostics)
            values = [(name, mf.text(name)) for name in MESSAGE_FIELDS[kind] if mf.get(name) is not None]
            if kind == "document" and block.labels and mf.get("title") is None:
                values.insert(0, ("title", " ".join(a.text for a in block.labels)))
            include = mf.get("include")
            conditions = _conditions(include.conditions) if include else ()
            out.append(ir.Message.unchecked(kind=kind, fields=tuple(values), include_when=conditions, span=block.span))
    return out


def _conditions(conditions: Iterable[AstCondition]) -> tuple[ir.Condition, ...]:
    return tuple(ir.Condition.unchecked(axis=c.axis.text, negated=c.negated, values=tuple(v.text for v in c.values),
                              span=c.span) for c in conditions)


# --- generators ----------------------------------------------------------------



def _generator(item: Item, frag: Fragment, ctx: Context) -> None:
    gid = _name(item)
    kind = item.kind
    templates = spec.template_fields(kind)
    what = f"{kind} `{gid}`"
    f = Fields(what, item.body, spec.forms(kind), frag.diagnostics, repeatable=spec.repeatable(kind))
    _require(f, [name for name, required in templates.items() if required], what, item.keyword_span)

    axes = []
    for node in f.all("vary"):
        axes.extend(family_axes(node, frag.diagnostics))

    rules = []
    for node in f.all("set"):
        words = [a.text for a in node.labels]
        if len(words) == 3 and words[1] == "to":
            rules.append(ir.Rule.unchecked(action="set", axis=words[0], value=words[2],
                                 conditions=_conditions(node.conditions), span=node.span))
        else:
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         "write a forcing rule as `set axis to value when other is x or y`",
                                         node.span))
    for node in f.all("exclude"):
        if node.labels:
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         "write an exclusion as `exclude when axis is value and other is value`",
                                         node.span))
            continue
        rules.append(ir.Rule.unchecked(action="exclude", conditions=_conditions(node.conditions), span=node.span))

    slots = [s for s in (_slot(block, frag) for block in f.all("slot")) if s is not None]
    named = {a.text for a in item.relation}
    selects = next((axis.name for axis in axes if axis.values and set(axis.values) <= named), None)
    conversation = _conversation(f.get("conversation"), frag) if f.get("conversation") else ()
    argues = []
    for entry in f.all("argues"):
        atoms = entry.value.atoms
        if entry.value.kind != "chain" or len(atoms) != 2 or not all(a.kind == "name" for a in atoms):
            frag.diagnostics.append(diag(INVALID_VALUE.code, "name an argued tension as `argues: prevailing > "
                                                             "yielding`, one per line", entry.value.span))
            continue
        argues.append(((atoms[0].text, atoms[1].text), entry.value.span))
    checks = [_check(block, frag) for block in f.all("check")] if kind == "probe" else []
    tool_calls = _tool_calls(f, axes, rules, frag) if kind == "probe" else None
    scratchpad = f.text("scratchpad") if kind == "probe" and f.get("scratchpad") else None
    if scratchpad is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.\-]*", scratchpad):
        frag.diagnostics.append(diag(INVALID_VALUE.code, "a scratchpad is named by its tag, a name such as "
                                                         "`SCRATCHPAD_REASONING`", f.get("scratchpad").value.span))
        scratchpad = None
    template_entries = [(name, node) for name in templates for node in f.all(name)]
    count = f.integer("count")
    if count == 0:
        frag.diagnostics.append(diag(INVALID_VALUE.code, "`count` must be at least 1", f.get("count").span))
        count = None
    frag.generators.append(ir.Generator.unchecked(
        kind=kind, id=gid, title=f.text("title"), principles=tuple(a.text for a in item.relation),
        principle_spans=tuple(a.span for a in item.relation), axes=tuple(axes), rules=tuple(rules),
        slots=tuple(slots), count=count,
        templates=tuple((name, f.text_of(node, name)) for name, node in template_entries),
        template_spans=tuple((name, node.value.span) for name, node in template_entries),
        environment=f.word("environment"), system_variants=f.words("systems"),
        messages=tuple(_messages(f, frag)) if kind == "probe" else (), checks=tuple(checks),
        combine=f.word("combine", spec.COMBINE_RULES) if kind == "probe" else None, tool_calls=tool_calls,
        scratchpad=scratchpad,
        conversation=conversation, selects=selects, judged_by=f.words("judged_by"), argues=tuple(pair for pair, _ in argues),
        argues_spans=tuple(span for _, span in argues),
        tags=f.words("tags"), section=ctx.section, span=item.span,
        name_span=item.name.span if item.name else None,
        environment_span=f.get("environment").value.span if f.get("environment") else None,
        field_spans=tuple((name, nodes[0].value.span) for name, nodes in f.entries.items()
                          if isinstance(nodes[0], Entry))))


def _tool_calls(f: Fields, axes: list, rules: list, frag: Fragment) -> str | None:
    """`native`, `tags`, or `{AXIS}` where every value the axis can take (declared or forced) is one of them."""
    node = f.get("tool_calls")
    if node is None:
        return None
    atom = node.value.single
    text = atom.text if atom is not None else ""
    if text in spec.TOOL_FORMS:
        return text
    axis_name = text[1:-1] if text.startswith("{") and text.endswith("}") else None
    axis = next((a for a in axes if a.name == axis_name), None)
    if axis is not None:
        values = {*axis.values, *(r.value for r in rules if r.action == "set" and r.axis == axis.name)}
        wrong = sorted(values - set(spec.TOOL_FORMS))
        if not wrong:
            return text
        problem = f"axis `{axis.name}` has values other than {' and '.join(spec.TOOL_FORMS)}: {', '.join(wrong)}"
    else:
        problem = f"write {' or '.join(f'`{form}`' for form in spec.TOOL_FORMS)}, or `\"{{AXIS}}\"` for an axis with those values"
    frag.diagnostics.append(diag(INVALID_VALUE.code, f"`tool_calls`: {problem}", node.value.span))
    return None


LOWERERS["dilemma"] = _generator
LOWERERS["probe"] = _generator

@lowers("axis")
def _axis_decl(item: Item, frag: Fragment, ctx: Context) -> None:
    name = _name(item)
    what = f"shared axis `{name}`"
    values, fields = axis_values(item.body, what, name, frag.diagnostics)
    if not values and name != MISSING_NAME:
        frag.diagnostics.append(diag(BAD_AXIS.code, f"{what} has no values; write `values: a | b` or one block "
                                     'per value: `sister { pronoun: "she" }`', item.keyword_span))
    frag.axes.append(ir.SharedAxis.unchecked(id=name, title=item.title.text if item.title else "", values=values,
                                   value_fields=fields, section=ctx.section, span=item.span,
                                   name_span=item.name.span if item.name else None))


def _conversation(block: Block, frag: Fragment) -> tuple[ir.Turn, ...]:
    """The turns in the order written. A key that is not a role names a principal; whether it is
    declared, and speaks, is for the checks (principals may be declared in another file)."""
    turns = []
    for node in block.body:
        key = node.key.text
        if key == "tool" and isinstance(node, Block) and len(node.labels) == 1:
            turns.append(_tool_turn(node, frag))
        elif isinstance(node, Entry) and not node.labels and node.key.kind == "name" and key != "tool":
            if node.value.single is None or not node.value.single.is_text:
                frag.diagnostics.append(diag(INVALID_VALUE.code, f"a `{key}` message is one text",
                                             node.value.span))
                continue
            role = key if key in spec.CONVERSATION_ROLES else "principal"
            turns.append(ir.Turn.unchecked(role=role, principal=key if role == "principal" else None,
                                 text=node.value.single.text, span=node.span))
        else:
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         "a conversation holds messages (`user: \"...\"`, `assistant: \"...\"`, "
                                         "`developer: \"...\"`) and tool calls (`tool NAME { argument PARAM: "
                                         "\"value\" }`)", node.span))
    return tuple(turns)


def _tool_turn(block: Block, frag: Fragment) -> ir.Turn:
    name = block.labels[0].text
    f = Fields(f"the call to `{name}`", block.body, {n: t.form for n, t in spec.CONVERSATION_TOOL.items()},
               frag.diagnostics, repeatable=frozenset({"argument"}))
    arguments = tuple((e.labels[0].text, e.value.single.text) for e in f.all("argument")
                      if len(e.labels) == 1 and e.value.single is not None)
    result = f.text("result") if f.get("result") is not None else None
    return ir.Turn.unchecked(role="tool", tool=name, arguments=arguments, result=result, span=block.span)


def _slot(block: Block, frag: Fragment) -> ir.Slot | None:
    words = [a.text for a in block.labels]
    if len(words) != 3 or words[1] != "from":
        frag.diagnostics.append(diag(INVALID_VALUE.code,
                                     "write a slot as `slot name from axis { value: \"text\" ... }`",
                                     block.span))
        return None
    cases = []
    default = None
    for node in block.body:
        if not isinstance(node, Entry) or node.labels or node.value.single is None:
            frag.diagnostics.append(diag(INVALID_VALUE.code,
                                         "each line of a slot is `axis_value: \"text\"`", node.span))
            continue
        if node.key.text == "otherwise" and node.key.kind == "name":
            default = node.value.single.text
        else:
            cases.append((node.key.text, node.value.single.text))
    return ir.Slot.unchecked(name=words[0], axis=words[2], cases=tuple(cases), default=default, span=block.span)


def _check(block: Block, frag: Fragment) -> ir.Check:
    cid = block.labels[0].text
    f = Fields(f"check `{cid}`", block.body, spec.forms("check"), frag.diagnostics,
               repeatable=spec.repeatable("check"))
    arguments, conditions = [], []
    for entry in f.all("argument"):
        if len(entry.labels) == 1 and entry.value.single is not None:
            arguments.append((entry.labels[0].text, entry.value.single.text))
        elif (condition := _call_condition(entry, entry.labels[0].text, entry.labels[1:], frag)) is not None:
            conditions.append(condition)
    for entry in f.all("any_argument"):
        if (condition := _call_condition(entry, "*", entry.labels, frag)) is not None:
            conditions.append(condition)
    if f.get("tool") is None and (arguments or conditions or not (f.all("says") or f.all("omits"))):
        frag.diagnostics.append(diag(MISSING_TEMPLATE.code,
                                     f"check `{cid}` needs `tool:` (with optional `argument name: \"text\"`), "
                                     "`says:` or `omits:`", block.span))
    description = f.text("description", " ".join(a.text for a in block.labels[1:]))
    return ir.Check.unchecked(id=cid, description=description, tool=f.word("tool"), arguments=tuple(arguments),
                    conditions=tuple(conditions),
                    says=_alternatives(f.all("says"), frag), omits=_alternatives(f.all("omits"), frag),
                    clauses=f.words("clause"), span=block.span)


# A check's texts may be alternatives, any of which will do: `"a" | "b"`, or as a list, `"a", "b"`.
ALTERNATIVES = ("atom", "choices", "list")


def _alternatives(entries, frag: Fragment) -> tuple[tuple[str, ...], ...]:
    """`says: "a"` or `says: "a" | "b"` (any of them): one entry each."""
    out = []
    for entry in entries:
        if entry.value.kind in ALTERNATIVES:
            out.append(tuple(a.text for a in entry.value.atoms))
        else:
            frag.diagnostics.append(diag(INVALID_VALUE.code, f"`{entry.key.text}` takes a text, or texts separated "
                                                             "by `|` or `,` (any of them)", entry.value.span))
    return tuple(out)


def _call_condition(entry: Entry, argument: str, labels, frag: Fragment) -> ir.CallCondition | None:
    """`argument PARAM TEST: "a" | "b"` or `any_argument TEST: ...`: the test named, any of the texts."""
    written = "`any_argument TEST: \"text\"`" if argument == "*" else "`argument PARAM TEST: \"text\"`"
    if len(labels) > 1:
        frag.diagnostics.append(diag(INVALID_VALUE.code, f"write a condition as {written}", entry.span))
        return None
    test = labels[0].text if labels else "contains"
    if test not in spec.ARGUMENT_TESTS:
        suggestion = did_you_mean(test, spec.ARGUMENT_TESTS)
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        frag.diagnostics.append(diag(INVALID_VALUE.code, f"`{test}` is not an argument test (one of "
                                                         f"{', '.join(spec.ARGUMENT_TESTS)}){hint}",
                                     labels[0].span, fix=suggestion))
        return None
    atoms = entry.value.atoms if entry.value.kind in ALTERNATIVES else ()
    if not atoms:
        frag.diagnostics.append(diag(INVALID_VALUE.code, "an argument test takes a text, or texts separated by "
                                                         "`|` or `,` (any of them)", entry.value.span))
        return None
    return ir.CallCondition.unchecked(argument=argument, test=test, values=tuple(a.text for a in atoms), span=entry.span)


# --- top level -------------------------------------------------------------------

TOP_LEVEL_FIELDS = spec.forms("")


def lower_item(item: ModuleItem, frag: Fragment, ctx: Context) -> None:
    if isinstance(item, Entry):
        _top_level_entry(item, frag, ctx)
        return
    LOWERERS[item.kind](item, frag, ctx)


_ORDER_EXAMPLES = {"priority": "priority: safety > ethics > helpfulness",
                   "authority": "authority: developer > user"}


def _top_level_entry(entry: Entry, frag: Fragment, ctx: Context) -> None:
    name = entry.key.text
    if name == "vary":
        label = entry.labels[0].text if entry.labels else "NAME"
        values = " | ".join(a.raw for a in entry.value.atoms) or "a | b"
        frag.diagnostics.append(diag(MISPLACED.code, "`vary` belongs inside a dilemma or probe family; an axis "
                                     f"several families use is declared once as `axis {label} {{ values: {values} }}` "
                                     f"and used in each family as `vary: {label}`", entry.key.span))
        return
    if name not in TOP_LEVEL_FIELDS or entry.labels:
        suggestion = did_you_mean(name, TOP_LEVEL_FIELDS)
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        frag.diagnostics.append(diag(UNKNOWN_KEY.code, f"unknown top-level field `{name}`{hint}", entry.key.span,
                                     notes=(f"known top-level fields: {', '.join(TOP_LEVEL_FIELDS)}",),
                                     fix=suggestion))
        return
    # Both are orders, highest first: of core values (`priority`) and of principals (`authority`).
    if entry.value.kind not in ("chain", "atom") or not all(a.kind == "name" for a in entry.value.atoms):
        frag.diagnostics.append(diag(INVALID_VALUE.code,
                                     f"write the {name} order as `{_ORDER_EXAMPLES[name]}`", entry.value.span))
        return
    if getattr(frag, f"{name}_span") is not None:
        frag.diagnostics.append(diag(DUPLICATE_KEY.code, f"the {name} order is given twice", entry.key.span))
        return
    setattr(frag, name, tuple(a.text for a in entry.value.atoms))
    setattr(frag, f"{name}_span", entry.span)


SUPPRESSION = re.compile(r"#\s*constitutionc:\s*ignore\[([^\]]*)\]")


def lower_module(module: Module) -> Fragment:
    frag = Fragment(file=module.file)
    for item in module.items:
        lower_item(item, frag, Context())
    for comment in module.comments:
        match = SUPPRESSION.search(comment.text)
        if match:
            codes = tuple(c.strip() for c in match.group(1).split(",") if c.strip())
            frag.suppressions.append(ir.Suppression.unchecked(file=module.file, line=comment.span.line, codes=codes,
                                                    span=comment.span))
    return frag
