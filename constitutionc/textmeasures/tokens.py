"""Words, word n-grams, shingles and Jaccard similarity: the units every text measure counts in.

A word is a lower-cased run of letters and digits, with apostrophes inside it kept ("don't" is one
word, typographic apostrophes folded to "'"); every other character separates words, so
punctuation, dashes and spacing never matter. `WORD` is that definition; `words` applies it with a
fast path for ASCII text (most of any dataset), which gives the same list as the expression.
"""

from __future__ import annotations

import re
import string
from typing import Iterable, Iterator

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")

# Typographic marks folded to ASCII before splitting: each maps to a character the definition
# treats the same way (apostrophes stay apostrophes; quotes and dashes separate words), so
# folding never changes the result, and afterwards most model-written text is ASCII.
_FOLDS = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", " "), ("\u201d", " "), ("\u2014", " "), ("\u2013", " "),
          ("\u2026", " "), ("\u00a0", " "))
_KEEP = set(string.ascii_letters + string.digits + "'")
# Bytes: every ASCII character that cannot be inside a word becomes a space (non-ASCII bytes only
# reach this table when the text is ASCII, so none do).
ASCII_SEPARATORS = bytes(c if chr(c) in _KEEP or c >= 128 else 32 for c in range(256))


def fold_marks(text: str) -> str:
    """`text` with its typographic marks folded to ASCII (`_FOLDS`: the words stay the same, and the same
    length: each mark is one character and so is its replacement)."""
    for mark, replacement in _FOLDS:
        if mark in text:
            text = text.replace(mark, replacement)
    return text


def word_string(text: str) -> str:
    """The words of `text` (see the module docstring) separated by spaces, runs of them allowed: its
    `split()` is `words(text)`. ASCII text is one translation, with no string made per word."""
    if not text.isascii():
        text = fold_marks(text)
        if not text.isascii():
            return " ".join(WORD.findall(text.lower()))
    spaced = text.lower().encode("ascii").translate(ASCII_SEPARATORS).decode("ascii")
    if "'" in spaced and (spaced[0] == "'" or spaced[-1] == "'" or "' " in spaced or " '" in spaced
                          or "''" in spaced):
        # An apostrophe at a word's edge, or doubled, separates: let the definition split those tokens.
        return " ".join(part for token in spaced.split()
                        for part in (WORD.findall(token) if "'" in token else (token,)))
    return spaced


def words(text: str) -> list[str]:
    """The words of `text`, in order (see the module docstring for what a word is)."""
    return word_string(text).split()


def ngrams(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    """Every run of n consecutive words, in order, as tuples."""
    return zip(*(tokens[i:] for i in range(n)))


def shingles(text_or_tokens: str | list[str], n: int = 5) -> set[tuple[str, ...]]:
    """The set of word n-grams; a text shorter than n words is one shingle of all its words."""
    tokens = words(text_or_tokens) if isinstance(text_or_tokens, str) else text_or_tokens
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return set(zip(*(tokens[i:] for i in range(n))))


def jaccard(a: set | str, b: set | str, n: int = 5) -> float:
    """|a & b| / |a | b| of two shingle sets (texts are shingled first); 0.0 when both are empty."""
    x = shingles(a, n) if isinstance(a, str) else a
    y = shingles(b, n) if isinstance(b, str) else b
    union = len(x | y)
    return len(x & y) / union if union else 0.0


def distinct_n(texts: Iterable[list[str]], n: int) -> tuple[int, int]:
    """(distinct n-grams, all n-grams) over token lists: distinct-n is their ratio."""
    seen: set = set()
    total = 0
    for tokens in texts:
        grams = tokens if n == 1 else list(zip(*(tokens[i:] for i in range(n))))
        total += len(grams)
        seen.update(grams)
    return len(seen), total
