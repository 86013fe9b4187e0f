"""The cached Lark parser, with error recovery and messages in words.

`parse_text` never raises on bad input: it returns a Lark tree (possibly built
from a repaired token stream), the comments it saw, and syntax diagnostics.
"""

from __future__ import annotations

import copy
import functools
import os
import re
import sys
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# Lark imports `regex` and `interegular` whenever they are installed (other packages bring them in),
# for options this parser never sets (`regex=True`; terminal-collision checks, which a grammar loaded
# from the cache skips). Importing them cost a small file's check a twentieth of its time, so Lark is
# imported with them hidden unless the process already has them; they stay importable afterwards.
# `get_parser(strict=True)` hands `interegular` back to Lark.
_HIDDEN_FROM_LARK = [name for name in ("regex", "interegular") if name not in sys.modules]
for _name in _HIDDEN_FROM_LARK:
    sys.modules[_name] = None  # type: ignore[assignment]  # an import of it raises ImportError
try:
    from lark import Lark, Token, Tree
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
finally:
    for _name in _HIDDEN_FROM_LARK:
        if sys.modules.get(_name, False) is None:
            del sys.modules[_name]

from ..diagnostics import BAD_INPUT, SYNTAX, Diagnostic, diag
from ..ir import MISSING_NAME, Span

GRAMMAR_FILE = "constitution.lark"
# Deeper nesting than this is refused before the tree builder recurses into it.
MAX_NESTING = 200
# Recovery gives up after this many reported errors, or this many repairs of any kind.
MAX_REPORTED_ERRORS = 100
MAX_REPAIRS = 1000


def grammar_text() -> str:
    return resources.files(__package__).joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


@dataclass
class _ParseState:
    """Per-parse mutable state reached by the (shared, cached) lexer callbacks."""

    text: str = ""
    comments: list[Token] = field(default_factory=list)
    # The `{` tokens not yet closed, innermost last.
    open_braces: list[Token] = field(default_factory=list)
    last_text_block: Token | None = None
    # Where the next line's field key starts after a separator that ended a line (`_on_separator`).
    key_after_separator: int = -1


class _PerThread(threading.local):
    def __init__(self) -> None:
        # A parse with this module's parser but not through `parse_text` (the strict grammar
        # check) still finds a state for the lexer callbacks.
        self.state = _ParseState()


_local = _PerThread()


def _state() -> _ParseState:
    return _local.state


def _on_text_block(token: Token) -> Token:
    _state().last_text_block = token
    return token


# A field or a lone `}` on a line of its own inside a text block: probably code that a text
# block with a missing closing `"""` swallowed.
_CODE_IN_TEXT = re.compile(r"\n[ \t]*(?:\}[ \t]*\n|[^\W\d][\w.\-]*[ \t]*:[ \t]*[\"\w])")


def _swallowed_code_note(before: int) -> tuple[str, ...]:
    """A note naming the text block that probably lacks its closing quotes, if one does."""
    block = _state().last_text_block
    if block is None or block.end_pos > before or block.line == block.end_line:
        return ()
    match = _CODE_IN_TEXT.search(str(block))
    if match is None:
        return ()
    line = block.line + str(block).count("\n", 0, match.start()) + 1
    return (f'the text block that starts on line {block.line} runs on to line {block.end_line} and holds '
            f'what looks like code on line {line}: is its closing `"""` missing?',)


def _on_comment(token: Token) -> Token:
    _state().comments.append(token)
    return token


def _on_open(token: Token) -> Token:
    state = _state()
    state.open_braces.append(token)
    if len(state.open_braces) > MAX_NESTING:
        raise _TooDeep(token)
    return token


def _on_close(token: Token) -> Token:
    state = _state()
    if state.open_braces:
        state.open_braces.pop()
    return token


# Inside braces the contextual lexer reads a construct keyword as a plain name (fields may be
# called `value` or `environment`). When such a word is followed by the shape of a construct's
# header, which no field has, the author almost certainly forgot a `}` before it: give the token
# back its keyword type so the parser stops there and recovery can close the open blocks,
# instead of swallowing the rest of the file into one body. Outside braces the same happens after
# a separator that ends a line (`priority: a > b >` before a `principle`): the parser then stops at
# the keyword, and recovery drops the separator.
_NAME_PATTERN = r"[^\W\d][\w\-]*(?:\.[^\W\d][\w\-]*)*"
_CONSTRUCT_HEADERS = {
    "constitution": r'constitution\s+"',
    "import": r'import\s+(?:"|std\.)',
    "section": rf'section\s+(?:{_NAME_PATTERN}\s+)?"',
    "principle": rf'principle\s+{_NAME_PATTERN}\s*(?:"[^"\n]*"\s*)?\{{',
    "principal": rf'principal\s+{_NAME_PATTERN}\s*(?:"[^"\n]*"\s*)?\{{',
    "value": rf'value\s+{_NAME_PATTERN}\s*(?:"[^"\n]*"\s*)?\{{',
    "environment": rf'environment\s+{_NAME_PATTERN}\s*(?:"[^"\n]*"\s*)?\{{',
    "axis": rf'axis\s+{_NAME_PATTERN}\s*(?:"[^"\n]*"\s*)?\{{',
    "tension": rf'tension\s+{_NAME_PATTERN}\s+over\b',
    "dilemma": rf'dilemma\s+{_NAME_PATTERN}\s*(?:teaches\b|\{{)',
    "probe": rf'probe\s+{_NAME_PATTERN}\s*(?:tests\b|\{{)',
}
_CONSTRUCT_HEADER_RES = {word: re.compile(pattern) for word, pattern in _CONSTRUCT_HEADERS.items()}
# ... unless the word is a label after a key that takes a name (`check section "..." { }`).
_LABEL_AFTER_KEY = re.compile(r"\b(?:check|tool|param|slot|vary|system|argument|set|from|to)[ \t]+$")
CONSTRUCT_KEYWORD_TYPES = frozenset(word.upper() for word in _CONSTRUCT_HEADERS)


# A separator (`|`, `,`, `>`) that ends its line, followed by a line that starts like a field
# (`key labels:`, `key labels {` or `key labels when`): the list ended with the line, and the next
# line is not its last item.
_LABEL = r'(?:[^\W\d][\w.\-]*|"[^"\n]*"|-?[0-9][0-9.]*)'
_FIELD_AFTER_SEPARATOR = re.compile(
    r'[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*'
    rf'(?={_NAME_PATTERN}(?:[ \t]+{_LABEL})*[ \t]*(?::|\{{|when\b))')
# The token type a field key after such a separator is given: no parser state takes it, so the
# parser stops there and `_drop_trailing_separator` reports the separator.
KEY_AFTER_SEPARATOR = "KEY_AFTER_SEPARATOR"


def _on_separator(token: Token) -> Token:
    state = _state()
    match = _FIELD_AFTER_SEPARATOR.match(state.text, token.end_pos)
    if match is not None:
        state.key_after_separator = match.end()
    return token


def _on_name(token: Token) -> Token:
    state = _state()
    if token.value in _CONSTRUCT_HEADER_RES:
        text = state.text
        if _CONSTRUCT_HEADER_RES[token.value].match(text, token.start_pos) and not _LABEL_AFTER_KEY.search(
                text, max(0, token.start_pos - 40), token.start_pos):
            token.type = token.value.upper()
            return token
    if token.start_pos == state.key_after_separator:
        token.type = KEY_AFTER_SEPARATOR
    return token
    if token.value not in _CONSTRUCT_HEADER_RES:
        return token
    text = state.text
    if _CONSTRUCT_HEADER_RES[token.value].match(text, token.start_pos) and not _LABEL_AFTER_KEY.search(
            text, max(0, token.start_pos - 40), token.start_pos):
        token.type = token.value.upper()
    return token


class _TooDeep(Exception):
    def __init__(self, token: Token):
        super().__init__("nesting too deep")
        self.token = token


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


def _first_positioned(children):
    """The first child that has a position (a token, or the container span of a tree), or None."""
    for child in children:
        kind = type(child)
        if kind is Token:
            return child
        if kind is Tree:
            meta = child._meta
            if meta is not None and not meta.empty:
                return meta.container
    return None


def _with_positions(build):
    def positioned(children):
        tree = build(children)
        if type(tree) is not Tree:
            return tree
        # Most rules start and end with a token (a keyword, a name, `}`): no search then.
        first = children[0] if children and type(children[0]) is Token else _first_positioned(children)
        if first is None:
            return tree  # nothing with a position (an empty body): the span stays empty
        last = children[-1] if type(children[-1]) is Token else _first_positioned(reversed(children))
        span = RuleMeta(first.line, first.column, last.end_line, last.end_column)
        meta = tree._meta
        if meta is None or meta.empty:
            tree._meta = span
        else:
            meta.container = span
        return tree

    return positioned


def _track_positions(parser: Lark) -> Lark:
    """Wrap each rule's callback of a parser built without `propagate_positions`."""
    callbacks = parser._callbacks  # the dict the LALR parser reads its callbacks from
    for key, build in list(callbacks.items()):
        if not isinstance(key, str):  # rules (token-type keys are lexer callbacks)
            callbacks[key] = _with_positions(build)
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


# --- messages in words ------------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted string",
    "LONG_STRING": 'a """text block"""',
    "NUMBER": "a number",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "COLON": "`:`",
    "COMMA": "`,`",
    "VBAR": "`|`",
    "MORETHAN": "`>`",
    "$END": "the end of the file",
}

# What a NAME means right after a given keyword: the message names the thing.
_NAME_AFTER = {
    "principle": "a principle id",
    "value": "a core value id",
    "principal": "a principal id",
    "tension": "the id of the principle that prevails",
    "over": "the id of the principle that yields",
    "dilemma": "a dilemma family name",
    "probe": "a probe family name",
    "environment": "an environment name",
    "axis": "a shared axis name",
    "teaches": "the id of a principle it teaches",
    "tests": "the id of a principle it tests",
    "when": "an axis name",
    "and": "an axis name",
    "is": "a value",
    "or": "a value",
    "import": "a file path in quotes, or a standard library module name",
    "section": "a section title in quotes",
    "constitution": "the constitution's title in quotes",
}


def _token_words(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    text = str(token)
    if len(text) > 30:
        text = text[:27] + "..."
    text = text.replace("\n", "\\n")
    return f"`{text}`"


def _expected_words(expected: set[str], previous: Token | None) -> str:
    names = set(expected)
    words: list[str] = []
    if previous is not None and str(previous) == ":" and {"NAME", "STRING"} <= names:
        words.append("a value (quoted text, a name or a number)")
        names -= {"NAME", "STRING", "LONG_STRING", "NUMBER"}
    elif "NAME" in names and previous is not None and str(previous) in _NAME_AFTER:
        words.append(_NAME_AFTER[str(previous)])
        names.discard("NAME")
        if str(previous) in ("import", "section", "constitution"):
            names.discard("STRING")
    elif "STRING" in names and previous is not None and str(previous) in _NAME_AFTER:
        words.append(_NAME_AFTER[str(previous)])
        names.discard("STRING")
    for name in sorted(names):
        if name in _TERMINAL_WORDS:
            words.append(_TERMINAL_WORDS[name])
        elif name.isupper() and name.isalpha():
            words.append(f"`{name.lower()}`")
    words = list(dict.fromkeys(words))
    if not words:
        return "something else"
    if len(words) > 6:
        words = words[:6] + ["..."]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _previous_token(e: UnexpectedToken) -> Token | None:
    try:
        stack = e.interactive_parser.parser_state.value_stack
    except AttributeError:
        return None
    for value in reversed(stack):
        if isinstance(value, Token):
            return value
        return None
    return None


def _span_of_token(file: str, token: Token, text: str) -> Span:
    if token.type == "$END" or token.line is None:
        lines = text.split("\n")
        line = len(lines)
        col = len(lines[-1]) + 1
        return Span.unchecked(file=file, line=line, column=col, end_line=line, end_column=col + 1)
    end_line = token.end_line or token.line
    end_col = token.end_column or token.column + 1
    if end_line != token.line:  # a multi-line token: point at its first line only
        end_line, end_col = token.line, token.column + 1
    return Span.unchecked(file=file, line=token.line, column=token.column, end_line=end_line,
                end_column=max(end_col, token.column + 1))


def _token_at_end(kind: str, value: str, text: str) -> Token:
    """A token inserted at the end of the file, with a position, so spans stay valid."""
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    return Token(kind, value, start_pos=len(text), line=line, column=column, end_line=line,
                 end_column=column, end_pos=len(text))


# Tokens tried, in order, as an insertion that lets parsing continue.
_REPAIRS = (("RBRACE", "}"), ("COLON", ":"), ("NAME", MISSING_NAME), ("STRING", '""'),
            ("LBRACE", "{"))


@dataclass
class ParseResult:
    tree: Tree | None
    comments: list[Token]
    diagnostics: list[Diagnostic]


def parse_text(text: str, file: str = "<input>") -> ParseResult:
    """Parse CDL text into a Lark tree, reporting every independent syntax error."""
    diagnostics: list[Diagnostic] = []
    _local.state = _ParseState(text=text)
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


def _recover_characters(e: UnexpectedCharacters, text: str, file: str, report) -> bool:
    pos = e.pos_in_stream
    char = text[pos] if pos < len(text) else ""
    span = Span.unchecked(file=file, line=e.line, column=e.column, end_line=e.line, end_column=e.column + 1)
    parser = e.interactive_parser
    lexer_state = parser.lexer_thread.state
    if char != '"':
        report(f"unexpected character {char!r}", span)
        # Skip the whole run of stray characters up to the next space, not one at a time.
        end = pos + 1
        while end < len(text) and not text[end].isspace() and text[end] not in '{}"#':
            end += 1
        lexer_state.line_ctr.feed(text[pos:end])
        return True
    end = text.find("\n", pos)
    end = len(text) if end == -1 else end
    if text.startswith('""', max(0, pos - 2)) and pos >= 2:
        # `"""` with no closing `"""`: the lexer read `""` as an empty string and stopped here.
        report('this text block is never closed: end it with `"""`', Span(
            file=file, line=e.line, column=max(1, e.column - 2), end_line=e.line, end_column=e.column + 1))
        lexer_state.line_ctr.feed(text[pos:end])
        return True
    report("this string is never closed (a quoted string must end on its line; "
           "use \"\"\"...\"\"\" for text over several lines)", span)
    # Read the rest of the line as the string the author meant, so the fields after it
    # still parse; when no value is expected here, the line is skipped.
    if "STRING" in parser.accepts():
        written = text[pos:end].rstrip()
        # `text: "never closed }`: the braces at the end of the line are code, not text.
        written = written.rstrip("} \t") or written
        end = pos + len(written)
        parser.feed_token(Token("STRING", written + '"', start_pos=pos, line=e.line, column=e.column,
                                end_line=e.line, end_column=e.column + len(written), end_pos=pos + len(written)))
    lexer_state.line_ctr.feed(text[pos:end])
    return True


def _keyword_read_as_name(parser, token: Token) -> bool:
    """`dilemma teaches p.x {`: the keyword after a missing name was read as the name.

    Put the keyword back in its place behind a placeholder name, then feed the token
    that did not fit; True when that made the token fit."""
    stack = parser.parser_state.value_stack
    previous = stack[-1] if stack else None
    if not isinstance(previous, Token) or previous.type != "NAME":
        return False
    keyword = str(previous).upper()
    trial = _trial(parser)
    _pop(trial, 1)
    if "NAME" not in trial.accepts():
        return False
    trial.feed_token(_token_like(previous, "NAME", MISSING_NAME))
    if keyword not in trial.accepts():
        return False
    trial.feed_token(Token(keyword, str(previous), start_pos=previous.start_pos, line=previous.line,
                           column=previous.column, end_line=previous.end_line,
                           end_column=previous.end_column, end_pos=previous.end_pos))
    if token.type not in trial.accepts():
        return False
    _pop(parser, 1)
    parser.feed_token(_token_like(previous, "NAME", MISSING_NAME))
    parser.feed_token(Token(keyword, str(previous), start_pos=previous.start_pos, line=previous.line,
                            column=previous.column, end_line=previous.end_line,
                            end_column=previous.end_column, end_pos=previous.end_pos))
    parser.feed_token(token)
    return True


# What a separator at the end of a line leaves unwritten, named in the message.
_SEPARATOR_ITEMS = {"VBAR": "choice", "COMMA": "item", "MORETHAN": "name"}


def _drop_trailing_separator(parser, token: Token, text: str, file: str, report) -> bool:
    """`vary tone: a | b |` with the next field on the following line: the `|` that ends the line
    wants one more choice. The lexer marks the next line's key (`_on_separator`) so the parser stops
    there instead of taking `user` for the choice; likewise it stops at the block's `}` or the next
    construct after such a separator.

    When dropping the separator makes the token fit, do that and report the separator itself: one
    error, at the `|`, `,` or `>`, and the next line reads as written."""
    is_key = token.type == KEY_AFTER_SEPARATOR
    if is_key:
        token.type = "NAME"  # it is one; only the separator before it was out of place
    stack = parser.parser_state.value_stack
    separator = stack[-1] if stack else None
    if (not isinstance(separator, Token) or separator.type not in _SEPARATOR_ITEMS or separator.line is None
            or token.type == "$END" or token.line is None or token.line <= (separator.end_line or separator.line)):
        if is_key and "NAME" in parser.accepts():
            parser.feed_token(token)
            return True
        return False
    trial = _trial(parser)
    _pop(trial, 1)
    if token.type not in trial.accepts():
        return False
    report(f"nothing follows this `{separator}` at the end of the line: remove it, or write the missing "
           f"{_SEPARATOR_ITEMS[separator.type]} after it", _span_of_token(file, separator, text))
    _pop(parser, 1)
    parser.feed_token(token)
    return True


def _trial(parser):
    """A copy to try tokens on. It shares the values already parsed (Lark's own `copy()`
    deep-copies every tree built so far, which made each error cost the size of the file)
    and builds no trees of its own."""
    trial = parser.copy(deepcopy_values=False)
    conf = copy.copy(trial.parser_state.parse_conf)
    conf.callbacks = {}
    trial.parser_state.parse_conf = conf
    return trial


def _token_like(where: Token, kind: str, value: str) -> Token:
    """A zero-width token inserted just before `where`."""
    return Token(kind, value, start_pos=where.start_pos, line=where.line, column=where.column,
                 end_line=where.line, end_column=where.column, end_pos=where.start_pos)


def _pop(parser, count: int) -> None:
    state = parser.parser_state
    del state.value_stack[len(state.value_stack) - count:]
    del state.state_stack[len(state.state_stack) - count:]


def _pop_until_accepted(parser, kind: str) -> bool:
    """Drop the unfinished item at the top of the stack until `kind` fits, never popping
    past the innermost open `{` (so the blocks around it and their finished items survive)."""
    stack = parser.parser_state.value_stack
    limit = next((i for i in range(len(stack) - 1, -1, -1)
                  if isinstance(stack[i], Token) and stack[i].type == "LBRACE"), None)
    if limit is None:
        return False
    trial = _trial(parser)
    for count in range(0, len(stack) - limit):
        if kind in trial.accepts():
            _pop(parser, count)
            return True
        _pop(trial, 1)
    return False


def _close_open_blocks(parser, token: Token, text: str, file: str, report) -> bool:
    """A construct keyword inside braces: close the blocks still open, then restart there."""
    opened = list(_state().open_braces)
    where = f" (the `{{` on line {opened[-1].line} is never closed)" if opened else ""
    report(f"expected `}}` before `{token}`: a {token} cannot appear inside another construct's "
           f"braces{where}", _span_of_token(file, token, text))
    for _ in range(MAX_NESTING + 1):
        if token.type in parser.accepts():
            break
        if "RBRACE" not in parser.accepts() and not _pop_until_accepted(parser, "RBRACE"):
            return True  # cannot close here: drop the keyword and carry on
        parser.feed_token(_token_like(token, "RBRACE", "}"))
        if _state().open_braces:
            _state().open_braces.pop()
    else:
        return True
    parser.feed_token(token)
    return True


def _recover_token(e: UnexpectedToken, text: str, file: str, report) -> bool:
    token = e.token
    parser = e.interactive_parser
    if token.type in CONSTRUCT_KEYWORD_TYPES and _state().open_braces:
        return _close_open_blocks(parser, token, text, file, report)
    if _drop_trailing_separator(parser, token, text, file, report):
        return True
    previous = _previous_token(e)
    if token.type == "RBRACE" and "RBRACE" not in e.expected and not _state().open_braces \
            and not any(isinstance(v, Token) and v.type == "LBRACE" for v in parser.parser_state.value_stack):
        report("this `}` closes no block (is there one too many?)", _span_of_token(file, token, text))
        return True
    if token.type == "RBRACE" and _recover_unfinished_item(parser, token, text, file, report):
        return True
    span = _span_of_token(file, token, text)
    if (previous is not None and token.type != "$END" and previous.line is not None
            and token.line > (previous.end_line or previous.line)):
        # What is missing belongs at the end of the previous line, not before the next token.
        line, column = previous.end_line or previous.line, previous.end_column or previous.column + 1
        span = Span.unchecked(file=file, line=line, column=column, end_line=line, end_column=column + 1)
    expected = _expected_words(set(e.expected), previous)
    after = f" after {_token_words(previous)}" if previous is not None else ""
    hint = ""
    if (previous is not None and previous.type == "NAME" and str(previous).upper() in e.expected
            and str(previous).islower()):
        hint = f" (`{previous}` was read as a name: is the name before it missing?)"
    if token.type == "$END" and _state().open_braces:
        report(_unclosed_message(_state().open_braces, text), span)
    else:
        report(f"expected {expected}{after}, found {_token_words(token)}{hint}", span)
    if token.type == "$END":
        # Close every open block so the rest of the file still gets checked.
        for _ in range(MAX_NESTING + 1):
            if "$END" in parser.accepts():
                return True
            if "RBRACE" not in parser.accepts() and not _pop_until_accepted(parser, "RBRACE"):
                return False
            parser.feed_token(_token_at_end("RBRACE", "}", text))
        return False
    if hint and _keyword_read_as_name(parser, token):
        return True
    # Try inserting one missing token; keep the offending token if it then fits.
    accepts = parser.accepts()
    starts_line = previous is None or token.line > (previous.end_line or previous.line)
    for kind, value in _REPAIRS:
        if kind not in accepts:
            continue
        # A `{` inserted before `}` or mid-line would open a block that swallows the
        # braces meant for the enclosing one; it is only plausible at the end of a line.
        if kind == "LBRACE" and (token.type == "RBRACE" or not starts_line):
            continue
        trial = _trial(parser)
        trial.feed_token(_token_like(token, kind, value))
        if token.type in trial.accepts():
            parser.feed_token(_token_like(token, kind, value))
            parser.feed_token(token)
            return True
    return True  # drop the offending token and carry on


def _unclosed_message(open_braces: list[Token], text: str) -> str:
    """The file ended inside a block: name the innermost one still open and its line."""
    brace = open_braces[-1]
    line_start = text.rfind("\n", 0, brace.start_pos) + 1
    head = " ".join(text[line_start:brace.start_pos].split()) or "a block"
    more = f" ({len(open_braces) - 1} enclosing block(s) are open too)" if len(open_braces) > 1 else ""
    return (f"the end of the file comes before the `}}` closing `{head}` (opened on line {brace.line}): "
            f"add it{more}")


_UNQUOTED_BEFORE = re.compile(r"([^\W\d][\w.\-]*)[ \t]*:[ \t]*([^\W\d][\w.\-]*)[ \t]+$")
_QUOTED_BEFORE = re.compile(r"([^\W\d][\w.\-]*)[ \t]*:[ \t]*\"[^\"\n]*\"$")


def _text_slip(text: str, first: Token, last: Token) -> str | None:
    """Stray words right after `key: word` or `key: "text"` on one line are the rest of a text."""
    line_start = text.rfind("\n", 0, first.start_pos) + 1
    before = text[line_start:first.start_pos]
    rest = text[first.start_pos:text.find("\n", first.start_pos) if "\n" in text[first.start_pos:] else len(text)]
    rest = rest.split("}")[0].strip()
    if (match := _UNQUOTED_BEFORE.search(before)) is not None:
        key, words = match.group(1), f"{match.group(2)} {rest}"
        return (f'text must be quoted: `{key}: {words}` reads `{match.group(2)}` as the value; write '
                f'`{key}: "{words}"` or a text block `{key}: """{words}"""`')
    if (match := _QUOTED_BEFORE.search(before)) is not None:
        return (f'the `"` before `{first}` ends the text of `{match.group(1)}` early: escape a quote inside a '
                f'text as `\\"`, or write the text as a block `"""..."""`, where quotes need no escaping')
    return None


def _recover_unfinished_item(parser, token: Token, text: str, file: str, report) -> bool:
    """`}` after words that never became a field (`stray words here }`, `why: }`).

    A value missing after `:` is repaired by the insertions; anything else is dropped up to
    the block's `{`, and the error points at the words themselves rather than at the `}`."""
    accepts = parser.accepts()
    if "COLON" not in accepts and "LBRACE" not in accepts:
        return False  # not a field's words: leave it to the general recovery
    stack = parser.parser_state.value_stack
    trial = _trial(parser)
    before = len(stack)
    if not _pop_until_accepted(trial, "RBRACE"):
        return False
    dropped = [v for v in stack[len(trial.parser_state.value_stack):before]]
    words = _leaf_tokens(dropped)
    if not words:
        return False
    first, last = words[0], words[-1]
    shown = " ".join(str(w) for w in words)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    message = _text_slip(text, first, last) or (
        f"`{shown}` is not a field: write `{first}: value`" if len(words) == 1 else
        f"`{shown}` is not a field: a field is `name: value` (or `name {{ ... }}` for a block)")
    end_line, end_col = (last.end_line or last.line), (last.end_column or last.column + 1)
    if end_line != first.line:
        end_line, end_col = first.line, first.column + len(str(first))
    report(message, Span.unchecked(file=file, line=first.line, column=first.column, end_line=end_line,
                         end_column=end_col))
    _pop_until_accepted(parser, "RBRACE")
    parser.feed_token(token)
    return True


def _leaf_tokens(values) -> list[Token]:
    out: list[Token] = []
    for value in values:
        if isinstance(value, Token):
            out.append(value)
        elif isinstance(value, Tree):
            out.extend(t for t in value.scan_values(lambda v: isinstance(v, Token)))
    return out
