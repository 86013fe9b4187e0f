"""Word n-grams and the two indexes built on them.

- `OverlapIndex(n)`: every run of n consecutive words of some texts (the probes, for the
  contamination guard; the constitution, for pasted clauses), and the runs a new text shares
  with them.
- `NearDuplicateIndex(n, threshold)`: word n-gram Jaccard similarity of a new text against every
  text added so far. Exact, through an inverted index from n-gram to texts: only texts sharing an
  n-gram with the new one are ever compared, so the cost follows the overlaps, not the number of
  pairs (no all-pairs pass, no MinHash approximation needed at a dataset's scale of prompts).

Words are lower-cased runs of letters and digits (typographic apostrophes folded, so "don’t" and
"don't" are one word); punctuation and spacing never matter.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def words(text: str) -> list[str]:
    return WORD.findall(text.replace("\u2019", "'").replace("\u2018", "'").lower())


def _key(gram: Iterable[str]) -> int:
    return int.from_bytes(hashlib.blake2b(" ".join(gram).encode("utf-8"), digest_size=8).digest(), "big")


def gram_keys(tokens: list[str], n: int) -> list[int]:
    return [_key(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]


@dataclass(frozen=True)
class Overlap:
    """A run of words a text shares with an indexed one: where it starts in the text, how long it is."""

    label: str
    start: int  # word offset in the checked text
    length: int  # in words
    text: str  # the shared words, normalised


class OverlapIndex:
    def __init__(self, n: int):
        self.n = n
        self._labels: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._labels)

    def add(self, text: str, label: str) -> None:
        for key in gram_keys(words(text), self.n):
            self._labels.setdefault(key, label)

    def overlaps(self, text: str) -> list[Overlap]:
        """Maximal shared runs (each at least n words), longest first."""
        tokens = words(text)
        hits = [i for i, key in enumerate(gram_keys(tokens, self.n)) if key in self._labels]
        runs: list[Overlap] = []
        start = prev = None
        for i in hits + [None]:
            if i is not None and prev is not None and i == prev + 1:
                prev = i
                continue
            if start is not None:
                length = prev - start + self.n
                label = self._labels[_key(tokens[start:start + self.n])]
                runs.append(Overlap(label, start, length, " ".join(tokens[start:start + length])))
            start = prev = i
        return sorted(runs, key=lambda r: (-r.length, r.start))


@dataclass(frozen=True)
class Duplicate:
    key: str
    jaccard: float


class NearDuplicateIndex:
    """Texts as sets of word n-grams; a text shorter than n words is one n-gram of all its words."""

    def __init__(self, n: int = 5, threshold: float = 0.5):
        self.n, self.threshold = n, threshold
        self._keys: list[str] = []
        self._sizes: list[int] = []
        self._postings: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def shingles(self, text: str) -> set[int]:
        tokens = words(text)
        if not tokens:
            return set()
        if len(tokens) < self.n:
            return {_key(tokens)}
        return set(gram_keys(tokens, self.n))

    def add(self, text: str, key: str) -> None:
        doc = len(self._keys)
        grams = self.shingles(text)
        self._keys.append(key)
        self._sizes.append(len(grams))
        for gram in grams:
            self._postings.setdefault(gram, []).append(doc)

    def nearest(self, text: str) -> Duplicate | None:
        """The most similar text added so far, when its Jaccard similarity exceeds the threshold."""
        grams = self.shingles(text)
        if not grams:
            return None
        shared: Counter[int] = Counter()
        for gram in grams:
            for doc in self._postings.get(gram, ()):
                shared[doc] += 1
        best: Duplicate | None = None
        for doc, inter in shared.items():
            jaccard = inter / (len(grams) + self._sizes[doc] - inter)
            if jaccard > self.threshold and (best is None or jaccard > best.jaccard):
                best = Duplicate(self._keys[doc], jaccard)
        return best


def jaccard(a: str, b: str, n: int = 5) -> float:
    index = NearDuplicateIndex(n, threshold=-1.0)
    x, y = index.shingles(a), index.shingles(b)
    return len(x & y) / len(x | y) if x | y else 0.0
