"""Bounded, mergeable summaries of what the audit has seen: the memory an audit needs stays flat.

`BottomK` keeps the k items of smallest 64-bit key. Keys are stable hashes of content, so the
sample does not depend on the order rows arrive in, two samples merge into the sample of the
union, and the same text met twice is one member. While fewer than k distinct keys have been seen
the sample holds all of them and every figure drawn from it is exact; past k, a count is the
k-minimum-values estimate (k - 1) / (k-th smallest key / 2^64), about 1/sqrt(k) off (1% at k =
10,000), and a sum is the sample's mean times that count.
"""

from __future__ import annotations

import heapq
from typing import Callable

KEY_SPACE = float(1 << 64)


class BottomK:
    """The k items of smallest key. `combine(old, new)` decides what a key met again holds (default: the first)."""

    __slots__ = ("k", "heap", "members", "combine", "overflowed", "bound")

    def __init__(self, k: int, combine: Callable[[object, object], object] | None = None):
        self.k = k
        self.heap: list[int] = []  # negated keys: the largest key on top
        self.members: dict[int, object] = {}
        self.combine = combine
        self.overflowed = False  # a distinct key was left out: counts drawn from the sample are estimates
        self.bound = 1 << 64  # every member's key is at most this; once full, a larger key is left out

    def __len__(self) -> int:
        return len(self.members)

    def add(self, key: int, item) -> None:
        if key > self.bound:  # the common case once full: left out (callers may test this themselves)
            self.overflowed = True
            return
        members = self.members
        if key in members:
            if self.combine is not None:
                members[key] = self.combine(members[key], item)
            return
        heap = self.heap
        if len(heap) < self.k:
            heapq.heappush(heap, -key)
            members[key] = item
            if len(heap) == self.k:
                self.bound = -heap[0]
            return
        self.overflowed = True
        if key < -heap[0]:
            evicted = -heapq.heapreplace(heap, -key)
            del members[evicted]
            members[key] = item
            self.bound = -heap[0]

    def merge(self, other: "BottomK") -> None:
        for key, item in other.members.items():
            self.add(key, item)
        self.overflowed |= other.overflowed

    def items(self) -> list:
        return [self.members[k] for k in sorted(self.members)]

    def count(self) -> float:
        """Distinct keys seen: exact while none was left out, else the KMV estimate."""
        if not self.overflowed:
            return float(len(self.members))
        return (self.k - 1) / ((-self.heap[0] + 1) / KEY_SPACE)

    def scale(self) -> float:
        """Distinct keys seen per member: multiply a sum over the members by it to estimate the sum over all."""
        return self.count() / len(self.members) if self.members else 0.0
