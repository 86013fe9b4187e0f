"""Quality checks on generated text: what every generated record passes before it is kept.

Pure functions over strings and the constitution; no model, no I/O. `generate` runs them on
every reply and sends failures to `rejected.jsonl` with the findings as the reason; `audit`
can run the same functions over any build.

`Guard` holds what the checks compare against, built once per build: the probes' texts (the
contamination guard: no run of 8 words shared with any probe), the constitution's texts (no
long pasted span in a user-facing answer), the internal ids (clause, section, value,
generator, environment, condition and record ids) and the assistant's names. A check returns
`Finding`s; an empty list is a pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from ..ir import Constitution
from ..textmeasures import NearDuplicateIndex, OverlapIndex, constitution_texts, probe_texts, words
from ..textmeasures import voice

__all__ = ["Finding", "Guard", "Thresholds", "constitution_ids", "constitution_texts", "critique",
           "episode_structure", "meta_talk", "misaligned_content", "pair", "probe_texts", "stage_direction",
           "surface", "talks_about_user", "unknown_clauses", "unverified_quotes"]


@dataclass(frozen=True)
class Finding:
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Thresholds:
    contamination_words: int = 8  # a shared run this long with any probe text rejects
    pasted_words: int = 12  # a run this long copied from the constitution rejects a user-facing text
    misaligned_words: int = 6  # a run this long shared with the misaligned sketch rejects a justified answer
    near_duplicate: float = 0.5  # word 5-gram Jaccard above this against an earlier prompt rejects a draft
    pair_ratio: tuple[float, float] = (0.8, 1.25)  # rejected/chosen length, in characters
    story_words: tuple[int, int] = (300, 900)
    brief_words: int = 180  # the most a reply may have when the system prompt asks for brevity


RECORD_ID = re.compile(r"\b(?:dl|rs|pr|dd|dc|st|ep|gr)-[0-9a-f]{16}\b")
BREVITY = re.compile(
    r"\bbe\s+(?:\w+\s+and\s+)?(?:very\s+)?(?:brief|concise|short|terse|succinct)\b|\bbriefly\b"
    r"|\b(?:brief|concise|short|succinct|terse)\s+(?:answers|replies|responses|messages)\b"
    r"|\bkeep\s+(?:it|answers|replies|responses|messages)\s+(?:brief|short)\b", re.IGNORECASE)
HEADER = re.compile(r"^#{1,6}\s", re.MULTILINE)
LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+\S", re.MULTILINE)
FENCE = re.compile(r"^```", re.MULTILINE)
META = re.compile(r"\b(?:constitution|(?:the|my)\s+guidance|my\s+(?:hard\s+)?constraints|my\s+principles\s+say)\b",
                  re.IGNORECASE)
def _squash(text: str) -> str:
    """For quote matching: one kind of quote mark and dash, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\u2018\u2019\u201b']", "'", text)
    text = re.sub(r"[\u201c\u201d\u201f\"]", '"', text)
    text = re.sub(r"[\u2013\u2014]", "-", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def constitution_ids(constitution: Constitution) -> set[str]:
    """Ids that mean nothing to a reader: every id with a dot, an underscore or a `>` in it."""
    ids: set[str] = set()
    for group in (constitution.principles, constitution.values, constitution.principals, constitution.sections,
                  constitution.generators, constitution.environments):
        ids.update(node.id for node in group)
    ids.update(t.id for t in constitution.tensions)
    for generator in constitution.generators:
        ids.update(check.id for check in generator.checks)
    return {i for i in ids if re.search(r"[._>]", i)}


@dataclass
class Guard:
    thresholds: Thresholds = field(default_factory=Thresholds)
    names: tuple[str, ...] = ("Claude",)
    probes: OverlapIndex | None = None
    constitution: OverlapIndex | None = None
    ids: frozenset[str] = frozenset()
    _id_pattern: re.Pattern | None = None

    @classmethod
    def build(cls, constitution: Constitution, probes: Iterable[dict], *, names: Iterable[str] = ("Claude",),
              thresholds: Thresholds | None = None) -> Guard:
        thresholds = thresholds or Thresholds()
        probe_index = OverlapIndex(thresholds.contamination_words)
        ids = constitution_ids(constitution)
        for probe in probes:
            for text in probe_texts(probe):
                probe_index.add(text, probe.get("id", "probe"))
            if probe.get("condition_id"):
                ids.add(probe["condition_id"])
        clause_index = OverlapIndex(thresholds.pasted_words)
        for label, text in constitution_texts(constitution):
            clause_index.add(text, label)
        return cls(thresholds, tuple(names), probe_index, clause_index, frozenset(ids))

    @property
    def id_pattern(self) -> re.Pattern | None:
        if self._id_pattern is None and self.ids:
            alternatives = "|".join(re.escape(i) for i in sorted(self.ids, key=len, reverse=True))
            self._id_pattern = re.compile(rf"(?<![\w.])(?:{alternatives})(?!\w)")
        return self._id_pattern

    # --- single checks ----------------------------------------------------------------------------

    def contamination(self, text: str, where: str) -> list[Finding]:
        if self.probes is None:
            return []
        return [Finding("contamination", f"{where} shares {o.length} words with probe {o.label}: \"{o.text}\"")
                for o in self.probes.overlaps(text)[:1]]

    def internal_ids(self, text: str, where: str) -> list[Finding]:
        found = set(RECORD_ID.findall(text))
        if self.id_pattern is not None:
            found.update(self.id_pattern.findall(text))
        return [Finding("internal_id", f"{where} names the internal id `{i}`") for i in sorted(found)]

    def pasted_constitution(self, text: str, where: str) -> list[Finding]:
        if self.constitution is None:
            return []
        return [Finding("pasted_constitution",
                        f"{where} copies {o.length} words of {o.label} verbatim: \"{o.text}\"")
                for o in self.constitution.overlaps(text)[:1]]

    def third_person(self, text: str, where: str, names: Iterable[str] = ()) -> list[Finding]:
        match = voice.third_person_assistant(text, (*self.names, *names, "the assistant"))
        if match:
            return [Finding("third_person", f"{where} speaks of the assistant in the third person: "
                                            f"\"{_context(text, match.start())}\"")]
        return []

    # --- per kind of text -------------------------------------------------------------------------

    def answer(self, text: str, *, prompt: str = "", system: str | None = None, misaligned: str | None = None,
               names: Iterable[str] = (), where: str = "answer") -> list[Finding]:
        """A user-facing reply (justified, bare, rejected, revised)."""
        if not text.strip():
            return [Finding("empty", f"{where} is empty")]
        findings = (self.contamination(text, where) + self.internal_ids(text, where)
                    + self.pasted_constitution(text, where) + self.third_person(text, where, names)
                    + stage_direction(text, where, prompt) + talks_about_user(text, prompt, where)
                    + meta_talk(text, prompt, where))
        if misaligned:
            findings += misaligned_content(text, misaligned, self.thresholds.misaligned_words, where)
        if system and BREVITY.search(system):
            count = len(words(text))
            if count > self.thresholds.brief_words:
                findings.append(Finding("too_long", f"{where} has {count} words; the system prompt asks for "
                                                    f"brevity (at most {self.thresholds.brief_words})"))
        return findings

    def reasoning(self, text: str, *, names: Iterable[str] = (), where: str = "reasoning") -> list[Finding]:
        if not text.strip():
            return [Finding("empty", f"{where} is empty")]
        return (self.contamination(text, where) + self.internal_ids(text, where)
                + self.pasted_constitution(text, where) + self.third_person(text, where, names)
                + stage_direction(text, where))

    def drafted_prompt(self, prompt: str, system: str | None, seen: NearDuplicateIndex) -> list[Finding]:
        """A drafted dilemma against the probes, the ids and every prompt already in the build."""
        findings = self.contamination(prompt, "prompt") + self.internal_ids(prompt, "prompt")
        if system:
            findings += self.contamination(system, "system prompt") + self.internal_ids(system, "system prompt")
        if not prompt.strip():
            findings.append(Finding("empty", "prompt is empty"))
        duplicate = seen.nearest(prompt)
        if duplicate is not None:
            findings.append(Finding("near_duplicate", f"prompt is a near-duplicate of {duplicate.key} "
                                                      f"(word 5-gram Jaccard {duplicate.jaccard:.2f})"))
        return findings

    def story(self, text: str) -> list[Finding]:
        low, high = self.thresholds.story_words
        count = len(words(text))
        findings = self.contamination(text, "story") + self.internal_ids(text, "story") + \
            self.pasted_constitution(text, "story")
        if not low <= count <= high:
            findings.append(Finding("length", f"story has {count} words (wanted {low}-{high})"))
        return findings

    def document(self, body: str, cites: Iterable[str], allowed: Iterable[str]) -> list[Finding]:
        return (self.contamination(body, "document") + self.internal_ids(body, "document")
                + unknown_clauses(cites, allowed, "cites"))

    def episode(self, episode: dict, *, allowed: Iterable[str] = (), names: Iterable[str] = ()) -> list[Finding]:
        findings = episode_structure(episode)
        texts = [("system prompt", episode.get("system", "")), ("task", episode.get("user", ""))]
        for n, step in enumerate(episode.get("steps", ()), 1):
            texts += [(f"step {n} reasoning", step.get("reasoning", "")), (f"step {n} text", step.get("text", ""))]
            texts += [(f"step {n} tool result", r.get("content", "")) for r in step.get("tool_results", ())]
        for where, text in texts:
            if not text:
                continue
            findings += self.contamination(text, where) + self.internal_ids(text, where)
            if "reasoning" in where or where.endswith("text"):
                findings += self.pasted_constitution(text, where) + self.third_person(text, where, names)
        return findings + unknown_clauses(episode.get("cites", ()), allowed, "cites")


# --- checks that need no index --------------------------------------------------------------------

def _context(text: str, at: int, width: int = 40) -> str:
    return re.sub(r"\s+", " ", text[max(0, at - width):at + width]).strip()


def stage_direction(text: str, where: str = "answer", prompt: str = "") -> list[Finding]:
    """A reply that opens by describing a reply ("Decline to...", "Advise the user...")."""
    if voice.is_stage_direction(text, prompt):
        first = text.strip().split("\n", 1)[0]
        return [Finding("stage_direction", f"{where} opens with a stage direction: \"{first[:60]}\"")]
    return []


def talks_about_user(text: str, prompt: str = "", where: str = "answer") -> list[Finding]:
    """"the user" in a reply to that user (unless the person themselves talks about users)."""
    match = voice.talks_about_user(text, prompt)
    if match:
        return [Finding("third_person", f"{where} calls the person \"the user\": \"{_context(text, match.start())}\"")]
    return []


def meta_talk(text: str, prompt: str = "", where: str = "answer") -> list[Finding]:
    """A reply that mentions the machinery behind it (its constitution, clauses, guidance it was given),
    unless the person's own message uses the word (a question about a country's constitution)."""
    for match in META.finditer(text):
        if not re.search(rf"\b{re.escape(match.group(0).split()[-1].rstrip('s'))}", prompt, re.IGNORECASE):
            return [Finding("meta", f"{where} talks about its own machinery: \"{_context(text, match.start())}\"")]
    return []


def misaligned_content(text: str, misaligned: str, n: int = 6, where: str = "answer") -> list[Finding]:
    index = OverlapIndex(n)
    index.add(misaligned, "misaligned")
    runs = index.overlaps(text)
    if runs:
        return [Finding("misaligned_content",
                        f"{where} repeats the misaligned answer ({runs[0].length} words): \"{runs[0].text}\"")]
    return []


def unknown_clauses(cited: Iterable[str], allowed: Iterable[str], where: str) -> list[Finding]:
    allowed = set(allowed)
    unknown = sorted(set(cited) - allowed)
    return [Finding("unknown_clause", f"{where} names {', '.join(unknown)}, not among the clauses given")] \
        if unknown else []


def surface(text: str) -> dict[str, bool]:
    return {"header": bool(HEADER.search(text)), "list": bool(LIST_ITEM.search(text)),
            "code": bool(FENCE.search(text))}


def pair(chosen: str, rejected: str, *, chosen_reasoning: str | None = None, rejected_reasoning: str | None = None,
         thresholds: Thresholds = Thresholds()) -> list[Finding]:
    """A preference pair a single surface feature must not separate: lengths matched, same format."""
    low, high = thresholds.pair_ratio
    findings = []
    for what, a, b in (("answer", chosen, rejected), ("reasoning", chosen_reasoning, rejected_reasoning)):
        if a is None and b is None:
            continue
        if not a or not b:
            findings.append(Finding("pair_shape", f"only one side of the pair has {what}"))
            continue
        ratio = len(b) / len(a)
        if not low <= ratio <= high:
            findings.append(Finding("length_ratio", f"rejected/chosen {what} length is {ratio:.2f} "
                                                    f"(wanted {low}-{high})"))
    if chosen and rejected:
        a, b = surface(chosen), surface(rejected)
        for feature in a:
            if a[feature] != b[feature]:
                side = "chosen" if a[feature] else "rejected"
                findings.append(Finding("format_tell", f"only the {side} answer has a {feature}"))
    return findings


def critique(clause: str, quote: str, clauses: dict[str, tuple[str, str]]) -> list[Finding]:
    """The critique names a clause it was given and quotes that clause's own words."""
    if clause not in clauses:
        return [Finding("unknown_clause", f"critique names {clause}, not among the clauses given")]
    text, why = clauses[clause]
    if not quote.strip() or _squash(quote) not in _squash(text) + " \u0000 " + _squash(why):
        return [Finding("misquote", f"critique's quote is not in the text of {clause}: \"{quote[:60]}\"")]
    return []


def episode_structure(episode: dict) -> list[Finding]:
    """Tools well formed; every call names a tool, gives its required arguments and gets one result."""
    findings: list[Finding] = []
    tools: dict[str, dict] = {}
    for tool in episode.get("tools", ()):
        name = tool.get("name", "")
        schema = tool.get("input_schema") or {}
        if name in tools:
            findings.append(Finding("episode", f"tool {name} is defined twice"))
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]{0,63}", name):
            findings.append(Finding("episode", f"tool name {name!r} is not a valid tool name"))
        if schema.get("type") != "object":
            findings.append(Finding("episode", f"tool {name}'s input_schema is not a JSON Schema object"))
        tools[name] = schema
    steps = episode.get("steps", ())
    if not steps:
        return findings + [Finding("episode", "the episode has no steps")]
    seen: set[str] = set()
    calls = 0
    for n, step in enumerate(steps, 1):
        ids = []
        for call in step.get("tool_calls", ()):
            calls += 1
            cid, name, args = call.get("id", ""), call.get("name", ""), call.get("input") or {}
            if cid in seen:
                findings.append(Finding("episode", f"step {n}: call id {cid} is used twice"))
            seen.add(cid)
            ids.append(cid)
            if name not in tools:
                findings.append(Finding("episode", f"step {n}: call {cid} names {name}, which is not a tool"))
                continue
            missing = [p for p in tools[name].get("required", ()) if p not in args]
            if missing:
                findings.append(Finding("episode", f"step {n}: call {cid} to {name} lacks {', '.join(missing)}"))
            unknown = sorted(set(args) - set(tools[name].get("properties", {})))
            if unknown and tools[name].get("properties") is not None:
                findings.append(Finding("episode", f"step {n}: call {cid} to {name} passes unknown "
                                                   f"{', '.join(unknown)}"))
        results = [r.get("call_id") for r in step.get("tool_results", ())]
        if results != ids:
            findings.append(Finding("episode", f"step {n}: results {results} do not answer calls {ids} in order"))
    if steps[-1].get("tool_calls"):
        findings.append(Finding("episode", "the last step calls tools; it must end with a message"))
    if not steps[-1].get("text", "").strip():
        findings.append(Finding("episode", "the last step says nothing to the user"))
    if calls == 0:
        findings.append(Finding("episode", "the episode calls no tool"))
    return findings


def unverified_quotes(evidence: Iterable[dict], transcript: dict[str, str]) -> list[Finding]:
    """Judge evidence whose quote is not in the message it names (reported, not fatal)."""
    findings = []
    for item in evidence:
        mid, quote = item.get("message_id"), item.get("quote", "")
        if mid not in transcript:
            findings.append(Finding("unverified_quote", f"evidence names message {mid}, not in the transcript"))
        elif _squash(quote) not in _squash(transcript[mid]):
            findings.append(Finding("unverified_quote", f"quote not found in message {mid}: \"{quote[:60]}\""))
    return findings
