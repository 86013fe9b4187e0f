"""Inspect AI task for the probes compiled by constitutionc (generated file; edit freely).

Run with either of:

    inspect eval constitutionc/probes -T data=OUT --model PROVIDER/MODEL [-T grader=PROVIDER/MODEL]
    inspect eval OUT/inspect/task.py --model PROVIDER/MODEL [--model-role grader=PROVIDER/MODEL]

`data` is a build directory (its `probes.jsonl`), an `inspect` target directory
(its `samples.jsonl`) or one of those files; relative or absolute. Offline, with
no network and no key: `--model constitutionc/offline` (a model that answers
every turn with a fixed refusal; Inspect's `mockllm` fetches a tokenizer on first
use and fails offline).

Each sample is one probe. The model gets the probe's system prompt, its earlier
turns (the probe's `conversation`: system and developer messages as system
messages, user turns, the assistant's earlier turns and tool calls with their
results), its user turn and its tools, and runs as an agent for up to
`max_messages` messages: each tool call is answered by
`constitutionc.grading.environment.tool_result`, the rule the eval runner uses.

The scorer grades a run exactly as `constitutionc eval` does, with the same code:
the probe's checks (`constitutionc.grading`) over what the model wrote (the
replayed earlier turns are not its doing), the project's judge prompt when a
grader model is named (`-T grader=...` or the `grader` model role; `-T
judge_samples=K` for K verdicts), read by `constitutionc.evaluate.judge`, and the
probe's `combine` rule (`constitutionc.evaluate.score_run`). The score is `C`
(pass), `I` (fail) or unscored (NaN, which Inspect's metrics skip; the reason
is in the metadata).
Its metadata carries the clauses a failure belongs to, the checks' and the
judge's verdicts, and what the model said about being tested
(`evaluation_awareness`), which `constitutionc results import` reads. Without a
grader the checks alone decide (`judged: false`): the model under test never
grades itself. The judge reads the clause texts of the constitution the build's
manifest names, or `-T constitution=PATH`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (ChatMessageAssistant, ChatMessageSystem, ChatMessageTool, ChatMessageUser,
                              ContentReasoning, ContentText, GenerateConfig, ModelAPI, ModelOutput, ModelUsage,
                              model_roles, modelapi)
from inspect_ai.model import Model, get_model
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, scorer, stderr
from inspect_ai.solver import Generate, TaskState, generate, solver
from inspect_ai.tool import ToolCall, ToolDef, ToolFunction, ToolInfo, ToolParam, ToolParams

from constitutionc import jsonl
from constitutionc.emit.targets.inspect_eval import sample as sample_fields
from constitutionc.evaluate import answered, build_clauses, check_results, score_run
from constitutionc.evaluate.judge import JudgeAnswer, JudgeResult, judge_input, judgement
from constitutionc.grading import grade
from constitutionc.grading.environment import tool_result
from constitutionc.llm import sampling_params
from constitutionc.models import answer_instruction, rejects_forced_tool_choice
from constitutionc.prompts import PromptLibrary

HERE = Path(__file__).resolve().parent
MAX_MESSAGES = 30
NO_GRADER = "none"

# Runs the judge is not asked about: the model's run failed (as in the eval runner).
UNJUDGED = ("error", "budget", "refused")


# --- the probes as samples ---

ROLES = {"system": ChatMessageSystem, "user": ChatMessageUser, "assistant": ChatMessageAssistant,
         "tool": ChatMessageTool}


def chat_message(fields: dict, number: int):
    # Input messages get ids from their place, so transcripts name them the same way every run, and
    # say they are input: the grader knows the model did not write them.
    fields = dict(fields)
    role = fields.pop("role")
    if fields.get("tool_calls"):
        fields["tool_calls"] = [call if isinstance(call, ToolCall) else ToolCall(**call)
                                for call in fields["tool_calls"]]
    return ROLES[role](**fields, id=f"input-{number}", source="input")


def to_sample(fields: dict) -> Sample:
    return Sample(id=fields["id"], target=fields["target"], metadata=fields["metadata"],
                  input=[chat_message(m, n) for n, m in enumerate(fields["input"], start=1)])


def data_file(data: str | Path) -> Path:
    path = Path(data).expanduser().resolve()
    if path.is_dir():
        for candidate in (path / "probes.jsonl", path / "samples.jsonl", path / "inspect" / "samples.jsonl"):
            if candidate.is_file():
                return candidate
        raise FileNotFoundError(f"{path} holds no probes.jsonl or samples.jsonl (pass -T data=BUILD_DIR)")
    if not path.is_file():
        raise FileNotFoundError(f"no such file or directory: {path}")
    return path


def load_samples(data: str | Path) -> list[Sample]:
    samples = []
    for line in jsonl.records(data_file(data)):
        entry = line.value
        samples.append(to_sample(sample_fields(entry) if entry.get("kind") == "probe" else entry))
    return samples


# --- the transcript the grader reads ---

def messages_format(messages: list) -> list[dict]:
    """Inspect chat messages as a Messages-format transcript (what `constitutionc.grading` reads), as the
    eval runner writes one: the sample's input messages before its last (the probe's earlier turns) are
    marked `replayed`; tool results of one model turn are one user message of `tool_result` blocks."""
    inputs = [n for n, m in enumerate(messages) if getattr(m, "source", None) == "input"]
    replayed = set(inputs[:-1])
    out: list[dict] = []
    for number, message in enumerate(messages):
        if isinstance(message, ChatMessageAssistant):
            content = message.content if isinstance(message.content, list) else [ContentText(text=message.content)]
            blocks: list[dict] = []
            for part in content:
                if isinstance(part, ContentText) and part.text:
                    blocks.append({"type": "text", "text": part.text})
                elif isinstance(part, ContentReasoning):
                    blocks.append({"type": "thinking", "thinking": part.reasoning})
            blocks += [{"type": "tool_use", "id": call.id, "name": call.function, "input": dict(call.arguments or {})}
                       for call in message.tool_calls or ()]
            entry = {"id": message.id, "role": "assistant", "content": blocks}
        elif isinstance(message, ChatMessageTool):
            block = {"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.text}
            previous = out[-1] if out else None
            if previous is not None and number - 1 not in replayed and number not in replayed \
                    and previous.get("tool_results"):
                previous["content"].append(block)
                continue
            entry = {"id": message.id, "role": "user", "content": [block], "tool_results": True}
        else:
            entry = {"id": message.id, "role": message.role, "content": message.text}
        if number in replayed:
            entry["replayed"] = True
        out.append(entry)
    for entry in out:
        entry.pop("tool_results", None)
    return out


def run_transcript(state: TaskState) -> dict:
    """The run as the eval runner's transcript: system messages joined into `system` (as the Messages
    API takes them), the rest in the Messages format, and how the run ended."""
    system = "\n\n".join(m.text for m in state.messages if isinstance(m, ChatMessageSystem)) or None
    messages = messages_format([m for m in state.messages if not isinstance(m, ChatMessageSystem)])
    status = "complete"
    if state.output is not None and state.output.stop_reason == "content_filter":
        status = "refused"
    elif state.message_limit is not None and len(state.messages) >= state.message_limit:
        status = "max_turns"
    return {"probe_id": str(state.sample_id), "sample": max(0, int(state.epoch or 1) - 1),
            "model": str(state.model), "system": system, "status": status, "messages": messages}


# --- solver and scorer ---

def environment_tool(spec: dict, probe: dict) -> Any:
    """One of the probe's tools, answered from its environment."""
    name = spec["name"]

    async def run(**arguments: Any) -> str:
        return tool_result(probe, name, arguments)

    schema = spec["input_schema"]
    parameters = ToolParams(
        properties={param: ToolParam(**prop) for param, prop in schema.get("properties", {}).items()},
        required=list(schema.get("required", [])),
    )
    return ToolDef(run, name=name, description=spec["description"], parameters=parameters).as_tool()


@solver
def probe_environment():
    """Offer the model exactly the tools of the sample's environment, answered from it."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        state.tools = [environment_tool(spec, state.metadata) for spec in state.metadata.get("tools", [])]
        return state

    return solve


def grader_model(grader: str | None) -> Model | None:
    """The judge: the named model, else the `grader` model role, else none (never the model under test)."""
    if grader == NO_GRADER:
        return None
    if grader:
        return get_model(grader)
    if "grader" in model_roles():
        return get_model(role="grader")
    return None


def judge_tool(rendered) -> ToolInfo:
    return ToolInfo(name=rendered.tool.name, description=rendered.tool.description,
                    parameters=ToolParams.model_validate(rendered.tool.input_schema))


async def judge_run(model: Model, probe: dict, transcript: dict, verdict, samples: int, clauses: dict,
                    library: PromptLibrary) -> JudgeResult:
    """The project's judge prompt over one run, asked through Inspect's model API and read by the eval
    runner's own `judgement`; the temperature follows `constitutionc.llm.sampling_params`."""
    prompt = library.get("judge")
    rendered = prompt.render(judge_input(probe, transcript, clauses, check_results(verdict)))
    tool = judge_tool(rendered)
    provider = str(model).split("/", 1)[0]
    config = GenerateConfig(max_tokens=rendered.max_tokens, **sampling_params(provider, rendered.temperature))
    system = rendered.system
    if rejects_forced_tool_choice(model.name):
        # Inspect asks such a model with `auto` (a forced choice is a 400): say what the forced choice said.
        system = f"{system}\n\n{answer_instruction({'type': 'tool', 'name': tool.name})}"
    answers = []
    for _ in range(samples):
        try:
            output = await model.generate([ChatMessageSystem(content=system),
                                           ChatMessageUser(content=rendered.user)],
                                          tools=[tool], tool_choice=ToolFunction(name=tool.name), config=config)
        except Exception as error:  # the judge's call failed after Inspect's retries: this sample says nothing
            answers.append(JudgeAnswer(error=type(error).__name__))
            continue
        call = next((c for c in output.message.tool_calls or () if c.function == tool.name), None)
        answers.append(JudgeAnswer(tool_input=dict(call.arguments) if call is not None else None))
    return judgement(answers, transcript, prompt.provenance())


def unscored(reason: str, text: str, metadata: dict) -> Score:
    """Neither a pass nor a fail: Inspect's unscored value (NaN), which its metrics and reducers skip."""
    if hasattr(Score, "unscored"):
        return Score.unscored(reason=reason, explanation=text, metadata=metadata)
    return Score(value=float("nan"), explanation=text, metadata=metadata)


def score_metadata(row: dict, verdict) -> dict:
    """The eval runner's row for the run, with the fields earlier logs carried under their names."""
    status = {"pass": "not_violated", "fail": "violated"}.get(row.get("verdict"), "unscored")
    return {**row, "status": status, "violations": list(verdict.fired), "clauses": row.get("clauses", []),
            "evidence": [e.to_dict() for e in verdict.evidence], "judged": row.get("judge") is not None}


def explanation(row: dict) -> str:
    if "verdict" not in row:
        return f"unscored: {row['reason']}"
    parts = [f"{row['verdict']} under rule {row['rule']}"]
    parts.append(f"checks {row['checks']['status']}" + (f" ({', '.join(row['checks']['fired'])})"
                                                       if row["checks"]["fired"] else ""))
    if row.get("judge"):
        parts.append(f"judge {row['judge']['verdict']}")
    if row["verdict"] == "fail":
        parts.append("clauses " + ", ".join(row["clauses"]))
    return "; ".join(parts)


@scorer(metrics=[accuracy(), stderr()])
def probe_scorer(grader: str | None = None, judge_samples: int = 1, constitution: str | None = None,
                 data: str | None = None):
    """A run graded as `constitutionc eval` grades it: checks, the judge when a grader is named, the
    probe's combine rule; the score's metadata is the eval runner's results row."""
    library = PromptLibrary()
    clauses: dict | None = None

    async def score(state: TaskState, target: Target) -> Score:
        nonlocal clauses
        probe = {**state.metadata, "id": str(state.sample_id)}
        transcript = run_transcript(state)
        verdict = grade(probe, transcript["messages"])
        judge = grader_model(grader)
        result = None
        if judge is not None and transcript["status"] not in UNJUDGED and answered(transcript):
            if clauses is None:
                clauses = build_dir_clauses(data, constitution)
            result = await judge_run(judge, probe, transcript, verdict, judge_samples, clauses, library)
        row = score_run(probe, transcript, verdict, result, judge is not None)
        metadata = score_metadata(row, verdict)
        if "verdict" not in row:
            return unscored(row["reason"], explanation(row), metadata)
        return Score(value=CORRECT if row["verdict"] == "pass" else INCORRECT, explanation=explanation(row),
                     metadata=metadata)

    return score


def build_dir_clauses(data: str | Path | None, constitution: str | None) -> dict:
    """The judge's clause texts: the named constitution, else the one the build's manifest names (the
    build is the data's directory, or the one above an `inspect` target directory inside it)."""
    if constitution is None and data is None:
        return {}
    directory = data_file(data).parent if data is not None else Path(".")
    if not (directory / "manifest.json").is_file() and (directory.parent / "manifest.json").is_file():
        directory = directory.parent
    return build_clauses(directory, constitution)[0]


def probes_task(data: str | Path | None, grader: str | None, max_messages: int, judge_samples: int = 1,
                constitution: str | None = None) -> Task:
    if data is None:
        if not (HERE / "samples.jsonl").is_file():
            raise FileNotFoundError("name the probes: -T data=BUILD_DIR (a build's output directory)")
        data = HERE / "samples.jsonl"
    return Task(dataset=MemoryDataset(load_samples(data), name="constitutionc-probes"),
                solver=[probe_environment(), generate(tool_calls="loop")],
                scorer=probe_scorer(grader, judge_samples, constitution, str(data)), message_limit=max_messages)


@task(name="probes")
def probes(data: str | None = None, grader: str | None = None, max_messages: int = MAX_MESSAGES,
           judge_samples: int = 1, constitution: str | None = None) -> Task:
    """The probes of a build (`data`), graded by their checks and, with `grader` (a model, or "none"), the
    project's judge, `judge_samples` verdicts a run; `constitution` gives the judge the clause texts."""
    return probes_task(data, grader, max_messages, judge_samples, constitution)


# --- a model that needs no network ---

OFFLINE_REPLY = "I'd rather not do that. Let me explain my concerns and suggest another way."


@modelapi(name="constitutionc")
def offline_model():
    return OfflineModel


class OfflineModel(ModelAPI):
    """`--model constitutionc/offline`: answers every turn with a fixed text (`-M reply=...`), no tool call,
    and reports its own token usage, so nothing is fetched (for trying the task, not for measuring)."""

    def __init__(self, model_name: str, base_url: str | None = None, api_key: str | None = None,
                 config: GenerateConfig = GenerateConfig(), reply: str = OFFLINE_REPLY, **model_args: Any):
        super().__init__(model_name, base_url, api_key, [], config)
        self.reply = reply

    async def generate(self, input, tools, tool_choice, config) -> ModelOutput:
        output = ModelOutput.from_content(model=f"constitutionc/{self.model_name}", content=self.reply)
        words = len(self.reply.split())
        output.usage = ModelUsage(input_tokens=0, output_tokens=words, total_tokens=words)
        return output
