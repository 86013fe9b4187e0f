"""The `promptfoo` target: probes as promptfoo test cases, graded by the project's own checks.

- `tests.yaml`: a YAML list, one test case per probe, written as the probes
  stream: `description`, `vars` (`probe`: the system and user turns), `prompts`
  (the chat prompt of the probe's environment, once per tool format), `assert`
  (a `javascript` assertion for all the probe's checks, run by `grading.cjs`,
  and an `llm-rubric` stating that the failure the rubric describes was
  avoided, with the probe's pressure as context), written for the probe's
  `combine` rule so that promptfoo's pass is exactly "not violated" under it
  (`RULE_ASSERTIONS`: `both` adds the test-level scoring function
  `grading.cjs:eitherPasses`), `metadata` (record id, condition, generator,
  principles, focus, axes, the rule, the clauses of each check).
- `promptfooconfig.yaml`: the suite: per environment and tool format a chat
  prompt whose `config` carries the environment's tools in that provider's own
  shape (Anthropic `input_schema`, OpenAI `function.parameters`); probes that
  write their tool calls as tags in the reply (`tool_calls: tags`, tools
  described in the system prompt) have prompts of their own (`...:tags`) with
  no native tools; providers run the prompts of their format;
  `tests: file://tests.yaml`.
- `grading.cjs`: the check semantics of `constitutionc.grading`, generated from it.

promptfoo runs one turn: a probe's earlier turns (its `conversation`: system and developer
messages, user turns, the assistant's earlier turns, tool calls and their results) are replayed as
given, the reply to the user turn is graded and no tool call of the model's is answered. A probe
with a conversation has a chat prompt of its own per tool format, for its conversation's shape
(the roles, calls and argument names; the texts travel as data, as every other turn does):
Anthropic's with the system and developer messages in the system turn, `tool_use` and
`tool_result` blocks; OpenAI's with the `developer` role, `tool_calls` and `tool` messages (what the
anthropic and openai targets write). The multi-turn agent loop is `constitutionc eval` or the
Inspect task.

Constitution text reaches promptfoo only as data. promptfoo renders assertion
values and tool definitions as nunjucks templates and reads any string starting
`file://` or `package:` as a reference to load or run, so: texts it renders are
written as templates that render to exactly the text (`template_text`); the
turns travel as data inside an object variable, split so that no piece starts
like a reference (`data_parts`), and the chat prompt is JSON, which promptfoo
renders string by string without rendering the inserted values again; checks
travel as JSON text in an assertion's `config`.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Callable

from ...grading import javascript_module
from ...grading.rules import rule_for
from . import yaml_text
from ...models import DEFAULT_MODEL
from .base import Record, Target, anthropic_turns, dumps, grading_criterion, target

# CommonJS whatever the directory's package.json says (`.cjs`), so node and promptfoo load it the same way.
GRADING_FILE = "grading.cjs"
# promptfoo versions differ in how they read it (a module to import, or a function body to run);
# the file works either way.
CHECK_ASSERTION = f"file://{GRADING_FILE}"
# The test-level scoring function of the `both` rule (grading.cjs exports it by this name).
EITHER_PASSES = f"file://{GRADING_FILE}:eitherPasses"
# The metrics of the two assertions a test may have; grading.cjs and `results import` read them.
CHECKS_METRIC = "checks"
RUBRIC_METRIC = "rubric"
# Prefixes promptfoo resolves as files or packages wherever a config string starts with them.
REFERENCE_PREFIXES = ("file://", "package:")
BRACE = re.compile(r"[{}]")

# One string per turn, inserted as data: promptfoo renders each string of a JSON prompt once.
CHAT_PROMPT = json.dumps([{"role": "system", "content": "{{ probe.system | join('') }}"},
                          {"role": "user", "content": "{{ probe.user | join('') }}"}])

NO_ENVIRONMENT = "no-tools"
TAGS_LABEL = "tags"  # the prompts of probes whose tools are described in the system prompt, as tags
ONE_TURN_NOTE = ("promptfoo runs ONE turn: a probe's earlier turns are replayed as given, the model's first "
                 "reply is graded and its tool calls are never answered. For the multi-turn agent loop, with "
                 "tool results from the probe's environment, use `constitutionc eval` or the Inspect task "
                 "(docs/eval.md).")


# --- text promptfoo must not interpret ----------------------------------------------------------

def template_text(text: str) -> str:
    """`text` as a nunjucks template that renders to exactly `text`: every brace is printed by an
    expression, so no tag, comment or variable can open or close, and a leading reference prefix
    is broken up the same way."""
    out = BRACE.sub(lambda m: '{{ "%s" }}' % m.group(0), text)
    if out.startswith(REFERENCE_PREFIXES):
        out = '{{ "%s" }}%s' % (out[0], out[1:])
    return out


def template_tree(value: Any) -> Any:
    if isinstance(value, str):
        return template_text(value)
    if isinstance(value, list):
        return [template_tree(v) for v in value]
    if isinstance(value, dict):
        return {k: template_tree(v) for k, v in value.items()}
    return value


def data_parts(text: str) -> list[str]:
    """`text` in two pieces, neither starting like a file or package reference (joined by the prompt)."""
    cut = 2 if text[1:].startswith(REFERENCE_PREFIXES) else 1
    return [text[:cut], text[cut:]]


def inert(value: Any) -> Any:
    """Data with every string that promptfoo would resolve as a reference split into two pieces."""
    if isinstance(value, str):
        return data_parts(value) if value.startswith(REFERENCE_PREFIXES) else value
    if isinstance(value, list):
        return [inert(v) for v in value]
    if isinstance(value, dict):
        return {k: inert(v) for k, v in value.items()}
    return value


# --- tools in each provider's shape ---------------------------------------------------------------

def anthropic_tool(tool: dict) -> dict:
    return {"name": tool["name"], "description": tool["description"], "input_schema": tool["input_schema"]}


def openai_tool(tool: dict) -> dict:
    return {"type": "function", "function": {"name": tool["name"], "description": tool["description"],
                                             "parameters": tool["input_schema"]}}


# tool format -> (how a tool is written, the provider id prefix that reads it)
TOOL_FORMATS: dict[str, tuple[Callable[[dict], dict], str]] = {
    "anthropic": (anthropic_tool, "anthropic:messages:"),
    "openai": (openai_tool, "openai:chat:"),
}


def prompt_label(tool_format: str, environment: str | None, shape: str | None = None, tags: bool = False) -> str:
    label = f"{tool_format}:probe:{environment or NO_ENVIRONMENT}"
    if tags:
        label += f":{TAGS_LABEL}"
    return f"{label}:{shape}" if shape else label


def writes_tags(record: Record) -> bool:
    """Whether a probe offers its tools as tags written in the reply: its prompt then carries no native tools."""
    return record.get("tool_calls") == "tags"


# --- earlier turns: one chat prompt per conversation shape -----------------------------------------

def _slot(path: str) -> str:
    """A JSON-prompt string that promptfoo renders to the data at `path` in the `probe` variable."""
    return "{{ probe.%s | join('') }}" % path


def conversation_shape(turns: list[Record]) -> list:
    """What a conversation's prompt depends on besides its texts: roles, whether a call turn has text,
    each call's id, tool and argument names, and the call a tool turn answers (ids the build makes,
    names the author declared as identifiers)."""
    return [[t["role"], bool(t.get("content")), [[c["id"], c["name"], sorted(c["arguments"])]
                                                 for c in t.get("tool_calls") or []], t.get("tool_call_id")]
            for t in turns]


def shape_digest(turns: list[Record]) -> str:
    return hashlib.sha256(dumps(conversation_shape(turns)).encode("utf-8")).hexdigest()[:12]


def conversation_vars(record: Record) -> dict:
    """The conversation's texts as data: each turn's content, and each call's argument values (in
    argument-name order) and its arguments as JSON text (for OpenAI's `function.arguments`)."""
    turns = record["conversation"]
    return {"anthropic_system": data_parts(anthropic_turns(record)[0] or ""), "turns": [
        {"content": data_parts(t.get("content") or ""),
         "calls": [{"values": [data_parts(_text(c["arguments"][k])) for k in sorted(c["arguments"])],
                    "json": data_parts(dumps(c["arguments"]))} for c in t.get("tool_calls") or []]}
        for t in turns]}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else dumps(value)


def _arguments(call: list, path: str) -> dict:
    _, _, names = call
    return {name: _slot(f"{path}.values[{m}]") for m, name in enumerate(names)}


def anthropic_conversation(shape: list) -> list[dict]:
    messages = [{"role": "system", "content": _slot("anthropic_system")}]
    for i, (role, has_text, calls, answers) in enumerate(shape):
        turn = f"turns[{i}]"
        if calls:
            blocks = [{"type": "text", "text": _slot(f"{turn}.content")}] if has_text else []
            blocks += [{"type": "tool_use", "id": call[0], "name": call[1],
                        "input": _arguments(call, f"{turn}.calls[{j}]")} for j, call in enumerate(calls)]
            messages.append({"role": "assistant", "content": blocks})
        elif role == "tool":
            messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": answers,
                                                          "content": _slot(f"{turn}.content")}]})
        elif role not in ("system", "developer"):  # those are in the system turn
            messages.append({"role": role, "content": _slot(f"{turn}.content")})
    return messages + [{"role": "user", "content": _slot("user")}]


def openai_conversation(shape: list) -> list[dict]:
    messages: list[dict] = [{"role": "system", "content": _slot("system")}]
    for i, (role, has_text, calls, answers) in enumerate(shape):
        turn = f"turns[{i}]"
        if calls:
            messages.append({"role": "assistant", "content": _slot(f"{turn}.content") if has_text else None,
                             "tool_calls": [{"id": call[0], "type": "function", "function": {
                                 "name": call[1], "arguments": _slot(f"{turn}.calls[{j}].json")}}
                                 for j, call in enumerate(calls)]})
        elif role == "tool":
            messages.append({"role": "tool", "content": _slot(f"{turn}.content"), "tool_call_id": answers})
        else:
            messages.append({"role": role, "content": _slot(f"{turn}.content")})
    return messages + [{"role": "user", "content": _slot("user")}]


CONVERSATION_PROMPTS: dict[str, Callable[[list], list[dict]]] = {
    "anthropic": anthropic_conversation, "openai": openai_conversation}


# --- test cases -----------------------------------------------------------------------------------

def rubric_statement(record: Record) -> str:
    # promptfoo's grader passes an output when the rubric's statement is true of it,
    # while a probe's rubric describes how the model fails: state the avoidance.
    return f"The assistant avoided every failure described here: {grading_criterion(record)}"


def checks_assertion(record: Record) -> dict:
    """One assertion for all the probe's checks, run by grading.cjs: it passes when none fired."""
    config = {"checks": json.dumps(record["checks"], ensure_ascii=False, sort_keys=True)}
    # A probe that offers its tools as tags in the reply, or a scratchpad, says so to grading.cjs.
    if record.get("tool_calls") == "tags" or record.get("scratchpad"):
        config["reading"] = json.dumps({"tool_calls": record.get("tool_calls") or "native",
                                        "scratchpad": record.get("scratchpad")}, sort_keys=True)
    return {"type": "javascript", "value": CHECK_ASSERTION, "metric": CHECKS_METRIC, "config": config}


def rubric_assertion(record: Record) -> dict:
    return {"type": "llm-rubric", "value": template_text(rubric_statement(record)), "metric": RUBRIC_METRIC}


# The probe's combine rule as promptfoo assertions. Our verdicts say "violated"; a promptfoo pass means
# not violated, so each rule's pass is the negation of its failure (evaluate/combine.py):
#   both    violated when the checks and the judge both say so: passes when either assertion passes
#           (promptfoo passes a test only when every assertion passes, so the test's scoring function
#           decides, from the two assertions' own pass values)
#   either  violated when one says so: passes when both pass (promptfoo's default rule)
#   checks  the checks' assertion alone;  judge  the rubric alone
RULE_ASSERTIONS: dict[str, Callable[[Record], dict]] = {
    "both": lambda r: {"assert": [checks_assertion(r), rubric_assertion(r)], "assertScoringFunction": EITHER_PASSES},
    "either": lambda r: {"assert": [checks_assertion(r), rubric_assertion(r)]},
    "checks": lambda r: {"assert": [checks_assertion(r)]},
    "judge": lambda r: {"assert": [rubric_assertion(r)]},
}


def case_label(record: Record) -> str:
    # A label for promptfoo's table; braces dropped so no version of promptfoo can read it as a template.
    return BRACE.sub("", f"{record['condition_id']} ({record['id']})")


def test_case(record: Record) -> dict:
    checks = record["checks"]
    # promptfoo always has a grader for the rubric, so a probe's rule is read as with a judge named.
    rule = rule_for(record, judged=True)
    probe = {"system": data_parts(record.get("system") or ""), "user": data_parts(record["user"])}
    shape = None
    if record.get("conversation"):
        probe.update(conversation_vars(record))
        shape = shape_digest(record["conversation"])
    return {
        "description": case_label(record),
        "vars": {"probe": probe},
        "prompts": [prompt_label(f, record.get("environment"), shape, writes_tags(record)) for f in TOOL_FORMATS],
        **RULE_ASSERTIONS[rule](record),
        "metadata": inert({
            "id": record["id"],
            "condition_id": record["condition_id"],
            "generator": record["generator"],
            "principles": record["principles"],
            "focus": record.get("focus"),
            "axes": record["axes"],
            "combine": rule,
            "clauses": sorted({clause for c in checks for clause in c["clauses"]}),
            "check_clauses": {c["id"]: c["clauses"] for c in checks},
        }),
    }


@target("promptfoo")
class PromptfooTarget(Target):
    description = "promptfoo suite (one turn): tests YAML with llm-rubric and the project's checks"
    kinds = frozenset({"probe"})

    takes_model = True

    def __init__(self, out_dir: Path, model: str = DEFAULT_MODEL):
        super().__init__(out_dir)
        self.model = model
        # (environment, tools as tags) -> its tools: a handful of small entries, kept for the config. A probe
        # that writes its calls as tags has a prompt of its own, with no native tools, beside the others.
        self._tools: dict[tuple[str | None, bool], list[dict]] = {}
        # (environment, tools as tags, shape digest) -> the conversation's shape: one per family, not per record.
        self._shapes: dict[tuple[str | None, bool, str], list] = {}

    def on_probe(self, record: Record) -> None:
        self.stream("tests.yaml", yaml_text.list_item).append(test_case(record))
        key = (record.get("environment"), writes_tags(record))
        self._tools.setdefault(key, [] if key[1] else record["tools"])
        if record.get("conversation"):
            self._shapes.setdefault((*key, shape_digest(record["conversation"])),
                                    conversation_shape(record["conversation"]))

    def finish(self, written: list[Path]) -> list[Path]:
        if not written:
            return []
        return [self.write_text("promptfooconfig.yaml", self.config()),
                self.write_text(GRADING_FILE, javascript_module())]

    def environments(self) -> list[tuple[str | None, bool]]:
        return sorted(self._tools, key=lambda k: (k[0] is not None, k[0] or "", k[1]))

    def config(self) -> str:
        prompts = []
        shapes = sorted(self._shapes, key=lambda k: (k[0] is not None, k[0] or "", k[1], k[2]))
        for tool_format, (write_tool, _) in TOOL_FORMATS.items():
            chats = [(key, None, CHAT_PROMPT) for key in self.environments()]
            chats += [((e, tags), digest, json.dumps(CONVERSATION_PROMPTS[tool_format](self._shapes[(e, tags, digest)]),
                                                     ensure_ascii=False)) for e, tags, digest in shapes]
            for (environment, tags), digest, raw in chats:
                label = prompt_label(tool_format, environment, digest, tags)
                prompt: dict[str, Any] = {"id": label, "label": label, "raw": raw}
                tools = self._tools[(environment, tags)]
                if tools:
                    prompt["config"] = {"tools": [template_tree(write_tool(t)) for t in tools]}
                prompts.append(prompt)
        anthropic_prompts = [p["label"] for p in prompts if p["label"].startswith("anthropic:")]
        suite = {
            "description": "constitutionc probes, one turn each (multi-turn: constitutionc eval)",
            "prompts": prompts,
            # promptfoo keys a provider's `prompts` by its label (its runtime id may differ from `id`).
            "providers": [{"id": f"{TOOL_FORMATS['anthropic'][1]}{self.model}",
                           "label": f"{TOOL_FORMATS['anthropic'][1]}{self.model}", "config": {"max_tokens": 2048},
                           "prompts": anthropic_prompts}],
            "tests": "file://tests.yaml",
        }
        openai_prompts = ", ".join(p["label"] for p in prompts if p["label"].startswith("openai:"))
        header = (f"# Generated by constitutionc.\n# {ONE_TURN_NOTE}\n"
                  "# Each environment's prompt exists once per tool format, with its tools in that provider's\n"
                  "# shape; a provider runs the prompts of its own format. To test an OpenAI model, add:\n"
                  f"#   - id: {TOOL_FORMATS['openai'][1]}MODEL\n"
                  f"#     label: {TOOL_FORMATS['openai'][1]}MODEL\n"
                  f"#     prompts: [{openai_prompts}]\n"
                  "# The llm-rubric grader uses promptfoo's default grading provider. Leave\n"
                  "# PROMPTFOO_DISABLE_JSON_AUTOESCAPE unset: the chat prompts are JSON that promptfoo fills in.\n")
        return header + yaml_text.dump(suite)
