"""Texts as arrays of integers: token ids and hashed word n-grams, for figures over thousands of texts.

Distinct-n, MinHash signatures and phrase features over ten thousand texts cost seconds as Python
tuples in sets; as numpy arrays of 64-bit hashes they are a few vectorised passes. A token's id is
its place in a `Vocabulary` (given in the order texts arrive, so the same texts in the same order
get the same ids), or, where only equality matters, its Python hash; an n-gram's hash mixes its
tokens' ids with splitmix64, so two different n-grams
share a hash with a chance of about 2^-64 per pair: counts are exact for any dataset this reads.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .tokens import words

_U64 = np.uint64
_GOLDEN = _U64(0x9E3779B97F4A7C15)


def mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of 64-bit integers that scatters nearby inputs (a new array)."""
    with np.errstate(over="ignore"):
        x = values + _GOLDEN
        x ^= x >> _U64(30)
        x *= _U64(0xBF58476D1CE4E5B9)
        x ^= x >> _U64(27)
        x *= _U64(0x94D049BB133111EB)
        x ^= x >> _U64(31)
        return x


_MASK = (1 << 64) - 1


def _mix_int(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _short_text_hash(ids: list[int]) -> int:
    """A text too short for one n-gram, hashed as one gram of all its words (seeded by its length)."""
    h = _mix_int(0x5EED + len(ids))
    for value in ids:
        h = _mix_int(h ^ value)
    return h


class Vocabulary:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.tokens: list[str] = []

    def encode(self, token_lists: Sequence[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """All texts' token ids end to end, and each text's length."""
        ids, tokens = self.ids, self.tokens
        flat: list[int] = []
        for text_tokens in token_lists:
            for token in text_tokens:
                found = ids.get(token)
                if found is None:
                    found = ids[token] = len(tokens)
                    tokens.append(token)
                flat.append(found)
        lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
        return np.asarray(flat, dtype=np.uint64), lengths


def gram_hashes(ids: np.ndarray, lengths: np.ndarray, n: int, short_texts: bool = False) -> tuple[np.ndarray,
                                                                                                    np.ndarray]:
    """Each text's word n-gram hashes end to end, and how many each text has.

    With `short_texts`, a text of fewer than n words (but at least one) is one gram of all its words,
    as `tokens.shingles` treats it."""
    total = len(ids)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(lengths) else np.zeros(0, np.int64)
    counts = np.maximum(lengths - n + 1, 0)
    if total >= n:
        span = total - n + 1
        with np.errstate(over="ignore"):
            h = mix(ids[:span])
            for j in range(1, n):
                h ^= ids[j:j + span]
                h = mix(h)
        # A gram is a text's when its first and last words are that text's.
        owner = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        grams = h[owner[:span] == owner[n - 1:]]
    else:
        grams = np.zeros(0, dtype=np.uint64)
    if short_texts:
        short = np.nonzero((lengths > 0) & (lengths < n))[0]
        if len(short):
            extras = np.asarray([_short_text_hash(ids[starts[t]:starts[t] + lengths[t]].tolist()) for t in short],
                                dtype=np.uint64)
            grams = np.insert(grams, (np.cumsum(counts) - counts)[short], extras)
            counts = counts.copy()
            counts[short] = 1
    return grams, counts


def token_hashes(texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every word's Python hash, the texts end to end, and each text's length in words.

    Words are hashed text by text and not kept: ten thousand texts' words as Python strings take
    hundreds of megabytes. Python's string hash is seeded per process, so these serve counts and
    equality tests (which never depend on the values), never anything that must agree between runs."""
    parts, lengths = [], []
    for text in texts:
        tokens = words(text)
        parts.append(np.fromiter(map(hash, tokens), dtype=np.int64, count=len(tokens)))
        lengths.append(len(tokens))
    hashes = np.concatenate(parts).view(np.uint64) if parts else np.zeros(0, dtype=np.uint64)
    return hashes, np.asarray(lengths, dtype=np.int64)


def distinct_counts(texts: Iterable[str]) -> tuple[tuple[int, int], tuple[int, int]]:
    """((distinct words, words), (distinct word pairs, word pairs)) over the texts: distinct-1 and -2."""
    hashes, lengths = token_hashes(texts)
    pairs, _ = gram_hashes(hashes, lengths, 2)
    return (count_distinct(hashes), len(hashes)), (count_distinct(pairs), len(pairs))


def count_distinct(values: np.ndarray) -> int:
    """Distinct values, by sorting (numpy's hash-based `unique` is slower here and far larger in memory)."""
    if not len(values):
        return 0
    ordered = np.sort(values)
    return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))
