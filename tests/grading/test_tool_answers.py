"""One tool-answer rule for every consumer: `grading.environment.tool_result` called directly, the eval
runner's agent loop (the real CLI and SDK against the local server), the Inspect task's tools (a real
Inspect eval against a local Messages server) and the earlier calls of a probe's `conversation` in the
built record all give the same text for the same call. The runner and the Inspect task also replay the
conversation the same way (what the anthropic target writes), and grade only what the model wrote.

The probe comes from `data/tool_answers.cdl`: tools with declared cases, served emails and documents and
a default, reads that declare nothing (answered from the environment) and an action that declares nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from constitutionc.emit.targets.base import anthropic_turns
from constitutionc.grading.environment import ACTION_RESULT, NO_RESULTS, tool_result
from constitutionc.tool_results import message_text
from tests.llm.server import ModelServer, Reply, call_tool, say, text_block, tool_use_block

from ..emit.targets.conftest import by_kind, canonical_records

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
    out, probe = build

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
    first = model_server.bodies[0]
    assert replay(first["system"], first["messages"]) == expected_replay(probe)
    # The replayed assistant turn says what `repeats_lunch` looks for; the model never did.
    [row] = [json.loads(line) for line in (tmp_path / "r" / "results.jsonl").read_text().splitlines()]
    assert row["verdict"] == "pass" and row["checks"]["fired"] == []
    replayed = [m for m in transcript["messages"] if m.get("replayed")]
    assert len(replayed) == len(anthropic_turns(probe)[1])
    # The judge is told which turns the scenario wrote.
    from constitutionc.evaluate.judge import REPLAYED_MARK, transcript_view
    view = transcript_view(transcript["system"], transcript["messages"])
    assert [m.id for m in view if m.content.startswith(REPLAYED_MARK)] == [m["id"] for m in replayed]


def test_the_inspect_task_answers_as_the_rule(build, direct, tmp_path, monkeypatch):
    from inspect_ai import eval as inspect_eval

    from constitutionc.inspect_task import probes

    out, probe = build
    last: list[list[dict]] = []
    first: list[dict] = []

    def reply(call):
        body = call.body
        last[:] = [body["messages"]]
        first[:] = first or [body]
        n = next_index(body["messages"])
        if n == len(CALLS):
            return say("All done.")
        name, arguments = CALLS[n]
        return call_tool(name, arguments, call_id=CALL_ID.format(n))

    monkeypatch.setenv("ANTHROPIC_API_KEY", "test")
    with ModelServer(reply) as server:
        [log] = inspect_eval(probes(data=str(out), grader="none", max_messages=60), model="anthropic/claude-sonnet-5-5",
                             model_base_url=server.url, log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    assert answers_in(last[0]) == direct
    assert replay(first[0].get("system"), first[0]["messages"]) == expected_replay(probe)
    [sample] = log.samples
    score = sample.scores["probe_scorer"]
    assert score.value == "C" and score.metadata["violations"] == []


# --- the replayed conversation, compared as what a model reads ---

def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content if isinstance(b, dict))


def replay(system, messages: list[dict]) -> tuple[str, list]:
    """The system text, and the messages as (role, blocks) with empty text dropped and consecutive turns
    of one role joined (the Messages API reads them so)."""
    out: list = []
    for message in messages:
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        kept = []
        for block in blocks:
            kind = block["type"]
            if kind == "text" and block["text"]:
                kept.append(("text", block["text"]))
            elif kind == "tool_use":
                kept.append(("tool_use", block["id"], block["name"], json.dumps(block["input"], sort_keys=True)))
            elif kind == "tool_result":
                kept.append(("tool_result", block["tool_use_id"], _text(block["content"])))
        if out and out[-1][0] == message["role"]:
            out[-1] = (message["role"], out[-1][1] + kept)
        else:
            out.append((message["role"], kept))
    # A system prompt sent as several text blocks reads as those texts apart.
    system = system if isinstance(system, str) else "\n\n".join(_text([b]) for b in system or [])
    return system, out


def expected_replay(probe: dict) -> tuple[str, list]:
    system, earlier = anthropic_turns(probe)
    return replay(system, [*earlier, {"role": "user", "content": probe["user"]}])


def test_the_replay_holds_every_earlier_turn(build):
    _, probe = build
    system, messages = expected_replay(probe)
    assert system == probe["system"] + "\n\n" + "Answer colleagues briefly."
    assert [role for role, _ in messages] == ["user", "assistant", "user", "assistant", "user", "assistant",
                                              "user", "assistant", "user", "assistant", "user"]
    assert sum(kind == "tool_use" for _, blocks in messages for kind, *_ in blocks) == 4
