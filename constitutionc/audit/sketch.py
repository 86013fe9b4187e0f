"""Bounded, mergeable summaries of what the audit has seen: the memory an audit needs stays flat.

`BottomK` keeps the k items of smallest 64-bit key. Keys are stable hashes of content, so the
sample does not depend on the order rows arrive in, two samples merge into the sample of the
union, and the same text met twice is one member. While fewer than k distinct keys have been seen
the sample holds all of them and every figure drawn from it is exact; past k, a count is the
k-minimum-values estimate (k - 1) / (k-th smallest key / 2^64), about 1/sqrt(k) off (1% at k =
10,000), and a sum is the sample's mean times that count.
"""

from __future__ import annotations

from typing import Callable

KEY_SPACE = float(1 << 64)


class BottomK:
    """The k items of smallest key. `combine(old, new)` decides what a key met again holds (default: the first).

    Members are let grow to 1.5k before the largest are dropped (a sort, once per k/2 new members,
    instead of a heap operation per member): a key dropped can never return, as the bound only falls, and a key
    of the final k is never dropped, so the sample read is the exact one. Reading it (`members`,
    `items`, `count`, `len`) drops the surplus first."""

    __slots__ = ("k", "_members", "combine", "overflowed", "bound")

    def __init__(self, k: int, combine: Callable[[object, object], object] | None = None):
        self.k = k
        self._members: dict[int, object] = {}
        self.combine = combine
        self.overflowed = False  # a distinct key was left out: counts drawn from the sample are estimates
        self.bound = 1 << 64  # every member's key is at most this; a larger key is left out

    def add(self, key: int, item) -> None:
        if key > self.bound:  # the common case once full: left out (callers may test this themselves)
            self.overflowed = True
            return
        members = self._members
        if key in members:
            if self.combine is not None:
                members[key] = self.combine(members[key], item)
            return
        members[key] = item
        if len(members) > self.k + (self.k >> 1):
            self._settle()

    def _settle(self) -> None:
        """Down to the k smallest keys (the bound becomes the largest kept)."""
        members = self._members
        if len(members) <= self.k:
            return
        kept = sorted(members)[:self.k]
        self._members = {key: members[key] for key in kept}
        self.overflowed = True
        self.bound = kept[-1] if kept else -1

    def __getstate__(self):  # sent settled: no surplus members to pickle
        self._settle()
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state) -> None:
        for name, value in state.items():
            setattr(self, name, value)

    @property
    def members(self) -> dict[int, object]:
        self._settle()
        return self._members

    def __len__(self) -> int:
        return len(self.members)

    def merge(self, other: "BottomK") -> None:
        for key, item in other.members.items():
            self.add(key, item)
        self.overflowed |= other.overflowed

    def items(self) -> list:
        members = self.members
        return [members[k] for k in sorted(members)]

    def count(self) -> float:
        """Distinct keys seen: exact while none was left out, else the KMV estimate."""
        members = self.members
        if not self.overflowed or not members:
            return float(len(members))
        return (self.k - 1) / ((max(members) + 1) / KEY_SPACE)

    def scale(self) -> float:
        """Distinct keys seen per member: multiply a sum over the members by it to estimate the sum over all."""
        members = self.members
        return self.count() / len(members) if members else 0.0
