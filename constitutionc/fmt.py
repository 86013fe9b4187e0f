"""The formatter: one canonical layout, printed from the syntax tree, every comment kept.

Layout: two-space indentation, one entry per line, one blank line between
top-level items (and between the items of a section), author's blank lines
inside blocks kept (at most one), no blank line after `{` or before `}`.
Quoted strings are re-escaped canonically; `\"\"\"` blocks keep their content
line for line and are only re-indented, which cannot change their meaning
because their lines are stripped when read.

Comments are placed by position: a comment on a line of its own is printed at
the indentation of what follows it; a comment after code stays at the end of
the line of the construct it follows.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field

from .diagnostics import Diagnostic
from .syntax.ast import Atom, Block, Comment, Condition, Entry, Item, Module, ModuleItem, RuleItem, Value
from .syntax.builder import parse_module

INDENT = "  "
LAYOUT = " \t"  # the blank characters that only lay text out (see `_long_string`)
_VALUE_SEPARATORS = {"atom": "", "list": ", ", "choices": " | ", "chain": " > "}
_RELATION_WORDS = {"dilemma": "teaches", "probe": "tests"}


@dataclass
class FormatResult:
    """`text` is None when the input has syntax errors (listed in `diagnostics`)."""

    text: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.text is not None


LINE_END = re.compile(r"\r+\n")


def format_text(text: str, file: str = "<input>") -> FormatResult:
    """Format CDL source text; refuses (text None) when it does not parse cleanly."""
    source = text[1:] if text.startswith("\ufeff") else text
    # Carriage returns before a line feed are part of the line end (as the builder reads text blocks); one
    # replace of "\r\n" would turn "\r\r\n" into a new "\r\n" and the next run would change it again.
    source = LINE_END.sub("\n", source)
    module, parsed = parse_module(source, file)
    if module is None or parsed.diagnostics:
        return FormatResult(None, list(parsed.diagnostics))
    return FormatResult(_Printer(source, module).print_module())


def unified_diff(before: str, after: str, path: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"{path} (original)", tofile=f"{path} (formatted)"))


# --- atoms and values ----------------------------------------------------------------

def quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def _long_string(raw: str, indent: str) -> str:
    """Re-indent a text block: continuation lines at one level deeper than `indent`."""
    lines = raw[3:-3].split("\n")
    if len(lines) == 1:
        return raw
    first, rest = lines[0].rstrip(LAYOUT), lines[1:]
    closing_alone = not rest[-1].strip(LAYOUT)
    content = rest[:-1] if closing_alone else rest
    # Only spaces and tabs are layout: a line holding another blank character (such as a
    # no-break space) does not end a paragraph when read, so it must not become empty here.
    margins = [line[: len(line) - len(line.lstrip(LAYOUT))] for line in content if line.strip(LAYOUT)]
    margin = os.path.commonprefix(margins) if margins else ""
    inner = indent + INDENT
    out = ['"""' + first]
    for line in content:
        out.append(inner + line[len(margin):].rstrip(LAYOUT) if line.strip(LAYOUT) else "")
    if closing_alone:
        out.append(indent + '"""')
    else:
        out[-1] += '"""'
    return "\n".join(out)


def atom(a: Atom, indent: str) -> str:
    if a.kind == "string":
        return quote(a.text)
    if a.kind == "long_string":
        return _long_string(a.raw, indent)
    if a.kind == "raw_string":
        # Re-indenting keeps the meaning: a raw block is dedented when read, and loses trailing blanks.
        return "raw" + _long_string(a.raw[len("raw"):], indent)
    return a.raw


def value(v: Value, indent: str) -> str:
    return _VALUE_SEPARATORS[v.kind].join(atom(a, indent) for a in v.atoms)


def condition(c: Condition, indent: str) -> str:
    negation = "not " if c.negated else ""
    return f"{atom(c.axis, indent)} is {negation}" + " or ".join(atom(a, indent) for a in c.values)


def _head(key: Atom, labels: tuple[Atom, ...], indent: str) -> str:
    return " ".join(atom(a, indent) for a in (key, *labels))


def item_head(item: Item, indent: str) -> str:
    words = [item.kind]
    if item.kind == "tension":
        prevails, yields = item.relation
        words += [atom(prevails, indent), "over", atom(yields, indent)]
    else:
        if item.name is not None:
            words.append(atom(item.name, indent))
        if item.title is not None:
            words.append(atom(item.title, indent))
        if item.relation:
            words += [_RELATION_WORDS[item.kind], ", ".join(atom(a, indent) for a in item.relation)]
    return " ".join(words)


# --- layout ---------------------------------------------------------------------------

# The longest line an axis value with its fields is kept to when printed on one line.
MAX_ONE_LINE = 100


def _one_line_value(node, indent: str) -> str | None:
    """`VALUE { field: "text" ... }` on one line, for a value block whose fields are all short quoted texts."""
    if not isinstance(node, Block) or node.labels:
        return None
    fields = []
    for entry in node.body:
        if not isinstance(entry, Entry) or entry.labels or entry.value.single is None \
                or entry.value.single.kind != "string":
            return None
        fields.append(f"{atom(entry.key, indent)}: {atom(entry.value.single, indent)}")
    inside = f" {' '.join(fields)} " if fields else ""
    return f"{indent}{atom(node.key, indent)} {{{inside}}}"


def _is_import(node) -> bool:
    return isinstance(node, Item) and node.kind == "import"


def _start(node) -> tuple[int, int]:
    return node.pos[1], node.pos[2]


def _close(node) -> tuple[int, int]:
    return node.pos[3], node.pos[4] - 1


class _Printer:
    def __init__(self, source: str, module: Module):
        self.module = module
        self.source_lines = source.split("\n")
        self.comments: list[Comment] = sorted(module.comments, key=_start)
        self.next_comment = 0
        self.deferred: list[Comment] = []  # trailing comments to print at the next flush
        self.out: list[str] = []
        self.trailing_lines: set[int] = set()  # output lines that already end in a comment
        self.comment_lines: set[int] = set()  # output lines that are a comment
        self.last_source_line = 0
        self.force_blank = False
        self.block_start = True

    def print_module(self) -> str:
        self._children(self.module.items, "")
        self._flush((len(self.source_lines) + 1, 0), "")
        return "\n".join(self.out) + "\n" if self.out else ""

    # --- output primitives ---
    def _source_blank_between(self, after: int, before: int) -> bool:
        return any(not self.source_lines[i].strip() for i in range(after, max(after, before - 1)))

    def _put(self, text: str, first_line: int, last_line: int, *, closing: bool = False) -> None:
        wants_blank = self.force_blank or self._source_blank_between(self.last_source_line, first_line)
        if self.out and not self.block_start and not closing and wants_blank and self.out[-1] != "":
            self.out.append("")
        self.force_blank = False
        self.block_start = False
        self.out.extend(text.split("\n"))
        self.last_source_line = max(self.last_source_line, last_line)

    def _is_trailing(self, comment: Comment) -> bool:
        line = self.source_lines[comment.pos[1] - 1]
        return bool(line[: comment.pos[2] - 1].strip())

    def _flush(self, until: tuple[int, int], indent: str) -> None:
        """Print every comment that comes before source position `until`."""
        for comment in self.deferred:
            self._comment(comment, indent, trailing=False)
        self.deferred.clear()
        while self._has_comment_before(until):
            comment = self.comments[self.next_comment]
            self.next_comment += 1
            self._comment(comment, indent, trailing=self._is_trailing(comment))

    def _attach(self, comment: Comment) -> bool:
        """Put a trailing comment at the end of the last line printed, if that line has none."""
        last = len(self.out) - 1
        if not self.out or last in self.trailing_lines or last in self.comment_lines or not self.out[last]:
            return False
        self.out[last] += "  " + comment.text.rstrip()
        self.trailing_lines.add(last)
        return True

    def _comment(self, comment: Comment, indent: str, *, trailing: bool) -> None:
        """A trailing comment goes at the end of the last line printed (if that has none); any
        other comment goes on a line of its own."""
        if trailing and self._attach(comment):
            return
        self._put(indent + comment.text.rstrip(), comment.pos[1], comment.pos[1])
        self.comment_lines.add(len(self.out) - 1)

    def _hoist(self, until: tuple[int, int], indent: str) -> list[Comment]:
        """The comments inside a construct about to be printed on one line (up to `until`): those on
        lines of their own are printed now, above it, and the trailing ones returned to follow it.
        A suppression comment applies to its own line and the next, so it must end up on or just
        above the tokens it was written among, not below them."""
        trailing = []
        while self._has_comment_before(until):
            comment = self.comments[self.next_comment]
            self.next_comment += 1
            if self._is_trailing(comment):
                trailing.append(comment)
            else:
                self._comment(comment, indent, trailing=False)
        return trailing

    def _has_comment_before(self, position: tuple[int, int]) -> bool:
        return self.next_comment < len(self.comments) and _start(self.comments[self.next_comment]) < position

    def _put_joined(self, text: str, node, indent: str) -> None:
        """Print an entry or rule, whose tokens all land on one line, with the comments among them."""
        trailing = self._hoist(_close(node), indent)
        self._put(text, node.pos[1], node.pos[3])
        # Those that do not fit at the end of its line are printed where a comment on the line
        # after it would be, so that formatting the result again changes nothing.
        self.deferred.extend(comment for comment in trailing if not self._attach(comment))

    def _opening_brace(self, node) -> tuple[int, int]:
        """The source position of the `{` that ends a block's head (after its last name or label)."""
        if isinstance(node, Item):
            atoms = [a for a in (node.name, node.title, *node.relation) if a is not None]
            line, column = node.keyword_pos[3], node.keyword_pos[4]
        else:
            atoms = [node.key, *node.labels]
            line, column = atoms[0].pos[3], atoms[0].pos[4]
        for a in atoms:
            line, column = max((line, column), (a.pos[3], a.pos[4]))
        index = column - 1
        while line <= len(self.source_lines):
            text = self.source_lines[line - 1]
            for offset in range(index, len(text)):
                if text[offset] == "#":
                    break  # the rest of the line is a comment
                if text[offset] == "{":
                    return line, offset + 1
            line, index = line + 1, 0
        return _close(node)

    def _block(self, head: str, node, body: tuple, indent: str, print_body) -> None:
        trailing = self._hoist(self._opening_brace(node), indent)
        if not body and not trailing and not self._has_comment_before(_close(node)):
            self._put(f"{indent}{head} {{}}", node.pos[1], node.pos[3])
            return
        self._put(f"{indent}{head} {{", node.pos[1], node.pos[1])
        self.block_start = True
        for comment in trailing:
            self._comment(comment, indent + INDENT, trailing=True)
        print_body(body, indent + INDENT)
        self._flush(_close(node), indent + INDENT)
        self._put(f"{indent}}}", node.pos[3], node.pos[3], closing=True)

    # --- constructs ---
    def _children(self, children: tuple[ModuleItem, ...], indent: str) -> None:
        """Top-level items and the items of a section: a blank line between each (imports may stay grouped)."""
        for index, child in enumerate(children):
            self.force_blank = index > 0 and not (_is_import(child) and _is_import(children[index - 1]))
            self._flush(_start(child), indent)
            if isinstance(child, Entry):
                self._entry(child, indent)
            else:
                self._item(child, indent)

    def _item(self, item: Item, indent: str) -> None:
        head = item_head(item, indent)
        if item.kind == "import":
            self._put(indent + head, item.pos[1], item.pos[3])
        elif item.kind == "section":
            self._block(head, item, item.children, indent, self._children)
        elif item.kind == "axis":
            self._block(head, item, item.body, indent, self._axis_body)
        else:
            self._block(head, item, item.body, indent, self._body)

    def _body(self, body: tuple, indent: str) -> None:
        for node in body:
            self._flush(_start(node), indent)
            if isinstance(node, Entry):
                self._entry(node, indent)
            elif isinstance(node, Block):
                print_body = self._axis_body if node.key.text == "vary" else self._body
                self._block(_head(node.key, node.labels, indent), node, node.body, indent, print_body)
            else:
                self._rule(node, indent)

    def _axis_body(self, body: tuple, indent: str) -> None:
        """An axis's values: one with a few short fields stays on one line (`sister { pronoun: "she" }`),
        so the values read as a table; a longer one is laid out as any block."""
        for node in body:
            line = _one_line_value(node, indent)
            if line is None or len(line) > MAX_ONE_LINE:
                self._body((node,), indent)
                continue
            self._flush(_start(node), indent)
            self._put_joined(line, node, indent)

    def _entry(self, entry: Entry, indent: str) -> None:
        self._put_joined(f"{indent}{_head(entry.key, entry.labels, indent)}: {value(entry.value, indent)}", entry,
                         indent)

    def _rule(self, rule: RuleItem, indent: str) -> None:
        conditions = " and ".join(condition(c, indent) for c in rule.conditions)
        self._put_joined(f"{indent}{_head(rule.key, rule.labels, indent)} when {conditions}", rule, indent)
