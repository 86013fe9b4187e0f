"""Near-duplicate texts: word 5-gram Jaccard similarity above a threshold (0.5 by default).

`NearDuplicateIndex` is exact: an inverted index from shingle to texts, so a new text is compared
only with the texts that share a shingle with it (`generate` checks each drafted prompt against
every prompt already in the build). `near_duplicate_count` answers the dataset question, how many
of these texts have a near-duplicate among the others: exactly with the same index up to
`EXACT_LIMIT` texts, and beyond that with MinHash LSH (datasketch) candidates, each confirmed
exactly, so a text is never flagged on an estimate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .tokens import jaccard, shingles

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


def near_duplicate_count(texts: list[str], n: int = 5, threshold: float = 0.5) -> tuple[int, str]:
    """How many of `texts` have another above the threshold, and how they were found ("exact" or "minhash")."""
    sets = [shingles(t, n) for t in texts]
    flagged = [False] * len(texts)
    if len(texts) <= EXACT_LIMIT:
        index = NearDuplicateIndex(n, threshold)
        for i, grams in enumerate(sets):
            for duplicate in index.similar(grams):
                flagged[i] = flagged[int(duplicate.key)] = True
            index.add(grams, str(i))
        return sum(flagged), "exact"
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=64)
    template = MinHash(num_perm=64, seed=1)
    for i, grams in enumerate(sets):
        signature = MinHash(num_perm=64, seed=1, permutations=template.permutations, scheme=template.scheme)
        signature.update_batch([" ".join(g).encode("utf-8", "surrogatepass") for g in grams])
        # One confirmed neighbour is all a text needs.
        for j in sorted(lsh.query(signature))[:CANDIDATES_CHECKED]:
            if jaccard(grams, sets[j]) > threshold:
                flagged[i] = flagged[j] = True
                break
        lsh.insert(i, signature)
    return sum(flagged), "minhash"
