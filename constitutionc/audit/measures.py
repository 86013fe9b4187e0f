"""The audit's figures: per-text facts (`TextJudge`), the per-item numbers a scan records, and the
mergeable partial figures (`Partial`) that are summarised once.

Rows are de-duplicated by content before the dataset-wide figures see them: the same example
written to three target files is one example. Item-level figures (voice, preference tells,
contamination, placeholders) are sums over distinct items (`ItemFigures`); text-level figures
(diversity, specificity, environments) are bounded samples keyed by content (`sketch.BottomK`), so
a text met twice, in one process or two, is one member.
"""

from __future__ import annotations

import statistics
import struct
from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import repeat
from typing import Iterable, NamedTuple

from xxhash import xxh3_64_intdigest as _xxh3  # a fast, stable, seedless 64-bit hash

from ..textmeasures import Overlap, OverlapIndex, near_duplicate_count, placeholder, talks_about_user, \
    third_person_assistant, words
from ..textmeasures.placeholder import might_hold
from ..textmeasures.voice import stage_directions, users_are_the_topic
from .memo import WHOLE, FactsMemo, KeySet, pack, unpack_all
from .features import SURFACE_FEATURES, classifier, phrase_classifiers
from .rows import Row
from .sketch import BottomK

EXAMPLES = 10  # worst cases kept per figure
TEXT_SAMPLE = 10_000  # distinct texts (hash-chosen) for near-duplicates and distinct-n
FAMILY_SAMPLE = 300  # the same, per family (a fixed size, so families of different sizes compare)
PASTED_WORDS = 10  # a run this long copied from the constitution counts as pasted
CONTAMINATION_WORDS = (8, 13)  # runs shared with a probe, reported at both lengths


def _key(*parts: str | None) -> int:
    """A stable 64-bit key of texts (samples are chosen by it, so it must not change between runs): the
    XXH3-64 of each part's UTF-8 (b"\\x01" for None), each followed by a zero byte. (The parts
    are joined before encoding: UTF-8 of a join is the join of the UTF-8s.)"""
    data = "\x00".join(["\x01" if part is None else part for part in parts]).encode("utf-8", "surrogatepass")
    return _xxh3(data + b"\x00")


def _text_key(text: str) -> int:
    """`_key(text)` of one text."""
    return _xxh3(text.encode("utf-8", "surrogatepass") + b"\x00")


_EMPTY_KEY = _key("")


@lru_cache(maxsize=4096)
def _tools_key(tools: tuple[str, ...]) -> int:
    return _key(*tools)


def _share(part: int, whole: int) -> float | None:
    """A rounded share; None (null in JSON) when there is nothing to take a share of."""
    return round(part / whole, 4) if whole else None


def _excerpt(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


class TextFacts(NamedTuple):
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


_facts = tuple.__new__  # TextFacts from all its fields, without the Python-level constructor
_facts_of = partial(tuple.__new__, TextFacts)  # TextFacts from a tuple of its fields: for `map`


def memo_key(text: str, spoken: bool, users: bool) -> int:
    """The in-process key a text's facts are remembered by: the facts depend on the text, on whether it is
    spoken as the assistant, and (for a spoken text) on whether its prompt is about users. Python's hash:
    nothing written depends on it."""
    return hash((text, spoken, users))


class TextJudge:
    """Splits each text into words once and derives every per-text figure from that one list.

    `facts` takes a chunk's texts at once and remembers every text it judged (`memo.FactsMemo`), so a
    text that recurs anywhere in the build is judged once per process."""

    def __init__(self, names: tuple[str, ...], copied: OverlapIndex | None, probes: OverlapIndex):
        self.names = names
        self.lowered_names = tuple(n.lower() for n in names)
        self.copied = copied
        self.probes = probes
        self.memo = FactsMemo()
        self._piece_hashes: dict[int, object] = {}  # id of an index -> its pieces' hashes

    def __call__(self, text: str, spoken: bool = False, prompt: str = "") -> TextFacts:
        users = spoken and users_are_the_topic(prompt)
        key = memo_key(text, spoken, users)
        return self.facts({key: (text, spoken, users)})[key]

    def facts(self, wanted: dict[int, tuple[str, bool, bool]]) -> dict[int, TextFacts]:
        """The facts of each (text, spoken, users) by its `memo_key`: remembered ones unpacked, the rest judged."""
        import numpy as np

        memo = self.memo
        keys = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
        found, values = memo.find(keys.view(np.uint64))
        held = np.flatnonzero(found)
        kept_whole = (values[held, 1] & np.uint64(WHOLE)) != 0
        unpacked = held[~kept_whole]
        _, words_, first, second, stage, third_assistant, third_user = unpack_all(values[unpacked, 1])
        nothing = repeat(None)
        result: dict[int, TextFacts] = dict(zip(keys[unpacked].tolist(), map(_facts_of, zip(
            values[unpacked, 0].tolist(), words_, first, second, nothing, nothing, stage, third_assistant, third_user,
            repeat(0.0)))))
        missing: list[int] = keys[~found].tolist()
        known: list[bool] = [False] * len(missing)
        for key in keys[held[kept_whole]].tolist():
            facts = memo.whole.get(key)
            if facts is not None:
                result[key] = facts
                continue
            missing.append(key)
            known.append(True)  # held, but its facts were past the limit of those kept whole
        if not missing:
            return result
        new_keys = array("q")  # memo keys are Python hashes: signed
        new_rows = array("Q")  # (text key, packed facts) of each, end to end
        for key, held, facts in zip(missing, known, self._judge([wanted[key] for key in missing])):
            result[key] = facts
            if held:
                continue
            packed = pack(facts.words, facts.first_person, facts.second_person, facts.stage, facts.third_assistant,
                          facts.third_user) if facts.overlap is None and facts.placeholder is None \
                and not facts.pasted else None
            if packed is None:
                packed = WHOLE
                memo.keep_whole(key, facts)
            new_keys.append(key)
            new_rows.append(facts.key)
            new_rows.append(packed)
        if new_keys:
            memo.add(np.frombuffer(new_keys, dtype=np.uint64), np.frombuffer(new_rows, dtype=np.uint64).reshape(-1, 2))
        return result

    def _pieces(self, index: OverlapIndex):
        from ..textmeasures.hashed import piece_hashes

        pieces = self._piece_hashes.get(id(index))
        if pieces is None:
            pieces = self._piece_hashes[id(index)] = piece_hashes(index)
        return pieces

    def _judge(self, texts: list[tuple[str, bool, bool]]) -> list[TextFacts]:
        """The facts of each (text, spoken, users); a spoken text's prompt counts only by whether it is about
        users. Word counts, person counts and whether a text may share a run with the probes or the
        constitution come from one `WordTable` of all the texts; only a text that may share a run is split
        into words here, and only one that may hold a placeholder is searched for it."""
        from ..textmeasures.hashed import WordTable

        plain = [text for text, _, _ in texts]
        table = WordTable(plain)
        probes, copied = self.probes, self.copied
        may_copy = may_probe = [False] * len(texts)
        if probes:
            may_probe = table.may_share(self._pieces(probes), probes.piece_words, probes.stride).tolist()
        if copied:
            may_copy = table.may_share(self._pieces(copied), copied.piece_words, copied.stride).tolist()
        marked = might_hold(plain)
        spoken_texts = [text for text, spoken, _ in texts if spoken]
        stages = iter(stage_directions(spoken_texts, [users for _, spoken, users in texts if spoken]))
        names, lowered_names = self.names, self.lowered_names
        result = []
        for (text, spoken, users), count, first, second, probe_run, copy_run, mark in zip(
                texts, table.lengths.tolist(), table.first_person.tolist(), table.second_person.tolist(),
                may_probe, may_copy, marked):
            tokens = words(text) if probe_run or (spoken and copy_run) else None
            overlap = probes.longest(tokens) if probe_run else None
            marker = placeholder(text) if mark else None
            if not spoken:
                result.append(_facts(TextFacts, (_text_key(text), count, first, second, overlap, marker, False,
                                                 False, False, 0.0)))
                continue
            prompt = USERS_PROMPT if users else ""
            lowered = text.lower()
            result.append(_facts(TextFacts, (
                _text_key(text), count, first, second, overlap, marker,
                next(stages),  # stage: `is_stage_direction(text, prompt)`
                any(map(lowered.__contains__, lowered_names)) and third_person_assistant(text, names) is not None,
                "user" in lowered and talks_about_user(text, prompt) is not None,  # third_user
                copied.covered_share(tokens) if copy_run else 0.0)))  # pasted
        return result


# The voice tests read a spoken text's prompt only by `users_are_the_topic`: this prompt is about users.
USERS_PROMPT = "users"


LENGTH_RATIO_RANGE = (0.8, 1.25)
PAIR_SAMPLE = 4000  # pairs whose phrases are tried as features (a hash-chosen sample)
RATIO_SAMPLE = 10_000  # distinct pairs whose length ratios give the median (a hash-chosen sample)
PASTED_SCALE = 10 ** 9  # pasted shares are summed as integers (billionths), so any order of summing agrees

# The numbers one distinct training item adds to the dataset-wide figures: one row of `ItemNumbers`.
ITEM_COLUMNS = ("turns", "stage", "third_assistant", "third_user", "speaking", "pasted_heavy", "pasted",
                "pairs", "ratios", "ratio_outside", "overlap_8", "overlap_13", "placeholder",
                *(f"feature:{name}" for name in SURFACE_FEATURES))
COLUMN = {name: i for i, name in enumerate(ITEM_COLUMNS)}
_TURNS, _STAGE, _THIRD_ASSISTANT, _THIRD_USER, _SPEAKING, _PASTED_HEAVY, _PASTED, _PAIRS, _RATIOS, _RATIO_OUTSIDE, \
    _OVERLAP_8, _OVERLAP_13, _PLACEHOLDER = (COLUMN[name] for name in (
        "turns", "stage", "third_assistant", "third_user", "speaking", "pasted_heavy", "pasted", "pairs", "ratios",
        "ratio_outside", "overlap_8", "overlap_13", "placeholder"))
_FIRST_FEATURE = len(ITEM_COLUMNS) - len(SURFACE_FEATURES)  # the feature columns come last
CANDIDATES = 2 * EXAMPLES  # examples a chunk keeps per figure: enough that duplicates of earlier chunks
# (at most EXAMPLES - 1 distinct ones while a list is not yet full) never crowd out a new item's


_MISSING_KEY = 0  # the key part of a text a row does not have (no system prompt, no side of a pair)
_pack_keys = [struct.Struct(f"<{n}Q").pack for n in range(8)]  # for the usual numbers of parts


def keys_key(*keys: int) -> int:
    """A stable 64-bit key of several texts' keys: the XXH3-64 of them as little-endian integers
    (each text is hashed once, for its own key, not again in every combination it is part of)."""
    pack = _pack_keys[len(keys)] if len(keys) < len(_pack_keys) else struct.Struct(f"<{len(keys)}Q").pack
    return _xxh3(pack(*keys))


def item_key(row: Row) -> int:
    """A stable 64-bit key of a training item's content: the same example in any target file's layout."""
    def key(text: str | None) -> int:
        return _MISSING_KEY if text is None else _text_key(text)

    return item_key_of(row, key(row.system), key(row.prompt), map(key, row.assistant), key(row.chosen),
                       key(row.rejected))


def item_key_of(row: Row, system: int, prompt: int, assistant: Iterable[int], chosen: int, rejected: int) -> int:
    """`item_key` from the `_text_key`s of the row's texts (`_MISSING_KEY` for a text it does not have), as
    the scan has them from judging. The number of assistant turns and which texts are missing are part of
    it, so neither a turn moved between the prompt and the answer nor a missing text can make two items one."""
    shape = len(row.assistant) | (row.system is None) << 32 | (row.chosen is None) << 33 | (row.rejected is None) << 34
    return keys_key(shape, system, prompt, chosen, rejected, *assistant)


def pair_key(chosen: int, rejected: int) -> int:
    """A stable 64-bit key of a preference pair from its sides' `_text_key`s: pairs are sampled by it."""
    return keys_key(chosen, rejected)


def _voice_reasons(facts: TextFacts) -> list[str]:
    reasons = []
    if facts.stage:
        reasons.append("stage direction")
    if facts.third_assistant:
        reasons.append("talks about the assistant in the third person")
    if facts.third_user:
        reasons.append("talks about the user in the third person")
    if facts.pasted >= 0.5:
        reasons.append(f"{facts.pasted:.0%} of its words copied from the constitution")
    return reasons


@dataclass
class ChunkItems:
    """What one chunk's distinct training items add, kept apart until the items are de-duplicated
    against every earlier chunk: keys, one row of numbers per item, and candidate examples that
    point at an item by its slot (or -1 for a record that is not a training item)."""

    file: str
    lines: int = 0  # lines in the chunk, so later chunks of the file can number theirs
    keys: list[int] = field(default_factory=list)
    numbers: array = field(default_factory=lambda: array("q"))  # one row of ITEM_COLUMNS per item, end to end
    voice: list[tuple[int, dict]] = field(default_factory=list)  # (slot, example)
    overlaps: list[tuple[int, int, int, dict]] = field(default_factory=list)  # (-words, line, slot, example)
    placeholders: list[tuple[int, dict]] = field(default_factory=list)  # (slot or -1, example)
    prompt_placeholders: int = 0
    probe_placeholders: int = 0

    def record(self, row: Row, spoken: list[tuple[str, TextFacts]], votes: list[int] | None,
               read: list[tuple[str, TextFacts]], key: int) -> None:
        """One distinct training item; `votes` are a pair's `pair_votes` (None for a row that is no pair)."""
        slot = len(self.keys)
        self.keys.append(key)
        numbers = [0] * len(ITEM_COLUMNS)
        numbers[_TURNS] = len(spoken)
        for text, facts in spoken:
            if not (facts.stage or facts.third_assistant or facts.third_user or facts.pasted):
                numbers[_SPEAKING] += 1  # the common case: nothing to report
                continue
            reasons = _voice_reasons(facts)
            numbers[_STAGE] += facts.stage
            numbers[_THIRD_ASSISTANT] += facts.third_assistant
            numbers[_THIRD_USER] += facts.third_user
            numbers[_PASTED_HEAVY] += facts.pasted >= 0.5
            numbers[_PASTED] += round(facts.pasted * PASTED_SCALE)
            if not reasons:
                numbers[_SPEAKING] += 1
            elif len(self.voice) < CANDIDATES:
                self.voice.append((slot, {"file": row.file, "line": row.line, "id": row.id,
                                                 "reasons": reasons, "excerpt": _excerpt(text)}))
        if votes is not None:
            numbers[_PAIRS] = 1
            numbers[_FIRST_FEATURE:] = votes
            if row.chosen:
                ratio = len(row.rejected) / len(row.chosen)
                low, high = LENGTH_RATIO_RANGE
                numbers[_RATIOS] = 1
                numbers[_RATIO_OUTSIDE] = not (low <= ratio <= high)
        best = marked = None  # the longest run shared with a probe; the first text holding a placeholder
        for text, facts in read:
            if facts.overlap is not None and (best is None or facts.overlap.length > best.length):
                best = facts.overlap
            if facts.placeholder and marked is None:
                marked = (text, facts.placeholder)
        if best is not None:
            numbers[_OVERLAP_8] = best.length >= CONTAMINATION_WORDS[0]
            numbers[_OVERLAP_13] = best.length >= CONTAMINATION_WORDS[1]
            self.overlaps.append((-best.length, row.line, slot, {
                "file": row.file, "line": row.line, "id": row.id, "probe": best.label, "words": best.length,
                "excerpt": best.text[:300]}))
            if len(self.overlaps) > 4 * CANDIDATES:
                self.overlaps.sort(key=lambda o: o[:2])
                del self.overlaps[CANDIDATES:]
        if marked:
            numbers[_PLACEHOLDER] = 1
            self._placeholder(slot, row, marked[1], marked[0])
        self.numbers.fromlist(numbers)  # sized once, where `extend` grows the array item by item

    def pack(self) -> "ChunkItems":
        """Keys and numbers as numpy arrays: what crosses between processes is a few buffers, not objects."""
        import numpy as np

        self.keys = np.asarray(self.keys, dtype=np.uint64)
        self.numbers = np.frombuffer(self.numbers, dtype=np.int64).reshape(len(self.keys), len(ITEM_COLUMNS))
        return self

    def _placeholder(self, slot: int, row: Row, marker: str, text: str) -> None:
        if len(self.placeholders) < CANDIDATES:
            self.placeholders.append((slot, {"file": row.file, "line": row.line, "id": row.id,
                                                    "placeholder": marker, "excerpt": _excerpt(text)}))

    def prompt_record(self, row: Row) -> None:
        for text in (row.system, row.prompt):
            marker = placeholder(text) if text else None
            if marker:
                self.prompt_placeholders += 1
                self._placeholder(-1, row, marker, text)
                return

    def probe_record(self, row: Row) -> None:
        """A probe still holding a skeleton's TODO (in what the model or its grader reads) tests nothing."""
        for text in row.probe_texts:
            marker = placeholder(text)
            if marker:
                self.probe_placeholders += 1
                self._placeholder(-1, row, marker, text)
                return


@dataclass
class ItemFigures:
    """Sums over distinct training items, fed chunk by chunk in file order."""

    seen: KeySet = field(default_factory=KeySet)
    totals: list[int] = field(default_factory=lambda: [0] * len(ITEM_COLUMNS))
    items: int = 0
    chunks: int = 0
    voice_examples: list[dict] = field(default_factory=list)
    worst: list[tuple] = field(default_factory=list)
    placeholder_examples: list[dict] = field(default_factory=list)
    prompt_placeholders: int = 0
    probe_placeholders: int = 0

    def take(self, chunk: ChunkItems, line_offset: int) -> None:
        import numpy as np

        order = self.chunks
        self.chunks += 1
        new = self.seen.add_new(chunk.keys) if len(chunk.keys) else np.zeros(0, dtype=bool)
        if len(chunk.keys):
            sums = chunk.numbers[new].sum(axis=0)
            self.totals = [a + int(b) for a, b in zip(self.totals, sums)]
        self.items += int(new.sum())

        def at(example: dict) -> dict:
            return {**example, "line": example["line"] + line_offset}

        for slot, example in chunk.voice:
            if len(self.voice_examples) < EXAMPLES and new[slot]:
                self.voice_examples.append(at(example))
        for slot, example in chunk.placeholders:
            if len(self.placeholder_examples) < EXAMPLES and (slot < 0 or new[slot]):
                self.placeholder_examples.append(at(example))
        self.prompt_placeholders += chunk.prompt_placeholders
        self.probe_placeholders += chunk.probe_placeholders
        self.worst += [(words, order, line, at(example)) for words, line, slot, example in chunk.overlaps if new[slot]]
        self.worst.sort(key=lambda w: w[:3])
        del self.worst[EXAMPLES:]

    def total(self, column: str) -> int:
        return self.totals[COLUMN[column]]

    def voice(self, copied_available: bool) -> dict:
        turns = self.total("turns")
        return {"assistant_turns": turns, "speaks_as_assistant": _share(self.total("speaking"), turns),
                "stage_direction": _share(self.total("stage"), turns),
                "third_person_assistant": _share(self.total("third_assistant"), turns),
                "third_person_user": _share(self.total("third_user"), turns),
                "pasted_constitution_mean": round(self.total("pasted") / PASTED_SCALE / turns, 4) if turns else None,
                "pasted_constitution_available": copied_available,
                "mostly_pasted": _share(self.total("pasted_heavy"), turns), "examples": self.voice_examples}

    def contamination(self, probes: int) -> dict:
        shares = {f"overlap_{n}": {"items": self.total(f"overlap_{n}"), "share": _share(self.total(f"overlap_{n}"),
                                                                                      self.items)}
                  for n in CONTAMINATION_WORDS}
        return {"probe_texts": probes, "training_items": self.items, **shares,
                "worst": [w[3] for w in self.worst]}

    def placeholders(self) -> dict:
        training = self.total("placeholder")
        return {"items": training + self.prompt_placeholders + self.probe_placeholders, "training_items": training,
                "prompt_records": self.prompt_placeholders, "probes": self.probe_placeholders,
                "examples": self.placeholder_examples}


def preference_summary(items: ItemFigures, sample: BottomK, ratios: BottomK,
                       tallies: dict[str, PairTally] | None = None) -> dict:
    """Distinct preference pairs over the whole build (ablation pairs left out: see `is_ablation`), and
    every pair file's own figures (`files`), ablation files among them, labelled."""
    files = pair_files(tallies or {})
    ablation = sum(f["pairs"] for f in files if f["ablation"])
    pairs = items.total("pairs")
    if not pairs:
        return {"pairs": 0, "phrase_sample": 0, "classifiers": [], "worst": None, "length_ratio_median": None,
                "length_ratio_outside": None, "ablation_rows": ablation, "files": files}
    classifiers = [classifier(name, items.total(f"feature:{name}") / 2, pairs, "higher is chosen",
                               "lower is chosen") for name in SURFACE_FEATURES]
    phrase_pairs = sample.items()
    classifiers += phrase_classifiers(phrase_pairs)
    classifiers.sort(key=lambda c: (-c["accuracy"], c["feature"]))
    values = ratios.items()
    return {"pairs": pairs, "phrase_sample": len(phrase_pairs), "classifiers": classifiers[:20],
            "worst": classifiers[0],
            "length_ratio_median": round(statistics.median(values), 4) if values else None,
            "length_ratio_outside": _share(items.total("ratio_outside"), items.total("ratios")),
            "ablation_rows": ablation, "files": files}


def _distinct(texts: list[str]) -> tuple[float | None, float | None]:
    from ..textmeasures.hashed import distinct_counts

    ones, twos = distinct_counts(texts)
    return _share(*ones), _share(*twos)


def _texts(sample: BottomK) -> list[str]:
    return [text for text, _, _ in sample.items()]


def _estimate(sample: BottomK, position: int) -> int:
    """The sum over every distinct text of one of its numbers (words, characters), from the sample."""
    return round(sum(member[position] for member in sample.members.values()) * sample.scale())


SHARED = -1


def _same_prompt(first: int, again: int) -> int:
    return first if first == again else SHARED


def _text_sample(size: int) -> BottomK:
    return BottomK(size)


FILE_PAIR_SAMPLE = 1000  # per pair file: pairs whose phrases are tried as features
FILE_RATIO_SAMPLE = 2000  # per pair file: pairs whose length ratios give its median
ABLATION_PREFIX = "ab-"  # the id prefix of the ablation kind (justified > bare on one dilemma)


def is_ablation(row: Row) -> bool:
    """A justified-over-bare pair of one dilemma (the deliberation ablation): its chosen side is longer by
    construction, so its tells say nothing about a preference set. Known by its kind or id; a target row
    with neither (OpenAI preference rows carry no id) by its file, which the targets name for it."""
    return row.kind == "ablation" or (row.id or "").startswith(ABLATION_PREFIX) or \
        "ablation" in row.file.rsplit("/", 1)[-1]


@dataclass
class PairTally:
    """One file's preference pairs, every line counted: feature scores (in halves), lengths, samples."""

    pairs: int = 0
    ablation: int = 0
    features: list[int] = field(default_factory=lambda: [0] * len(SURFACE_FEATURES))
    ratios: int = 0
    outside: int = 0
    ratio_sample: BottomK = field(default_factory=lambda: BottomK(FILE_RATIO_SAMPLE))
    pair_sample: BottomK = field(default_factory=lambda: BottomK(FILE_PAIR_SAMPLE))

    def add(self, row: Row, votes: list[int], key: int, ablation: bool) -> None:
        """One pair line: its `pair_votes` and its `_key(chosen, rejected)`."""
        self.pairs += 1
        self.ablation += ablation
        self.features = [a + b for a, b in zip(self.features, votes)]
        self.pair_sample.add(key, (row.chosen, row.rejected))
        if row.chosen:
            ratio = len(row.rejected) / len(row.chosen)
            low, high = LENGTH_RATIO_RANGE
            self.ratios += 1
            self.outside += not (low <= ratio <= high)
            self.ratio_sample.add(key, ratio)

    def merge(self, other: "PairTally") -> None:
        self.pairs += other.pairs
        self.ablation += other.ablation
        self.features = [a + b for a, b in zip(self.features, other.features)]
        self.ratios += other.ratios
        self.outside += other.outside
        self.ratio_sample.merge(other.ratio_sample)
        self.pair_sample.merge(other.pair_sample)

    def summary(self, path: str) -> dict:
        classifiers = [classifier(name, score / 2, self.pairs, "higher is chosen", "lower is chosen")
                       for name, score in zip(SURFACE_FEATURES, self.features)]
        classifiers += phrase_classifiers(self.pair_sample.items())
        classifiers.sort(key=lambda c: (-c["accuracy"], c["feature"]))
        values = self.ratio_sample.items()
        return {"path": path, "pairs": self.pairs, "ablation": self.ablation * 2 > self.pairs,
                "worst": classifiers[0] if classifiers else None,
                "length_ratio_median": round(statistics.median(values), 4) if values else None,
                "length_ratio_outside": _share(self.outside, self.ratios)}


def pair_files(tallies: dict[str, PairTally]) -> list[dict]:
    """Each file holding pairs, its own figures: preference files first, the most separable first."""
    files = [tally.summary(path) for path, tally in tallies.items() if tally.pairs]
    return sorted(files, key=lambda f: (f["ablation"], -(f["worst"] or {}).get("accuracy", 0), f["path"]))


@dataclass
class Partial:
    """Figures that merge by addition or by sample union: one per worker, merged once at the end.

    Samples hold (text, words, characters) by text key; specificity holds, per family, each sampled
    answer's prompt key (or SHARED once a second prompt gets it); environments hold keys only."""

    files: dict[str, dict] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    variants: Counter = field(default_factory=Counter)
    clauses: Counter = field(default_factory=Counter)
    prompts: BottomK = field(default_factory=lambda: _text_sample(TEXT_SAMPLE))
    answers: BottomK = field(default_factory=lambda: _text_sample(TEXT_SAMPLE))
    family_prompts: dict[str, BottomK] = field(default_factory=dict)
    family_answers: dict[str, BottomK] = field(default_factory=dict)
    specificity: dict[str, BottomK] = field(default_factory=dict)
    pair_sample: BottomK = field(default_factory=lambda: BottomK(PAIR_SAMPLE))
    ratios: BottomK = field(default_factory=lambda: BottomK(RATIO_SAMPLE))
    training_rows: int = 0
    training_with_tools: int = 0
    training_systems: BottomK = field(default_factory=lambda: BottomK(TEXT_SAMPLE))
    training_tools: BottomK = field(default_factory=lambda: BottomK(TEXT_SAMPLE))
    shared_systems: set[int] = field(default_factory=set)  # keys of probe system prompts training uses too
    pair_files: dict[str, PairTally] = field(default_factory=dict)  # file -> its pairs, every line

    def family_sample(self, table: dict[str, BottomK], family: str, combine=None) -> BottomK:
        sample = table.get(family)
        if sample is None:
            sample = table[family] = BottomK(FAMILY_SAMPLE, combine)
        return sample

    def add_texts(self, row: Row, prompt: TextFacts | None, answers: Iterable[tuple[str, TextFacts]]) -> None:
        # `sample.add` is called only for a key within the sample's bound: past it, the key is left out,
        # which is all `add` would do (the test here saves a call for most texts of a large build).
        family = row.family or "(none)"
        if prompt is not None:
            member = (row.prompt, prompt.words, len(row.prompt))
            key = prompt.key
            for sample in (self.prompts, self.family_sample(self.family_prompts, family)):
                if key <= sample.bound:
                    sample.add(key, member)
                else:
                    sample.overflowed = True
        specificity = self.family_sample(self.specificity, family, _same_prompt)
        family_answers = self.family_sample(self.family_answers, family)
        prompt_key = prompt.key if prompt else 0
        everyone = self.answers
        for answer, facts in answers:
            key = facts.key
            if key <= everyone.bound or key <= family_answers.bound:
                member = (answer, facts.words, len(answer))
                for sample in (everyone, family_answers):
                    if key <= sample.bound:
                        sample.add(key, member)
                    else:
                        sample.overflowed = True
            else:  # the common case in a large build
                everyone.overflowed = family_answers.overflowed = True
            if key <= specificity.bound:
                specificity.add(key, prompt_key)
            else:
                specificity.overflowed = True

    def add_environment(self, row: Row, probe_systems: frozenset[int], system: int | None = None) -> None:
        """A training row's system prompt and tool set; `system` is `_key(row.system or "")` when the caller
        has it."""
        self.training_rows += 1
        if system is None:
            system = _key(row.system or "")
        if system <= self.training_systems.bound:
            self.training_systems.add(system, None)
        else:
            self.training_systems.overflowed = True
        if system in probe_systems:
            self.shared_systems.add(system)
        if row.tools:
            self.training_tools.add(_tools_key(row.tools), None)
            self.training_with_tools += 1

    def merge(self, other: "Partial") -> None:
        for path, entry in other.files.items():
            mine = self.files.setdefault(path, dict.fromkeys(entry, 0) | {"path": path})
            for column, value in entry.items():
                if column != "path":
                    mine[column] += value
        self.kinds.update(other.kinds)
        self.variants.update(other.variants)
        self.clauses.update(other.clauses)
        for name in ("prompts", "answers", "pair_sample", "ratios", "training_systems", "training_tools"):
            getattr(self, name).merge(getattr(other, name))
        for name, combine in (("family_prompts", None), ("family_answers", None), ("specificity", _same_prompt)):
            table = getattr(self, name)
            for family, sample in getattr(other, name).items():
                self.family_sample(table, family, combine).merge(sample)
        self.training_rows += other.training_rows
        self.training_with_tools += other.training_with_tools
        for path, tally in other.pair_files.items():
            self.pair_files.setdefault(path, PairTally()).merge(tally)
        self.shared_systems |= other.shared_systems

    def environments(self, probe_systems: frozenset[int], probe_tools: frozenset[int]) -> dict:
        return {"training_system_prompts": round(self.training_systems.count()),
                "probe_system_prompts": len(probe_systems), "shared_system_prompts": len(self.shared_systems),
                "training_tool_sets": round(self.training_tools.count()), "probe_tool_sets": len(probe_tools),
                "training_with_tools": _share(self.training_with_tools, self.training_rows)}

    def families(self) -> list[str]:
        """The families with prompts or answers, in the report's order."""
        return sorted(set(self.family_prompts) | set(self.family_answers))

    def family_diversity(self, families: list[str]) -> list[dict]:
        rows = []
        empty = BottomK(0)
        for family in families:
            prompts, answers = self.family_prompts.get(family, empty), self.family_answers.get(family, empty)
            p1, p2 = _distinct(_texts(prompts))
            f1, f2 = _distinct(_texts(answers))
            rows.append({"family": family, "prompts": round(prompts.count()), "distinct_1": p1, "distinct_2": p2,
                         "answers": round(answers.count()), "answers_distinct_1": f1, "answers_distinct_2": f2})
        return rows

    def diversity(self) -> dict:
        """Distinct-n and near-duplicates over the whole build's samples; the report adds each family's
        (`family_diversity`) as "families"."""
        texts = _texts(self.prompts)
        d1, d2 = _distinct(texts)
        a1, a2 = _distinct(_texts(self.answers))
        duplicates, method = near_duplicate_count(texts)
        return {"distinct_prompts": round(self.prompts.count()), "sample": len(texts),
                "counts_estimated": self.prompts.overflowed, "distinct_1": d1,
                "distinct_2": d2, "answers_distinct_1": a1, "answers_distinct_2": a2,
                "near_duplicate_share": _share(duplicates, len(texts)), "near_duplicate_method": method,
                "user_words": _estimate(self.prompts, 1), "user_characters": _estimate(self.prompts, 2)}

    def specificity_summary(self) -> dict:
        families = []
        answers = shared = 0.0
        for family, sample in sorted(self.specificity.items()):
            count = sample.count()
            repeated = sum(p == SHARED for p in sample.members.values())
            share = repeated / len(sample) if len(sample) else 0.0
            answers, shared = answers + count, shared + share * count
            families.append({"family": family, "answers": round(count),
                             "shared_across_prompts": _share(repeated, len(sample))})
        families.sort(key=lambda f: -(f["shared_across_prompts"] or 0))
        estimated = any(sample.overflowed for sample in self.specificity.values())
        return {"distinct_answers": round(answers), "counts_estimated": estimated,
                "shared_across_prompts": round(shared / answers, 4) if answers else None,
                "families": families[:EXAMPLES]}
