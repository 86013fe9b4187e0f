"""JSON Schemas of the canonical records and the manifest, from pydantic models.

The models describe the records; the build never constructs them (records are
plain dicts on the hot path). Each record kind's entry in the kind registry
(`kinds.py`) names its schema function here. `SCHEMAS` holds the other
published schemas (the manifest; later stages add their documents' with
`@schema("name")` when imported; this module names none of them: whoever shows
every schema, the `schema` command, imports the stages it shows).
"""

from __future__ import annotations

from typing import Any, Callable, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SchemaFunction = Callable[[], dict[str, Any]]
SCHEMAS: dict[str, SchemaFunction] = {}

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def schema(name: str):
    def register(fn: SchemaFunction) -> SchemaFunction:
        SCHEMAS[name] = fn
        return fn

    return register


def load_schemas() -> dict[str, SchemaFunction]:
    """The registry: the manifest schema, plus those of every stage imported so far (record kinds'
    schemas are in the kind registry, `kinds.schemas()`)."""
    return SCHEMAS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Source(Strict):
    clause: str = Field(description="Id of the cited principle.")
    file: str = Field(description="Its file, relative to the build's working directory, POSIX separators; "
                                   "standard library files as `std:...`.")
    line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the clause text.")


class Common(Strict):
    id: str = Field(pattern=ID_PATTERN)
    generator: str
    principles: list[str]
    axes: dict[str, str]
    sources: list[Source] = Field(min_length=1)
    seed: int
    sample: int = Field(ge=0, description="Round of the combinations this instance comes from "
                                          "(above 0 only when `count` exceeds the combinations).")
    focus: str | None = Field(description="The principle this instance is balanced toward "
                                          "(round-robin over `principles`).")
    made_from: dict[str, str] | None = Field(default=None, description="sha256 of each part the record was made from: "
                                                  "`why:<principle>`, `family:<generator>`, `tension:<id>`, "
                                                  "`environment:<id>`; coverage reports a record stale when one "
                                                  "differs from the constitution as it is now.")


class ToolCall(Strict):
    id: str
    name: str
    arguments: dict[str, str]


class Turn(Strict):
    """An earlier message of the conversation: system, developer (a principal in the system channel),
    user, assistant (possibly calling a tool) or tool (a call's result)."""

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str
    principal: str | None = Field(default=None, description="The declared principal who wrote it.")
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    name: str | None = Field(default=None, description="For a tool message: the tool that was called.")


class ToolCase(Strict):
    arguments: dict[str, str]
    result: str = Field(description="A template over the call's arguments: `{param}`; `{{`/`}}` are braces.")


class ToolResults(Strict):
    tool: str
    cases: list[ToolCase]
    otherwise: str | None


class Criterion(Strict):
    id: str
    text: str


class DilemmaRecord(Common):
    id: str = Field(pattern=r"^dl-[0-9a-f]{16}$")
    kind: Literal["dilemma"]
    system: str | None
    prompt: str
    stance: str
    alternatives: str | None
    misaligned: str | None = Field(description="The (first) tempting wrong answer.")
    misaligned_all: list[str] | None = Field(default=None, description="Every wrong answer, when several are given.")
    reply: str | None = Field(default=None, description=(
        "The author's answer with its deliberation woven in: the justified answer, verbatim."))
    bare: str | None = Field(default=None, description=(
        "The author's same answer without the reasons: the bare answer (the ablation), verbatim."))
    reasoning: str | None = Field(default=None, description=(
        "The author's private deliberation: the reasoning of the separate-style justified answer."))
    criteria: list[Criterion] | None = Field(default=None, description="What judges compare answers by.")
    draft: str | None = Field(default=None, description="Critique and revision: the answer to critique.")
    critique: str | None = Field(default=None, description="Where the draft falls short (null: the model writes it).")
    revision: str | None = Field(default=None, description="The draft revised (null: the model writes it).")
    critique_request: str | None = Field(default=None, description="The principle's critique request.")
    revision_request: str | None = Field(default=None, description="The principle's revision request.")
    conversation: list[Turn] | None = Field(default=None, description="Earlier turns, before `prompt`.")


class ResponseCommon(Common):
    id: str = Field(pattern=r"^rs-[0-9a-f]{16}$")
    kind: Literal["response"]
    dilemma_id: str = Field(pattern=r"^dl-[0-9a-f]{16}$")
    style: Literal["inline", "separate"]
    system: str | None
    prompt: str
    reasoning: None | str
    tensions: list[str]
    conversation: list[Turn] | None = None
    criteria: list[Criterion] | None = None


class BriefClause(Strict):
    clause: str
    title: str
    kind: str = Field(description="The principle's kind (e.g. hard_constraint, instructable), as declared.")
    text: str = Field(description="The clause text, verbatim.")
    why: str | None = Field(description="Its why, verbatim.")


class BriefTension(Strict):
    tension: str = Field(description="`prevails>yields`, as in `tensions`.")
    when: str | None
    prevails: str = Field(description="Title of the principle that prevails.")
    yields: str = Field(description="Title of the principle that yields.")
    why: str | None


class BriefRecord(Common):
    id: str = Field(pattern=r"^br-[0-9a-f]{16}$")
    kind: Literal["brief"]
    dilemma_id: str = Field(pattern=r"^dl-[0-9a-f]{16}$")
    system: str | None
    prompt: str
    conversation: list[Turn] | None = None
    stance: str = Field(description="What a good answer does (the author's guidance, not an answer).")
    alternatives: str | None
    avoid: list[str] = Field(description="The dilemma's tempting wrong answers, which an answer must not give.")
    clauses: list[BriefClause] = Field(description="The clauses at stake, the focus first, with their whys.")
    tensions: list[str]
    argue: list[BriefTension] = Field(description="How each tension at stake is to be argued.")
    reply: str | None = Field(description="The author's own answer, when the dilemma has one.")


class AnswerRecord(ResponseCommon):
    variant: Literal["justified", "bare"]
    completion: str


class PreferenceRecord(ResponseCommon):
    variant: Literal["preference"]
    chosen: str
    chosen_reasoning: str | None
    rejected: str
    reasoning: None


class InputSchema(Strict):
    type: Literal["object"]
    properties: dict[str, dict[str, Any]]
    required: list[str]


class ToolSpec(Strict):
    name: str
    description: str
    input_schema: InputSchema


class Email(Strict):
    kind: Literal["email"]
    id: str | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    cc: str | None = None
    subject: str | None = None
    date: str | None = None
    body: str | None = None
    via: str | None = Field(default=None, description="The tool that returns it (it is not in the user turn).")


class Document(Strict):
    kind: Literal["document"]
    id: str | None = None
    title: str | None = None
    path: str | None = None
    body: str | None = None
    via: str | None = Field(default=None, description="The tool that returns it (it is not in the user turn).")


class CallCondition(Strict):
    argument: str = Field(description="The argument tested; `*`: any argument of the call.")
    test: Literal["contains", "equals", "outside_domain"]
    value: Union[str, list[str]] = Field(description="The text, or texts of which any passes the test.")


class ToolCallCheck(Strict):
    id: str
    description: str
    type: Literal["tool_call"]
    tool: str
    arguments: dict[str, str] = Field(description="Each argument must contain its text.")
    where: list[CallCondition] | None = Field(default=None, description="Further conditions, every one of "
                                                                        "which the call must meet.")
    clauses: list[str]


class TextCheck(Strict):
    id: str
    description: str
    type: Literal["says", "omits"]
    text: Union[str, list[str]] = Field(description="The text, or texts any of which counts as said.")
    clauses: list[str]


class ProbeRecord(Common):
    id: str = Field(pattern=r"^pr-[0-9a-f]{16}$")
    kind: Literal["probe"]
    condition_id: str
    environment: str | None
    system: str
    tools: list[ToolSpec]
    messages: list[Union[Email, Document]]
    user: str
    pressure: str | None
    rubric: str
    checks: list[Union[ToolCallCheck, TextCheck]]
    conversation: list[Turn] | None = Field(default=None, description="Earlier turns, before `user`.")
    tool_results: list[ToolResults] | None = Field(
        default=None, description="What calls to the environment's tools return (see constitutionc.tool_results).")
    criteria: list[Criterion] | None = Field(default=None, description="What judges compare answers by.")
    combine: Literal["both", "either", "checks", "judge"] | None = Field(
        default=None, description="How the checks and the judge make the verdict; absent: `both` (a failure "
                                  "needs both to find a violation).")
    tool_calls: Literal["native", "tags"] | None = Field(
        default=None, description="How the model calls tools; `tags`: `<tool_use:NAME>` tags in the reply, the "
                                  "tools described in the system prompt and `tools` empty (absent: native).")
    scratchpad: str | None = Field(default=None, description="The tag of the private scratchpad the system "
                                                             "prompt offers; graders read nothing inside it.")


class OutputFile(Strict):
    path: str = Field(description="Relative to the output directory, POSIX separators.")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    records: int | None = Field(description="Records (lines) in a JSONL file; null for other files.")


class GeneratorCounts(Strict):
    combinations: int = Field(description="Combinations after the generator's rules.")
    instances: int = Field(description="Instances built (in this shard).")
    focus: dict[str, int] = Field(description="Instances per focus principle: the balance across the "
                                              "principles the generator names.")


class ConstitutionInfo(Strict):
    title: str
    version: str
    licence: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 over the sources' paths and hashes.")


class ProjectInfo(Strict):
    constitution: str = Field(description="The entry file, relative to the project root.")
    root: str | None = Field(description="The project root relative to this directory, when both lie in one "
                                         "project (\"..\", \"../constitutions\"); null otherwise.")


class Manifest(Strict):
    compiler: dict[str, str]
    constitution: ConstitutionInfo
    project: ProjectInfo | None = Field(default=None, description="Where the build came from (absent in "
                                                                  "manifests written before it was recorded).")
    seed: int
    shard: dict[str, int] | None
    options: dict[str, Any]
    sources: list[dict[str, str]]
    outputs: list[OutputFile]
    records: dict[str, int]
    variants: dict[str, dict[str, int]] = Field(description="Records per variant, for kinds that have variants.")
    principles: dict[str, dict[str, int]] = Field(description="Records citing each principle, per kind.")
    generators: dict[str, GeneratorCounts]


def _json_schema(model) -> dict[str, Any]:
    adapter = model if isinstance(model, TypeAdapter) else TypeAdapter(model)
    return adapter.json_schema(by_alias=True)


# The record kinds' schemas are listed in the kind registry (kinds.py), which `constitutionc schema` reads.
def dilemma_schema() -> dict[str, Any]:
    return _json_schema(DilemmaRecord)


def response_schema() -> dict[str, Any]:
    return _json_schema(TypeAdapter(Union[AnswerRecord, PreferenceRecord]))


def brief_schema() -> dict[str, Any]:
    return _json_schema(BriefRecord)


def probe_schema() -> dict[str, Any]:
    return _json_schema(ProbeRecord)


@schema("manifest")
def manifest_schema() -> dict[str, Any]:
    return _json_schema(Manifest)
