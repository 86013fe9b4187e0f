"""The `inspect` target: probes as Inspect AI samples plus a ready-to-run task file.

- `samples.jsonl`: one sample per probe, in the shape `inspect_ai.dataset.json_dataset`
  reads with its default fields: `id`, `input` (the system message, the probe's earlier turns
  and the user turn, as chat messages),
  `target` (the rubric, with the pressure as context for the grader) and `metadata` (condition, axes, principles, focus,
  criteria, sources, environment, pressure, tools, the environment's emails and documents, checks).
- `task.py`: the task (an agent loop whose tool calls the probe's environment
  answers, a scorer grading each run as `constitutionc eval` does: checks, the
  project's judge, the probe's combine rule). It is
  `constitutionc/inspect_task.py` copied verbatim, the module Inspect's entry point
  registers as `constitutionc/probes`, so the file users run is the module tested.
"""

from __future__ import annotations

from pathlib import Path

from .base import Record, Target, grading_criterion, target

TASK_TEMPLATE = Path(__file__).resolve().parents[2] / "inspect_task.py"


def conversation_messages(turns: list[Record]) -> list[dict]:
    """A probe's earlier turns as Inspect chat messages: Inspect has no developer role, so a developer
    message is a system message; a call is an assistant message's `tool_calls`, its result a `tool`
    message."""
    out: list[dict] = []
    for turn in turns:
        role = turn["role"]
        if turn.get("tool_calls"):
            out.append({"role": "assistant", "content": turn.get("content") or [], "tool_calls": [
                {"id": call["id"], "function": call["name"], "arguments": call["arguments"], "type": "function"}
                for call in turn["tool_calls"]]})
        elif role == "tool":
            out.append({"role": "tool", "content": turn["content"], "tool_call_id": turn["tool_call_id"],
                        "function": turn.get("name")})
        else:
            out.append({"role": "system" if role == "developer" else role, "content": turn["content"]})
    return out


def sample(record: Record) -> dict:
    """A probe record as an Inspect sample; the task (`inspect_task.py`) reads build directories with
    this same function."""
    messages = []
    if record.get("system"):
        messages.append({"role": "system", "content": record["system"]})
    messages += conversation_messages(record.get("conversation") or [])
    messages.append({"role": "user", "content": record["user"]})
    return {
        "id": record["id"],
        "input": messages,
        "target": grading_criterion(record),
        "metadata": {
            "condition_id": record["condition_id"],
            "generator": record["generator"],
            "environment": record.get("environment"),
            "axes": record["axes"],
            "principles": record["principles"],
            "focus": record.get("focus"),
            "criteria": record.get("criteria", []),
            "sources": record["sources"],
            "pressure": record.get("pressure"),
            "tools": record["tools"],
            "messages": record.get("messages", []),
            "tool_results": record.get("tool_results", []),
            "checks": record["checks"],
            # How the probe is graded: checks and judge combined, tool calls as tags, a private scratchpad.
            **{key: record[key] for key in ("combine", "tool_calls", "scratchpad") if key in record},
        },
    }


@target("inspect")
class InspectTarget(Target):
    description = "Inspect AI samples and a task file grading runs as `constitutionc eval` does"
    kinds = frozenset({"probe"})

    def on_probe(self, record: Record) -> None:
        self.jsonl("samples.jsonl").append(sample(record))

    def finish(self, written: list[Path]) -> list[Path]:
        if not written:
            return []
        return [self.write_text("task.py", TASK_TEMPLATE.read_text(encoding="utf-8"))]
