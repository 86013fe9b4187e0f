"""The records `constitutionc generate` writes, as strict pydantic models (their JSON Schemas are published
through the record-kind registry like every other kind's).

Every model-written record keeps the build's `sources` (clause, file, lines, sha256 of the clause text)
and adds `provenance` (who wrote it with which prompt, the request's hash, what it cost in tokens) and
`parents` (the ids of the records it was made from).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..emit.schema import Source


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PromptRef(Strict):
    id: str
    version: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the prompt file as sent.")


class UsageRecord(Strict):
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0


class Provenance(Strict):
    provider: str
    model: str
    prompt: PromptRef
    request: str = Field(pattern=r"^[0-9a-f]{64}$", description="The cache key: sha256 of the canonical request.")
    sample: int = Field(ge=0, description="Which attempt at this item was kept (0 unless earlier ones were rejected).")
    usage: UsageRecord


class Generated(Strict):
    id: str
    principles: list[str]
    sources: list[Source] = Field(min_length=1)
    seed: int
    provenance: Provenance
    parents: list[str]


class DraftedDilemmaRecord(Generated):
    id: str = Field(pattern=r"^dd-[0-9a-f]{16}$")
    kind: Literal["drafted_dilemma"]
    generator: str = Field(description="The dilemma family the situation was drafted for.")
    axes: dict[str, str] = Field(description="The variation asked for: persona, domain, stakes, culture, ...")
    sample: int = Field(ge=0, description="Index of the draft within its family.")
    focus: str | None
    system: str | None
    prompt: str
    stance: str
    alternatives: str | None = Field(description="The options the assistant has here, for the answer writer to weigh.")
    misaligned: str | None
    situation: str


class OnDilemma(Generated):
    """A record written about one dilemma (offline or drafted): what the person was asked and by whom."""

    generator: str
    dilemma_id: str = Field(pattern=r"^d[ld]-[0-9a-f]{16}$")
    system: str | None
    prompt: str


class Pair(Strict):
    """Both sides of a preference, each with its reasoning when the style keeps it separate."""

    chosen: str
    chosen_reasoning: str | None
    rejected: str
    rejected_reasoning: str | None


class ModelResponseCommon(OnDilemma):
    id: str = Field(pattern=r"^mr-[0-9a-f]{16}$")
    kind: Literal["model_response"]
    style: Literal["inline", "separate"]
    axes: dict[str, str] = Field(description="The variation of the dilemma it answers (its axes), as text.")
    tensions: list[str]
    clauses_applied: list[str] = Field(description="Clauses the deliberation draws on, as the writer reported.")


class ModelAnswerRecord(ModelResponseCommon):
    variant: Literal["justified", "bare"]
    completion: str
    reasoning: str | None


class ModelPreferenceRecord(ModelResponseCommon, Pair):
    variant: Literal["preference"]


class AblationRecord(OnDilemma):
    """justified > bare on the same dilemma: the research's ablation as a preference pair."""

    id: str = Field(pattern=r"^ab-[0-9a-f]{16}$")
    kind: Literal["ablation"]
    chosen: str
    rejected: str


class RevisionRecord(OnDilemma, Pair):
    """revision > draft after a constitutional critique that names and quotes one clause."""

    id: str = Field(pattern=r"^rv-[0-9a-f]{16}$")
    kind: Literal["revision"]
    style: Literal["inline", "separate"]
    critique: dict = Field(description="clause, quote, problem, verdict")


class DocumentRecord(Generated):
    id: str = Field(pattern=r"^dc-[0-9a-f]{16}$")
    kind: Literal["document"]
    subject: str = Field(description="The principle or section the document is about.")
    subject_kind: Literal["principle", "section"]
    form: Literal["explainer", "qa", "worked_case", "agentic"]
    title: str
    body: str


class StoryRecord(Generated):
    id: str = Field(pattern=r"^st-[0-9a-f]{16}$")
    kind: Literal["story"]
    subject: str = Field(description="The principle, or the tension `prevails>yields`, the story dramatises.")
    subject_kind: Literal["principle", "tension"]
    axes: dict[str, str]
    sample: int = Field(ge=0)
    title: str
    story: str
    premise: str


class EpisodeRecord(Generated):
    id: str = Field(pattern=r"^ep-[0-9a-f]{16}$")
    kind: Literal["episode"]
    environment: str
    axes: dict[str, str]
    sample: int = Field(ge=0)
    system: str
    tools: list[dict] = Field(description="Anthropic tool definitions: name, description, input_schema.")
    messages: list[dict] = Field(description=(
        "The conversation in the Messages format: the user turn, then assistant turns with `text` and "
        "`tool_use` blocks and user turns with `tool_result` blocks. Each assistant message carries its "
        "private reasoning in a `reasoning` key beside `content` (a thinking block would need an "
        "API-minted signature)."))


class RejectedRecord(Strict):
    """A reply that was not kept, and why. `final` is true when no later attempt at the item was kept."""

    kind: Literal["rejected"]
    item: str = Field(description="The planned item: what was asked for, e.g. `justified:inline:dl-...`.")
    prompt: PromptRef
    request: str
    sample: int
    reasons: list[str]
    output: dict | None
    final: bool


def _union(*models):
    from typing import Annotated, Union

    from pydantic import TypeAdapter
    return lambda: TypeAdapter(Annotated[Union[models], Field(discriminator="variant")]).json_schema()


SCHEMAS = {
    "drafted_dilemma": DraftedDilemmaRecord.model_json_schema,
    "model_response": _union(ModelAnswerRecord, ModelPreferenceRecord),
    "ablation": AblationRecord.model_json_schema,
    "revision": RevisionRecord.model_json_schema,
    "document": DocumentRecord.model_json_schema,
    "story": StoryRecord.model_json_schema,
    "episode": EpisodeRecord.model_json_schema,
}
