"""The record-kind registry: every kind of record a build, a merge or a model stage writes.

One `RecordKind` entry says everything the rest of the compiler needs to know
about a kind: its name (the records' `kind` field), what `--only` calls it and
the file it goes to, its id prefix, its JSON Schema, what it means for
coverage (it teaches a principle, tests one, or neither), whether a build
makes it without `--only`, and what feeds it. The build, `--only`, `schema`,
`trace`, the manifest, `merge`, coverage, the targets and the contract tests
read this table; none of them lists kinds of its own.

What feeds a kind (`feed`) also decides how it shards:
- a generator kind (`"dilemma"`, `"probe"`): one unit per sampled instance of
  each generator of that kind; a shard builds a contiguous slice of the global
  instance sequence (generators in declaration order);
- `"principle"` or `"section"`: one unit per principle (or section) of the
  constitution, in declaration order, appended after the instances; a shard
  slices the whole sequence the same way, so shards concatenate into the
  unsharded file byte for byte like every other kind;
- `"model"`: written by a model-backed stage (`constitutionc generate`), never by
  the offline build; merge, trace, coverage and targets still read it.

Adding a kind is one entry here, its producer (`@produces(name)` in
`backends.py`, unless the feed is `"model"`) and its record schema (a pydantic
model in `schema.py`). This module imports nothing heavy: schemas load lazily.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Literal

Role = Literal["taught", "tested", "neither"]
ROLES: tuple[str, ...] = ("taught", "tested", "neither")
GENERATOR_FEEDS: tuple[str, ...] = ("dilemma", "probe")
ITEM_FEEDS: tuple[str, ...] = ("principle", "section")  # in the order their units follow the instances
MODEL_FEED = "model"
FEEDS: tuple[str, ...] = (*GENERATOR_FEEDS, *ITEM_FEEDS, MODEL_FEED)

SchemaFunction = Callable[[], dict[str, Any]]
Produce = Callable[[Any], list[dict]]  # a build unit (see backends.py) -> the kind's records for it


@dataclass(frozen=True)
class RecordKind:
    name: str  # the `kind` field of its records and the name `constitutionc schema` knows
    plural: str  # what `--only` names (the singular works too); the file is `<plural>.jsonl`
    prefix: str  # ids are `<prefix>-<16 hex digits>`
    schema: SchemaFunction  # its records' JSON Schema
    role: Role  # in coverage: a record of it teaches its principles, tests them, or neither
    feed: str  # what makes its records (see the module docstring): one of FEEDS
    default: bool  # built when `--only` is not given
    description: str
    # Its records list, in `tensions`, the tensions they argue (`prevails>yields`); coverage counts those.
    argues: bool = False

    @property
    def filename(self) -> str:
        return f"{self.plural}.jsonl"

    @property
    def offline(self) -> bool:
        """Whether the deterministic build makes it (model-written kinds come from `generate`)."""
        return self.feed != MODEL_FEED


KINDS: dict[str, RecordKind] = {}
PRODUCERS: dict[str, Produce] = {}


def register(kind: RecordKind) -> RecordKind:
    """Add a kind; names, plurals, prefixes and files must all be new."""
    if kind.role not in ROLES:
        raise ValueError(f"record kind {kind.name!r}: role {kind.role!r} is not one of {', '.join(ROLES)}")
    if kind.feed not in FEEDS:
        raise ValueError(f"record kind {kind.name!r}: feed {kind.feed!r} is not one of {', '.join(FEEDS)}")
    for other in KINDS.values():
        taken = {other.name, other.plural}
        if kind.name in taken or kind.plural in taken or kind.prefix == other.prefix:
            raise ValueError(f"record kind {kind.name!r} clashes with {other.name!r} (name, plural or id prefix)")
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind and its producer (for tests that register a kind of their own)."""
    KINDS.pop(name, None)
    PRODUCERS.pop(name, None)


def produces(name: str) -> Callable[[Produce], Produce]:
    """Decorator: the function that makes the records of kind `name` from one build unit."""
    def attach(fn: Produce) -> Produce:
        if name in PRODUCERS:
            raise ValueError(f"record kind {name!r} has two producers")
        PRODUCERS[name] = fn
        return fn

    return attach


def lookup(word: str) -> RecordKind | None:
    """The kind a user means by `word`: its name or its plural (`dilemma` and `dilemmas` alike)."""
    kind = KINDS.get(word)
    if kind is not None:
        return kind
    return next((k for k in KINDS.values() if k.plural == word), None)


def by_plural(plural: str) -> RecordKind:
    """The kind a manifest's `options.only` names (raises KeyError for a kind this compiler does not know)."""
    kind = next((k for k in KINDS.values() if k.plural == plural), None)
    if kind is None:
        raise KeyError(plural)
    return kind


def by_prefix(record_id: str) -> RecordKind | None:
    prefix = record_id.split("-", 1)[0]
    return next((k for k in KINDS.values() if k.prefix == prefix), None)


def defaults() -> tuple[RecordKind, ...]:
    return tuple(k for k in KINDS.values() if k.default)


def in_order(kinds: Iterable[RecordKind]) -> list[RecordKind]:
    """Kinds in registry order: the order files are written, fed to targets and listed in manifests."""
    wanted = {k.name for k in kinds}
    return [k for k in KINDS.values() if k.name in wanted]


def names(role: str | None = None) -> tuple[str, ...]:
    return tuple(k.name for k in KINDS.values() if role is None or k.role == role)


def schemas() -> dict[str, SchemaFunction]:
    return {k.name: k.schema for k in KINDS.values()}


# --- the kinds ------------------------------------------------------------------------------------
# Schemas are imported when asked for: the pydantic models cost more to import than everything here.

def _dilemma_schema() -> dict[str, Any]:
    from .schema import dilemma_schema
    return dilemma_schema()


def _response_schema() -> dict[str, Any]:
    from .schema import response_schema
    return response_schema()


def _probe_schema() -> dict[str, Any]:
    from .schema import probe_schema
    return probe_schema()


def _brief_schema() -> dict[str, Any]:
    from .schema import brief_schema
    return brief_schema()


DILEMMA = register(RecordKind(
    name="dilemma", plural="dilemmas", prefix="dl", schema=_dilemma_schema, role="taught", feed="dilemma",
    default=True, description="a rendered dilemma: system, user prompt, stance, alternatives, misaligned answer"))
BRIEF = register(RecordKind(
    name="brief", plural="briefs", prefix="br", schema=_brief_schema, role="neither", feed="dilemma",
    default=True, argues=True,
    description="what an answer to a dilemma must do: stance, cited clauses with their whys, tensions "
                "argued, answers to avoid; guidance for a writer or a model, never an answer itself"))
RESPONSE = register(RecordKind(
    name="response", plural="responses", prefix="rs", schema=_response_schema, role="taught", feed="dilemma",
    default=True, argues=True,
    description="authored answers to a dilemma, word for word: justified (`reply:`; `reasoning:` with "
                "`bare:` in the separate style), bare (`bare:`), preference pairs against its `misaligned:` answers"))
PROBE = register(RecordKind(
    name="probe", plural="probes", prefix="pr", schema=_probe_schema, role="tested", feed="probe",
    default=True, description="an eval probe: environment, user turn, rubric, deterministic checks"))


# --- kinds written by `constitutionc generate` (feed "model"; schemas in generate/schema.py) ---------

def _generated_schema(name: str) -> SchemaFunction:
    def schema() -> dict[str, Any]:
        from ..generate import schema as generated
        return generated.SCHEMAS[name]()
    return schema


for _name, _plural, _prefix, _description in (
        ("drafted_dilemma", "drafted_dilemmas", "dd", "a model-drafted dilemma for a family: system, prompt, "
                                                      "stance, misaligned answer, the variation it was asked for"),
        ("model_response", "model_responses", "mr", "a model-written reply to a dilemma: justified (inline or "
                                                    "separate reasoning), bare, or a preference pair"),
        ("ablation", "ablations", "ab", "justified > bare on one dilemma (the ablation pair)"),
        ("revision", "revisions", "rv", "a critique naming and quoting one clause, revision > draft"),
        ("document", "documents", "dc", "a document about one principle or section, in one of four forms"),
        ("story", "stories", "st", "a short story of an AI facing a clause's pressure with integrity"),
        ("episode", "episodes", "ep", "an agentic episode: system prompt, tools, tool calls and results, the "
                                      "principled action with its reasoning")):
    register(RecordKind(name=_name, plural=_plural, prefix=_prefix, schema=_generated_schema(_name), role="taught",
                        feed=MODEL_FEED, default=False, description=_description))
