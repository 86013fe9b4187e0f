"""The audit's figures, each an accumulator fed one row at a time and summarised once.

Rows are de-duplicated by content before the dataset-wide figures see them: the
same example written to three target files is one example.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .rows import PROBE, TRAINING, Row
from .text import CopiedSpans, ProbeIndex, is_stage_direction, jaccard, ngrams, shingles, third_person_assistant, \
    third_person_user, words

EXAMPLES = 10  # worst cases kept per figure
EXACT_PAIR_LIMIT = 1500  # distinct prompts up to which near-duplicates are found by exact comparison
NEAR_DUPLICATE_JACCARD = 0.5


def _key(*parts) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.digest()


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


@dataclass
class Voice:
    assistant_pattern: re.Pattern[str]
    copied: CopiedSpans | None
    turns: int = 0
    stage: int = 0
    third_assistant: int = 0
    third_user: int = 0
    pasted_total: float = 0.0
    pasted_heavy: int = 0
    speaking: int = 0
    examples: list[dict] = field(default_factory=list)

    def add(self, row: Row, text: str) -> None:
        self.turns += 1
        reasons = []
        if is_stage_direction(text):
            self.stage += 1
            reasons.append("stage direction")
        if third_person_assistant(text, self.assistant_pattern):
            self.third_assistant += 1
            reasons.append("talks about the assistant in the third person")
        if third_person_user(text):
            self.third_user += 1
            reasons.append("talks about the user in the third person")
        pasted = self.copied.share(text) if self.copied else 0.0
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
                "pasted_constitution_mean": round(self.pasted_total / self.turns, 4) if self.turns else 0.0,
                "pasted_constitution_available": self.copied is not None,
                "mostly_pasted": _share(self.pasted_heavy, self.turns), "examples": self.examples}


# Single surface features a lazy classifier could use to tell chosen from rejected.
_HEADER = re.compile(r"^\s{0,3}#", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s", re.MULTILINE)
SURFACE_FEATURES = {
    "characters": len,
    "words": lambda t: len(words(t)),
    "newlines": lambda t: t.count("\n"),
    "paragraphs": lambda t: len([p for p in t.split("\n\n") if p.strip()]),
    "header lines": lambda t: len(_HEADER.findall(t)),
    "list items": lambda t: len(_BULLET.findall(t)),
    "question marks": lambda t: t.count("?"),
    "exclamation marks": lambda t: t.count("!"),
    "bold markers": lambda t: t.count("**"),
    "quotation marks": lambda t: t.count('"') + t.count("“"),
    "digits": lambda t: sum(c.isdigit() for c in t),
    "first person (I)": lambda t: words(t).count("i"),
    "second person (you)": lambda t: sum(w in ("you", "your") for w in words(t)),
}
PHRASE_CANDIDATES = 300  # most frequent word 1- and 2-grams tried as presence features
LENGTH_RATIO_RANGE = (0.8, 1.25)


@dataclass
class Preferences:
    pairs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, chosen: str, rejected: str) -> None:
        self.pairs.append((chosen, rejected))

    @staticmethod
    def accuracy(pairs: list[tuple[str, str]], feature) -> tuple[float, str]:
        """Accuracy of the better of "higher is chosen" and "lower is chosen"; ties score half."""
        score = 0.0
        for chosen, rejected in pairs:
            a, b = feature(chosen), feature(rejected)
            score += 1.0 if a > b else 0.5 if a == b else 0.0
        accuracy = score / len(pairs)
        return (accuracy, "higher is chosen") if accuracy >= 0.5 else (1 - accuracy, "lower is chosen")

    def summary(self) -> dict:
        if not self.pairs:
            return {"pairs": 0, "classifiers": [], "worst": None, "length_ratio_median": None,
                    "length_ratio_outside": 0.0}
        classifiers = []
        for name, fn in SURFACE_FEATURES.items():
            accuracy, direction = self.accuracy(self.pairs, fn)
            classifiers.append({"feature": name, "accuracy": round(accuracy, 4), "direction": direction})
        # Phrase presence: each side's word 1- and 2-grams once, then one membership test per phrase.
        sides = []
        frequency: Counter = Counter()
        for chosen, rejected in self.pairs:
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
            accuracy = score / len(sides)
            classifiers.append({"feature": f'contains "{phrase}"', "accuracy": round(max(accuracy, 1 - accuracy), 4),
                                "direction": "present is chosen" if accuracy >= 0.5 else "absent is chosen"})
        classifiers.sort(key=lambda c: (-c["accuracy"], c["feature"]))
        ratios = [len(r) / len(c) for c, r in self.pairs if c]
        low, high = LENGTH_RATIO_RANGE
        return {"pairs": len(self.pairs), "classifiers": classifiers[:20], "worst": classifiers[0],
                "length_ratio_median": round(statistics.median(ratios), 4) if ratios else None,
                "length_ratio_outside": _share(sum(not (low <= r <= high) for r in ratios), len(ratios))}


def _distinct(texts: list[str]) -> tuple[float, float]:
    unigrams: Counter = Counter()
    bigrams: Counter = Counter()
    for text in texts:
        tokens = words(text)
        unigrams.update(tokens)
        bigrams.update(ngrams(tokens, 2))
    d1 = len(unigrams) / sum(unigrams.values()) if unigrams else 0.0
    d2 = len(bigrams) / sum(bigrams.values()) if bigrams else 0.0
    return round(d1, 4), round(d2, 4)


def near_duplicates(texts: list[str]) -> tuple[int, str]:
    """How many of the distinct texts have another with word 5-gram Jaccard above 0.5, and how it was found."""
    sets = [shingles(t) for t in texts]
    flagged = [False] * len(texts)
    if len(texts) <= EXACT_PAIR_LIMIT:
        for i in range(len(sets)):
            for j in range(i + 1, len(sets)):
                if jaccard(sets[i], sets[j]) > NEAR_DUPLICATE_JACCARD:
                    flagged[i] = flagged[j] = True
        return sum(flagged), "exact"
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=NEAR_DUPLICATE_JACCARD, num_perm=64)
    for i, shingle_set in enumerate(sets):
        signature = MinHash(num_perm=64)
        signature.update_batch([" ".join(s).encode("utf-8", "surrogatepass") for s in shingle_set])
        for j in lsh.query(signature):  # candidates are confirmed exactly
            if jaccard(shingle_set, sets[j]) > NEAR_DUPLICATE_JACCARD:
                flagged[i] = flagged[j] = True
        lsh.insert(i, signature)
    return sum(flagged), "minhash"


@dataclass
class Diversity:
    prompts: dict[bytes, str] = field(default_factory=dict)
    family_prompts: dict[str, dict[bytes, str]] = field(default_factory=lambda: defaultdict(dict))
    family_answers: dict[str, dict[bytes, str]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, row: Row, answers: list[str]) -> None:
        family = row.family or "(none)"
        if row.prompt:
            key = _key(row.prompt)
            self.prompts[key] = row.prompt
            self.family_prompts[family][key] = row.prompt
        for answer in answers:
            self.family_answers[family][_key(answer)] = answer

    def summary(self) -> dict:
        texts = list(self.prompts.values())
        d1, d2 = _distinct(texts)
        all_answers = [a for answers in self.family_answers.values() for a in answers.values()]
        a1, a2 = _distinct(all_answers)
        duplicates, method = near_duplicates(texts)
        user_words = sum(len(words(t)) for t in texts)
        families = []
        for family in sorted(set(self.family_prompts) | set(self.family_answers)):
            p1, p2 = _distinct(list(self.family_prompts[family].values()))
            f1, f2 = _distinct(list(self.family_answers[family].values()))
            families.append({"family": family, "prompts": len(self.family_prompts[family]), "distinct_1": p1,
                             "distinct_2": p2, "answers": len(self.family_answers[family]),
                             "answers_distinct_1": f1, "answers_distinct_2": f2})
        return {"distinct_prompts": len(texts), "distinct_1": d1, "distinct_2": d2, "answers_distinct_1": a1,
                "answers_distinct_2": a2, "near_duplicate_share": _share(duplicates, len(texts)),
                "near_duplicate_method": method, "user_words": user_words,
                "user_characters": sum(len(t) for t in texts), "families": families}


@dataclass
class Contamination:
    index8: ProbeIndex = field(default_factory=lambda: ProbeIndex(8))
    index13: ProbeIndex = field(default_factory=lambda: ProbeIndex(13))
    probes: int = 0
    rows: int = 0
    hits8: int = 0
    hits13: int = 0
    worst: list[dict] = field(default_factory=list)

    def add_probe(self, row: Row) -> None:
        self.probes += 1
        self.index8.add(row.id or f"{row.file}:{row.line}", row.probe_text)
        self.index13.add(row.id or f"{row.file}:{row.line}", row.probe_text)

    def add(self, row: Row, texts: list[str]) -> None:
        self.rows += 1
        best = None
        for text in texts:
            found = self.index8.longest(text)
            if found and (best is None or found[1].words > best[1].words):
                best = found
        if best is None:
            return
        self.hits8 += 1
        if best[1].words >= 13:
            self.hits13 += 1
        self.worst.append({"file": row.file, "line": row.line, "id": row.id, "probe": best[0],
                           "words": best[1].words, "excerpt": best[1].excerpt})
        if len(self.worst) > 4 * EXAMPLES:
            self.worst.sort(key=lambda w: -w["words"])
            del self.worst[EXAMPLES:]

    def summary(self) -> dict:
        self.worst.sort(key=lambda w: (-w["words"], w["file"], w["line"]))
        return {"probe_texts": self.probes, "training_items": self.rows,
                "overlap_8": {"items": self.hits8, "share": _share(self.hits8, self.rows)},
                "overlap_13": {"items": self.hits13, "share": _share(self.hits13, self.rows)},
                "worst": self.worst[:EXAMPLES]}


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


@dataclass
class Specificity:
    """Answers that are the same text for different prompts of a family say nothing about the prompt."""

    prompts_by_answer: dict[tuple[str, bytes], set[bytes]] = field(default_factory=lambda: defaultdict(set))

    def add(self, row: Row, answers: list[str]) -> None:
        prompt = _key(row.prompt)
        for answer in answers:
            self.prompts_by_answer[(row.family or "(none)", _key(answer))].add(prompt)

    def summary(self) -> dict:
        per_family: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for (family, _), prompts in self.prompts_by_answer.items():
            per_family[family][0] += 1
            if len(prompts) > 1:
                per_family[family][1] += 1
        answers = sum(v[0] for v in per_family.values())
        shared = sum(v[1] for v in per_family.values())
        families = [{"family": f, "answers": v[0], "shared_across_prompts": _share(v[1], v[0])}
                    for f, v in sorted(per_family.items())]
        families.sort(key=lambda f: -f["shared_across_prompts"])
        return {"distinct_answers": answers, "shared_across_prompts": _share(shared, answers),
                "families": families[:EXAMPLES]}
