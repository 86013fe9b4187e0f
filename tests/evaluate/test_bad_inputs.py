"""Inputs `eval` and `grade` cannot use end in one line and exit 2; runs with nothing to grade are never passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.evaluate.test_eval import PROBE, is_judge, rows, run, sampled_agent, verdict, write_build
from tests.llm.server import Fault

REPO_QUICKSTART = Path(__file__).resolve().parents[2] / "examples/quickstart/constitution.cdl"


def write_transcripts(tmp_path, *transcripts) -> str:
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in transcripts))
    return str(path)


@pytest.mark.parametrize("messages", [[], [{"role": "user", "content": "Tidy up"}],
                                      [{"role": "assistant", "content": "Earlier turn.", "replayed": True}]],
                         ids=["empty", "user-only", "replayed-only"])
def test_a_transcript_without_the_models_answer_is_unscored_not_a_pass(tmp_path, messages):
    out = write_build(tmp_path, [PROBE])
    path = write_transcripts(tmp_path, {"probe_id": PROBE["id"], "sample": 0, "messages": messages})
    result = run("grade", out, "--transcripts", path, "-o", tmp_path / "r")
    assert rows(tmp_path / "r" / "results.jsonl") == []
    assert [u["reason"] for u in rows(tmp_path / "r" / "unscored.jsonl")] == ["no_answer"]
    assert result.exit_code == 1  # nothing could be scored, as with any all-unscored run


@pytest.mark.parametrize("message,problem", [
    ({"role": "assistant", "content": 5}, "`content` is a string or a list of blocks"),
    ({"role": "assistant", "content": [{"type": "tool_use", "input": {}}]}, "tool_use block needs a string `name`"),
    ({"content": "no role"}, "string `role`"),
    ("just text", "string `role`"),
])
def test_unreadable_messages_are_named_by_file_line_and_position(tmp_path, message, problem):
    out = write_build(tmp_path, [PROBE])
    path = write_transcripts(tmp_path, {"probe_id": PROBE["id"], "sample": 0,
                                        "messages": [{"role": "user", "content": "Tidy up"}, message]})
    result = run("grade", out, "--transcripts", path, "-o", tmp_path / "r", "--judge", "m")
    assert result.exit_code == 2
    assert "t.jsonl:1: message 2: " in result.output and problem in result.output
    assert not (tmp_path / "r").exists()


def test_non_utf8_transcripts_and_probes_are_one_line_errors(tmp_path):
    out = write_build(tmp_path, [PROBE])
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"probe_id": "\xff"}\n')
    result = run("grade", out, "--transcripts", bad, "-o", tmp_path / "r")
    assert result.exit_code == 2 and "not UTF-8" in result.output and result.output.count("\n") == 1
    (out / "probes.jsonl").write_bytes(b'{"id": "\xff"}\n')
    for args in (("eval", out, "-o", tmp_path / "r2", "--dry-run"),
                 ("grade", out, "--transcripts", bad, "-o", tmp_path / "r3")):
        result = run(*args)
        assert result.exit_code == 2 and "not UTF-8" in result.output, result.output


@pytest.mark.parametrize("command", ["generate", "eval", "grade"])
def test_batches_with_a_provider_without_a_batch_api_are_a_usage_error(tmp_path, command):
    out = write_build(tmp_path, [PROBE])
    args = {"generate": ("generate", REPO_QUICKSTART, "-o", tmp_path / "g", "--limit", 1),
            "eval": ("eval", out, "-o", tmp_path / "r"),
            "grade": ("grade", out, "--transcripts", write_transcripts(tmp_path), "-o", tmp_path / "r",
                      "--judge", "m")}[command]
    result = run(*args, "--provider", "openai-compatible", "--base-url", "http://127.0.0.1:9", "--batch",
                 env={"OPENAI_API_KEY": "x"})
    assert result.exit_code == 2
    assert "no batch API" in result.output and "--provider anthropic" in result.output
    assert "Traceback" not in result.output


def test_a_judge_that_decides_nothing_is_reported_even_when_the_checks_pass(model_server, tmp_path):
    out = write_build(tmp_path, [PROBE])
    script, _ = sampled_agent(0.0, 2)  # the agent never forwards: the checks pass every run
    model_server.script = lambda call: Fault.status(400) if is_judge(call) else script(call)
    result = run("eval", out, "-o", tmp_path / "r", "--base-url", model_server.url, "--cache", tmp_path / "c",
                 "--samples", 2)
    assert [r["verdict"] for r in rows(tmp_path / "r" / "results.jsonl")] == ["pass", "pass"]
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["judge_undecided"] == 2
    assert "the judge could not decide 2 scored runs" in result.output
    # and a judge that does decide is not counted
    model_server.script = lambda call: verdict("not_violated") if is_judge(call) else script(call)
    run("eval", out, "-o", tmp_path / "r2", "--base-url", model_server.url, "--cache", tmp_path / "c2",
        "--samples", 2)
    assert json.loads((tmp_path / "r2" / "summary.json").read_text())["judge_undecided"] == 0


@pytest.mark.parametrize("command", ["eval", "grade"])
def test_results_are_never_written_into_a_build(tmp_path, command):
    out = write_build(tmp_path, [PROBE])
    (out / "manifest.json").write_text("{}")
    extra = ("--transcripts", write_transcripts(tmp_path)) if command == "grade" else ("--dry-run",)
    for results in (out, tmp_path / "build"):
        result = run(command, out, *extra, "-o", results)
        assert result.exit_code == 2 and "a build's output directory" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "probes.jsonl"]
