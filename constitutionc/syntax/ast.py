"""The syntax tree: what the source says, before any meaning is given to it.

Nodes are small frozen dataclasses with spans. The formatter prints them back,
the lowering stage turns them into IR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from ..ir import Span


@dataclass(frozen=True)
class Atom:
    """One token of value: a quoted string, a long text block, a name, or a number."""

    kind: str  # "string" | "long_string" | "name" | "number"
    text: str  # the decoded value
    raw: str  # as written
    span: Span

    @property
    def is_text(self) -> bool:
        return self.kind in ("string", "long_string")


@dataclass(frozen=True)
class Value:
    kind: str  # "atom" | "list" | "choices" | "chain"
    atoms: tuple[Atom, ...]
    span: Span

    @property
    def single(self) -> Atom | None:
        return self.atoms[0] if self.kind == "atom" else None


@dataclass(frozen=True)
class Condition:
    axis: Atom
    negated: bool
    values: tuple[Atom, ...]
    span: Span


@dataclass(frozen=True)
class Entry:
    """`key labels: value`"""

    key: Atom
    labels: tuple[Atom, ...]
    value: Value
    span: Span


@dataclass(frozen=True)
class Block:
    """`key labels { body }`"""

    key: Atom
    labels: tuple[Atom, ...]
    body: tuple["BodyItem", ...]
    span: Span


@dataclass(frozen=True)
class RuleItem:
    """`key labels when condition and condition ...`"""

    key: Atom
    labels: tuple[Atom, ...]
    conditions: tuple[Condition, ...]
    span: Span


BodyItem = Union[Entry, Block, RuleItem]


@dataclass(frozen=True)
class Item:
    """A keyworded top-level construct: principle, section, tension, dilemma, ..."""

    kind: str
    name: Atom | None
    title: Atom | None
    relation: tuple[Atom, ...]  # teaches/tests list, or (prevails, yields) for a tension
    body: tuple[BodyItem, ...]
    children: tuple["ModuleItem", ...]  # sections only
    span: Span
    keyword_span: Span


ModuleItem = Union[Item, Entry]


@dataclass(frozen=True)
class Comment:
    text: str
    span: Span


@dataclass
class Module:
    file: str
    items: tuple[ModuleItem, ...]
    comments: tuple[Comment, ...] = field(default_factory=tuple)
