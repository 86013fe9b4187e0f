"""One tool-answer rule for every consumer: `grading.environment.tool_result` called directly, the eval
runner's agent loop (the real CLI and SDK against the local server), the Inspect task's tools (a real
Inspect eval against a local Messages server) and the earlier calls of a probe's `conversation` in the
built record all give the same text for the same call.

The probe comes from `data/tool_answers.cdl`: tools with declared cases, served emails and documents and
a default, reads that declare nothing (answered from the environment) and an action that declares nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from constitutionc.grading.environment import ACTION_RESULT, NO_RESULTS, tool_result
from constitutionc.tool_results import message_text
from tests.llm.server import Reply, text_block, tool_use_block

from ..emit.targets.conftest import by_kind, canonical_records
from ..emit.targets.fake_api import FakeAnthropic, call_tool, say

FIXTURE = Path(__file__).with_name("data") / "tool_answers.cdl"

# (tool, arguments): each kind of answer at least once.
CALLS = [
    ("read_inbox", {}),                                             # a read declaring nothing: every email
    ("read_email", {"id": "email-salary"}),                         # a served email, by its id
    ("read_email", {"id": "email-none"}),                           # served, no such id: the environment's read
    ("search_files", {"query": "TRAVEL budget"}),                   # a search that finds the document
    ("search_files", {"query": "payroll"}),                         # a search that finds nothing
    ("open_document", {"path": "finance/budget-2026.txt"}),         # a served document's body
    ("open_document", {"path": "hr/secret.txt"}),                   # a declared case
    ("open_document", {"path": "notes/todo.txt"}),                  # the declared default, filled
    ("send_email", {"to": "sam@rival.example", "body": "Hello"}),   # an action's declared result
    ("archive_email", {"id": "email-lunch"}),                       # an action declaring nothing
]
CALL_ID = "toolu_table_{}"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    out = tmp_path_factory.mktemp("tool-answers") / "build"
    [probe] = by_kind(canonical_records(FIXTURE, out), "probe")
    return out, probe


@pytest.fixture(scope="module")
def direct(build):
    _, probe = build
    return [tool_result(probe, name, arguments) for name, arguments in CALLS]


def test_the_table_covers_every_kind_of_answer(build, direct):
    _, probe = build
    emails = [m for m in probe["messages"] if m["kind"] == "email"]
    assert direct[0] == "\n\n".join(message_text(m) for m in emails)
    assert direct[1] == message_text(emails[0])
    assert direct[2] == direct[0]  # nothing named: the whole inbox, as the tool reads mail
    assert direct[3].endswith("Travel budget: 12,000.") and direct[4] == NO_RESULTS
    assert direct[5] == "Travel budget: 12,000."
    assert direct[6:9] == ["error: permission denied", "error: notes/todo.txt: no such file",
                           "Sent to sam@rival.example."]
    assert direct[9] == ACTION_RESULT


def test_the_conversation_in_the_record_reads_what_the_rule_answers(build):
    _, probe = build
    turns = probe["conversation"]
    calls = {c["id"]: c for t in turns for c in t.get("tool_calls", [])}
    answered = [(calls[t["tool_call_id"]], t["content"]) for t in turns if t["role"] == "tool"]
    assert len(answered) == 4
    for call, content in answered:
        assert content == tool_result(probe, call["name"], call["arguments"]), call


def next_index(messages: list[dict]) -> int:
    """How many of the table's calls have been answered so far in this conversation."""
    seen = 0
    for message in messages:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "tool_result" and str(block.get("tool_use_id", "")).startswith("toolu_table_"):
                seen += 1
    return seen


def answers_in(messages: list[dict]) -> list[str]:
    found = {}
    for message in messages:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "tool_result" and str(block.get("tool_use_id", "")).startswith("toolu_table_"):
                content = block["content"]
                found[block["tool_use_id"]] = content if isinstance(content, str) else \
                    "".join(part.get("text", "") for part in content)
    return [found[CALL_ID.format(n)] for n in range(len(CALLS))]


def test_the_eval_runner_answers_as_the_rule(build, direct, model_server, tmp_path):
    out, _ = build

    def script(call):
        n = next_index(call.messages)
        if n == len(CALLS):
            return "All done."
        name, arguments = CALLS[n]
        return Reply([tool_use_block(name, arguments, id=CALL_ID.format(n))])

    model_server.script = script
    result = CliRunner().invoke(main, ["eval", str(out), "-o", str(tmp_path / "r"), "--base-url", model_server.url,
                                       "--cache", str(tmp_path / "c"), "--judge", "none",
                                       "--max-turns", str(len(CALLS) + 1)], env={"ANTHROPIC_API_KEY": "test-key"},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    [transcript] = [json.loads(line) for line in (tmp_path / "r" / "transcripts.jsonl").read_text().splitlines()]
    assert transcript["status"] == "complete"
    assert answers_in(transcript["messages"]) == direct


def test_the_inspect_task_answers_as_the_rule(build, direct, tmp_path, monkeypatch):
    from inspect_ai import eval as inspect_eval

    from constitutionc.inspect_task import probes

    out, _ = build
    last: list[list[dict]] = []

    def reply(body):
        last[:] = [body["messages"]]
        n = next_index(body["messages"])
        if n == len(CALLS):
            return say("All done.")
        name, arguments = CALLS[n]
        return call_tool(name, arguments, call_id=CALL_ID.format(n))

    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    with FakeAnthropic(reply) as server:
        [log] = inspect_eval(probes(data=str(out), grader="none"), model="anthropic/claude-sonnet-5-5",
                             model_base_url=server.base_url, log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    assert answers_in(last[0]) == direct
