"""The cached Lark parser: positions, the syntax tree built as rules reduce, and `parse_text`.

`parse_text` never raises on bad input: it returns a Lark tree or the syntax tree's items (possibly
built from a repaired token stream, `recovery`), the comments it saw, and syntax diagnostics. The
lexer's state and callbacks are in `lexing`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..diagnostics import BAD_INPUT, SYNTAX, Diagnostic, diag
from ..ir import Span
from .lexing import (MAX_NESTING, Lark, Token, Tree, UnexpectedCharacters, UnexpectedInput, UnexpectedToken,
                     _on_close, _on_comment, _on_name, _on_open, _on_separator, _on_text_block, _ParseState,
                     _state, _swallowed_code_note, _TooDeep, _local)
from .recovery import _recover_characters, _recover_token, _span_of_token

__all__ = ["MAX_NESTING", "ParseResult", "Token", "Tree", "get_parser", "grammar_text", "parse_text", "_ParseState",
           "_local"]

GRAMMAR_FILE = "constitution.lark"
# Recovery gives up after this many reported errors, or this many repairs of any kind.
MAX_REPORTED_ERRORS = 100
MAX_REPAIRS = 1000


def grammar_text() -> str:
    # Beside this module: the package is read from the file system (the standard library's files
    # are too), and `importlib.resources` cost a small file's check more than the read itself.
    return Path(__file__).with_name(GRAMMAR_FILE).read_text(encoding="utf-8")


# --- positions ----------------------------------------------------------------
# Lark's `propagate_positions` costs about a third of a parse (it looks every position up
# through `getattr` with defaults and sets a dozen attributes per tree). The builder reads
# only a rule's first line and column and its last, so the parser sets those itself, by the
# same rule: a tree starts where its first child that has a position starts (punctuation and
# keywords included, so before they are filtered out) and ends where its last one ends. A
# child that a `?rule` passed up unchanged keeps its own span; the span of the rule around it
# (its "container") is what its parent sees, as in Lark.

class RuleMeta:
    """A tree's span, as the builder reads it (`line`, `column`, `end_line`, `end_column`).
    `container` is the span its parent sees: the meta itself, or the span of the `?rule` that
    passed the tree up unchanged."""

    __slots__ = ("empty", "line", "column", "end_line", "end_column", "container")

    def __init__(self, line: int, column: int, end_line: int, end_column: int):
        self.empty = False
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.container = self


def _start(children) -> tuple[int, int] | None:
    """Where the first child that has a position starts (a token, the container span of a tree, or a
    node the builder made), or None."""
    for child in children:
        kind = type(child)
        if kind is Token:
            return child.line, child.column
        if kind is Tree:
            meta = child._meta
            if meta is not None and not meta.empty:
                return meta.container.line, meta.container.column
        elif kind is not tuple and child is not None:
            # A syntax-tree node, built from a tree with a span (a body, a tuple, has none): its span.
            pos = child.pos
            return pos[1], pos[2]
    return None


def _end(children) -> tuple[int, int]:
    """Where the last child that has a position ends (there is one: `_start` found one)."""
    for child in reversed(children):
        kind = type(child)
        if kind is Token:
            return child.end_line, child.end_column
        if kind is Tree:
            meta = child._meta
            if meta is not None and not meta.empty:
                return meta.container.end_line, meta.container.end_column
        elif kind is not tuple and child is not None:
            pos = child.pos
            return pos[3], pos[4]
    raise AssertionError("a child with a start has an end")


def _with_positions(build, rule: str):
    # A rule whose name starts with `_` (and Lark's helper rules) is inlined into its parent: it
    # stays a tree. Every other rule becomes a syntax-tree node here when the parse builds one.
    inlined = rule.startswith("_")

    def positioned(children):
        tree = build(children)
        if type(tree) is not Tree:
            return tree  # a `?rule` passing its one child up unchanged
        # Most rules start and end with a token (a keyword, a name, `}`): no search then.
        if children and type(children[0]) is Token:
            first = children[0]
            start = first.line, first.column
        else:
            start = _start(children)
        if start is not None:
            last = children[-1]
            end = (last.end_line, last.end_column) if type(last) is Token else _end(children)
            span = RuleMeta(start[0], start[1], end[0], end[1])
            meta = tree._meta
            if meta is None or meta.empty:
                tree._meta = span
            else:
                meta.container = span
        # (nothing with a position, as in an empty body: the span stays empty)
        if inlined:
            return tree
        node = _local.state.build_node
        return tree if node is None else node(rule, tree._meta, tree.children)

    return positioned


def _track_positions(parser: Lark) -> Lark:
    """Wrap each rule's callback of a parser built without `propagate_positions`."""
    callbacks = parser._callbacks  # the dict the LALR parser reads its callbacks from
    for key, build in list(callbacks.items()):
        if not isinstance(key, str):  # rules (token-type keys are lexer callbacks)
            callbacks[key] = _with_positions(build, key.origin.name)
    return parser


def _cache_path() -> str | bool:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "constitutionc"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError:
        return False
    from .. import __version__

    return str(path / f"grammar-{__version__}.lark.cache")


PARSER_OPTIONS = dict(
    parser="lalr",
    lexer="contextual",
    # Positions are set by `_track_positions` instead (same spans, a third of the cost).
    propagate_positions=False,
    maybe_placeholders=True,
    # NAME must stay last: Lark chains a callback on a terminal that keywords collide with
    # under a condition naming the loop's *last* terminal (a late-binding closure), so a
    # NAME callback anywhere but last is silently skipped in most parser states.
    lexer_callbacks={"COMMENT": _on_comment, "LBRACE": _on_open, "RBRACE": _on_close,
                     "LONG_STRING": _on_text_block, "VBAR": _on_separator, "COMMA": _on_separator,
                     "MORETHAN": _on_separator, "NAME": _on_name},
)


def _give_lark_interegular() -> None:
    """Strict mode checks terminals for collisions with `interegular`: let Lark see it, as it
    would have had it not been hidden at import (ImportError here if it is not installed)."""
    import interegular
    import lark.lexer

    lark.lexer.interegular = interegular
    lark.lexer.has_interegular = True


@functools.lru_cache(maxsize=None)
def get_parser(strict: bool = False) -> Lark:
    """Build the LALR parser once per process (and reuse Lark's on-disk cache)."""
    if strict:
        _give_lark_interegular()
        return _track_positions(Lark(grammar_text(), strict=True, **PARSER_OPTIONS))
    return _track_positions(Lark(grammar_text(), cache=_cache_path(), **PARSER_OPTIONS))


@dataclass
class ParseResult:
    # What the parse made: a Lark tree, or, when `parse_text` was given `build_node`, what the root
    # rule's node is (the syntax tree's items); None when nothing could be recovered.
    tree: Tree | tuple | None
    comments: list[Token]
    diagnostics: list[Diagnostic]


def parse_text(text: str, file: str = "<input>", build_node: Callable | None = None) -> ParseResult:
    """Parse CDL text into a Lark tree, or with `build_node` straight into syntax-tree nodes (see
    `builder.parse_module`), reporting every independent syntax error."""
    diagnostics: list[Diagnostic] = []
    _local.state = _ParseState(text=text, build_node=build_node)
    try:
        return _parse(text, file, diagnostics)
    finally:
        # A later parse that is not through here (the strict grammar check) makes a Lark tree.
        _local.state.build_node = None


def _parse(text: str, file: str, diagnostics: list[Diagnostic]) -> ParseResult:
    last_error_line = [0]

    line_starts = None

    def report(message: str, span: Span) -> None:
        nonlocal line_starts
        # A second error on the line of the previous one is almost always its cascade.
        if span.line <= last_error_line[0]:
            return
        last_error_line[0] = span.line
        if line_starts is None:
            line_starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        offset = line_starts[min(span.line, len(line_starts)) - 1] + span.column - 1
        diagnostics.append(diag(SYNTAX.code, message, span, notes=_swallowed_code_note(offset)))

    errors = [0]

    def on_error(e: UnexpectedInput) -> bool:
        # Errors the line rule keeps quiet still cost a repair each, and a repaired run of
        # junk (`x x x ...` on one long line) becomes thousands of items; past this many the
        # text is not CDL worth recovering.
        errors[0] += 1
        if len(diagnostics) >= MAX_REPORTED_ERRORS or errors[0] > MAX_REPAIRS:
            if errors[0] > MAX_REPAIRS and diagnostics:
                last = diagnostics[-1].span
                diagnostics.append(diag(SYNTAX.code, f"too many syntax errors ({MAX_REPAIRS}); "
                                    "stopped checking this file here", last))
            return False
        if isinstance(e, UnexpectedCharacters):
            return _recover_characters(e, text, file, report)
        if isinstance(e, UnexpectedToken):
            return _recover_token(e, text, file, report)
        return False

    try:
        tree = get_parser().parse(text, on_error=on_error)
    except _TooDeep as deep:
        span = _span_of_token(file, deep.token, text)
        return ParseResult(None, [], [diag(BAD_INPUT.code,
                                           f"blocks are nested more than {MAX_NESTING} levels deep",
                                           span)])
    except UnexpectedInput as e:
        if not diagnostics:
            line = getattr(e, "line", 1) or 1
            col = getattr(e, "column", 1) or 1
            diagnostics.append(diag(SYNTAX.code, "the parser could not recover from this error",
                                    Span.unchecked(file=file, line=line, column=col, end_line=line,
                                         end_column=col + 1)))
        return ParseResult(None, _state().comments, diagnostics)
    return ParseResult(tree, _state().comments, diagnostics)
