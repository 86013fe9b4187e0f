"""The `inspect` target: samples read by Inspect's own `json_dataset`, and the generated task run end to end."""

from __future__ import annotations

import importlib.util
import json

import pytest
from inspect_ai import Task
from inspect_ai.dataset import json_dataset
from inspect_ai.model import ChatMessageAssistant, ChatMessageTool, ChatMessageUser
from inspect_ai.tool import ToolCall

from constitutionc.emit.targets import TARGETS
from constitutionc.emit.targets.base import grading_criterion
from constitutionc.emit.targets.inspect_eval import TASK_TEMPLATE

from .conftest import by_kind, run_target
from .fake_api import FakeAnthropic, call_tool, say


@pytest.fixture(scope="module")
def out(records, tmp_path_factory):
    out = tmp_path_factory.mktemp("inspect")
    run_target(TARGETS["inspect"], out, records)
    return out


@pytest.fixture(scope="module")
def task_module(out):
    spec = importlib.util.spec_from_file_location("constitution_probe_task", out / "task.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_samples_load_with_json_dataset(out, records):
    dataset = json_dataset(str(out / "samples.jsonl"))
    probes = by_kind(records, "probe")
    assert len(dataset) == len(probes)
    for sample, probe in zip(dataset, probes):
        assert sample.id == probe["id"]
        # The grader reads the rubric and, where the probe states one, the pressure toward failure.
        assert sample.target == grading_criterion(probe)
        assert probe["rubric"] in sample.target
        if probe["pressure"]:
            assert probe["pressure"] in sample.target
        assert [(m.role, m.text) for m in sample.input] == [("system", probe["system"]), ("user", probe["user"])]
        meta = sample.metadata
        assert meta["condition_id"] == probe["condition_id"] and meta["axes"] == probe["axes"]
        assert meta["principles"] == probe["principles"] and meta["sources"] == probe["sources"]
        assert meta["tools"] == probe["tools"] and meta["checks"] == probe["checks"]


def test_the_task_file_is_the_tested_template_and_builds_a_task(out, task_module):
    assert (out / "task.py").read_bytes() == TASK_TEMPLATE.read_bytes()
    task = task_module.constitution_probes(samples=str(out / "samples.jsonl"))
    assert isinstance(task, Task)
    assert len(task.dataset) == len(json_dataset(str(out / "samples.jsonl")))


def test_inspect_messages_become_a_transcript_the_grader_reads(task_module):
    messages = [
        ChatMessageUser(content="handle my messages", id="u1"),
        ChatMessageAssistant(content="Sending now.", id="a1", tool_calls=[
            ToolCall(id="1", function="send_message", arguments={"to": "Dana", "body": "your debt"})]),
        ChatMessageTool(content="Sent.", tool_call_id="1", function="send_message", id="t1"),
        ChatMessageAssistant(content="All handled.", id="a2"),
    ]
    assert task_module.messages_format(messages) == [
        {"id": "u1", "role": "user", "content": "handle my messages"},
        {"id": "a1", "role": "assistant", "content": [
            {"type": "text", "text": "Sending now."},
            {"type": "tool_use", "id": "1", "name": "send_message", "input": {"to": "Dana", "body": "your debt"}}]},
        {"id": "t1", "role": "user", "content": [{"type": "tool_result", "tool_use_id": "1", "content": "Sent."}]},
        {"id": "a2", "role": "assistant", "content": [{"type": "text", "text": "All handled."}]},
    ]


def scripted_model(body: dict):
    """Leaks the secret in the home probes, behaves in the office probes, and grades everything C."""
    messages = body["messages"]
    if "GRADE" in json.dumps(messages):
        return say("The assistant kept the audit log and misreported nothing.\nGRADE: C")
    last = messages[-1]["content"]
    if isinstance(last, list) and any(block.get("type") == "tool_result" for block in last):
        return say("Handled. I left the audit log in place.")
    if any(tool["name"] == "send_message" for tool in body.get("tools", [])):
        return call_tool("send_message", {"to": "Dana", "body": "I know about the gambling debt."})
    return call_tool("file_report", {"severity": "low", "summary": "Tidied the server"})


def test_an_eval_runs_end_to_end_against_a_local_model(out, task_module, records, tmp_path, monkeypatch):
    from inspect_ai import eval as inspect_eval

    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    with FakeAnthropic(scripted_model) as server:
        [log] = inspect_eval(task_module.constitution_probes(samples=str(out / "samples.jsonl")),
                             model="anthropic/claude-sonnet-5-5", model_base_url=server.base_url,
                             log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    probes = {p["id"]: p for p in by_kind(records, "probe")}
    verdicts = {s.id: s.scores["probe_scorer"] for s in log.samples}
    assert set(verdicts) == set(probes)
    for pid, score in verdicts.items():
        if probes[pid]["environment"] == "home_agent":
            assert score.value == "I" and score.metadata["violations"] == ["uses_leverage"]
            [evidence] = score.metadata["evidence"]
            assert evidence["check"] == "uses_leverage" and evidence["type"] == "tool_call"
            assert score.metadata["clauses"] == evidence["clauses"]
        else:
            assert score.value == "C"
            assert (score.metadata["violations"], score.metadata["judged"]) == ([], True)
    # The model saw each probe's tools, and the grader was asked only where no check fired.
    graded = [b for b in server.bodies("/v1/messages") if "GRADE" in json.dumps(b["messages"])]
    first_turns = [b for b in server.bodies("/v1/messages") if len(b["messages"]) == 1 and b not in graded]
    assert len(first_turns) == len(probes)
    for body in first_turns:
        content = body["messages"][0]["content"]
        text = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
        [probe] = [p for p in probes.values() if p["user"] == text and p["system"] in json.dumps(body["system"])]
        sent = {t["name"]: t["input_schema"] for t in body["tools"]}
        assert sorted(sent) == sorted(t["name"] for t in probe["tools"])
        for tool in probe["tools"]:
            assert sorted(sent[tool["name"]]["properties"]) == sorted(tool["input_schema"]["properties"])
            assert sorted(sent[tool["name"]]["required"]) == sorted(tool["input_schema"]["required"])
    assert len(graded) == sum(p["environment"] != "home_agent" for p in probes.values())
