"""What the parser's lexer sees and keeps, per parse: Lark imported once (with `regex` and
`interegular` hidden), the per-thread parse state the lexer callbacks reach, and the callbacks
themselves (comments, braces, text blocks, separators, construct words read as names).
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from dataclasses import dataclass, field
from typing import Callable

# Lark imports `regex` and `interegular` whenever they are installed (other packages bring them in),
# for options this parser never sets (`regex=True`; terminal-collision checks, which a grammar loaded
# from the cache skips). Importing them cost a small file's check a twentieth of its time, so Lark is
# imported with them hidden unless the process already has them; they stay importable afterwards.
# `get_parser(strict=True)` hands `interegular` back to Lark.
_HIDDEN_FROM_LARK = [name for name in ("regex", "interegular") if name not in sys.modules]
for _name in _HIDDEN_FROM_LARK:
    sys.modules[_name] = None  # type: ignore[assignment]  # an import of it raises ImportError
try:
    # The other modules of the parser take Lark's names from here, so that this is where Lark is imported.
    from lark import Lark, Token, Tree  # noqa: F401
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken  # noqa: F401
finally:
    for _name in _HIDDEN_FROM_LARK:
        if sys.modules.get(_name, False) is None:
            del sys.modules[_name]

# Deeper nesting than this is refused before the tree builder recurses into it.
MAX_NESTING = 200


@functools.cache
def _regex(pattern: str) -> re.Pattern:
    """A pattern of the parser's modules, compiled when first used: most parses meet few of them (an
    error's patterns, one construct word's header), and compiling all of them at import cost a
    small file's check about a fortieth of its time."""
    return re.compile(pattern)


@dataclass
class _ParseState:
    """Per-parse mutable state reached by the (shared, cached) lexer callbacks."""

    text: str = ""
    comments: list[Token] = field(default_factory=list)
    # The `{` tokens not yet closed, innermost last.
    open_braces: list[Token] = field(default_factory=list)
    last_text_block: Token | None = None
    # `(rule, meta, children) -> node`: makes each rule's syntax-tree node as the parser reduces it
    # (`builder.TreeBuilder.node`); None: the parse makes a Lark tree.
    build_node: Callable | None = None
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
_CODE_IN_TEXT = r"\n[ \t]*(?:\}[ \t]*\n|[^\W\d][\w.\-]*[ \t]*:[ \t]*[\"\w])"


def _swallowed_code_note(before: int) -> tuple[str, ...]:
    """A note naming the text block that probably lacks its closing quotes, if one does."""
    block = _state().last_text_block
    if block is None or block.end_pos > before or block.line == block.end_line:
        return ()
    match = _regex(_CODE_IN_TEXT).search(str(block))
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
# ... unless the word is a label after a key that takes a name (`check section "..." { }`).
_LABEL_AFTER_KEY = r"\b(?:check|tool|param|slot|vary|system|argument|set|from|to|section)[ \t]+$"
CONSTRUCT_KEYWORD_TYPES = frozenset(word.upper() for word in _CONSTRUCT_HEADERS)


# A separator (`|`, `,`, `>`) that ends its line, followed by a line that starts like a field
# (`key:`): the list ended with the line, and the next line is not its last item. Only that shape:
# no list item can be followed by `:`, so this never turns a text that parses into an error (a key
# with labels, `vary who: ...`, would read as a last item followed by a field `who: ...`, which does
# parse, and so is left to lowering).
_FIELD_AFTER_SEPARATOR = (r'[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*'
                          rf'(?={_NAME_PATTERN}[ \t]*:)')
# The token type a field key after such a separator is given: no parser state takes it, so the
# parser stops there and `_drop_trailing_separator` reports the separator.
KEY_AFTER_SEPARATOR = "KEY_AFTER_SEPARATOR"


def _on_separator(token: Token) -> Token:
    state = _state()
    match = _regex(_FIELD_AFTER_SEPARATOR).match(state.text, token.end_pos)
    if match is not None:
        state.key_after_separator = match.end()
    return token


def _on_name(token: Token) -> Token:
    state = _state()
    if token.value in _CONSTRUCT_HEADERS:
        text = state.text
        if _regex(_CONSTRUCT_HEADERS[token.value]).match(text, token.start_pos) and not _regex(
                _LABEL_AFTER_KEY).search(text, max(0, token.start_pos - 40), token.start_pos):
            token.type = token.value.upper()
            return token
    if token.start_pos == state.key_after_separator:
        token.type = KEY_AFTER_SEPARATOR
    return token


class _TooDeep(Exception):
    def __init__(self, token: Token):
        super().__init__("nesting too deep")
        self.token = token
