"""Runs of words a text shares with indexed texts: probe contamination and pasted constitution text.

`OverlapIndex(n)` holds every word n-gram of some texts, each with the labels of the texts it
comes from. A text's shared runs are its maximal stretches of consecutive indexed n-grams that
come from one same indexed text: a run of L >= n words is L - n + 1 consecutive n-grams, so the
smallest overlap reported is n words. Used by `generate` (reject a reply sharing 8 words with a
probe or 12 with a clause) and by `audit` (the share of training items sharing 8 or 13 words with
a probe; the share of an answer's words lying in runs of 10 copied from the clauses).
"""

from __future__ import annotations

from dataclasses import dataclass

from .tokens import ngrams, words


@dataclass(frozen=True)
class Overlap:
    """A run of words a text shares with an indexed one."""

    label: str  # the indexed text it comes from (the first one added, when several hold it)
    start: int  # word offset in the checked text
    length: int  # in words
    text: str  # the shared words, normalised


class OverlapIndex:
    def __init__(self, n: int):
        self.n = n
        self._labels: dict[tuple[str, ...], tuple[str, ...]] = {}  # n-gram -> labels holding it, in order
        # A shared run of n words holds a k-word piece starting at a multiple of `stride` (k = n // 2,
        # stride = n - k + 1), so testing those few pieces against every k-gram of the indexed texts
        # tells in C whether a text can share anything; only a text that passes is scanned word by word.
        self._k = max(1, n // 2)
        self._stride = n - self._k + 1
        self._pieces: set[tuple[str, ...]] = set()

    def __len__(self) -> int:
        return len(self._labels)

    @property
    def pieces(self) -> list[tuple[str, ...]]:
        """Every k-word piece of the indexed texts (k = `piece_words`), in no order: a text none of whose
        pieces starting at a multiple of `stride` is one shares no run with the index."""
        return list(self._pieces)

    @property
    def piece_words(self) -> int:
        return self._k

    @property
    def stride(self) -> int:
        return self._stride

    def __bool__(self) -> bool:
        return bool(self._labels)

    def add(self, text: str, label: str) -> None:
        tokens = words(text)
        self._pieces.update(ngrams(tokens, self._k))
        for gram in ngrams(tokens, self.n):
            held = self._labels.get(gram)
            if held is None:
                self._labels[gram] = (label,)
            elif label not in held:
                self._labels[gram] = (*held, label)

    def overlaps(self, text: str | list[str]) -> list[Overlap]:
        """Maximal shared runs (each at least n words), longest first, then by position."""
        tokens = words(text) if isinstance(text, str) else text
        if not self._labels:
            return []
        labels, n, k, stride = self._labels, self.n, self._k, self._stride
        # Most text shares nothing with the index: a C-level pass over a few pieces settles that.
        if self._pieces.isdisjoint(zip(*(tokens[i::stride] for i in range(k)))):
            return []
        runs: list[Overlap] = []
        start, owners = None, ()
        for i, gram in enumerate(ngrams(tokens, n)):
            held = labels.get(gram)
            shared = tuple(label for label in owners if held and label in held) if start is not None else ()
            if held and shared:
                owners = shared
                continue
            if start is not None:
                runs.append(self._run(tokens, start, i - 1, owners))
            start, owners = (i, held) if held else (None, ())
        if start is not None:
            runs.append(self._run(tokens, start, len(tokens) - n, owners))
        return sorted(runs, key=lambda r: (-r.length, r.start))

    def _run(self, tokens: list[str], first: int, last: int, owners: tuple[str, ...]) -> Overlap:
        length = last - first + self.n
        return Overlap(owners[0], first, length, " ".join(tokens[first:first + length]))

    def longest(self, text: str | list[str]) -> Overlap | None:
        runs = self.overlaps(text)
        return runs[0] if runs else None

    def covered_share(self, text: str | list[str]) -> float:
        """Share of the text's words that lie inside some shared run."""
        tokens = words(text) if isinstance(text, str) else text
        if not tokens:
            return 0.0
        covered = [False] * len(tokens)
        for run in self.overlaps(tokens):
            covered[run.start:run.start + run.length] = [True] * run.length
        return sum(covered) / len(tokens)
