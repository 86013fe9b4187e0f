"""Text measures the audit applies to one string: words, n-grams, voice, copied spans.

Everything here is a pure function of its arguments so that each figure can be
tested on crafted text whose answer is known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator

_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n")


# Punctuation becomes a space (a translation table is several times faster than a word regex, and the
# audit splits every text it reads); apostrophes stay, so "don't" is one word (and a word in single
# quotes keeps its quotes, a rare case not worth a second pass).
_PUNCTUATION = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~“”‘«»—–…•·¡¿"
_SPLIT_TABLE = str.maketrans({**{c: " " for c in _PUNCTUATION}, "’": "'"})


def words(text: str) -> list[str]:
    """Lower-cased words; apostrophes inside a word keep it whole ("don't")."""
    return text.lower().translate(_SPLIT_TABLE).split()


def ngrams(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    return (tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    tokens = words(text)
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return set(ngrams(tokens, n))


def jaccard(a: set, b: set) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


# An instruction to the assistant rather than an answer to the user: the turn opens with
# an imperative (possibly after a leading "If ...," clause) and its first paragraph
# neither speaks as "I" nor to "you" ("Decline to give...", "Respect the decision:").
# An answer that opens with an imperative to the user ("Don't delete it yet: you can...")
# addresses them, so it passes.
IMPERATIVES = frozenset("""
acknowledge add address admit advise affirm agree answer apologise apologize argue ask assume avoid be begin
blame call caution challenge check choose clarify comply confirm consider continue correct decline defer deflect
describe disclose discourage draft emphasise emphasize empathise empathize encourage engage escalate explain
express flag follow frame gently give go help highlight hold honour honor include inform insist invite keep
lay lead let list make mention name note offer outline persuade point politely praise present press prioritise
prioritize proceed protect provide push put raise reassure recommend redirect refer refuse reject remind
report respect respond retain reveal say separate share show sketch state stay steer stop suggest summarise
summarize support take teach tell thank treat trust try urge use validate verify voice warn weigh write
""".split())
ADVERBS = frozenset("gently politely firmly briefly kindly clearly calmly warmly then first just still".split())
LEADING_CLAUSE = re.compile(r"^(?:if|when|with|where|since|because|once|unless|given|after|before|while|as)\b[^,:;]*,\s*",
                            re.IGNORECASE)
THIRD_PERSON_USER = re.compile(r"\bthe (?:user|person|requester|customer|asker|human)\b", re.IGNORECASE)
SPEAKER_OR_LISTENER = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|you|you're|you've|you'd|you'll|your|yours)\b",
                                 re.IGNORECASE)
NEGATIONS = ("do not", "don't", "never", "not")
ASSISTANT_VERBS = ("should", "must", "will", "would", "can", "cannot", "can't", "may", "might", "is", "does",
                   "doesn't", "has", "never", "always", "declines", "refuses", "avoids", "aims", "tries", "wants",
                   "cares", "needs", "ought", "shouldn't", "won't", "acts", "treats", "values")
USER_REFERENCE = re.compile(r"\bthe user(?:'s|s)?\b", re.IGNORECASE)


def first_sentence(text: str) -> str:
    stripped = text.strip()
    return _SENTENCE_END.split(stripped, maxsplit=1)[0] if stripped else ""


def _opens_imperative(sentence: str) -> bool:
    sentence = LEADING_CLAUSE.sub("", sentence.strip())
    tokens = words(sentence)
    while tokens and tokens[0] in ADVERBS:
        tokens = tokens[1:]
    for negation in NEGATIONS:
        size = negation.count(" ") + 1
        if " ".join(tokens[:size]) == negation:
            tokens = tokens[size:]
            while tokens and tokens[0] in ADVERBS:
                tokens = tokens[1:]
            break
    return bool(tokens) and tokens[0] in IMPERATIVES


def is_stage_direction(text: str) -> bool:
    """Does the turn open by telling the assistant what to do, instead of talking to the user?"""
    sentence = first_sentence(text)
    if THIRD_PERSON_USER.search(sentence):
        return True
    if not _opens_imperative(sentence):
        return False
    paragraph = text.strip().split("\n\n", 1)[0]
    return not SPEAKER_OR_LISTENER.search(paragraph)


def assistant_pattern(names: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    verbs = "|".join(re.escape(v) for v in ASSISTANT_VERBS)
    return re.compile(rf"\b(?:{alternatives})(?:'s)?\s+(?:{verbs})\b", re.IGNORECASE)


def third_person_assistant(text: str, pattern: re.Pattern[str]) -> bool:
    """Talks about the assistant as "Claude should..." instead of speaking as it."""
    return bool(pattern.search(text))


def third_person_user(text: str) -> bool:
    return bool(USER_REFERENCE.search(text))


@dataclass(frozen=True)
class CopiedSpans:
    """The n-grams of a reference text (the constitution's clauses), to find long copied spans."""

    n: int
    grams: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, texts: Iterable[str], n: int = 10) -> "CopiedSpans":
        grams: set[tuple[str, ...]] = set()
        for text in texts:
            grams.update(ngrams(words(text), n))
        return cls(n, frozenset(grams))

    def share(self, text: str, tokens: list[str] | None = None) -> float:
        """Share of the text's words that lie inside some copied span of `n` or more words."""
        tokens = words(text) if tokens is None else tokens
        if not tokens or not self.grams:
            return 0.0
        covered = [False] * len(tokens)
        for i, gram in enumerate(ngrams(tokens, self.n)):
            if gram in self.grams:
                for j in range(i, i + self.n):
                    covered[j] = True
        return sum(covered) / len(tokens)


@dataclass(frozen=True)
class Overlap:
    words: int  # length of the longest shared run, in words
    excerpt: str


class ProbeIndex:
    """Word n-grams of every probe text, to find training text that shares a run with a probe."""

    def __init__(self, n: int):
        self.n = n
        self.owners: dict[tuple[str, ...], str] = {}

    def add(self, probe_id: str, text: str) -> None:
        for gram in ngrams(words(text), self.n):
            self.owners.setdefault(gram, probe_id)

    def __bool__(self) -> bool:
        return bool(self.owners)

    def longest(self, text: str) -> tuple[str, Overlap] | None:
        """The probe sharing the longest run of words with `text`, or None."""
        return self.longest_tokens(words(text))

    def longest_tokens(self, tokens: list[str]) -> tuple[str, Overlap] | None:
        best: tuple[str, Overlap] | None = None
        run_start, run_len, owner = 0, 0, None
        for i, gram in enumerate(ngrams(tokens, self.n)):
            hit = self.owners.get(gram)
            if hit is not None and run_len and hit == owner:
                run_len += 1
            elif hit is not None:
                run_start, run_len, owner = i, 1, hit
            else:
                run_len, owner = 0, None
                continue
            length = run_len + self.n - 1
            if best is None or length > best[1].words:
                excerpt = " ".join(tokens[run_start:run_start + length])
                best = (hit, Overlap(length, excerpt[:300]))
        return best
