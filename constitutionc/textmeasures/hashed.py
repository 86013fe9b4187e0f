"""Texts as arrays of integers: token ids and hashed word n-grams, for figures over thousands of texts.

Distinct-n, MinHash signatures and phrase features over ten thousand texts cost seconds as Python
tuples in sets; as numpy arrays of 64-bit hashes they are a few vectorised passes. A token's id is
its place in a `Vocabulary` (given in the order texts arrive, so the same texts in the same order
get the same ids), or, where only equality matters, its Python hash; an n-gram's hash mixes its
tokens' ids with splitmix64, so two different n-grams
share a hash with a chance of about 2^-64 per pair: counts are exact for any dataset this reads.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Sequence

import numpy as np

from .tokens import ASCII_SEPARATORS, fold_marks, word_string

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


# Word hashes from bytes: a word's bytes are read eight at a time as little-endian integers (an unaligned
# view of the buffer), the last block masked to the word's length, and chained through splitmix64 from a
# seed of its length. Equal words hash alike in any text; different words share a hash with a chance of
# about 2^-64. The loop runs over blocks, not bytes: a pass per eight bytes of the longest word, over the
# words that long.
BATCH_BYTES = 1 << 20  # the words' bytes hashed in one pass
_PAD = b" " * 8
_SEED = _U64(0x243F6A8885A308D3)


class WordTable:
    """The words of many texts as arrays: every word's hash (texts end to end), and per text its number
    of words and of the words "i" and "you"/"your" (exact, from the bytes)."""

    __slots__ = ("hashes", "lengths", "first_person", "second_person")

    def __init__(self, texts: Sequence[str]):
        self._fill(_text_batches(texts))

    @classmethod
    def of_words(cls, word_lists: Iterable[Sequence[str]]) -> "WordTable":
        """The table of texts given as their words (`tokens.words` lists)."""
        table = cls.__new__(cls)
        table._fill(_spaced_batches(" ".join(words_).encode("utf-8") for words_ in word_lists))
        return table

    def _fill(self, batches: Iterable[tuple[bytes, list[int]]]) -> None:
        parts = [_hash_batch(body, sizes) for body, sizes in batches] or [_hash_batch(b"", [])]
        self.hashes, self.lengths, self.first_person, self.second_person = (
            np.concatenate([part[i] for part in parts]) for i in range(4))

    def grams(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Each text's word n-gram hashes end to end (`gram_hashes`), and how many each text has."""
        return gram_hashes(self.hashes, self.lengths, n)

    def may_share(self, pieces: "HashSet", k: int, stride: int) -> np.ndarray:
        """Per text, whether one of its word k-grams starting at a multiple of `stride` has a hash in
        `pieces`: the texts that may share a run with an `OverlapIndex` (the others cannot)."""
        hits = np.zeros(len(self.lengths), dtype=bool)
        if not len(pieces):
            return hits
        # Only the tried grams are hashed: the hash `gram_hashes` gives the gram at each such place.
        counts = np.maximum(self.lengths - k + 1, 0)
        tried = (counts + stride - 1) // stride
        owner = np.repeat(np.arange(len(counts), dtype=np.int64), tried)
        nth = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(tried) - tried, tried)
        places = (np.cumsum(self.lengths) - self.lengths)[owner] + nth * stride
        with np.errstate(over="ignore"):
            grams = mix(self.hashes[places])
            for j in range(1, k):
                grams ^= self.hashes[places + j]
                grams = mix(grams)
        hits[owner[pieces.holds(grams)]] = True
        return hits


class HashSet:
    """Exact membership of 64-bit hashes, for many queries against a set of thousands: a table of which
    leading-bit prefixes occur sends the few queries that may be held to a binary search (most queries are
    settled by one lookup, several times faster than searching them all)."""

    __slots__ = ("values", "_shift", "_prefixes")

    def __init__(self, values: np.ndarray):
        self.values = np.unique(values.astype(np.uint64, copy=False))
        bits = int(min(22, max(10, (16 * max(1, len(self.values)) - 1).bit_length())))  # >= 16 slots a value
        self._shift = _U64(64 - bits)
        self._prefixes = np.zeros(1 << bits, dtype=bool)
        self._prefixes[(self.values >> self._shift).astype(np.intp)] = True

    def __len__(self) -> int:
        return len(self.values)

    def holds(self, queries: np.ndarray) -> np.ndarray:
        """Per query, whether it is in the set."""
        queries = queries.astype(np.uint64, copy=False)
        held = np.zeros(len(queries), dtype=bool)
        if not len(self.values):
            return held
        maybe = np.flatnonzero(self._prefixes[(queries >> self._shift).astype(np.intp)])
        candidates = queries[maybe]
        at = np.searchsorted(self.values, candidates)
        at[at == len(self.values)] = 0
        held[maybe] = self.values[at] == candidates
        return held


def piece_hashes(index) -> HashSet:
    """The hashes of an `OverlapIndex`'s pieces (its texts' word k-grams), for `WordTable.may_share`."""
    grams, _ = WordTable.of_words(index.pieces).grams(index.piece_words)
    return HashSet(grams)


def _spaced_batches(spaced_texts: Iterable[bytes]) -> Iterator[tuple[bytes, list[int]]]:
    """Texts' word bytes in batches of about `BATCH_BYTES`: (the bytes joined by spaces, each one's length)."""
    batch: list[bytes] = []
    size = 0
    for spaced in spaced_texts:
        if batch and size + len(spaced) > BATCH_BYTES:
            yield b" ".join(batch), [len(b) for b in batch]
            batch, size = [], 0
        batch.append(spaced)
        size += len(spaced) + 1
    if batch:
        yield b" ".join(batch), [len(b) for b in batch]


def _text_batches(texts: Iterable[str]) -> Iterator[tuple[bytes, list[int]]]:
    """`_spaced_batches` of the texts' words, `tokens.word_bytes` but for apostrophes at a word's edge,
    which `_hash_batch` reads as the spaces they are. Runs of texts that are ASCII (once their typographic
    marks are folded) are lowered and translated together, one pass for all of them: a character maps to
    one byte, so each text's length in bytes is its length."""
    pieces: list[bytes] = []  # the batch so far: runs of ASCII texts, each joined, and other texts alone
    run: list[str] = []
    sizes: list[int] = []
    size = 0

    def end_run() -> None:
        if run:
            pieces.append("\x00".join(run).lower().encode("ascii").translate(ASCII_SEPARATORS))  # \x00: a space
            run.clear()

    for text in texts:
        if not text.isascii():
            text = fold_marks(text)
        if text.isascii():
            run.append(text)
            length = len(text)
        else:
            end_run()
            piece = word_string(text).encode("utf-8")
            pieces.append(piece)
            length = len(piece)
        sizes.append(length)
        size += length + 1
        if size > BATCH_BYTES:
            end_run()
            yield b" ".join(pieces), sizes
            pieces, sizes, size = [], [], 0
    end_run()
    if sizes:
        yield b" ".join(pieces), sizes


_APOSTROPHE, _SPACE = 39, 32


def _hash_batch(body: bytes, sizes: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Word hashes, and per text its words and its "i" and "you"/"your" words, of texts' word bytes joined by
    spaces (`sizes`: each text's length in bytes). An apostrophe is inside a word only between two of the
    word's characters; any other is a space, as `tokens.WORD` reads it."""
    buffer = b" " + body + _PAD
    if b"'" in body:
        data = np.frombuffer(buffer, dtype=np.uint8)
        marks = np.flatnonzero(data == _APOSTROPHE)  # never the first or last byte: those are spaces
        before, after = data[marks - 1], data[marks + 1]
        edges = marks[(before == _SPACE) | (before == _APOSTROPHE) | (after == _SPACE) | (after == _APOSTROPHE)]
        if len(edges):
            changed = bytearray(buffer)
            writable = np.frombuffer(changed, dtype=np.uint8)
            writable[edges] = _SPACE
            buffer = bytes(changed)
    data = np.frombuffer(buffer, dtype=np.uint8)
    is_word = data != _SPACE
    edges = np.flatnonzero(is_word[1:] != is_word[:-1]) + 1  # a word's first byte, then the byte after it
    starts, ends = edges[0::2], edges[1::2]
    size = ends - starts
    usable = len(buffer) - 7  # every place an eight-byte read can start
    blocks = np.ndarray(shape=(usable,), dtype="<u8", buffer=buffer, offset=0, strides=(1,))
    with np.errstate(over="ignore"):
        first_block = blocks[starts] & _masks(size)
        hashes = mix(mix(size.astype(np.uint64) ^ _SEED) ^ first_block)
        longer = np.flatnonzero(size > 8)
        offset = 8
        while len(longer):
            block = blocks[starts[longer] + offset] & _masks(size[longer] - offset)
            hashes[longer] = mix(hashes[longer] ^ block)
            offset += 8
            longer = longer[size[longer] > offset]
    count = len(sizes)
    text_starts = np.cumsum([1] + [length + 1 for length in sizes[:-1]]) if sizes else np.zeros(0, dtype=np.int64)
    # each text's first word, found by searching the texts' starts among the words' (far fewer searches than
    # the other way round); a text's words follow
    lengths = np.diff(np.searchsorted(starts, text_starts), append=len(starts)).astype(np.int64)
    owner = np.repeat(np.arange(count, dtype=np.int64), lengths)
    first = (size == 1) & (first_block == _I)
    second = ((size == 3) & (first_block == _YOU)) | ((size == 4) & (first_block == _YOUR))
    return (hashes, lengths,
            np.bincount(owner[first], minlength=count).astype(np.int64),
            np.bincount(owner[second], minlength=count).astype(np.int64))


_I, _YOU, _YOUR = (_U64(int.from_bytes(word, "little")) for word in (b"i", b"you", b"your"))
_ALL_BYTES = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _masks(sizes: np.ndarray) -> np.ndarray:
    """The mask of a block's first `size` bytes (all eight past eight)."""
    return _ALL_BYTES[np.minimum(sizes, 8)]


def token_hashes(texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Every word's hash (`WordTable`), the texts end to end, and each text's length in words.

    The hashes serve counts and equality tests (which never depend on the values)."""
    table = WordTable(list(texts))
    return table.hashes, table.lengths


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
