"""Error recovery and syntax messages in words: what the parser does when a token does not fit
(repair the token stream so the rest of the file is still checked) and how each error is worded.
"""

from __future__ import annotations

import copy

from ..ir import MISSING_NAME, Span
from .lexing import (CONSTRUCT_KEYWORD_TYPES, KEY_AFTER_SEPARATOR, MAX_NESTING, Token, Tree, UnexpectedCharacters,
                     UnexpectedToken, _regex, _state)


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


_UNQUOTED_BEFORE = r"([^\W\d][\w.\-]*)[ \t]*:[ \t]*([^\W\d][\w.\-]*)[ \t]+$"
_QUOTED_BEFORE = r"([^\W\d][\w.\-]*)[ \t]*:[ \t]*\"[^\"\n]*\"$"


def _text_slip(text: str, first: Token, last: Token) -> str | None:
    """Stray words right after `key: word` or `key: "text"` on one line are the rest of a text."""
    line_start = text.rfind("\n", 0, first.start_pos) + 1
    before = text[line_start:first.start_pos]
    rest = text[first.start_pos:text.find("\n", first.start_pos) if "\n" in text[first.start_pos:] else len(text)]
    rest = rest.split("}")[0].strip()
    if (match := _regex(_UNQUOTED_BEFORE).search(before)) is not None:
        key, words = match.group(1), f"{match.group(2)} {rest}"
        return (f'text must be quoted: `{key}: {words}` reads `{match.group(2)}` as the value; write '
                f'`{key}: "{words}"` or a text block `{key}: """{words}"""`')
    if (match := _regex(_QUOTED_BEFORE).search(before)) is not None:
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
    """The tokens of parsed values, in source order: tokens, the leaves of trees, and the atoms of
    syntax-tree nodes the builder already made (as tokens again)."""
    out: list[Token] = []
    for value in values:
        if isinstance(value, Token):
            out.append(value)
        elif isinstance(value, Tree):
            out.extend(_leaf_tokens(value.children))
        elif isinstance(value, tuple):
            out.extend(_leaf_tokens(value))
        elif hasattr(value, "raw"):  # an atom
            _, line, column, end_line, end_column = value.pos
            start = _offset(_state().text, line, column)
            out.append(Token("NAME", value.raw, start_pos=start, line=line, column=column, end_line=end_line,
                             end_column=end_column, end_pos=start + len(value.raw)))
        elif hasattr(value, "__dataclass_fields__"):  # another node: its parts, in the order written
            out.extend(_leaf_tokens(getattr(value, name) for name in value.__dataclass_fields__
                                    if name not in ("pos", "keyword_pos", "kind")))
    return out


def _offset(text: str, line: int, column: int) -> int:
    start = 0
    for _ in range(line - 1):
        start = text.index("\n", start) + 1
    return start + column - 1
