"""The syntax tree: what the source says, before any meaning is given to it.

Nodes are small frozen dataclasses with spans. The formatter prints them back,
the lowering stage turns them into IR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Union

from ..ir import Span

# (file, line, column, end_line, end_column): positions are kept as plain tuples
# and turned into `Span` models only when asked for, because most never are and
# building a validated model for every token dominates the cost on large files.
Pos = tuple[str, int, int, int, int]


class _Positioned:
    pos: Pos

    @cached_property
    def span(self) -> Span:
        file, line, column, end_line, end_column = self.pos
        return Span.unchecked(file=file, line=line, column=column, end_line=end_line, end_column=end_column)


@dataclass(frozen=True)
class Atom(_Positioned):
    """One token of value: a quoted string, a long text block, a name, or a number."""

    kind: str  # "string" | "long_string" | "raw_string" | "name" | "number"
    text: str  # the decoded value
    raw: str  # as written
    pos: Pos

    @property
    def is_text(self) -> bool:
        return self.kind in ("string", "long_string", "raw_string")


@dataclass(frozen=True)
class Value(_Positioned):
    kind: str  # "atom" | "list" | "choices" | "chain"
    atoms: tuple[Atom, ...]
    pos: Pos

    @property
    def single(self) -> Atom | None:
        return self.atoms[0] if self.kind == "atom" else None


@dataclass(frozen=True)
class Condition(_Positioned):
    axis: Atom
    negated: bool
    values: tuple[Atom, ...]
    pos: Pos


@dataclass(frozen=True)
class Entry(_Positioned):
    """`key labels: value`"""

    key: Atom
    labels: tuple[Atom, ...]
    value: Value
    pos: Pos


@dataclass(frozen=True)
class Block(_Positioned):
    """`key labels { body }`"""

    key: Atom
    labels: tuple[Atom, ...]
    body: tuple["BodyItem", ...]
    pos: Pos


@dataclass(frozen=True)
class RuleItem(_Positioned):
    """`key labels when condition and condition ...`"""

    key: Atom
    labels: tuple[Atom, ...]
    conditions: tuple[Condition, ...]
    pos: Pos


BodyItem = Union[Entry, Block, RuleItem]


@dataclass(frozen=True)
class Item(_Positioned):
    """A keyworded top-level construct: principle, section, tension, dilemma, ..."""

    kind: str
    name: Atom | None
    title: Atom | None
    relation: tuple[Atom, ...]  # teaches/tests list, or (prevails, yields) for a tension
    body: tuple[BodyItem, ...]
    children: tuple["ModuleItem", ...]  # sections only
    pos: Pos
    keyword_pos: Pos

    @cached_property
    def keyword_span(self) -> Span:
        file, line, column, end_line, end_column = self.keyword_pos
        return Span.unchecked(file=file, line=line, column=column, end_line=end_line, end_column=end_column)


ModuleItem = Union[Item, Entry]


@dataclass(frozen=True)
class Comment(_Positioned):
    text: str
    pos: Pos


@dataclass
class Module:
    file: str
    items: tuple[ModuleItem, ...]
    comments: tuple[Comment, ...] = field(default_factory=tuple)
