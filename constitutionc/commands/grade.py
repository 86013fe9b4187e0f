"""`constitutionc grade OUT --transcripts FILE -o RESULTS`: grade given transcripts without calling the
model under test (re-score old runs with a new judge; test the graders). Exit status as `eval`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .eval import DEFAULT_MODEL, _fail, clauses_of_build, finish, journal_name, open_model_session


def read_transcripts(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        _fail(f"cannot read {path}: {e.strerror}")
    transcripts = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            _fail(f"{path}:{number}: not a JSON object")
        if not isinstance(row, dict) or not isinstance(row.get("probe_id"), str) or not isinstance(
                row.get("messages"), list):
            _fail(f"{path}:{number}: a transcript needs `probe_id` and a list of `messages`")
        row.setdefault("sample", 0)
        row.setdefault("status", "complete")
        for position, message in enumerate(row["messages"], start=1):
            if isinstance(message, dict):
                message.setdefault("id", f"m{position}")
        transcripts.append(row)
    return transcripts


@click.command("grade")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--transcripts", "transcripts_path", required=True, type=click.Path(dir_okay=False),
              help="JSONL: probe_id, sample, messages (Messages format with tool_use/tool_result blocks).")
@click.option("-o", "--output", "results", required=True, type=click.Path(file_okay=False))
@click.option("--judge", "judge_model", default="none", show_default=True,
              help="The judge model, or `none` for the deterministic checks alone.")
@click.option("--judge-samples", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--provider", type=click.Choice(["anthropic", "openai-compatible"]), default="anthropic",
              show_default=True)
@click.option("--base-url", default=None)
@click.option("--batch", is_flag=True)
@click.option("--concurrency", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--max-requests", type=click.IntRange(min=1), default=None)
@click.option("--max-usd", type=click.FloatRange(min=0), default=None)
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None)
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True)
@click.option("--constitution", default=None, type=click.Path(dir_okay=False))
def command(out, transcripts_path, results, judge_model, judge_samples, provider, base_url, batch, concurrency,
            max_requests, max_usd, cache_dir, timeout, constitution):
    """Grade transcripts of the probes in OUT with the checks (and a judge, if named)."""
    from ..evaluate import EvalInputError, JudgeSettings, grade_transcripts, load_probes
    from ..llm import Session

    try:
        probes = {p["id"]: p for p in load_probes(Path(out))}
    except EvalInputError as e:
        _fail(str(e))
    transcripts = read_transcripts(Path(transcripts_path))
    judged = judge_model.lower() != "none"
    if judged:
        session = open_model_session(provider, base_url, cache_dir, journal_name("grade", results), False,
                                     max_requests, max_usd, concurrency, timeout, "judge")
    else:
        session = Session(None, provider_name=provider)
    with session:
        judge = JudgeSettings(session, judge_model, judge_samples, batch,
                              clauses_of_build(Path(out), constitution)) if judged else None
        scored, unscored = grade_transcripts(probes, transcripts, judge)
        model = transcripts[0].get("model") or "" if transcripts else ""
        finish(Path(out), results, scored, unscored, transcripts, model, session)
