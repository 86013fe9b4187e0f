"""Where the cursor is, read from raw text: which blocks enclose it, whether it is
inside a string or a comment, and what precedes it on its line.

Completion runs on half-typed text the parser may not make sense of, so this
looks only at tokens and braces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r'(?P<long>"""[\s\S]*?(?:"""|\Z))'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*(?:"|$))'
    r'|(?P<comment>#[^\n]*)'
    r'|(?P<open>\{)|(?P<close>\})'
    r'|(?P<newline>\n)'
    r'|(?P<word>[^\s{}"#]+)'
    r'|[ \t\r\f\v]+', re.M)


@dataclass
class Frame:
    """An open block: the words before its `{` and where it starts."""

    words: list[str]
    start: int

    @property
    def keyword(self) -> str:
        return self.words[0] if self.words else ""


@dataclass
class CursorContext:
    frames: list[Frame] = field(default_factory=list)
    in_comment: bool = False
    string_prefix: str | None = None  # the string's text before the cursor, when inside one
    line_words: list[str] = field(default_factory=list)  # complete words before the cursor on its statement
    partial: str = ""  # the word being typed

    def enclosing(self, *keywords: str) -> Frame | None:
        for frame in reversed(self.frames):
            if frame.keyword in keywords:
                return frame
        return None

    @property
    def block(self) -> str:
        return self.frames[-1].keyword if self.frames else ""


def cursor_context(text: str, offset: int) -> CursorContext:
    context = CursorContext()
    before = text[:offset]
    words: list[str] = []
    for match in _TOKEN.finditer(before):
        kind = match.lastgroup
        if kind == "open":
            context.frames.append(Frame(words, match.start()))
            words = []
        elif kind == "close":
            if context.frames:
                context.frames.pop()
            words = []
        elif kind == "newline":
            words = []
        elif kind == "word":
            words = words + [match.group(0)]
        elif kind in ("long", "string"):
            token = match.group(0)
            closed = len(token) >= 6 and token.endswith('"""') if kind == "long" else \
                len(token) >= 2 and token.endswith('"')
            if not closed and match.end() == len(before):
                context.string_prefix = token[3:] if kind == "long" else token[1:]
                break
            words = words + ['""']
        elif kind == "comment" and match.end() == len(before):
            context.in_comment = True
    if words and not before[-1:].isspace() and before[-1:] not in (":", ",", "|", ">"):
        context.partial = _trailing_word(words[-1])
        last = words[-1][: len(words[-1]) - len(context.partial)]
        words = words[:-1] + ([last] if last else [])
    context.line_words = words
    return context


_TRAILING = re.compile(r"[A-Za-z0-9_.\-]*$")


def _trailing_word(word: str) -> str:
    return _TRAILING.search(word).group(0)


def block_text(text: str, frame: Frame) -> str:
    """The text of the block opened at `frame`, to its closing brace (or the end)."""
    depth = 0
    for match in _TOKEN.finditer(text, frame.start):
        if match.lastgroup == "open":
            depth += 1
        elif match.lastgroup == "close":
            depth -= 1
            if depth == 0:
                return text[frame.start:match.end()]
    return text[frame.start:]
