"""The syntax tree, one builder method per grammar rule.

`parse_module` builds it while parsing: the parser calls `TreeBuilder.node` as it reduces each
rule, with the rule's span and its children already built, so no Lark tree of the whole file is
made and walked again (on a large file the walk was a sixth of `check`). `build_module` builds the
same nodes from a Lark tree (`tests/syntax/test_positions.py` compares the two on every file).
"""

from __future__ import annotations

import re
import textwrap

from .parser import ParseResult, Token, Tree, parse_text  # Lark's types, imported there

from .ast import Pos, Atom, Block, Comment, Condition, Entry, Item, Module, RuleItem, Value

_ESCAPES = {"n": "\n", "t": "\t", "\"": "\"", "\\": "\\"}


def decode_string(raw: str) -> str:
    body = raw[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), body)


_LIST_MARKER = re.compile(r"^\s*([-*]|\d+[.)])\s")
_CR_BEFORE_LF = re.compile(r"\r+\n")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def decode_long_string(raw: str) -> str:
    """Dedent a text block and fold wrapped lines, keeping paragraphs and lists.

    Authors wrap prose to fit their editor; the text a dataset cites should read
    like the document, so single line breaks inside a paragraph become spaces.
    A blank line ends a paragraph; a line starting with `-`, `*` or `1.` starts
    a new line.
    """
    body = raw[3:-3]
    if "\r" in body:
        body = _CR_BEFORE_LF.sub("\n", body)  # carriage returns before a line feed end the line too
    if body.startswith("\n"):
        body = body[1:]
    # No dedent: every line is stripped below, so removing the common indentation first would
    # change nothing (`tests/syntax/test_builder.py` holds this against `textwrap.dedent`).
    body = body.strip()
    if "\n" not in body:
        return body
    paragraphs = _PARAGRAPH_BREAK.split(body)
    folded = []
    for paragraph in paragraphs:
        lines = [line.strip() for line in paragraph.split("\n")]
        out: list[str] = []
        for line in lines:
            if out and not _LIST_MARKER.match(line):
                out[-1] = out[-1] + " " + line
            else:
                out.append(line)
        folded.append("\n".join(out))
    return "\n\n".join(p for p in folded if p)


def decode_raw_string(raw: str) -> str:
    """A raw text block: dedented, the line break after the opening quotes and the blank line before
    the closing ones dropped, trailing blanks of each line dropped; every other line break kept."""
    body = raw[len('raw"""'):-3].replace("\r\n", "\n")
    lines = [line.rstrip(" \t") for line in body.split("\n")]
    # Text on the opening line stays as written; the lines below it are dedented among themselves
    # (so the formatter may re-indent them).
    first = lines.pop(0)
    if lines and not lines[-1]:
        lines.pop()
    rest = textwrap.dedent("\n".join(lines)) if lines else ""
    if not first:
        return rest
    return first + ("\n" + rest if lines else "")


class SpanMaker:
    def __init__(self, file: str):
        self.file = file

    def of_meta(self, meta) -> Pos:
        if getattr(meta, "empty", True):
            return (self.file, 1, 1, 1, 1)
        return (self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def of_token(self, token: Token) -> Pos:
        line = token.line or 1
        column = token.column or 1
        return (self.file, line, column, token.end_line or line, token.end_column or column + len(token))


_ATOM_KINDS = {"STRING": "string", "LONG_STRING": "long_string", "NAME": "name", "NUMBER": "number"}


class TreeBuilder:
    """Bottom-up: each rule's method receives (meta, already-built children).

    A plain dispatch on the rule's name rather than lark.Transformer: on large files
    the per-call wrapping that `v_args` does costs more than the building itself.
    """

    def __init__(self, file: str):
        self.spans = SpanMaker(file)
        self.file = file
        self._by_rule: dict = {}

    def node(self, rule: str, meta, children):
        """The node of one reduced `rule`; `meta` is its span (None when it has none)."""
        method = self._by_rule.get(rule)
        if method is None:
            method = self._by_rule[rule] = getattr(self, rule)
        return method(meta, children)

    def transform(self, tree: Tree):
        children = [self.transform(c) if type(c) is Tree else c for c in tree.children]
        return self.node(tree.data, tree.meta, children)

    # --- atoms ---------------------------------------------------------
    def atom(self, token: Token) -> Atom:
        kind = _ATOM_KINDS.get(token.type, "name")
        raw = str(token)
        if kind == "string":
            text = decode_string(raw)
        elif kind == "long_string" and raw.startswith("raw"):
            kind, text = "raw_string", decode_raw_string(raw)
        elif kind == "long_string":
            text = decode_long_string(raw)
        else:
            text = raw
        return Atom(kind, text, raw, self.spans.of_token(token))

    def _atoms(self, children) -> tuple[Atom, ...]:
        return tuple(c if isinstance(c, Atom) else self.atom(c) for c in children if c is not None)

    def _value(self, kind: str, children, meta) -> Value:
        return Value(kind, self._atoms(children), self.spans.of_meta(meta))

    def list(self, meta, children):
        return self._value("list", children, meta)

    def choices(self, meta, children):
        return self._value("choices", children, meta)

    def chain(self, meta, children):
        return self._value("chain", children, meta)

    def _as_value(self, child) -> Value:
        if isinstance(child, Value):
            return child
        atom = child if isinstance(child, Atom) else self.atom(child)
        return Value("atom", (atom,), atom.pos)

    # --- body ----------------------------------------------------------
    def entry(self, meta, children):
        # The value is the last child; everything between key and value is a label.
        key = self.atom(children[0])
        labels = tuple(self.atom(c) for c in children[1:-1])
        return Entry(key, labels, self._as_value(children[-1]), self.spans.of_meta(meta))

    def block(self, meta, children):
        key = self.atom(children[0])
        labels = tuple(self.atom(c) for c in children[1:-1])
        return Block(key, labels, children[-1], self.spans.of_meta(meta))

    def rule(self, meta, children):
        key = self.atom(children[0])
        labels = tuple(self.atom(c) for c in children[1:] if isinstance(c, Token))
        conditions = tuple(c for c in children[1:] if isinstance(c, Condition))
        return RuleItem(key, labels, conditions, self.spans.of_meta(meta))

    def condition(self, meta, children):
        axis, negated, *values = children
        return Condition(self.atom(axis), negated is not None, self._atoms(values),
                         self.spans.of_meta(meta))

    def setting(self, meta, children):
        key, label, *values = children
        labels = () if label is None else (self.atom(label),)
        if len(values) == 1 and isinstance(values[0], Value):
            return Entry(self.atom(key), labels, values[0], self.spans.of_meta(meta))
        atoms = tuple(self.atom(v) for v in values)
        first, last = atoms[0].pos, atoms[-1].pos
        value = Value("chain" if len(atoms) > 1 else "atom", atoms,
                      (first[0], first[1], first[2], last[3], last[4]))
        return Entry(self.atom(key), labels, value, self.spans.of_meta(meta))

    def setting_choices(self, meta, children):
        return self._value("choices", children, meta)

    def body(self, meta, children):
        return tuple(children)

    def name_list(self, meta, children):
        return tuple(self.atom(c) for c in children)

    # --- top-level constructs -----------------------------------------
    def _item(self, kind: str, meta, name=None, title=None, relation=(), body=(), children=()):
        def atom_or_none(tok):
            return None if tok is None else self.atom(tok)

        pos = self.spans.of_meta(meta)
        keyword_pos = (self.file, pos[1], pos[2], pos[1], pos[2] + len(kind))
        return Item(kind, atom_or_none(name), atom_or_none(title), tuple(relation), tuple(body),
                    tuple(children), pos, keyword_pos)

    def header(self, meta, children):
        title, body = children
        return self._item("constitution", meta, title=title, body=body)

    def import_stmt(self, meta, children):
        return self._item("import", meta, name=children[0])

    def section(self, meta, children):
        name, title, *items = children
        return self._item("section", meta, name=name, title=title, children=items)

    def value_decl(self, meta, children):
        name, title, body = children
        return self._item("value", meta, name=name, title=title, body=body)

    def principal(self, meta, children):
        name, title, body = children
        return self._item("principal", meta, name=name, title=title, body=body)

    def principle(self, meta, children):
        name, title, body = children
        return self._item("principle", meta, name=name, title=title, body=body)

    def environment(self, meta, children):
        name, title, body = children
        return self._item("environment", meta, name=name, title=title, body=body)

    def axis_decl(self, meta, children):
        name, title, body = children
        return self._item("axis", meta, name=name, title=title, body=body)

    def tension(self, meta, children):
        prevails, yields, body = children
        return self._item("tension", meta, relation=(self.atom(prevails), self.atom(yields)),
                          body=body)

    def dilemma(self, meta, children):
        name, relation, body = children
        return self._item("dilemma", meta, name=name, relation=relation or (), body=body)

    def probe(self, meta, children):
        name, relation, body = children
        return self._item("probe", meta, name=name, relation=relation or (), body=body)

    def start(self, meta, children):
        return tuple(children)


def _module(builder: TreeBuilder, items, comments: list[Token]) -> Module:
    return Module(builder.file, items, tuple(Comment(str(c), builder.spans.of_token(c)) for c in comments))


def build_module(tree: Tree, file: str, comments: list[Token]) -> Module:
    """The syntax tree of a Lark tree (of this module's grammar, with spans)."""
    builder = TreeBuilder(file)
    return _module(builder, builder.transform(tree), comments)


def parse_module(text: str, file: str) -> tuple[Module | None, ParseResult]:
    """Parse `text` straight into its syntax tree: (the module, or None when the text could not be
    recovered, and the parse with its comments and diagnostics)."""
    builder = TreeBuilder(file)
    result = parse_text(text, file, builder.node)
    if result.tree is None:
        return None, result
    return _module(builder, result.tree, result.comments), result
