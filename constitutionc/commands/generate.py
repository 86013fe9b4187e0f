"""`constitutionc generate FILE.cdl -o OUT`: model-written training data from a constitution."""

from __future__ import annotations

import sys

import click

from ..models import DEFAULT_MODEL
from .build import interactive, load_checked
from .model_options import (concurrency_option, cost_text, provider_option, require_batches, require_prices,
                            spending_options)

KIND_CHOICES = ("responses", "dilemmas", "documents", "stories", "episodes")


def _parse_kinds(ctx, param, value):
    if value is None:
        return KIND_CHOICES
    names = tuple(dict.fromkeys(n.strip() for n in value.split(",") if n.strip()))
    unknown = [n for n in names if n not in KIND_CHOICES]
    if unknown or not names:
        raise click.BadParameter(f"unknown kind {', '.join(unknown) or '(none)'} (known: {', '.join(KIND_CHOICES)})")
    return names


@click.command("generate")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(), metavar="OUT",
              help="Output directory (replaced atomically when the run completes).")
@click.option("--model", default=DEFAULT_MODEL, show_default=True, help="Model that writes the data.")
@provider_option()
@click.option("--base-url", default=None, help="API base URL (a vLLM, llama.cpp or Ollama server, a proxy).")
@click.option("--kinds", callback=_parse_kinds, default=None,
              help="What to generate: responses,dilemmas,documents,stories,episodes (default: all).")
@click.option("--count", "counts", default=None,
              help="Counts over the defaults: dilemmas=N (per family),stories=N,episodes=N,documents=N.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="A trial run: at most N offline instances per generator and N items of each kind.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of sampling and variation.")
@concurrency_option()
@click.option("--batch", is_flag=True, help="Send each wave through Message Batches (half the price, slower).")
@spending_options
@click.option("--dry-run", is_flag=True,
              help="Print the requests still to send (not answered by the cache), their tokens and cost per kind; "
                   "call nothing paid.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False), default=None,
              help="Answer cache and journals (default: the user cache directory, or $CONSTITUTIONC_CACHE).")
@click.option("--prompts", "prompts_dir", type=click.Path(file_okay=False), default=None,
              help="Directory of prompt files (<id>.md) and variation.toml replacing the packaged ones.")
@click.option("--target", "targets", multiple=True, help="Also write a format under OUT/<target>/ (repeatable).")
@click.option("--critique", is_flag=True, help="Critique each justified reply against a clause and revise it.")
@click.option("--attempts", type=click.IntRange(min=1, max=10), default=3, show_default=True,
              help="Replies asked per item before it is given up (every rejected reply goes to rejected.jsonl).")
@click.option("--timeout", type=click.FloatRange(min=1), default=120.0, show_default=True,
              help="Seconds to wait for one response.")
@click.option("--write-cdl", "write_cdl", type=click.Path(dir_okay=False), default=None,
              help="Also write the drafted dilemmas as .cdl source to FILE (importing the constitution), to review.")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project root for imports.")
def command(path, out_dir, model, provider, base_url, kinds, counts, limit, seed, concurrency, batch, max_requests,
            max_usd, price, dry_run, cache_dir, prompts_dir, targets, critique, attempts, timeout, write_cdl, root):
    """Generate model-written training data (responses, dilemmas, documents, stories, episodes) from the
    constitution at PATH into OUT."""
    from pathlib import Path

    from ..emit import OutputError
    from ..generate import GenerateError, GenerateOptions, PlanError, estimate, generate
    from ..llm import MissingCredentials, Progress, open_session
    from ..llm.pricing import PricesError
    from ..prompts import PromptError, PromptLibrary

    require_batches(provider, batch)
    require_prices([model], max_usd, price)
    if write_cdl and "dilemmas" not in kinds:
        _fail("--write-cdl writes drafted dilemmas: --kinds must include dilemmas", 2)
    if write_cdl:
        from ..generate.cdl import target_problem

        problem = target_problem(Path(write_cdl), Path(path))
        if problem:
            _fail(f"--write-cdl: {problem}; nothing was sent", 2)
    result = load_checked(path, root, None)
    if not result.ok:
        _fail("the constitution has errors; nothing was written")
    options = GenerateOptions(model=model or DEFAULT_MODEL, provider=provider, kinds=kinds, limit=limit,
                              counts=counts, seed=seed, batch=batch, critique=critique, attempts=attempts,
                              prompts_dir=Path(prompts_dir) if prompts_dir else None,
                              targets=tuple(dict.fromkeys(targets)))
    try:
        PromptLibrary(options.prompts_dir).all()  # a broken override fails before anything is paid
        session = open_session(provider, base_url=base_url, cache_dir=cache_dir, dry_run=dry_run,
                               journal_name=None if dry_run else _journal(result.constitution, options),
                               max_requests=max_requests, max_usd=max_usd, concurrency=concurrency,
                               timeout=timeout, fallback_price=price, progress=Progress.for_terminal("generating")
                               if (interactive(sys.stderr) and not dry_run) else None)
    except (MissingCredentials, PricesError) as error:
        click.echo(f"constitutionc: error: {error}; nothing was written", err=True)
        sys.exit(2)
    except PromptError as error:
        _fail(f"{error}; nothing was written", 2)
    with session:
        try:
            if dry_run:
                _print_estimate(estimate(result.constitution, options, session), options, batch)
                return
            outcome = generate(result.constitution, Path(out_dir), options, session)
        except GenerateError as error:
            _fail(str(error), error.exit_code)
        except (PlanError, PromptError) as error:
            _fail(f"{error}; nothing was written", 2)
        except OutputError as error:
            _fail(str(error))
        except OSError as error:
            _fail(f"cannot write {out_dir}: {error.strerror or error}; the previous output is intact")
    records = outcome.manifest["records"]
    shown = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in records.items() if n and name != "rejected")
    click.echo(f"generated {out_dir}: {shown}; {outcome.rejected} replies rejected (see rejected.jsonl)")
    if write_cdl:
        _write_cdl(result.constitution, Path(out_dir), Path(write_cdl), Path(path))


def _write_cdl(constitution, out_dir, target, source) -> None:
    from .. import jsonl
    from ..generate.cdl import CdlError, write_drafted_cdl

    records = [line.value for line in jsonl.records(out_dir / "drafted_dilemmas.jsonl")]
    try:
        written = write_drafted_cdl(constitution, records, target, source)
    except CdlError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror or error}")
    click.echo(f"wrote {written} drafted dilemmas to {target}; review them, then `constitutionc check {target}`")


def _journal(constitution, options):
    from ..generate.run import journal_name

    return journal_name(constitution, options)


def _print_estimate(result, options, batch: bool) -> None:
    """The requests still to send per kind (those the cache answers are not sent, so not counted in the
    tokens or dollars), and what they cost; a model with no price says so instead of a dollar figure."""
    rows = result.estimates
    to_send = {group: row.requests - row.cached for group, row in rows.items()}
    cached = sum(row.cached for row in rows.values())
    unpriced = tuple(dict.fromkeys(m for row in rows.values() for m in row.unpriced_models))
    total_usd = sum(row.usd for row in rows.values())
    click.echo(f"dry run: {options.model} via {options.provider}{' (batches, half price)' if batch else ''}; "
               f"tokens from {result.token_source}; nothing paid was called")
    click.echo(f"{sum(to_send.values()):,} requests to send, {cached:,} answered by the cache already; "
               f"{cost_text(total_usd, unpriced)}")

    def usd(value: float, unpriced_models) -> str:
        return "no price" if unpriced_models and not value else f"{value:,.2f}"

    click.echo(f"{'kind':<10} {'to send':>9} {'cached':>7} {'input tokens':>14} {'output tokens':>14} {'USD':>10}")
    for group, row in rows.items():
        click.echo(f"{group:<10} {to_send[group]:>9,} {row.cached:>7,} {row.input_tokens:>14,} "
                   f"{row.output_tokens:>14,} {usd(row.usd, row.unpriced_models):>10}")
    tokens = [sum(getattr(row, f) for row in rows.values()) for f in ("input_tokens", "output_tokens")]
    click.echo(f"{'total':<10} {sum(to_send.values()):>9,} {cached:>7,} {tokens[0]:>14,} {tokens[1]:>14,} "
               f"{usd(total_usd, unpriced):>10}")


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(code)
