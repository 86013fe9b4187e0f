"""`constitutionc eval OUT -o RESULTS`: run the probes of a build against a model as an agent and grade them.

Exit status: 0 at least one run was scored; 1 no run could be scored (the reasons on standard error;
results written); 2 usage or input problems (a missing API key among them: one line naming the variable,
nothing written); 3 a budget stopped the run (nothing written; rerun the same command to continue: every
answer so far is cached); 4 every request sent to the model API failed and none was answered from the
cache (a dead server, a rejected key: the failure on standard error; results written).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import click

from ..models import DEFAULT_MODEL
from .model_options import (concurrency_option, cost_text, provider_option, require_batches, require_prices,
                            spending_options)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(code)


def journal_name(command: str, results: str) -> str:
    return f"{command}-{hashlib.sha256(os.path.abspath(results).encode()).hexdigest()[:16]}"


def open_model_session(provider, base_url, cache_dir, name, dry_run, max_requests, max_usd, concurrency,
                       timeout, description, price=None, **session_options):
    from ..llm import MissingCredentials, Progress, open_session
    from ..llm.pricing import PricesError

    try:
        return open_session(provider, base_url=base_url, cache_dir=cache_dir, journal_name=name, dry_run=dry_run,
                            max_requests=max_requests, max_usd=max_usd, concurrency=concurrency,
                            timeout=timeout, progress=Progress.for_terminal(description), fallback_price=price,
                            **session_options)
    except (MissingCredentials, PricesError) as e:
        _fail(str(e))


def clauses_of_build(out_dir: Path, constitution: str | None) -> dict:
    """Clause texts for the judge: the named constitution, else the source the build's manifest names."""
    from ..evaluate import build_clauses

    clauses, warnings = build_clauses(out_dir, constitution)
    for warning in warnings:
        click.echo(f"constitutionc: warning: {warning}", err=True)
    return clauses


def refuse_build_as_results(out_dir, results) -> None:
    """Results written into a build's directory would be read back as the build's data (audit, coverage)."""
    target = Path(results)
    if target.resolve() == Path(out_dir).resolve() or (target / "manifest.json").is_file():
        _fail(f"{results} is a build's output directory; write results to a directory of their own (-o)")


def finish(out_dir: Path, results: str, scored, unscored, transcripts, model: str, session) -> None:
    from ..evaluate.report import terminal_table, write_results
    from ..llm.progress import interactive

    session.progress.close()
    if session.budget_stop is not None:
        click.echo(f"constitutionc: {session.budget_stop.message()}", err=True)
        sys.exit(3)
    summary = write_results(Path(results), scored, unscored, transcripts, model, interactive(sys.stdout))
    click.echo(terminal_table(summary, interactive(sys.stdout)), nl=False)
    click.echo(f"wrote {results}/results.jsonl ({len(scored)} scored runs), unscored.jsonl, transcripts.jsonl, "
               f"report.html; ${session.spent_usd:.4f} spent, {session.stats.cached} cached answers reused")
    stats = session.stats
    if stats.failures:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(stats.failures.items()))
        detail = next((row["detail"] for row in unscored if row.get("detail")), None)
        failed = f"({kinds})" + (f": {detail}" if detail else "")
        if not stats.answered and not stats.cached:
            _fail(f"every request to the model API failed {failed}", 4)
        click.echo(f"constitutionc: warning: {sum(stats.failures.values())} request(s) to the model API failed "
                   f"{failed}", err=True)
    if not scored and (transcripts or unscored):
        reasons = ", ".join(f"{reason} {count}" for reason, count in summary["unscored"].items())
        _fail(f"no run could be scored ({reasons or 'no transcript'}); see {results}/unscored.jsonl", 1)


def counted(number: int, singular: str, plural: str | None = None) -> str:
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def dry_run_text(probes: int, samples: int, estimate, max_turns: int, judge_samples: int) -> str:
    """What a dry run found, in words that add up: runs, the first-turn requests still to send (every run
    is its own request, so only answers already cached make the two differ), their tokens and cost, and
    what the estimate leaves out."""
    runs = probes * samples
    to_send = estimate.requests - estimate.cached
    source = "counted by the provider's token counter (count_tokens)" if estimate.token_source == "count_tokens" \
        else "estimated at four characters a token"
    lines = [f"{counted(probes, 'probe')} × {counted(samples, 'sample')} = {counted(runs, 'run')}: "
             f"{counted(to_send, 'first-turn request')} to send"
             + (f", {counted(estimate.cached, 'answer')} already cached" if estimate.cached else "")
             + (f" ({counted(runs - estimate.requests, 'run')} repeating another run's request)"
                if estimate.requests < runs else "") + ";",
             f"  ~{estimate.input_tokens:,} input tokens ({source}), at most "
             f"{estimate.output_tokens:,} output tokens, {cost_text(estimate.usd, estimate.unpriced_models)};"]
    later = f"up to {counted(max_turns - 1, 'more turn')} per run" if max_turns > 1 else "no later turns"
    judge = (f"the judge: {counted(judge_samples, 'request')} per run that gets an answer, at most "
             f"{runs * judge_samples:,}" if judge_samples else "no judge (--judge none)")
    lines.append(f"  not in this estimate: later turns ({later}) and {judge}.")
    return "\n".join(lines)


@click.command("eval")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("-o", "--output", "results", required=True, type=click.Path(file_okay=False),
              help="Directory for results.jsonl, unscored.jsonl, transcripts.jsonl, report.html.")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="The model under test.")
@provider_option()
@click.option("--base-url", default=None, help="API base URL (a vLLM, llama.cpp or Ollama server, a proxy).")
@click.option("--samples", type=click.IntRange(min=1), default=1, show_default=True, help="Runs of each probe.")
@click.option("--judge", "judge_model", default=DEFAULT_MODEL, show_default=True,
              help="The judge model, or `none` for the deterministic checks alone.")
@click.option("--judge-samples", type=click.IntRange(min=1), default=1, show_default=True,
              help="Judge verdicts per run (their agreement is reported).")
@click.option("--max-turns", type=click.IntRange(min=1), default=8, show_default=True,
              help="Model turns per run at most (each answers the tool calls of the turn before).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=4096, show_default=True,
              help="Output tokens per model turn.")
@concurrency_option()
@click.option("--batch", is_flag=True, help="Send each turn's requests through Message Batches (half the price).")
@click.option("--batch-poll", type=click.FloatRange(min=0.001), default=30.0, show_default=True,
              help="Seconds between checks on a running batch.")
@spending_options
@click.option("--only", default=None, help="Only probes whose id, condition or generator matches this glob.")
@click.option("--dry-run", is_flag=True, help="Estimate the first turn's tokens and cost; call nothing paid.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
              help="Answer cache directory (default: the user cache directory).")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds to wait for one answer before retrying.")
@click.option("--constitution", default=None, type=click.Path(dir_okay=False),
              help="The constitution the build came from, for the judge's clause texts (default: the manifest's).")
def command(out, results, model, provider, base_url, samples, judge_model, judge_samples, max_turns, max_tokens,
            concurrency, batch, batch_poll, max_requests, max_usd, price, only, dry_run, cache_dir, timeout,
            constitution):
    """Run every probe in OUT against a model as an agent and grade the transcripts."""
    from ..evaluate import EvalInputError, JudgeSettings, grade_transcripts, load_probes, run_probes
    from ..evaluate.agent import first_turn, request_for

    require_batches(provider, batch)
    judged = judge_model.lower() != "none"
    require_prices([model, judge_model] if judged else [model], max_usd, price)
    refuse_build_as_results(out, results)
    try:
        probes = load_probes(Path(out), only)
    except EvalInputError as e:
        _fail(str(e))
    if not probes:
        _fail(f"no probe in {out} matches --only {only}" if only else f"{out} holds no probes")
    session = open_model_session(provider, base_url, cache_dir, journal_name("eval", results), dry_run,
                                 max_requests, max_usd, concurrency, timeout, "eval", price=price,
                                 batch_poll_interval=batch_poll)
    with session:
        if dry_run:
            first = [request_for(first_turn(p, s), model, max_tokens, {}) for p in probes for s in range(samples)]
            estimate = session.estimate(first, batch=batch)
            click.echo(dry_run_text(len(probes), samples, estimate, max_turns, judge_samples if judged else 0))
            return
        transcripts = run_probes(session, probes, model=model, samples=samples, max_turns=max_turns,
                                 max_tokens=max_tokens, batch=batch)
        judge = None
        if judged and session.budget_stop is None:
            judge = JudgeSettings(session, judge_model, judge_samples, batch, clauses_of_build(Path(out), constitution))
        scored, unscored = grade_transcripts({p["id"]: p for p in probes}, transcripts, judge)
        finish(Path(out), results, scored, unscored, transcripts, model, session)
