"""The audit's figures, each an accumulator fed one row at a time and summarised once.

Rows are de-duplicated by content before the dataset-wide figures see them: the
same example written to three target files is one example.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import statistics
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..textmeasures import Overlap, OverlapIndex, distinct_n, is_stage_direction, near_duplicate_count, ngrams, \
    placeholder, talks_about_user, third_person_assistant, words
from ..textmeasures.voice import users_are_the_topic
from .rows import PROBE, TRAINING, Row

EXAMPLES = 10  # worst cases kept per figure
TEXT_SAMPLE = 10_000  # distinct texts (hash-chosen) for near-duplicates and distinct-n
FAMILY_SAMPLE = 300  # the same, per family (a fixed size, so families of different sizes compare)
PASTED_WORDS = 10  # a run this long copied from the constitution counts as pasted
CONTAMINATION_WORDS = (8, 13)  # runs shared with a probe, reported at both lengths


def _key(*parts: str | None) -> int:
    """A stable 64-bit key of texts (samples are chosen by it, so it must not change between runs)."""
    digest = hashlib.blake2b(digest_size=8)
    for part in parts:
        digest.update(b"\x01" if part is None else part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return int.from_bytes(digest.digest(), "big")


class BottomK:
    """The k items of smallest key: a sample that does not depend on the order rows arrive in."""

    def __init__(self, k: int):
        self.k = k
        self.heap: list[int] = []  # negated keys: the largest key on top
        self.members: dict[int, object] = {}

    def add(self, key: int, item) -> None:
        if key in self.members:
            return
        if len(self.heap) < self.k:
            heapq.heappush(self.heap, -key)
            self.members[key] = item
        elif key < -self.heap[0]:
            evicted = -heapq.heapreplace(self.heap, -key)
            del self.members[evicted]
            self.members[key] = item

    def items(self) -> list:
        return [self.members[k] for k in sorted(self.members)]


def _share(part: int, whole: int) -> float | None:
    """A rounded share; None (null in JSON) when there is nothing to take a share of."""
    return round(part / whole, 4) if whole else None


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


MEMO_LIMIT = 100_000  # texts whose facts are remembered (the same prompt or answer recurs across files)


@dataclass(frozen=True, slots=True)
class TextFacts:
    """Everything the figures need from one text, computed once per text."""

    key: int  # stable 64-bit key: samples are chosen by it
    words: int
    first_person: int
    second_person: int
    overlap: Overlap | None  # the longest run shared with a probe (at least 8 words)
    placeholder: str | None  # an unfilled TODO, TBD, [insert ...] the text holds
    stage: bool = False  # voice verdicts, for texts spoken as the assistant
    third_assistant: bool = False
    third_user: bool = False
    pasted: float = 0.0


class TextJudge:
    """Splits each text into words once and derives every per-text figure from that one list.

    Remembered per (text, whether it is spoken, whether the person talks about users) under a
    bounded memo, so a text that recurs in several files of a build is judged once."""

    def __init__(self, names: tuple[str, ...], copied: OverlapIndex | None, probes: OverlapIndex):
        self.names = names
        self.lowered_names = tuple(n.lower() for n in names)
        self.copied = copied
        self.probes = probes
        self.memo: dict[int, TextFacts] = {}

    def __call__(self, text: str, spoken: bool = False, prompt: str = "") -> TextFacts:
        users = spoken and users_are_the_topic(prompt)
        memo_key = hash((text, spoken, users))  # in-process only: nothing written depends on it
        facts = self.memo.get(memo_key)
        if facts is None:
            facts = self._judge(text, spoken, prompt if users else "")
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            self.memo[memo_key] = facts
        return facts

    def _judge(self, text: str, spoken: bool, prompt: str) -> TextFacts:
        tokens = words(text)
        overlap = self.probes.longest(tokens) if self.probes else None
        first, second = tokens.count("i"), tokens.count("you") + tokens.count("your")
        marker = placeholder(text)
        if not spoken:
            return TextFacts(_key(text), len(tokens), first, second, overlap, marker)
        lowered = text.lower()
        return TextFacts(
            _key(text), len(tokens), first, second, overlap, marker,
            stage=is_stage_direction(text, prompt),
            third_assistant=any(n in lowered for n in self.lowered_names)
            and third_person_assistant(text, self.names) is not None,
            third_user="user" in lowered and talks_about_user(text, prompt) is not None,
            pasted=self.copied.covered_share(tokens) if self.copied else 0.0)


@dataclass
class Voice:
    copied_available: bool
    turns: int = 0
    stage: int = 0
    third_assistant: int = 0
    third_user: int = 0
    pasted_total: float = 0.0
    pasted_heavy: int = 0
    speaking: int = 0
    examples: list[dict] = field(default_factory=list)

    def add(self, row: Row, text: str, facts: TextFacts) -> None:
        self.turns += 1
        stage, third_assistant, third_user, pasted = facts.stage, facts.third_assistant, facts.third_user, \
            facts.pasted
        reasons = []
        if stage:
            self.stage += 1
            reasons.append("stage direction")
        if third_assistant:
            self.third_assistant += 1
            reasons.append("talks about the assistant in the third person")
        if third_user:
            self.third_user += 1
            reasons.append("talks about the user in the third person")
        self.pasted_total += pasted
        if pasted >= 0.5:
            self.pasted_heavy += 1
            reasons.append(f"{pasted:.0%} of its words copied from the constitution")
        if not reasons:
            self.speaking += 1
        elif len(self.examples) < EXAMPLES:
            self.examples.append({"file": row.file, "line": row.line, "id": row.id, "reasons": reasons,
                                  "excerpt": _excerpt(text)})

    def summary(self) -> dict:
        return {"assistant_turns": self.turns, "speaks_as_assistant": _share(self.speaking, self.turns),
                "stage_direction": _share(self.stage, self.turns),
                "third_person_assistant": _share(self.third_assistant, self.turns),
                "third_person_user": _share(self.third_user, self.turns),
                "pasted_constitution_mean": round(self.pasted_total / self.turns, 4) if self.turns else None,
                "pasted_constitution_available": self.copied_available,
                "mostly_pasted": _share(self.pasted_heavy, self.turns), "examples": self.examples}


# Single surface features a lazy classifier could use to tell chosen from rejected.
_HEADER = re.compile(r"^\s{0,3}#", re.MULTILINE)
_DIGIT = re.compile(r"\d")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s", re.MULTILINE)
SURFACE_FEATURES = {  # each is (text, its facts) -> a number
    "characters": lambda t, f: len(t),
    "words": lambda t, f: f.words,
    "newlines": lambda t, w: t.count("\n"),
    "paragraphs": lambda t, w: len([p for p in t.split("\n\n") if p.strip()]),
    "header lines": lambda t, w: len(_HEADER.findall(t)),
    "list items": lambda t, w: len(_BULLET.findall(t)),
    "question marks": lambda t, w: t.count("?"),
    "exclamation marks": lambda t, w: t.count("!"),
    "bold markers": lambda t, w: t.count("**"),
    "quotation marks": lambda t, w: t.count('"') + t.count("“"),
    "digits": lambda t, w: len(_DIGIT.findall(t)),
    "first person (I)": lambda t, f: f.first_person,
    "second person (you)": lambda t, f: f.second_person,
}
PHRASE_CANDIDATES = 300  # most frequent word 1- and 2-grams tried as presence features
LENGTH_RATIO_RANGE = (0.8, 1.25)


PAIR_SAMPLE = 4000  # pairs whose phrases are tried as features (a hash-chosen sample)


@dataclass
class Preferences:
    pairs: int = 0
    scores: dict[str, float] = field(default_factory=lambda: dict.fromkeys(SURFACE_FEATURES, 0.0))
    ratios: array = field(default_factory=lambda: array("d"))
    sample: BottomK = field(default_factory=lambda: BottomK(PAIR_SAMPLE))

    def add(self, chosen: str, rejected: str, chosen_facts: TextFacts, rejected_facts: TextFacts) -> None:
        self.pairs += 1
        for name, feature in SURFACE_FEATURES.items():
            a, b = feature(chosen, chosen_facts), feature(rejected, rejected_facts)
            self.scores[name] += 1.0 if a > b else 0.5 if a == b else 0.0
        if chosen:
            self.ratios.append(len(rejected) / len(chosen))
        self.sample.add(_key(chosen, rejected), (chosen, rejected))

    @staticmethod
    def _classifier(feature: str, score: float, n: int, higher: str, lower: str) -> dict:
        accuracy = score / n
        return {"feature": feature, "accuracy": round(max(accuracy, 1 - accuracy), 4),
                "direction": higher if accuracy >= 0.5 else lower}

    def summary(self) -> dict:
        if not self.pairs:
            return {"pairs": 0, "phrase_sample": 0, "classifiers": [], "worst": None, "length_ratio_median": None,
                    "length_ratio_outside": None}
        classifiers = [self._classifier(name, score, self.pairs, "higher is chosen", "lower is chosen")
                       for name, score in self.scores.items()]
        # Phrase presence: each side's word 1- and 2-grams once, then one membership test per phrase.
        sides = []
        frequency: Counter = Counter()
        for chosen, rejected in self.sample.items():
            pair = []
            for side in (chosen, rejected):
                tokens = words(side)
                grams = set(tokens) | {" ".join(g) for g in ngrams(tokens, 2)}
                frequency.update(grams)
                pair.append(grams)
            sides.append(pair)
        for phrase, _ in frequency.most_common(PHRASE_CANDIDATES):
            score = 0.0
            for chosen_grams, rejected_grams in sides:
                a, b = phrase in chosen_grams, phrase in rejected_grams
                score += 1.0 if a and not b else 0.0 if b and not a else 0.5
            classifiers.append(self._classifier(f'contains "{phrase}"', score, len(sides), "present is chosen",
                                                "absent is chosen"))
        classifiers.sort(key=lambda c: (-c["accuracy"], c["feature"]))
        low, high = LENGTH_RATIO_RANGE
        ratios = self.ratios
        return {"pairs": self.pairs, "phrase_sample": len(sides), "classifiers": classifiers[:20],
                "worst": classifiers[0],
                "length_ratio_median": round(statistics.median(ratios), 4) if ratios else None,
                "length_ratio_outside": _share(sum(not (low <= r <= high) for r in ratios), len(ratios))}


def _distinct(texts: list[str]) -> tuple[float | None, float | None]:
    token_lists = [words(t) for t in texts]
    return _share(*distinct_n(token_lists, 1)), _share(*distinct_n(token_lists, 2))


@dataclass
class _TextSet:
    """Distinct texts seen: their count and words in full, a hash-chosen sample of the texts themselves."""

    sample_size: int
    keys: set[int] = field(default_factory=set)
    count: int = 0
    words: int = 0
    characters: int = 0
    sample: BottomK | None = None

    def add(self, key: int, text: str, count_words: int, known: bool = False) -> bool:
        """Count a text once; `known` skips the membership test when a caller has already made it."""
        if not known:
            if key in self.keys:
                return False
            self.keys.add(key)
        self.count += 1
        self.words += count_words
        self.characters += len(text)
        if self.sample is None:
            self.sample = BottomK(self.sample_size)
        self.sample.add(key, text)
        return True

    def texts(self) -> list[str]:
        return self.sample.items() if self.sample else []


@dataclass
class Diversity:
    prompts: _TextSet = field(default_factory=lambda: _TextSet(TEXT_SAMPLE))
    answers: _TextSet = field(default_factory=lambda: _TextSet(TEXT_SAMPLE))
    family_prompts: dict[str, _TextSet] = field(default_factory=lambda: defaultdict(lambda: _TextSet(FAMILY_SAMPLE)))
    family_answers: dict[str, _TextSet] = field(default_factory=lambda: defaultdict(lambda: _TextSet(FAMILY_SAMPLE)))

    def add(self, row: Row, prompt: TextFacts | None, answers: list[tuple[str, TextFacts]]) -> None:
        family = row.family or "(none)"
        if prompt is not None:
            self.prompts.add(prompt.key, row.prompt, prompt.words)
            self.family_prompts[family].add(prompt.key, row.prompt, prompt.words)
        for answer, facts in answers:
            self.answers.add(facts.key, answer, facts.words)
            self.family_answers[family].add(facts.key, answer, facts.words)

    def summary(self) -> dict:
        texts = self.prompts.texts()
        d1, d2 = _distinct(texts)
        a1, a2 = _distinct(self.answers.texts())
        duplicates, method = near_duplicate_count(texts)
        families = []
        for family in sorted(set(self.family_prompts) | set(self.family_answers)):
            prompts, answers = self.family_prompts[family], self.family_answers[family]
            p1, p2 = _distinct(prompts.texts())
            f1, f2 = _distinct(answers.texts())
            families.append({"family": family, "prompts": prompts.count, "distinct_1": p1, "distinct_2": p2,
                             "answers": answers.count, "answers_distinct_1": f1, "answers_distinct_2": f2})
        return {"distinct_prompts": self.prompts.count, "sample": len(texts), "distinct_1": d1,
                "distinct_2": d2, "answers_distinct_1": a1, "answers_distinct_2": a2,
                "near_duplicate_share": _share(duplicates, len(texts)), "near_duplicate_method": method,
                "user_words": self.prompts.words, "user_characters": self.prompts.characters,
                "families": families}


@dataclass
class Contamination:
    index: OverlapIndex = field(default_factory=lambda: OverlapIndex(CONTAMINATION_WORDS[0]))
    probes: int = 0
    rows: int = 0
    hits: list[int] = field(default_factory=lambda: [0] * len(CONTAMINATION_WORDS))
    worst: list[dict] = field(default_factory=list)

    def add_probe(self, row: Row) -> None:
        self.probes += 1
        for text in row.probe_texts:
            self.index.add(text, row.id or f"{row.file}:{row.line}")

    def add(self, row: Row, facts: list[TextFacts]) -> None:
        self.rows += 1
        runs = [f.overlap for f in facts if f.overlap is not None]
        if not runs:
            return
        best = max(runs, key=lambda r: r.length)
        for i, length in enumerate(CONTAMINATION_WORDS):
            self.hits[i] += best.length >= length
        self.worst.append({"file": row.file, "line": row.line, "id": row.id, "probe": best.label,
                           "words": best.length, "excerpt": best.text[:300]})
        if len(self.worst) > 4 * EXAMPLES:
            self.worst.sort(key=lambda w: -w["words"])
            del self.worst[EXAMPLES:]

    def summary(self) -> dict:
        self.worst.sort(key=lambda w: (-w["words"], w["file"], w["line"]))
        shares = {f"overlap_{n}": {"items": hits, "share": _share(hits, self.rows)}
                  for n, hits in zip(CONTAMINATION_WORDS, self.hits)}
        return {"probe_texts": self.probes, "training_items": self.rows, **shares, "worst": self.worst[:EXAMPLES]}


@dataclass
class Placeholders:
    """Records holding an author's unfilled placeholder: distinct training items, and prompt records
    (a dilemma with no answer yet is still what `generate` and a training set are made from)."""

    training_items: int = 0
    prompt_records: int = 0
    examples: list[dict] = field(default_factory=list)

    def _example(self, row: Row, marker: str, text: str) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append({"file": row.file, "line": row.line, "id": row.id, "placeholder": marker,
                                  "excerpt": _excerpt(text)})

    def add_training(self, row: Row, texts: list[tuple[str, TextFacts]]) -> None:
        found = next(((text, f.placeholder) for text, f in texts if f.placeholder), None)
        if found:
            self.training_items += 1
            self._example(row, found[1], found[0])

    def add_prompt(self, row: Row) -> None:
        for text in (row.system, row.prompt):
            marker = placeholder(text) if text else None
            if marker:
                self.prompt_records += 1
                self._example(row, marker, text)
                return

    def summary(self) -> dict:
        return {"items": self.training_items + self.prompt_records, "training_items": self.training_items,
                "prompt_records": self.prompt_records, "examples": self.examples}


@dataclass
class Environments:
    training_systems: Counter = field(default_factory=Counter)
    probe_systems: Counter = field(default_factory=Counter)
    training_tools: Counter = field(default_factory=Counter)
    probe_tools: Counter = field(default_factory=Counter)
    training_rows: int = 0
    training_with_tools: int = 0

    def add(self, row: Row) -> None:
        if row.role == PROBE:
            self.probe_systems[row.system or ""] += 1
            if row.tools:
                self.probe_tools[row.tools] += 1
        elif row.role == TRAINING:
            self.training_rows += 1
            self.training_systems[row.system or ""] += 1
            if row.tools:
                self.training_tools[row.tools] += 1
                self.training_with_tools += 1

    def summary(self) -> dict:
        return {"training_system_prompts": len(self.training_systems),
                "probe_system_prompts": len(self.probe_systems),
                "shared_system_prompts": len(set(self.training_systems) & set(self.probe_systems)),
                "training_tool_sets": len(self.training_tools), "probe_tool_sets": len(self.probe_tools),
                "training_with_tools": _share(self.training_with_tools, self.training_rows)}


SHARED = -1


@dataclass
class Specificity:
    """Answers that are the same text for different prompts of a family say nothing about the prompt."""

    # family -> answer key -> the prompt key it was first given for, or SHARED once a second prompt gets it
    first_prompt: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, row: Row, prompt_key: int, answer_keys: list[int]) -> None:
        answers = self.first_prompt[row.family or "(none)"]
        for answer in answer_keys:
            seen = answers.setdefault(answer, prompt_key)
            if seen != prompt_key and seen != SHARED:
                answers[answer] = SHARED

    def summary(self) -> dict:
        families = []
        answers = shared = 0
        for family, prompts in sorted(self.first_prompt.items()):
            count, repeated = len(prompts), sum(p == SHARED for p in prompts.values())
            answers, shared = answers + count, shared + repeated
            families.append({"family": family, "answers": count, "shared_across_prompts": _share(repeated, count)})
        families.sort(key=lambda f: -f["shared_across_prompts"])
        return {"distinct_answers": answers, "shared_across_prompts": _share(shared, answers),
                "families": families[:EXAMPLES]}
