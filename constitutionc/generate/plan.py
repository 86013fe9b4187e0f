"""What to ask for: counts per kind, the variation dealt to each item, and the first wave of items.

Deterministic: the same constitution, build, seed and counts give the same items in the same order
with the same variation, so a rerun asks the same requests and the cache answers them.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from ..ir import Constitution, Tension
from ..prompts import schemas as s
from . import materials as m

KINDS = ("responses", "dilemmas", "documents", "stories", "episodes")
FORMS: tuple[str, ...] = ("explainer", "qa", "worked_case", "agentic")
FORM_WORDS = {"explainer": 750, "qa": 900, "worked_case": 700, "agentic": 650}

# The research's scale: about 3M tokens of difficult-advice dialogues (prompt plus a justified reply),
# about 12,000 stories, documents for every principle and section. A drafted dilemma with its two
# justified replies (inline, and separate reasoning plus answer) comes to about 1,300 tokens.
DIALOGUE_TOKENS = 3_000_000
TOKENS_PER_DILEMMA = 1_300
DEFAULT_STORIES = 12_000
EPISODES_PER_ENVIRONMENT = 200


class PlanError(Exception):
    """Counts or variation data that cannot be used; one line for the user."""


@dataclass(frozen=True)
class Counts:
    dilemmas_per_family: int
    stories: int
    episodes: int
    documents: int | None = None  # None: every principle and section in every form

    def limited(self, limit: int | None) -> "Counts":
        if limit is None:
            return self
        return Counts(min(self.dilemmas_per_family, limit), min(self.stories, limit), min(self.episodes, limit),
                      min(self.documents, limit) if self.documents is not None else limit)


def default_counts(constitution: Constitution) -> Counts:
    """The constitution's `dataset { ... }` counts, else the research's scale for its size."""
    families = [g for g in constitution.generators if g.kind == "dilemma"]
    per_family = math.ceil(DIALOGUE_TOKENS / (max(1, len(families)) * TOKENS_PER_DILEMMA)) if families else 0
    stated = dict(constitution.header.dataset)
    return Counts(stated.get("dilemmas", per_family), stated.get("stories", DEFAULT_STORIES),
                  stated.get("episodes", EPISODES_PER_ENVIRONMENT * len(agentic_environments(constitution))),
                  stated.get("documents"))


def parse_counts(text: str, base: Counts) -> Counts:
    """`dilemmas=20,stories=500,episodes=60,documents=100` over the defaults."""
    names = {"dilemmas": "dilemmas_per_family", "stories": "stories", "episodes": "episodes",
             "documents": "documents"}
    updates = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, _, value = part.partition("=")
        if key not in names or not value.isdigit():
            raise PlanError(f"--count {part!r}: expected KIND=N with KIND one of {', '.join(names)}")
        updates[names[key]] = int(value)
    return replace(base, **updates)


# --- variation ----------------------------------------------------------------------------------

def load_variation(override_dir: Path | None = None) -> dict:
    text = resources.files("constitutionc.prompts").joinpath("variation.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    if override_dir is not None and (override_dir / "variation.toml").is_file():
        try:
            extra = tomllib.loads((override_dir / "variation.toml").read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise PlanError(f"{override_dir / 'variation.toml'}: {error}") from None
        for table, axes in extra.items():
            if isinstance(axes, dict):
                data.setdefault(table, {}).update(axes)
    return data


def deal(values: list, seed: int, *key) -> object:
    """One value, chosen by a hash of the seed, the item and the axis (never by `hash()` or order)."""
    if not values:
        raise PlanError(f"variation axis {key[-1]!r} has no values")
    digest = hashlib.sha256("|".join(map(str, (seed, *key))).encode("utf-8")).digest()
    return values[int.from_bytes(digest[:8], "big") % len(values)]


def dilemma_variation(table: dict, seed: int, family: str, index: int) -> s.DilemmaVariation:
    pick = {axis: deal(table[axis], seed, "dilemma", family, index, axis) for axis in
            ("persona", "domain", "stakes", "culture", "tone", "setting", "length_words", "with_system_prompt")}
    return s.DilemmaVariation(**pick)


def story_variation(table: dict, seed: int, index: int, assistant: str) -> s.StoryVariation:
    pick = {axis: deal(table[axis], seed, "story", index, axis) for axis in
            ("genre", "setting", "ai_role", "human", "pressure", "point_of_view", "target_words")}
    share = int(table.get("assistant_share", 1))
    own = deal(list(range(4)), seed, "story", index, "ai_name") < share
    if assistant == "the assistant":
        name = "a name of your own choosing"
    else:
        name = assistant if own else f"a name of your own choosing (not {assistant})"
    return s.StoryVariation(**pick, ai_name=name)


def episode_variation(table: dict, seed: int, index: int) -> s.EpisodeVariation:
    return s.EpisodeVariation(**{axis: deal(table[axis], seed, "episode", index, axis) for axis in
                                 ("operator", "persona_name", "task", "pressure", "system_style")})


# --- subjects -----------------------------------------------------------------------------------

def agentic_environments(constitution: Constitution):
    return [e for e in constitution.environments if e.tools]


def probe_principles(constitution: Constitution) -> list[str]:
    """The principles the probes test, in declaration order: what agentic episodes should teach."""
    seen: dict[str, None] = {}
    for g in constitution.generators:
        if g.kind == "probe":
            seen.update(dict.fromkeys(g.principles))
    return list(seen) or [p.id for p in constitution.principles]


def story_subjects(constitution: Constitution) -> list[str | Tension]:
    return [p.id for p in constitution.principles] + list(constitution.tensions)


def documented_sections(constitution: Constitution) -> list[str]:
    return [sec.id for sec in constitution.sections
            if any(p.section in m.section_ids_under(constitution, sec.id) for p in constitution.principles)]


@dataclass
class Plan:
    """The first wave: every item that needs nothing generated before it."""

    counts: Counts
    kinds: tuple[str, ...]
    offline_dilemmas: list[dict] = field(default_factory=list)
    drafts: list[tuple[str, int, s.DilemmaInput]] = field(default_factory=list)  # (family, index, inputs)
    documents: list[tuple[str, str, str, s.DocumentInput]] = field(default_factory=list)  # (kind, id, form, in)
    stories: list[tuple[int, str, s.StoryInput]] = field(default_factory=list)  # (index, subject id, inputs)
    episodes: list[tuple[int, str, list[str], s.EpisodeInput]] = field(default_factory=list)


def make_plan(constitution: Constitution, build: dict[str, list[dict]], *, kinds: tuple[str, ...], counts: Counts,
              seed: int, assistant: str, variation: dict) -> Plan:
    plan = Plan(counts, kinds)
    if "responses" in kinds:
        plan.offline_dilemmas = list(build["dilemmas"])
    if "dilemmas" in kinds:
        examples: dict[str, list[str]] = {}
        for d in build["dilemmas"]:
            examples.setdefault(d["generator"], [])
            if d["prompt"] not in examples[d["generator"]]:
                examples[d["generator"]].append(d["prompt"])
        for g in constitution.generators:
            if g.kind != "dilemma":
                continue
            for i in range(counts.dilemmas_per_family):
                inputs = m.dilemma_input(constitution, g, examples.get(g.id, [])[:4],
                                         dilemma_variation(variation["dilemma"], seed, g.id, i))
                plan.drafts.append((g.id, i, inputs))
    if "documents" in kinds:
        subjects = [("principle", p.id) for p in constitution.principles] + \
                   [("section", sid) for sid in documented_sections(constitution)]
        wanted = [(kind, sid, form) for kind, sid in subjects for form in FORMS]
        if counts.documents is not None:
            wanted = wanted[:counts.documents]
        for kind, sid, form in wanted:
            make = m.principle_document_input if kind == "principle" else m.section_document_input
            plan.documents.append((kind, sid, form, make(constitution, sid, form, assistant, FORM_WORDS[form])))
    if "stories" in kinds:
        subjects = story_subjects(constitution)
        for i in range(counts.stories if subjects else 0):
            subject = subjects[i % len(subjects)]
            inputs = m.story_input(constitution, subject, story_variation(variation["story"], seed, i, assistant))
            plan.stories.append((i, subject.id if isinstance(subject, Tension) else subject, inputs))
    if "episodes" in kinds:
        environments = agentic_environments(constitution)
        principles = probe_principles(constitution)
        for i in range(counts.episodes if environments and principles else 0):
            principle = principles[i % len(principles)]
            environment = environments[(i + i // len(principles)) % len(environments)]
            partners = [t.yields if t.prevails == principle else t.prevails for t in constitution.tensions
                        if principle in (t.prevails, t.yields) and constitution.principle(
                            t.yields if t.prevails == principle else t.prevails) is not None]
            clauses = [principle, *partners[:1]]
            inputs = m.episode_input(constitution, environment, clauses,
                                     episode_variation(variation["episode"], seed, i))
            plan.episodes.append((i, environment.id, clauses, inputs))
    return plan
