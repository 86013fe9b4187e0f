"""The cached Lark parser, with error recovery and messages in words.

`parse_text` never raises on bad input: it returns a Lark tree (possibly built
from a repaired token stream), the comments it saw, and syntax diagnostics.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..diagnostics import BAD_INPUT, SYNTAX, Diagnostic, diag
from ..ir import Span

GRAMMAR_FILE = "constitution.lark"
# Deeper nesting than this is refused before the tree builder recurses into it.
MAX_NESTING = 200


def grammar_text() -> str:
    return resources.files(__package__).joinpath(GRAMMAR_FILE).read_text(encoding="utf-8")


@dataclass
class _ParseState:
    """Per-parse mutable state reached by the (shared, cached) lexer callbacks."""

    comments: list[Token] = field(default_factory=list)
    depth: int = 0


_local = threading.local()


def _state() -> _ParseState:
    return _local.state


def _on_comment(token: Token) -> Token:
    _state().comments.append(token)
    return token


def _on_open(token: Token) -> Token:
    state = _state()
    state.depth += 1
    if state.depth > MAX_NESTING:
        raise _TooDeep(token)
    return token


def _on_close(token: Token) -> Token:
    _state().depth -= 1
    return token


class _TooDeep(Exception):
    def __init__(self, token: Token):
        super().__init__("nesting too deep")
        self.token = token


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


@functools.lru_cache(maxsize=None)
def get_parser(strict: bool = False) -> Lark:
    """Build the LALR parser once per process (and reuse Lark's on-disk cache)."""
    options = dict(
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"COMMENT": _on_comment, "LBRACE": _on_open, "RBRACE": _on_close},
    )
    if strict:
        return Lark(grammar_text(), strict=True, **options)
    return Lark(grammar_text(), cache=_cache_path(), **options)


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
        return Span(file=file, line=line, column=col, end_line=line, end_column=col + 1)
    end_line = token.end_line or token.line
    end_col = token.end_column or token.column + 1
    if end_line != token.line:  # a multi-line token: point at its first line only
        end_line, end_col = token.line, token.column + 1
    return Span(file=file, line=token.line, column=token.column, end_line=end_line,
                end_column=max(end_col, token.column + 1))


def _token_at_end(kind: str, value: str, text: str) -> Token:
    """A token inserted at the end of the file, with a position, so spans stay valid."""
    line = text.count("\n") + 1
    column = len(text) - (text.rfind("\n") + 1) + 1
    return Token(kind, value, start_pos=len(text), line=line, column=column, end_line=line,
                 end_column=column, end_pos=len(text))


# Tokens tried, in order, as an insertion that lets parsing continue.
_REPAIRS = (("RBRACE", "}"), ("COLON", ":"), ("NAME", "_missing_"), ("STRING", '""'),
            ("LBRACE", "{"))


@dataclass
class ParseResult:
    tree: Tree | None
    comments: list[Token]
    diagnostics: list[Diagnostic]


def parse_text(text: str, file: str = "<input>") -> ParseResult:
    """Parse CDL text into a Lark tree, reporting every independent syntax error."""
    diagnostics: list[Diagnostic] = []
    _local.state = _ParseState()
    last_error_line = [0]

    def report(message: str, span: Span) -> None:
        # A second error on the line of the previous one is almost always its cascade.
        if span.line <= last_error_line[0]:
            return
        last_error_line[0] = span.line
        diagnostics.append(diag(SYNTAX.code, message, span))

    def on_error(e: UnexpectedInput) -> bool:
        if len(diagnostics) >= 100:
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
                                    Span(file=file, line=line, column=col, end_line=line,
                                         end_column=col + 1)))
        return ParseResult(None, _state().comments, diagnostics)
    return ParseResult(tree, _state().comments, diagnostics)


def _recover_characters(e: UnexpectedCharacters, text: str, file: str, report) -> bool:
    pos = e.pos_in_stream
    char = text[pos] if pos < len(text) else ""
    span = Span(file=file, line=e.line, column=e.column, end_line=e.line, end_column=e.column + 1)
    if char == '"':
        message = "this string is never closed (a quoted string must end on its line; use \"\"\"...\"\"\" for text over several lines)"
    else:
        message = f"unexpected character {char!r}"
    report(message, span)
    lexer_state = e.interactive_parser.lexer_thread.state
    if char == '"':
        # An unclosed string: the rest of its line is prose, not code; skip it.
        end = text.find("\n", pos)
        end = len(text) if end == -1 else end
    else:
        # Skip the whole run of stray characters up to the next space, not one at a time.
        end = pos + 1
        while end < len(text) and not text[end].isspace() and text[end] not in '{}"#':
            end += 1
    lexer_state.line_ctr.feed(text[pos:max(end, pos + 1)])
    return True


def _recover_token(e: UnexpectedToken, text: str, file: str, report) -> bool:
    token = e.token
    previous = _previous_token(e)
    span = _span_of_token(file, token, text)
    expected = _expected_words(set(e.expected), previous)
    after = f" after {_token_words(previous)}" if previous is not None else ""
    report(f"expected {expected}{after}, found {_token_words(token)}", span)
    parser = e.interactive_parser
    if token.type == "$END":
        # Close every open block so the rest of the file still gets checked.
        for _ in range(MAX_NESTING + 1):
            if "$END" in parser.accepts():
                return True
            if "RBRACE" not in parser.accepts():
                return False
            parser.feed_token(_token_at_end("RBRACE", "}", text))
        return False
    # Try inserting one missing token; keep the offending token if it then fits.
    accepts = parser.accepts()
    for kind, value in _REPAIRS:
        if kind not in accepts:
            continue
        trial = parser.copy()
        trial.feed_token(Token(kind, value, start_pos=token.start_pos, line=token.line,
                               column=token.column, end_line=token.line,
                               end_column=token.column, end_pos=token.start_pos))
        if token.type in trial.accepts():
            parser.feed_token(Token(kind, value, start_pos=token.start_pos, line=token.line,
                                    column=token.column, end_line=token.line,
                                    end_column=token.column, end_pos=token.start_pos))
            parser.feed_token(token)
            return True
    return True  # drop the offending token and carry on
