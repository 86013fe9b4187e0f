"""Near-duplicate texts: word 5-gram Jaccard similarity above a threshold (0.5 by default).

`NearDuplicateIndex` is exact: an inverted index from shingle to texts, so a new text is compared
only with the texts that share a shingle with it (`generate` checks each drafted prompt against
every prompt already in the build). `near_duplicate_count` answers the dataset question, how many
of these texts have a near-duplicate among the others: exactly with the same index up to
`EXACT_LIMIT` texts, and beyond that with MinHash LSH candidates (signatures of hashed shingles in numpy),
each confirmed exactly, so a text is never flagged on an estimate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .tokens import shingles, words

EXACT_LIMIT = 1500  # texts up to which near-duplicates are counted by the exact index
CANDIDATES_CHECKED = 20  # LSH candidates confirmed exactly per text


@dataclass(frozen=True)
class Duplicate:
    key: str
    jaccard: float


class NearDuplicateIndex:
    """Texts as sets of word n-grams (a text shorter than n words is one n-gram of all its words)."""

    def __init__(self, n: int = 5, threshold: float = 0.5):
        self.n, self.threshold = n, threshold
        self._keys: list[str] = []
        self._sizes: list[int] = []
        self._postings: dict[tuple[str, ...], list[int]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def shingles(self, text: str) -> set[tuple[str, ...]]:
        return shingles(text, self.n)

    def add(self, text: str | set, key: str) -> None:
        grams = self.shingles(text) if isinstance(text, str) else text
        doc = len(self._keys)
        self._keys.append(key)
        self._sizes.append(len(grams))
        for gram in grams:
            self._postings.setdefault(gram, []).append(doc)

    def similar(self, text: str | set) -> list[Duplicate]:
        """Every text added so far whose similarity to this one exceeds the threshold, most similar first."""
        grams = self.shingles(text) if isinstance(text, str) else text
        if not grams:
            return []
        shared: Counter[int] = Counter()
        for gram in grams:
            postings = self._postings.get(gram)
            if postings:
                shared.update(postings)
        found = []
        for doc, inter in shared.items():
            similarity = inter / (len(grams) + self._sizes[doc] - inter)
            if similarity > self.threshold:
                found.append(Duplicate(self._keys[doc], similarity))
        return sorted(found, key=lambda d: (-d.jaccard, d.key))

    def nearest(self, text: str | set) -> Duplicate | None:
        """The most similar text added so far, when its similarity exceeds the threshold."""
        found = self.similar(text)
        return found[0] if found else None


PERMUTATIONS, BANDS = 64, 16  # 16 bands of 4 rows: a pair at Jaccard 0.5 becomes a candidate 64% of the time,
# at 0.6 88%, at 0.7 99% (1 - (1 - J^4)^16); every candidate is then compared exactly.


def near_duplicate_count(texts: list[str], n: int = 5, threshold: float = 0.5) -> tuple[int, str]:
    """How many of `texts` have another above the threshold, and how they were found ("exact" or "minhash")."""
    if len(texts) <= EXACT_LIMIT:
        sets = [shingles(t, n) for t in texts]
        flagged = [False] * len(texts)
        index = NearDuplicateIndex(n, threshold)
        for i, grams in enumerate(sets):
            for duplicate in index.similar(grams):
                flagged[i] = flagged[int(duplicate.key)] = True
            index.add(grams, str(i))
        return sum(flagged), "exact"
    return _minhash_count([words(t) for t in texts], n, threshold), "minhash"


def _minhash_count(token_lists: list[list[str]], n: int, threshold: float) -> int:
    """MinHash LSH over hashed shingles (numpy): candidates from shared bands, each confirmed exactly."""
    import numpy as np

    from .hashed import Vocabulary, gram_hashes, mix

    ids, lengths = Vocabulary().encode(token_lists)
    grams, counts = gram_hashes(ids, lengths, n, short_texts=True)
    ends = np.cumsum(counts)
    sets = [set(part.tolist()) for part in np.split(grams, ends[:-1])]
    present = np.nonzero(counts)[0]  # an empty text has no shingle and no neighbour
    offsets = (ends - counts)[present]
    rows = PERMUTATIONS // BANDS
    signatures = np.empty((PERMUTATIONS, len(present)), dtype=np.uint64)
    for permutation in range(PERMUTATIONS):
        signatures[permutation] = np.minimum.reduceat(mix(grams ^ np.uint64(permutation * 0x51ED27)), offsets) \
            if len(present) else []
    band_keys = []
    for band in range(BANDS):
        key = mix(signatures[band * rows] ^ np.uint64(band))
        for row in range(1, rows):
            key = mix(key ^ signatures[band * rows + row])
        band_keys.append(key.tolist())
    flagged = [False] * len(token_lists)
    buckets: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
    for slot, text in enumerate(present.tolist()):
        candidates: set[int] = set()
        for band in range(BANDS):
            bucket = buckets[band].setdefault(band_keys[band][slot], [])
            candidates.update(bucket)
            bucket.append(text)
        mine = sets[text]
        # One confirmed neighbour is all a text needs.
        for other in sorted(candidates)[:CANDIDATES_CHECKED]:
            theirs = sets[other]
            shared = len(mine & theirs)
            if shared / (len(mine) + len(theirs) - shared) > threshold:
                flagged[text] = flagged[other] = True
                break
    return sum(flagged)
