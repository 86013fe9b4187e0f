"""`WordTable` reads words from bytes as `words` does, and its prefilter never misses a shared run."""

import random

from constitutionc.textmeasures import OverlapIndex, words
from constitutionc.textmeasures.hashed import HashSet, WordTable, piece_hashes

TRICKY = [
    "", "   ", "\n\t", "I i I'm you YOU your yours you're Your", "'a' b''c '' don't 'edge' cases'",
    "Ünïcödé wörds “quoted” — dash… don’t ‘single’", "x\ty\nz\r\nw", "iiiii i.i,i", "naïve café's crème",
    "snake_case and kebab-case, 3.14 and 1,000", "emoji 🎉 between 🎉words", "x" * 40 + " " + "y" * 17,
    "ΑΘΗΝΑ Ελληνικά ΣΟΦΙΑ", "\u00a0nbsp\u00a0separated\u00a0", "tab\u2013dash\u2014dash\u2026end", "'",
]


def random_texts(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcdefghij  'I\u2019you r.,\n\u00e9\u201c"
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(count)]


def test_counts_and_hashes_are_those_of_the_words():
    texts = TRICKY + random_texts(2000)
    table = WordTable(texts)
    tokens = [words(text) for text in texts]
    assert table.lengths.tolist() == [len(t) for t in tokens]
    assert table.first_person.tolist() == [t.count("i") for t in tokens]
    assert table.second_person.tolist() == [t.count("you") + t.count("your") for t in tokens]
    by_hash: dict[int, str] = {}
    for word, value in zip((w for t in tokens for w in t), table.hashes.tolist()):
        assert by_hash.setdefault(value, word) == word  # one word per hash
    assert len(by_hash) == len({w for t in tokens for w in t})  # and one hash per word


def test_texts_in_many_batches_hash_as_in_one(monkeypatch):
    from constitutionc.textmeasures import hashed

    texts = TRICKY + random_texts(500)
    whole = WordTable(texts)
    monkeypatch.setattr(hashed, "BATCH_BYTES", 64)
    cut = WordTable(texts)
    assert cut.hashes.tolist() == whole.hashes.tolist() and cut.lengths.tolist() == whole.lengths.tolist()
    assert WordTable.of_words([words(t) for t in texts]).hashes.tolist() == whole.hashes.tolist()


def test_the_prefilter_keeps_every_text_that_shares_a_run():
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(60)]
    indexed = [" ".join(rng.choice(vocabulary) for _ in range(30)) for _ in range(20)]
    index = OverlapIndex(8)
    for number, text in enumerate(indexed):
        index.add(text, str(number))
    texts = []
    for _ in range(600):
        text = [rng.choice(vocabulary) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.3:  # paste a run of 7 to 12 words of an indexed text somewhere
            source = words(rng.choice(indexed))
            start, size = rng.randrange(0, 18), rng.randint(7, 12)
            at = rng.randint(0, len(text))
            text[at:at] = source[start:start + size]
        texts.append(" ".join(text))
    may = WordTable(texts).may_share(piece_hashes(index), index.piece_words, index.stride).tolist()
    shares = [bool(index.overlaps(text)) for text in texts]
    assert sum(shares) > 50
    assert all(m for m, s in zip(may, shares) if s)
    assert sum(may) < len(texts)  # a filter, not a pass-through


def test_the_prefilter_hashes_only_the_tried_grams_and_finds_what_every_gram_finds():
    import numpy as np

    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(40)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 30))) for _ in range(400)]
    table = WordTable(texts)
    k, stride = 4, 5
    grams, counts = table.grams(k)  # every gram; the ones at multiples of the stride are the tried ones
    place = np.arange(len(grams)) - np.repeat(np.cumsum(counts) - counts, counts)
    owner = np.repeat(np.arange(len(texts)), counts)
    tried = grams[place % stride == 0]
    pieces = np.unique(tried[::7])  # a seventh of them: some texts hold one, some do not
    expected = np.zeros(len(texts), dtype=bool)
    expected[owner[(place % stride == 0) & np.isin(grams, pieces)]] = True
    assert 0 < expected.sum() < len(texts)
    assert table.may_share(HashSet(pieces), k, stride).tolist() == expected.tolist()


def test_a_hash_set_holds_exactly_its_values_whatever_their_prefixes():
    import numpy as np

    rng = np.random.default_rng(5)
    values = rng.integers(0, 2 ** 63, 3000, dtype=np.int64).astype(np.uint64) * np.uint64(2)
    held = HashSet(values)
    near = values ^ np.uint64(1)  # the same prefixes, none of them held: only the exact search can say no
    others = rng.integers(0, 2 ** 63, 3000, dtype=np.int64).astype(np.uint64)
    queries = np.concatenate([values, near, others, np.array([0, 2 ** 64 - 1], dtype=np.uint64)])
    assert held.holds(queries).tolist() == np.isin(queries, values).tolist()
    assert held.holds(near).sum() == 0 and held.holds(values).all()
    assert len(held) == len(np.unique(values))
    assert HashSet(np.zeros(0, dtype=np.uint64)).holds(values).sum() == 0


def test_runs_of_ascii_texts_read_apostrophes_as_words_do(monkeypatch):
    """ASCII texts are translated a run at a time, and an apostrophe at a word's edge is a space there: the
    words are still those `words` gives, with non-ASCII texts among them or not, in one batch or many."""
    from constitutionc.textmeasures import hashed

    rng = random.Random(8)
    alphabet = "ab I''you r.,\n\x00-_9"
    ascii_texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    mixed = [t if rng.random() < 0.9 else t + rng.choice(["é", "\u2019s", "\u2014"]) for t in ascii_texts]
    for texts in (ascii_texts, mixed, ["'"], ["a'", "'b"], ["x'' '"]):
        for batch_bytes in (1 << 20, 50):
            monkeypatch.setattr(hashed, "BATCH_BYTES", batch_bytes)
            table = WordTable(texts)
            tokens = [words(text) for text in texts]
            assert table.lengths.tolist() == [len(t) for t in tokens]
            assert table.first_person.tolist() == [t.count("i") for t in tokens]
            assert table.hashes.tolist() == WordTable.of_words(tokens).hashes.tolist()
