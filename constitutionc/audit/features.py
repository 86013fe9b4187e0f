"""What a lazy classifier could tell chosen from rejected by: single surface features of each side (a
header, a newline, the length) and the presence of frequent phrases. A preference set any of them
separates teaches the feature, not the preference."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..textmeasures import words

if TYPE_CHECKING:
    from .measures import TextFacts

# Single surface features a lazy classifier could use to tell chosen from rejected. Each counts as
# its expression says; the cheap tests in front give the same number without a search.
_HEADER = re.compile(r"^\s{0,3}#", re.MULTILINE)
_DIGIT = re.compile(r"\d")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s", re.MULTILINE)
_DIGITS = b"0123456789"


def _paragraphs(text: str) -> int:
    if "\n\n" not in text:
        return 1 if text.strip() else 0
    return len([p for p in text.split("\n\n") if p.strip()])


def _header_lines(text: str) -> int:
    return len(_HEADER.findall(text)) if "#" in text else 0


def _list_items(text: str) -> int:
    if "\n" not in text:  # `^` can only match at the start
        return 1 if _BULLET.match(text) else 0
    return len(_BULLET.findall(text))


def _digit_count(text: str) -> int:
    if text.isascii():  # \d is 0-9 there
        return len(text) - len(text.encode("ascii").translate(None, _DIGITS))
    return len(_DIGIT.findall(text))


SURFACE_FEATURES = {  # each is (text, its facts) -> a number
    "characters": lambda t, f: len(t),
    "words": lambda t, f: f.words,
    "newlines": lambda t, f: t.count("\n"),
    "paragraphs": lambda t, f: _paragraphs(t),
    "header lines": lambda t, f: _header_lines(t),
    "list items": lambda t, f: _list_items(t),
    "question marks": lambda t, f: t.count("?"),
    "exclamation marks": lambda t, f: t.count("!"),
    "bold markers": lambda t, f: t.count("**"),
    "quotation marks": lambda t, f: t.count('"') + t.count("“"),
    "digits": lambda t, f: _digit_count(t),
    "first person (I)": lambda t, f: f.first_person,
    "second person (you)": lambda t, f: f.second_person,
}


def surface(text: str, facts: "TextFacts") -> tuple[int, ...]:
    """Every `SURFACE_FEATURES` number of the text, in its order, in one call: a pair's two sides are read
    for every pair met, and thirteen calls a side cost more than the counting (tested against the dict)."""
    count = text.count
    return (len(text), facts.words, count("\n"), _paragraphs(text), _header_lines(text), _list_items(text), count("?"),
            count("!"), count("**"), count('"') + count("“"), _digit_count(text), facts.first_person,
            facts.second_person)


def pair_votes(chosen: str, chosen_facts: "TextFacts", rejected: str, rejected_facts: "TextFacts") -> list[int]:
    """Per surface feature: 2 when the chosen side has more of it, 1 when both have the same, 0 when less
    (so a feature's votes over the pairs, halved, are its "higher is chosen" score)."""
    return [2 if a > b else 1 if a == b else 0 for a, b in
            zip(surface(chosen, chosen_facts), surface(rejected, rejected_facts))]


PHRASE_CANDIDATES = 300  # most frequent word 1- and 2-grams tried as presence features


def classifier(feature: str, score: float, n: int, higher: str, lower: str) -> dict:
    """A feature's classifier of `n` pairs that it scores `score` right: its accuracy, the better of the two
    directions, and which direction that is."""
    accuracy = score / n
    return {"feature": feature, "accuracy": round(max(accuracy, 1 - accuracy), 4),
            "direction": higher if accuracy >= 0.5 else lower}


def phrase_classifiers(pairs: list[tuple[str, str]]) -> list[dict]:
    """Presence of each of the most frequent word 1- and 2-grams as a classifier of chosen against rejected.

    Each side's grams are hashed once (`textmeasures.hashed`); a phrase's presence on every side is then
    one vectorised membership test. The most frequent are those most sides hold, ties going to the
    phrase met first."""
    import numpy as np

    from ..textmeasures.hashed import gram_hashes, mix, token_hashes

    if not pairs:
        return []
    texts = [side for pair in pairs for side in pair]
    hashes, lengths = token_hashes(texts)
    if not len(hashes):  # no side has a word: no phrase to try
        return []
    sides = len(texts)
    bigrams, bigram_counts = gram_hashes(hashes, lengths, 2)
    grams = np.concatenate((mix(hashes ^ np.uint64(0xA5A5)), bigrams))  # unigrams apart from bigrams
    del bigrams
    side_numbers = np.arange(sides, dtype=np.int32)
    side_of = np.concatenate((np.repeat(side_numbers, lengths), np.repeat(side_numbers, bigram_counts)))
    place = np.arange(len(grams), dtype=np.int32 if len(grams) < 2 ** 31 else np.int64)
    # Each (side, gram) once, then per gram: how many sides hold it and where it first occurs.
    order = np.lexsort((place, side_of, grams))
    grams_sorted, sides_sorted = grams[order], side_of[order]
    del grams, side_of
    first_of_pair = np.ones(len(order), dtype=bool)
    first_of_pair[1:] = (grams_sorted[1:] != grams_sorted[:-1]) | (sides_sorted[1:] != sides_sorted[:-1])
    held_grams, held_sides = grams_sorted[first_of_pair], sides_sorted[first_of_pair]
    # held_grams is sorted: each run of one gram is the sides that hold it
    starts = np.flatnonzero(np.concatenate(([True], held_grams[1:] != held_grams[:-1])))
    distinct = held_grams[starts]
    frequency = np.diff(np.append(starts, len(held_grams)))
    first_place = np.minimum.reduceat(place[order][first_of_pair], starts)
    top = np.lexsort((first_place, -frequency))[:PHRASE_CANDIDATES]
    text_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    bigram_starts = np.concatenate(([0], np.cumsum(bigram_counts)[:-1]))

    def phrase(at: int) -> str:
        """The words of the gram first met at `at` (the side it is on split again)."""
        size, starts_at = (1, text_starts) if at < len(hashes) else (2, bigram_starts)
        at = at if size == 1 else at - len(hashes)
        side = int(np.searchsorted(starts_at, at, side="right") - 1)  # the last side starting at or before
        offset = at - int(starts_at[side])
        return " ".join(words(texts[side])[offset:offset + size])

    column = np.full(len(distinct), -1, dtype=np.int64)
    column[top] = np.arange(len(top))
    columns = column[np.searchsorted(distinct, held_grams)]
    wanted = columns >= 0
    presence = np.zeros((sides, len(top)), dtype=bool)
    presence[held_sides[wanted], columns[wanted]] = True
    chosen_side, rejected_side = presence[0::2], presence[1::2]
    scores = (chosen_side & ~rejected_side).sum(axis=0) + 0.5 * (chosen_side == rejected_side).sum(axis=0)
    return [classifier(f'contains "{phrase(int(first_place[gram]))}"', float(scores[i]), len(pairs),
                        "present is chosen", "absent is chosen") for i, gram in enumerate(top.tolist())]
