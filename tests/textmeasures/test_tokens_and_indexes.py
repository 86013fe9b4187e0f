"""Word n-grams, shared runs and near-duplicates, on texts whose answers are counted by hand."""

from __future__ import annotations

import pytest

from constitutionc.textmeasures import NearDuplicateIndex, OverlapIndex, jaccard, words


def test_words_fold_case_punctuation_and_typographic_apostrophes():
    assert words("Don’t STOP—now, it's 3 a.m.!") == ["don't", "stop", "now", "it's", "3", "a", "m"]


def test_a_shared_run_is_reported_whole_with_its_length_and_label():
    index = OverlapIndex(8)
    index.add("the quarterly audit found that the backup server had been offline for weeks", "pr-1")
    text = "Honestly, I think the audit found that the backup server had been offline for weeks, sadly."
    [run] = index.overlaps(text)
    assert run.label == "pr-1" and run.length == 11 and run.start == 4
    assert run.text == "audit found that the backup server had been offline for weeks"


def test_seven_shared_words_are_not_an_eight_word_overlap():
    index = OverlapIndex(8)
    index.add("one two three four five six seven eight nine", "p")
    assert index.overlaps("zero two three four five six seven eight ten") == []
    assert len(index.overlaps("zero one two three four five six seven eight ten")) == 1


def test_two_separate_runs_are_two_overlaps_longest_first():
    index = OverlapIndex(3)
    index.add("a b c d e f g h", "p")
    runs = index.overlaps("a b c x e f g h")
    assert [(r.start, r.length) for r in runs] == [(4, 4), (0, 3)]


def test_jaccard_of_five_gram_sets():
    # 6 words -> 2 five-grams each; one shared of three distinct: 1/3
    assert jaccard("a b c d e f", "a b c d e g") == 1 / 3
    assert jaccard("a b c d e f", "a b c d e f") == 1.0
    assert jaccard("a b c d e f", "u v w x y z") == 0.0


def test_near_duplicates_above_the_threshold_only():
    index = NearDuplicateIndex(5, 0.5)
    index.add("my landlord kept the whole deposit and now refuses to answer my calls at all", "d1")
    index.add("completely unrelated words about gardening tomatoes in a cold greenhouse this spring", "d2")
    near = index.nearest("my landlord kept the whole deposit and now refuses to answer my texts at all")
    # 15 words: 11 five-grams each; the 3 holding the changed 13th word differ, 8 shared -> 8/14
    assert near.key == "d1" and abs(near.jaccard - 8 / 14) < 1e-9
    assert index.nearest("my landlord kept the deposit; what are my rights as a tenant in Ohio") is None


def test_texts_shorter_than_n_words_are_compared_whole():
    index = NearDuplicateIndex(5, 0.5)
    index.add("Is it ready?", "short")
    assert index.nearest("is it ready").key == "short"
    assert index.nearest("is it done") is None
    assert index.nearest("") is None


def test_the_fast_paths_give_what_the_definitions_give():
    """`words` skips the regular expression for ASCII text and `OverlapIndex` skips texts whose sampled
    pieces miss the index: on many random texts both equal the plain definitions."""
    import random

    from constitutionc.textmeasures.tokens import WORD

    def defined_words(text):
        return WORD.findall(text.replace("\u2019", "'").replace("\u2018", "'").lower())

    rng = random.Random(15)
    alphabet = "ab c'.\n\t,-\u2019\u2014I\u00e9_1 "
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert words(text) == defined_words(text), text
    vocabulary = "a b c d e f g h".split()
    for _ in range(2000):
        n = rng.choice([3, 4, 8, 10])
        index = OverlapIndex(n)
        for j in range(3):
            index.add(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 20))), f"p{j}")
        text = [rng.choice(vocabulary) for _ in range(rng.randint(0, 30))]
        indexed = {tuple(g) for p in index._labels for g in [p]}
        shares = any(tuple(text[i:i + n]) in indexed for i in range(len(text) - n + 1))
        assert bool(index.overlaps(text)) == shares, (n, text)
