"""`constitutionc grade OUT --transcripts FILE -o RESULTS`: grade given transcripts without calling the
model under test (re-score old runs with a new judge; test the graders). Exit status as `eval`."""

from __future__ import annotations

from pathlib import Path

import click

from .. import jsonl
from .model_options import concurrency_option, provider_option, require_batches, require_prices, spending_options
from .eval import (DEFAULT_MODEL, _fail, clauses_of_build, finish, journal_name, open_model_session,
                   refuse_build_as_results)


def read_transcripts(path: Path) -> list[dict]:
    transcripts = []
    try:
        lines = list(jsonl.records(path))
    except jsonl.JsonlError as e:
        _fail(str(e))
    for line in lines:
        row, number = line.value, line.number
        if not isinstance(row.get("probe_id"), str) or not isinstance(row.get("messages"), list):
            _fail(f"{path}:{number}: a transcript needs `probe_id` and a list of `messages`")
        row.setdefault("sample", 0)
        row.setdefault("status", "complete")
        for position, message in enumerate(row["messages"], start=1):
            problem = _message_problem(message)
            if problem:
                _fail(f"{path}:{number}: message {position}: {problem}")
            message.setdefault("id", f"m{position}")
        transcripts.append(row)
    return transcripts


def _message_problem(message) -> str | None:
    """What makes a message unreadable in the Messages format, or None."""
    if not isinstance(message, dict) or not isinstance(message.get("role"), str):
        return "a message is an object with a string `role`"
    content = message.get("content")
    if isinstance(content, str):
        return None
    if not isinstance(content, list) or not all(isinstance(b, dict) and isinstance(b.get("type"), str)
                                                for b in content):
        return "`content` is a string or a list of blocks, each an object with a string `type`"
    for block in content:
        if block["type"] == "tool_use" and not isinstance(block.get("name"), str):
            return "a tool_use block needs a string `name`"
    return None


@click.command("grade")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--transcripts", "transcripts_path", required=True, type=click.Path(dir_okay=False),
              help="JSONL: probe_id, sample, messages (Messages format with tool_use/tool_result blocks).")
@click.option("-o", "--output", "results", required=True, type=click.Path(file_okay=False),
              help="Directory for results.jsonl, unscored.jsonl, transcripts.jsonl, report.html.")
@click.option("--judge", "judge_model", default="none", show_default=True,
              help="The judge model, or `none` for the deterministic checks alone.")
@click.option("--judge-samples", type=click.IntRange(min=1), default=1, show_default=True,
              help="Judge verdicts per run (their agreement is reported).")
@provider_option()
@click.option("--base-url", default=None, help="API base URL of the judge (a vLLM, llama.cpp or Ollama server, a proxy).")
@click.option("--batch", is_flag=True, help="Send the judge's requests through Message Batches (half the price).")
@concurrency_option()
@spending_options
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
              help="Answer cache directory (default: the user cache directory).")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds to wait for one answer before retrying.")
@click.option("--constitution", default=None, type=click.Path(dir_okay=False),
              help="The constitution the build came from, for the judge's clause texts (default: the manifest's).")
def command(out, transcripts_path, results, judge_model, judge_samples, provider, base_url, batch, concurrency,
            max_requests, max_usd, price, cache_dir, timeout, constitution):
    """Grade transcripts of the probes in the build OUT with the checks (and a judge, if named)."""
    from ..evaluate import EvalInputError, JudgeSettings, grade_transcripts, load_probes
    from ..llm import Session

    require_batches(provider, batch)
    judged = judge_model.lower() != "none"
    require_prices([judge_model] if judged else [], max_usd, price)
    refuse_build_as_results(out, results)
    try:
        probes = {p["id"]: p for p in load_probes(Path(out))}
    except EvalInputError as e:
        _fail(str(e))
    transcripts = read_transcripts(Path(transcripts_path))
    if judged:
        session = open_model_session(provider, base_url, cache_dir, journal_name("grade", results), False,
                                     max_requests, max_usd, concurrency, timeout, "judge", price=price)
    else:
        session = Session(None, provider_name=provider)
    with session:
        judge = JudgeSettings(session, judge_model, judge_samples, batch,
                              clauses_of_build(Path(out), constitution)) if judged else None
        scored, unscored = grade_transcripts(probes, transcripts, judge)
        model = transcripts[0].get("model") or "" if transcripts else ""
        finish(Path(out), results, scored, unscored, transcripts, model, session)
