"""A symbol index of one file: every definition and every reference, by id, with spans.

Built from the syntax tree (not the IR) because editors need the position of
each name as written, including in half-typed files the parser only partly
recovered. Names live in namespaces: global ones (principle, value, principal,
environment, generator, section, shared_axis) and local ones whose `scope` is the enclosing
environment or generator (tool, system, axis, slot, check) or tool (param).

The index knows nothing of the language server; other tools (a linter, a
refactoring script) can use it as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from ..ir import MISSING_NAME, Span
from ..syntax.ast import Atom, Block, Condition, Entry, Item, Module, RuleItem
from ..syntax.builder import parse_module
from ..spec import STD_MODULE, STD_PREFIX
from ..templates import slot_positions

# An id as the grammar's NAME token spells it.
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*(\.[A-Za-z_][A-Za-z0-9_\-]*)*")

# Namespaces whose names are local to an environment or a generator.
# How an unquoted import begins: `import std.environments.email`.
LOCAL_KINDS = frozenset({"tool", "system", "param", "axis", "slot", "check"})

# Top-level keywords that define a named, globally visible construct.
GLOBAL_DEFINITIONS = {"principle": "principle", "value": "value", "principal": "principal",
                      "environment": "environment", "dilemma": "generator", "probe": "generator"}

# Generator fields that hold plain names rather than text.
_GENERATOR_NAME_FIELDS = frozenset({"count", "tags", "environment", "systems"})


@dataclass(frozen=True)
class Symbol:
    """A definition: what outlines show and references point at."""

    kind: str
    name: str
    scope: str | None
    name_span: Span  # the name as written: where a rename edits
    span: Span  # the whole construct
    keyword: str  # as written: principle, dilemma, probe, vary, tool, ...
    title: str = ""
    fields: tuple[tuple[str, str], ...] = ()  # the construct's single-valued entries
    children: tuple["Symbol", ...] = ()

    def field(self, name: str, default: str = "") -> str:
        return next((value for key, value in self.fields if key == name), default)

    @property
    def renameable(self) -> bool:
        return self.kind not in ("section", "tension", "constitution")


@dataclass(frozen=True)
class Reference:
    """A use of a name. `kinds` lists the namespaces it may name, first match wins
    (a tension side names a principle, or else a core value)."""

    kinds: tuple[str, ...]
    name: str
    scope: str | None
    span: Span
    role: str  # teaches, tests, tension, clause, value, priority, environment, tool, template, ...


@dataclass
class FileIndex:
    file: str
    outline: list[Symbol] = field(default_factory=list)
    definitions: list[Symbol] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    imports: list[Reference] = field(default_factory=list)

    def at(self, line: int, column: int) -> Symbol | Reference | None:
        """The definition name or reference under a 1-based position (the narrowest wins)."""
        best: Symbol | Reference | None = None
        best_width = None
        for node, span in self._named_spans():
            if _touches(span, line, column):
                width = (span.end_line - span.line, span.end_column - span.column)
                if best_width is None or width < best_width:
                    best, best_width = node, width
        return best

    def _named_spans(self) -> Iterator[tuple[Symbol | Reference, Span]]:
        for symbol in self.definitions:
            if symbol.renameable or symbol.kind == "section":
                yield symbol, symbol.name_span
        for ref in self.references:
            yield ref, ref.span
        for ref in self.imports:
            yield ref, ref.span

    def definitions_named(self, kind: str, name: str, scope: str | None = None) -> list[Symbol]:
        return [s for s in self.definitions
                if s.kind == kind and s.name == name and (kind not in LOCAL_KINDS or s.scope == scope)]

    def enclosing(self, kinds: Iterable[str], line: int, column: int) -> Symbol | None:
        """The innermost definition of one of `kinds` whose construct contains the position."""
        wanted = set(kinds)
        found = None
        for symbol in self.definitions:
            if symbol.kind in wanted and _touches(symbol.span, line, column):
                if found is None or _within(symbol.span, found.span):
                    found = symbol
        return found


def _touches(span: Span, line: int, column: int) -> bool:
    """Like Span.contains, but a cursor just after the last character still counts."""
    if line < span.line or line > span.end_line:
        return False
    if line == span.line and column < span.column:
        return False
    if line == span.end_line and column > span.end_column:
        return False
    return True


def _within(inner: Span, outer: Span) -> bool:
    return (inner.line, inner.column) >= (outer.line, outer.column) and \
        (inner.end_line, inner.end_column) <= (outer.end_line, outer.end_column)


# --- building ------------------------------------------------------------------


def index_text(text: str, file: str) -> FileIndex:
    """Index CDL text. Never raises: unparseable text gives an empty index."""
    try:
        module, _ = parse_module(text, file)
        if module is None:
            return FileIndex(file)
        return index_module(module)
    except RecursionError:
        return FileIndex(file)


def index_module(module: Module) -> FileIndex:
    builder = _Builder(FileIndex(module.file))
    builder.index.outline = builder.items(module.items)
    return builder.index


VALUE_FIELD = "field:"  # a Symbol field `field:NAME` holds what each value of an axis gives for field NAME


def _value_fields(blocks) -> tuple[tuple[str, str], ...]:
    """`(field:NAME, "value: text | ...")` per field the value blocks of an axis give, for hover."""
    per_field: dict[str, list[str]] = {}
    for block in blocks:
        for entry in block.body:
            if isinstance(entry, Entry) and entry.value.single is not None:
                per_field.setdefault(entry.key.text, []).append(f"{block.key.text}: {entry.value.single.text}")
    return tuple((VALUE_FIELD + name, " | ".join(texts)) for name, texts in per_field.items())


def _single_fields(body) -> tuple[tuple[str, str], ...]:
    out = []
    for node in body:
        if isinstance(node, Entry) and not node.labels and node.value.single is not None:
            out.append((node.key.text, node.value.single.text))
    return tuple(out)


class _Builder:
    def __init__(self, index: FileIndex):
        self.index = index

    def define(self, symbol: Symbol) -> Symbol:
        self.index.definitions.append(symbol)
        return symbol

    def refer(self, kinds: tuple[str, ...], atom: Atom, role: str, scope: str | None = None) -> None:
        if atom.kind == "name" and atom.text != MISSING_NAME:
            self.index.references.append(Reference(kinds, atom.text, scope, atom.span, role))

    def items(self, items) -> list[Symbol]:
        out = []
        for item in items:
            if isinstance(item, Entry):
                self.top_level_entry(item)
                continue
            handler = _ITEM_HANDLERS.get(item.kind)
            symbol = handler(self, item) if handler else None
            if symbol is not None:
                out.append(symbol)
        return out

    def top_level_entry(self, entry: Entry) -> None:
        if entry.key.text == "priority":
            for atom in entry.value.atoms:
                self.refer(("value",), atom, "priority")
        elif entry.key.text == "authority":
            for atom in entry.value.atoms:
                self.refer(("principal",), atom, "authority")

    # --- constructs ------------------------------------------------------
    def header(self, item: Item) -> Symbol:
        title = item.title.text if item.title else ""
        return self.define(Symbol("constitution", title, None, item.title.span if item.title else item.keyword_span,
                                  _span(item), "constitution", title, _single_fields(item.body)))

    def import_(self, item: Item) -> None:
        if item.name is not None:
            # `import std.a.b` is the standard library's file a/b.cdl, written `std:a.b` as the compiler does.
            target = item.name.text
            if item.name.kind == "name":
                target = STD_PREFIX + target.removeprefix(STD_MODULE)
            self.index.imports.append(Reference(("file",), target, None, item.name.span, "import"))

    def section(self, item: Item) -> Symbol:
        title = item.title.text if item.title else ""
        name_atom = item.name or item.title
        name = item.name.text if item.name else title
        children = tuple(self.items(item.children))
        return self.define(Symbol("section", name, None, name_atom.span if name_atom else item.keyword_span,
                                  _span(item), "section", title, (), children))

    def named(self, item: Item) -> Symbol | None:
        if item.name is None or item.name.text == MISSING_NAME:
            return None
        kind = GLOBAL_DEFINITIONS[item.kind]
        children: tuple[Symbol, ...] = ()
        if item.kind == "principle":
            for node in item.body:
                if isinstance(node, Entry) and node.key.text == "value" and node.value.kind in ("atom", "list"):
                    for atom in node.value.atoms:
                        self.refer(("value",), atom, "value")
                elif isinstance(node, Entry) and node.key.text == "switchable_by":
                    for atom in node.value.atoms:
                        self.refer(("principal",), atom, "switchable_by")
        elif item.kind == "environment":
            children = tuple(self.environment_body(item.name.text, item.body))
        return self.define(Symbol(kind, item.name.text, None, item.name.span, _span(item), item.kind,
                                  item.title.text if item.title else "", _single_fields(item.body), children))

    def shared_axis(self, item: Item) -> Symbol | None:
        if item.name is None or item.name.text == MISSING_NAME:
            return None
        values, fields = [], []
        for node in item.body:
            if isinstance(node, Entry) and node.key.text == "values":
                values.extend(a.text for a in node.value.atoms)
            elif isinstance(node, Block) and not node.labels:
                values.append(node.key.text)
                fields.extend(n.key.text for n in node.body if isinstance(n, Entry) and n.key.text not in fields)
        blocks = [node for node in item.body if isinstance(node, Block) and not node.labels]
        return self.define(Symbol("shared_axis", item.name.text, None, item.name.span, _span(item), "axis",
                                  item.title.text if item.title else "",
                                  (("values", " | ".join(values)), ("fields", ", ".join(fields)),
                                   *_value_fields(blocks))))

    def tension(self, item: Item) -> Symbol | None:
        if len(item.relation) != 2:
            return None
        prevails, yields = item.relation
        for atom in item.relation:
            self.refer(("principle", "value"), atom, "tension")
        return self.define(Symbol("tension", f"{prevails.text} over {yields.text}", None, item.keyword_span,
                                  _span(item), "tension", "", _single_fields(item.body)))

    def generator(self, item: Item) -> Symbol | None:
        if item.name is None or item.name.text == MISSING_NAME:
            return None
        gid = item.name.text
        role = "teaches" if item.kind == "dilemma" else "tests"
        for atom in item.relation:
            self.refer(("principle",), atom, role)
        environment = next((n.value.single.text for n in item.body
                            if isinstance(n, Entry) and n.key.text == "environment" and n.value.single), None)
        children = tuple(self.generator_body(gid, environment, item.body))
        return self.define(Symbol("generator", gid, None, item.name.span, _span(item), item.kind,
                                  _field(item.body, "title"), _single_fields(item.body), children))

    # --- bodies -----------------------------------------------------------
    def environment_body(self, eid: str, body) -> Iterator[Symbol]:
        for node in body:
            if isinstance(node, Entry) and node.key.text == "system" and node.labels:
                label = node.labels[0]
                text = node.value.single.text if node.value.single is not None else ""
                yield self.define(Symbol("system", label.text, eid, label.span, _span(node), "system",
                                         fields=(("text", text),)))
            elif isinstance(node, Block) and node.key.text == "tool" and node.labels:
                yield self.tool(eid, node)

    def tool(self, eid: str, block: Block) -> Symbol:
        label = block.labels[0]
        description = " ".join(a.text for a in block.labels[1:])
        params = []
        for node in block.body:
            if isinstance(node, Entry) and node.key.text == "param" and node.labels:
                plabel = node.labels[0]
                ptype = " | ".join(a.text for a in node.value.atoms)
                pdesc = " ".join(a.text for a in node.labels[1:] if a.is_text)
                params.append(self.define(Symbol("param", plabel.text, f"{eid}.{label.text}", plabel.span,
                                                 _span(node), "param", pdesc, (("type", ptype),))))
        return self.define(Symbol("tool", label.text, eid, label.span, _span(block), "tool", description,
                                  _single_fields(block.body), tuple(params)))

    def generator_body(self, gid: str, environment: str | None, body) -> Iterator[Symbol]:
        for node in body:
            key = node.key.text
            if isinstance(node, Entry):
                yield from self.generator_entry(gid, environment, node)
            elif isinstance(node, RuleItem):
                if key == "set" and node.labels:
                    self.refer(("axis", "shared_axis"), node.labels[0], "rule", gid)
                self.conditions(gid, node.conditions)
            elif isinstance(node, Block):
                if key == "vary" and node.labels:
                    yield self.family_axis(gid, node)
                elif key == "slot" and node.labels:
                    yield self.slot(gid, node)
                elif key == "check" and node.labels:
                    yield self.check(gid, environment, node)
                elif key in ("email", "document"):
                    self.message(gid, node)

    def generator_entry(self, gid: str, environment: str | None, node: Entry) -> Iterator[Symbol]:
        key = node.key.text
        if key == "vary" and node.labels:
            label = node.labels[0]
            values = " | ".join(a.text for a in node.value.atoms)
            yield self.define(Symbol("axis", label.text, gid, label.span, _span(node), "vary", "",
                                     (("values", values),)))
        elif key == "vary":  # `vary: relation, role`: the shared axes it uses
            for atom in node.value.atoms:
                self.refer(("shared_axis",), atom, "vary")
        elif key == "environment" and node.value.single is not None:
            self.refer(("environment",), node.value.single, "environment")
        elif key in ("judged_by", "argues"):
            for atom in node.value.atoms:
                self.refer(("principle", "value"), atom, key)
        elif key == "systems":
            for atom in node.value.atoms:
                self.refer(("system",), atom, "systems", environment)
        elif key not in _GENERATOR_NAME_FIELDS:
            self.templates(gid, node.value.atoms)

    def family_axis(self, gid: str, block: Block) -> Symbol:
        """`vary relation { sister { pronoun: "she" } ... }`: a family's own axis whose values have fields."""
        label = block.labels[0]
        values = [n.key.text for n in block.body if isinstance(n, Block)]
        values += [a.text for n in block.body if isinstance(n, Entry) and n.key.text == "values" for a in n.value.atoms]
        fields = list(dict.fromkeys(e.key.text for n in block.body if isinstance(n, Block) for e in n.body
                                    if isinstance(e, Entry)))
        return self.define(Symbol("axis", label.text, gid, label.span, _span(block), "vary", "",
                                  (("values", " | ".join(values)), ("fields", ", ".join(fields)),
                                   *_value_fields(n for n in block.body if isinstance(n, Block)))))

    def slot(self, gid: str, block: Block) -> Symbol:
        label = block.labels[0]
        if len(block.labels) == 3 and block.labels[1].text == "from":
            self.refer(("axis", "shared_axis"), block.labels[2], "slot", gid)
        for node in block.body:
            if isinstance(node, Entry):
                self.templates(gid, node.value.atoms)
        axis = block.labels[2].text if len(block.labels) == 3 else ""
        return self.define(Symbol("slot", label.text, gid, label.span, _span(block), "slot", "",
                                  (("axis", axis),)))

    def check(self, gid: str, environment: str | None, block: Block) -> Symbol:
        label = block.labels[0]
        tool = None
        for node in block.body:
            if not isinstance(node, Entry):
                continue
            key = node.key.text
            if key == "tool" and node.value.single is not None:
                tool = node.value.single.text
                self.refer(("tool",), node.value.single, "tool", environment)
            elif key == "clause":
                for atom in node.value.atoms:
                    self.refer(("principle",), atom, "clause")
        for node in block.body:
            if isinstance(node, Entry) and node.key.text == "argument" and node.labels and tool:
                self.refer(("param",), node.labels[0], "argument", f"{environment}.{tool}")
        description = " ".join(a.text for a in block.labels[1:])
        return self.define(Symbol("check", label.text, gid, label.span, _span(block), "check", description,
                                  _single_fields(block.body)))

    def message(self, gid: str, block: Block) -> None:
        self.templates(gid, block.labels)
        for node in block.body:
            if isinstance(node, Entry):
                self.templates(gid, node.value.atoms)
            elif isinstance(node, RuleItem):
                self.conditions(gid, node.conditions)

    def conditions(self, gid: str, conditions: Iterable[Condition]) -> None:
        for condition in conditions:
            self.refer(("axis", "shared_axis"), condition.axis, "rule", gid)

    def templates(self, gid: str, atoms: Iterable[Atom]) -> None:
        """A `{slot}` in generator text refers to a slot, or else an axis, of the generator."""
        for atom in atoms:
            if not atom.is_text:
                continue
            for name, start, end in slot_positions(atom.raw):
                if "." in name:
                    # `{owner.field}`: the owner is an axis (with fields, or drawing principles), or a principle.
                    owner = name.rpartition(".")[0]
                    span = _span_inside(atom, start + 1, start + 1 + len(owner))
                    self.index.references.append(Reference(("axis", "shared_axis", "principle"), owner, gid, span,
                                                           "template"))
                    continue
                span = _span_inside(atom, start + 1, end - 1)
                self.index.references.append(Reference(("slot", "axis", "shared_axis"), name, gid, span,
                                                       "template"))


# A block the parser closed at the end of the file has no recorded end: it runs to the end.
_OPEN_END = 10**9


def _span(node) -> Span:
    """A construct's span, tolerating a missing end (blocks closed by error recovery)."""
    file, line, column, end_line, end_column = node.pos
    if end_line is None or end_column is None:
        end_line, end_column = _OPEN_END, 1
    return Span(file=file, line=line or 1, column=column or 1, end_line=end_line, end_column=end_column)


def _field(body, name: str) -> str:
    return dict(_single_fields(body)).get(name, "")


def _span_inside(atom: Atom, start: int, end: int) -> Span:
    """The span of raw[start:end] of an atom (which may cover several lines)."""
    raw = atom.raw
    before = raw[:start]
    newlines = before.count("\n")
    if newlines:
        column = start - before.rfind("\n")
    else:
        column = atom.span.column + start
    line = atom.span.line + newlines
    return Span(file=atom.span.file, line=line, column=column, end_line=line, end_column=column + (end - start))


_ITEM_HANDLERS = {
    "constitution": _Builder.header,
    "import": _Builder.import_,
    "section": _Builder.section,
    "principle": _Builder.named,
    "value": _Builder.named,
    "principal": _Builder.named,
    "environment": _Builder.named,
    "tension": _Builder.tension,
    "axis": _Builder.shared_axis,
    "dilemma": _Builder.generator,
    "probe": _Builder.generator,
}
