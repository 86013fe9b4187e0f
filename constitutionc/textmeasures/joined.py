"""Many texts searched as one: which of them hold a piece of text is one `find` per text that holds it.

The texts are joined with `JOINT` between them, which no piece searched for may hold, so a match never
spans two texts; after a hit the search goes on from the next text's start. Most pieces are in few
texts, so this is far fewer calls than searching each text in turn.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Iterator, Sequence

JOINT = "\x00"


class Joined:
    """A haystack of texts joined by `JOINT` (a `str`, or the same texts as bytes of one byte a character),
    and where each text starts in it, worked out on the first hit (from `parts`, whose lengths are the
    texts' lengths in the haystack)."""

    __slots__ = ("haystack", "_parts", "_starts")

    def __init__(self, haystack: str | bytes, parts: Sequence[str]):
        self.haystack = haystack
        self._parts = parts
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        """Where each text starts, and one past the end."""
        if self._starts is None:
            self._starts = list(accumulate((len(part) + 1 for part in self._parts), initial=0))
        return self._starts

    def texts_holding(self, piece: str | bytes) -> Iterator[int]:
        """The places of the texts that hold `piece` (which must not hold the joint), each once, in order."""
        haystack = self.haystack
        at = haystack.find(piece)
        if at < 0:
            return
        starts = self.starts
        while at >= 0:
            text = bisect_right(starts, at) - 1
            yield text
            at = haystack.find(piece, starts[text + 1])
