"""The audit's memory of judged texts: one compact row per distinct text, kept for the whole pass.

A build writes one example into several files (a justified chat row, its OpenAI copy, the
canonical record), usually a whole file apart, so a memory that forgets after a few thousand texts
judges nearly every repeat again. `FactsMemo` remembers every text the process judged, by a 64-bit
key of (text, spoken, whether users are the topic): the facts most texts have (word and person
counts, the voice verdicts) pack into one 64-bit integer beside the text's stable key, so a text
costs 24 bytes in sorted numpy blocks that are looked up a chunk at a time. The facts that do not
pack (a run shared with a probe, a placeholder, a pasted share, a count past its bits) are kept
whole, up to `WHOLE_LIMIT` texts; past that such a text is judged again when it recurs.
"""

from __future__ import annotations

import numpy as np

WHOLE_LIMIT = 100_000  # texts whose unpackable facts are kept whole

# The packed facts: words in the low 32 bits, then first- and second-person counts in 14 bits each,
# the three voice verdicts, and the top bit for "kept whole" (the facts did not pack).
_WORDS_BITS, _PERSON_BITS = 32, 14
_PERSON_MAX = (1 << _PERSON_BITS) - 1
_FIRST_SHIFT = _WORDS_BITS
_SECOND_SHIFT = _WORDS_BITS + _PERSON_BITS
_STAGE, _THIRD_ASSISTANT, _THIRD_USER = 1 << 60, 1 << 61, 1 << 62
WHOLE = 1 << 63


def pack(words: int, first: int, second: int, stage: bool, third_assistant: bool, third_user: bool) -> int | None:
    """The facts as one integer, or None when a count does not fit its bits."""
    if words >= 1 << _WORDS_BITS or first > _PERSON_MAX or second > _PERSON_MAX:
        return None
    return (words | first << _FIRST_SHIFT | second << _SECOND_SHIFT | (_STAGE if stage else 0)
            | (_THIRD_ASSISTANT if third_assistant else 0) | (_THIRD_USER if third_user else 0))


def unpack(packed: int) -> tuple[int, int, int, bool, bool, bool]:
    """(words, first person, second person, stage, third-person assistant, third-person user)."""
    return (packed & 0xFFFFFFFF, packed >> _FIRST_SHIFT & _PERSON_MAX, packed >> _SECOND_SHIFT & _PERSON_MAX,
            bool(packed & _STAGE), bool(packed & _THIRD_ASSISTANT), bool(packed & _THIRD_USER))


def unpack_all(packed: np.ndarray) -> tuple[list, ...]:
    """`unpack` of many: (kept whole, words, first, second, stage, third-person assistant, third-person user)
    as lists, kept whole being the WHOLE bit (when it is set the other columns mean nothing)."""
    packed = packed.astype(np.uint64, copy=False)
    bits = [packed >> np.uint64(shift) for shift in (63, 0, _FIRST_SHIFT, _SECOND_SHIFT, 60, 61, 62)]
    masks = (1, 0xFFFFFFFF, _PERSON_MAX, _PERSON_MAX, 1, 1, 1)
    flags = (0, 4, 5, 6)
    return tuple(((column & np.uint64(mask)).astype(bool) if at in flags else column & np.uint64(mask)).tolist()
                 for at, (column, mask) in enumerate(zip(bits, masks)))


class KeyedRows:
    """64-bit keys -> rows of `width` 64-bit numbers, in sorted numpy blocks merged as they double: a lookup
    is a binary search of each block, a chunk's keys at a time."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.blocks: list[np.ndarray] = []  # sorted keys
        self.rows: list[np.ndarray] = []  # each block's rows, in its keys' order
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each key: whether it is held, and its row (zeros when not)."""
        order = np.argsort(keys)  # sorted queries walk each block in order: a few times faster than random ones
        ordered = keys[order]
        found_ordered = np.zeros(len(keys), dtype=bool)
        values_ordered = np.zeros((len(keys), self.width), dtype=np.uint64)
        for block, rows in zip(self.blocks, self.rows):
            at = np.searchsorted(block, ordered)
            at[at == len(block)] = 0
            hit = block[at] == ordered
            values_ordered[hit] = rows[at[hit]]
            found_ordered |= hit
        found = np.empty_like(found_ordered)
        found[order] = found_ordered
        values = np.empty_like(values_ordered)
        values[order] = values_ordered
        return found, values

    def add(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Adds keys not held yet (distinct among themselves) with their rows."""
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        self.blocks.append(keys[order])
        self.rows.append(rows[order])
        self.size += len(keys)
        while len(self.blocks) > 1 and len(self.blocks[-2]) <= 2 * len(self.blocks[-1]):
            merged = np.concatenate((self.blocks[-2], self.blocks.pop()))  # disjoint: a merge of two sorted runs
            order = np.argsort(merged, kind="stable")
            self.blocks[-1] = merged[order]
            self.rows[-1] = np.concatenate((self.rows[-2], self.rows.pop()))[order]


class KeySet(KeyedRows):
    """Exact membership of 64-bit keys at 8 bytes a key: `KeyedRows` with no rows.

    The one figure no bounded sketch can give exactly is whether an item was seen before (the
    same example in several target files must count once), so the keys of distinct training
    items are kept, as packed integers rather than Python objects."""

    def __init__(self) -> None:
        super().__init__(0)

    def holds(self, keys) -> np.ndarray:
        """Which of the keys are held."""
        return self.find(np.asarray(keys, dtype=np.uint64))[0]

    def add_new(self, keys) -> np.ndarray:
        """Adds the keys (distinct among themselves) and returns which of them were not held before."""
        keys = np.asarray(keys, dtype=np.uint64)
        new = ~self.holds(keys)
        fresh = keys[new]
        self.add(fresh, np.zeros((len(fresh), 0), dtype=np.uint64))
        return new


class FactsMemo(KeyedRows):
    """Memo keys -> (text key, packed facts), and the facts that did not pack, whole."""

    def __init__(self) -> None:
        super().__init__(2)
        self.whole: dict[int, object] = {}  # memo key -> facts that did not pack

    def keep_whole(self, key: int, facts) -> bool:
        """Keeps facts that did not pack; False when the limit is reached (the text is judged again)."""
        if len(self.whole) >= WHOLE_LIMIT:
            return False
        self.whole[key] = facts
        return True
