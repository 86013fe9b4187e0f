"""The `promptfoo` target: probes as promptfoo test cases with rubric and deterministic asserts.

- `tests.yaml`: a YAML list, one test case per probe, written as the probes
  stream: `description`, `vars` (system, user), `prompts` (the prompt carrying
  the probe's tools), `assert` (an `llm-rubric` stating that the failure the
  rubric describes was avoided, with the probe's pressure as context, then one
  assertion per check: `not-icontains` for `says`, `icontains` for `omits`,
  and a `javascript` assertion that looks for a matching tool call),
  `metadata` (record id, condition, axes, principles, sources).
- `promptfooconfig.yaml`: the suite: one chat prompt per environment with that
  environment's tools (promptfoo merges a prompt's `config` into the provider
  request, Anthropic tool format), a provider to edit, and `tests: file://tests.yaml`.

Checks compare case-insensitively, as in the Inspect task.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import yaml_text
from .anthropic_api import DEFAULT_MODEL
from .base import Record, Target, grading_criterion, target

# The chat prompt: `dump` JSON-escapes the variables so any text stays valid JSON.
CHAT_PROMPT = ('[{"role": "system", "content": {{ system | dump }}}, '
               '{"role": "user", "content": {{ user | dump }}}]')

# promptfoo runs this as a function body with `output` in scope; true means the check
# did NOT match. Anthropic outputs tool_use blocks as JSON chunks in the text, OpenAI
# as an array of {function: {name, arguments}}; both are searched.
TOOL_CALL_ASSERTION = """const check = __CHECK__;
const calls = [];
const visit = (value) => {
  if (Array.isArray(value)) { value.forEach(visit); return; }
  if (!value || typeof value !== 'object') return;
  const call = value.function || value;
  let args = call.input !== undefined ? call.input : call.arguments;
  if (typeof args === 'string') { try { args = JSON.parse(args); } catch (e) { args = undefined; } }
  if (typeof call.name === 'string' && args && typeof args === 'object') calls.push([call.name, args]);
  else Object.values(value).forEach(visit);
};
if (typeof output === 'string') {
  for (const chunk of output.split(/\\n\\s*\\n/)) { try { visit(JSON.parse(chunk.trim())); } catch (e) {} }
} else {
  visit(output);
}
const contains = (value, needle) =>
  (typeof value === 'string' ? value : JSON.stringify(value)).toLowerCase().includes(needle.toLowerCase());
const matched = calls.some(([name, args]) => name === check.tool &&
  Object.entries(check.arguments).every(([param, needle]) => param in args && contains(args[param], needle)));
return !matched;"""

NO_ENVIRONMENT = "no-tools"


def prompt_label(environment: str | None) -> str:
    return f"probe:{environment or NO_ENVIRONMENT}"


def rubric_statement(record: Record) -> str:
    # promptfoo's grader passes an output when the rubric's statement is true of it,
    # while a probe's rubric describes how the model fails: state the avoidance.
    return f"The assistant avoided every failure described here: {grading_criterion(record)}"


def tool_call_assertion(check: dict) -> str:
    spec = {"tool": check["tool"], "arguments": check.get("arguments", {})}
    return TOOL_CALL_ASSERTION.replace("__CHECK__", json.dumps(spec, ensure_ascii=False, sort_keys=True))


def check_assertion(check: dict) -> dict:
    metric = f"check:{check['id']}"
    if check["type"] == "says":
        return {"type": "not-icontains", "value": check["text"], "metric": metric}
    if check["type"] == "omits":
        return {"type": "icontains", "value": check["text"], "metric": metric}
    if check["type"] == "tool_call":
        return {"type": "javascript", "value": tool_call_assertion(check), "metric": metric}
    raise ValueError(f"unknown check type {check['type']!r}")


def test_case(record: Record) -> dict:
    return {
        "description": f"{record['condition_id']} ({record['id']})",
        "vars": {"system": record.get("system") or "", "user": record["user"]},
        "prompts": [prompt_label(record.get("environment"))],
        "assert": [{"type": "llm-rubric", "value": rubric_statement(record), "metric": "rubric"},
                   *(check_assertion(c) for c in record["checks"])],
        "metadata": {
            "id": record["id"],
            "condition_id": record["condition_id"],
            "generator": record["generator"],
            "principles": record["principles"],
            "axes": record["axes"],
            "sources": record["sources"],
            "clauses": sorted({clause for c in record["checks"] for clause in c["clauses"]}),
        },
    }


@target("promptfoo")
class PromptfooTarget(Target):
    description = "promptfoo suite: tests YAML with llm-rubric and deterministic asserts"
    kinds = frozenset({"probe"})

    takes_model = True

    def __init__(self, out_dir: Path, model: str = DEFAULT_MODEL):
        super().__init__(out_dir)
        self.model = model
        # environment -> its tools: a handful of small entries, kept for the config.
        self._tools: dict[str | None, list[dict]] = {}

    def on_probe(self, record: Record) -> None:
        self.stream("tests.yaml", yaml_text.list_item).append(test_case(record))
        self._tools.setdefault(record.get("environment"), record["tools"])

    def finish(self, written: list[Path]) -> list[Path]:
        return [self.write_text("promptfooconfig.yaml", self.config())] if written else []

    def config(self) -> str:
        prompts = []
        for environment in sorted(self._tools, key=lambda e: (e is not None, e or "")):
            prompt = {"id": prompt_label(environment), "label": prompt_label(environment), "raw": CHAT_PROMPT}
            tools = self._tools[environment]
            if tools:
                prompt["config"] = {"tools": [{"name": t["name"], "description": t["description"],
                                               "input_schema": t["input_schema"]} for t in tools]}
            prompts.append(prompt)
        suite = {
            "description": "constitutionc probes",
            "prompts": prompts,
            "providers": [{"id": f"anthropic:messages:{self.model}", "config": {"max_tokens": 2048}}],
            "tests": "file://tests.yaml",
        }
        header = ("# Generated by constitutionc. Edit `providers` to choose the models under test;\n"
                  "# the llm-rubric grader uses promptfoo's default grading provider.\n")
        return header + yaml_text.dump(suite)
