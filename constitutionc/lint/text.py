"""Word-level text helpers shared by the lint rules: normalising, overlap, runs, locating."""

from __future__ import annotations

import functools
import re
from typing import Iterator

from ..ir import Span
from ..templates import SLOT

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A template slot or a paragraph boundary breaks a run of words: nothing real spans it.
BREAK = "\x00"

# Function words carry no meaning of their own; overlap is judged on the rest.
STOPWORDS = frozenset("""
a an and are as at be been being but by can could do does for from had has have how i if in into is it
its itself me my no nor not of on or our ours should so such than that the their them then there these they
this those to too us was we were what when where which who whom why will with would you your yours
""".split())


def words(text: str) -> list[str]:
    """Lowercase words, with template slots and blank lines turned into BREAK markers."""
    text = SLOT.sub(f" {BREAK} ", text.lower())
    text = re.sub(r"\n[ \t]*\n", f" {BREAK} ", text)
    out: list[str] = []
    for chunk in text.split(BREAK):
        out.extend(_WORD.findall(chunk))
        out.append(BREAK)
    return out[:-1]


def _stem(word: str) -> str:
    # Crude, but enough to match "coerce"/"coercion"/"coercing" for an overlap estimate.
    for suffix in ("ations", "ation", "ions", "ion", "ings", "ing", "ies", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@functools.lru_cache(maxsize=8192)
def content_words(text: str) -> frozenset[str]:
    # Cached: the language server lints on every change, and most texts have not changed.
    return frozenset(_stem(w) for w in words(text) if w != BREAK and w not in STOPWORDS)


def containment(part: str, whole: str) -> float:
    """The share of `part`'s content words that also occur in `whole` (0 when `part` has none)."""
    mine = content_words(part)
    if not mine:
        return 0.0
    return len(mine & content_words(whole)) / len(mine)


def runs(text: str, length: int) -> Iterator[tuple[str, ...]]:
    """Every sequence of `length` consecutive words not crossing a slot or paragraph break."""
    for _, window in indexed_runs(words(text), length):
        yield window


def indexed_runs(sequence: list[str], length: int) -> Iterator[tuple[int, tuple[str, ...]]]:
    for start in range(len(sequence) - length + 1):
        window = tuple(sequence[start:start + length])
        if BREAK not in window:
            yield start, window


def source_lines(sources: dict[str, str], span: Span) -> list[tuple[int, str]]:
    text = sources.get(span.file)
    if text is None:
        return []
    lines = text.split("\n")
    last = min(span.end_line, len(lines))
    return [(n, lines[n - 1]) for n in range(span.line, last + 1)]


def locate(sources: dict[str, str], span: Span, needle: str) -> Span:
    """The span of `needle`'s first occurrence inside `span` (whole words), or `span` itself."""
    pattern = re.compile(r"(?<![A-Za-z0-9_.\-])" + re.escape(needle) + r"(?![A-Za-z0-9_\-]|\.[A-Za-z0-9_])")
    for number, line in source_lines(sources, span):
        start = span.column - 1 if number == span.line else 0
        match = pattern.search(line, start)
        if match:
            return Span(file=span.file, line=number, column=match.start() + 1, end_line=number,
                        end_column=match.end() + 1)
    return span


def locate_run(sources: dict[str, str], span: Span, run: tuple[str, ...]) -> Span:
    """The line inside `span` where the word sequence `run` begins, or `span` itself."""
    positions: list[int] = []
    sequence: list[str] = []
    for number, line in source_lines(sources, span):
        for word in words(line):
            sequence.append(word)
            positions.append(number)
    size = len(run)
    for start in range(len(sequence) - size + 1):
        if tuple(sequence[start:start + size]) == run:
            number = positions[start]
            line = dict(source_lines(sources, span)).get(number, "")
            first = len(line) - len(line.lstrip()) + 1
            return Span(file=span.file, line=number, column=first, end_line=number, end_column=len(line) + 1)
    return span
