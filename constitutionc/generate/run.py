"""The model stage: the deterministic build's plan, then waves of model calls, then one atomic output.

1. The offline build (dilemmas and probes) is made into a scratch directory and read back: it gives
   the dilemmas to answer, the probes to keep out of the training text, and the prompts drafts must
   not repeat.
2. The first wave holds every item that needs nothing generated before it. Each wave is sent through
   one `llm.Session` (cache, journal, retries, budget, batches); each reply is validated against its
   prompt's output model and the quality checks. A reply that fails is logged to `rejected.jsonl`
   and asked again with the next `sample` (a new cache key) until `attempts` run out. A reply that
   passes is written and may add items to the next wave.
3. Everything is written into a staging directory that replaces OUT only when the run is complete:
   stopped by a budget, or by requests that still failed after their retries, OUT is untouched and a
   rerun continues from the cache and the journal.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from pydantic import ValidationError

from .. import __version__, jsonl
from ..emit.writer import Staging, canonical_json
from ..ir import Constitution
from ..models import DEFAULT_MODEL
from ..prompts import PromptLibrary
from ..prompts.quality import Guard, Thresholds, probe_texts
from ..textmeasures import NearDuplicateIndex
from . import materials as m
from .plan import KINDS, Counts, default_counts, load_variation, make_plan, parse_counts
from .steps import STEPS, Context, Item, Reply, authored_draft_items, justified_items
from .synthetic import synthetic_output

if TYPE_CHECKING:
    from ..llm import Estimate

OUTPUT_FILES = {"drafted_dilemma": "drafted_dilemmas.jsonl", "model_response": "model_responses.jsonl",
                "ablation": "ablations.jsonl", "revision": "revisions.jsonl", "document": "documents.jsonl",
                "story": "stories.jsonl", "episode": "episodes.jsonl"}
GROUPS = {"responses": ("model_response", "ablation", "revision"), "dilemmas": ("drafted_dilemma",),
          "documents": ("document",), "stories": ("story",), "episodes": ("episode",)}


class GenerateError(Exception):
    """The run cannot finish now; OUT is untouched. `exit_code`: 1 failed requests, 3 a budget stopped it."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class GenerateOptions:
    model: str = DEFAULT_MODEL
    provider: str = "anthropic"
    kinds: tuple[str, ...] = KINDS
    limit: int | None = None
    counts: str | None = None  # "dilemmas=20,stories=500" over the defaults
    seed: int = 0
    batch: bool = False
    critique: bool = False
    attempts: int = 3  # replies asked per item before it is given up (logged in rejected.jsonl)
    prompts_dir: Path | None = None
    targets: tuple[str, ...] = ()

    def as_manifest(self) -> dict:
        return {"model": self.model, "provider": self.provider, "kinds": list(self.kinds), "limit": self.limit,
                "counts": self.counts, "batch": self.batch, "critique": self.critique, "attempts": self.attempts,
                "targets": list(self.targets), "prompts": str(self.prompts_dir) if self.prompts_dir else None}


@dataclass
class GenerateResult:
    manifest: dict | None = None
    estimates: dict[str, Estimate] = field(default_factory=dict)  # the dry run's, per kind, in KINDS order
    token_source: str = ""
    rejected: int = 0


def offline_build(constitution: Constitution, seed: int, limit: int | None) -> dict[str, list[dict]]:
    """The deterministic build's dilemmas and probes, made in a scratch directory and read back."""
    from .. import api

    with tempfile.TemporaryDirectory(prefix="constitutionc-plan-") as scratch:
        out = Path(scratch) / "build"
        api.build(constitution, out, seed=seed, only=("dilemmas", "probes"), limit=limit)
        return {name: [line.value for line in jsonl.records(out / f"{name}.jsonl")]
                for name in ("dilemmas", "probes")} | {"_files": {name: (out / f"{name}.jsonl").read_bytes()
                                                                   for name in ("dilemmas", "probes")}}


class Runner:
    def __init__(self, constitution: Constitution, options: GenerateOptions, session, *,
                 emit: Callable[[str, dict], None] | None = None, reject: Callable[[dict], None] | None = None):
        self.constitution, self.options, self.session = constitution, options, session
        self.library = PromptLibrary(options.prompts_dir)
        self.assistant = m.assistant_name(constitution)
        self.build = offline_build(constitution, options.seed, options.limit)
        counts: Counts = default_counts(constitution)
        if options.counts:
            counts = parse_counts(options.counts, counts)
        self.counts = counts.limited(options.limit)
        self.guard = Guard.build(constitution, self.build["probes"], names=(self.assistant,), thresholds=Thresholds())
        seen = NearDuplicateIndex(5, self.guard.thresholds.near_duplicate)
        for d in self.build["dilemmas"]:
            seen.add(d["prompt"], d["id"])
        for p in self.build["probes"]:
            seen.add(p["user"], p["id"])
        self.ctx = Context(constitution, self.guard, seen, self.assistant, options.seed, options.kinds,
                           options.critique, emit or (lambda kind, record: None))
        self.reject = reject or (lambda record: None)
        self.plan = make_plan(constitution, self.build, kinds=options.kinds, counts=self.counts, seed=options.seed,
                              assistant=self.assistant, variation=load_variation(options.prompts_dir))
        self.prompts_used: dict[str, dict] = {}
        self.usage: Counter = Counter()
        self.requests = 0
        self.rejected = 0

    def first_wave(self) -> list[Item]:
        items: list[Item] = []
        for d in self.plan.offline_dilemmas:
            items += justified_items(self.ctx, d) + authored_draft_items(self.ctx, d)
        for family, index, inputs in self.plan.drafts:
            items.append(Item("draft", f"draft:{family}:{index}", "dilemmas", inputs,
                              {"family": family, "index": index}))
        for kind, sid, form, inputs in self.plan.documents:
            items.append(Item("document", f"document:{kind}:{sid}:{form}", "documents", inputs))
        for index, subject, inputs in self.plan.stories:
            items.append(Item("story", f"story:{index}", "stories", inputs, {"index": index, "subject": subject}))
        for index, environment, clauses, inputs in self.plan.episodes:
            items.append(Item("episode", f"episode:{index}", "episodes", inputs,
                              {"index": index, "environment": environment, "clauses": clauses}))
        return items

    def request(self, item: Item):
        from ..llm import Request

        prompt = self.library.get(STEPS[item.step].prompt_for(item))
        rendered = prompt.render(item.inputs)
        self.prompts_used[prompt.id] = prompt.provenance()
        request = Request(model=self.options.model,
                          system=[{"type": "text", "text": rendered.system, "cache_control": {"type": "ephemeral"}}],
                          messages=[{"role": "user", "content": rendered.user}],
                          max_tokens=rendered.max_tokens, params=self.params(rendered),
                          sample=item.sample, expected_output_tokens=prompt.expected_output_tokens)
        return request.structured(rendered.tool.name, rendered.tool.input_schema, rendered.tool.description), prompt

    def params(self, rendered) -> dict:
        from ..llm import sampling_params

        return sampling_params(self.options.provider, rendered.temperature)

    # -- the real run ------------------------------------------------------------------------------

    def run(self) -> None:
        wave = self.first_wave()
        while wave:
            built = [self.request(item) for item in wave]
            outcomes = self.session.run([r for r, _ in built], batch=self.options.batch)
            stop = self.session.budget_stop
            failed = [o for o in outcomes if not o.ok and o.failure.kind not in ("error", "budget")]
            if stop is not None or failed:
                done = sum(1 for o in outcomes if o.ok)
                if stop is not None:
                    raise GenerateError(f"{stop.message()}; {done} of this wave's {len(wave)} requests answered; "
                                        "nothing written; rerun the same command to continue (answers are kept)", 3)
                kinds = Counter(o.failure.kind for o in failed)
                shown = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
                raise GenerateError(f"{len(failed)} requests still failed after retries ({shown}); nothing written; "
                                    "rerun the same command to continue (answers received are kept)")
            following: list[Item] = []
            for item, (request, prompt), outcome in zip(wave, built, outcomes):
                self.requests += 1
                following += self.settle(item, prompt, outcome)
            wave = following

    def settle(self, item: Item, prompt, outcome) -> list[Item]:
        step = STEPS[item.step]
        ref = prompt.provenance()
        if not outcome.ok:  # refused by the API (4xx): not retried with the same body
            return self.give_up(item, ref, outcome.key, [f"api: {outcome.failure.kind}: {outcome.failure}"], None,
                                retry=False)
        response = outcome.response
        for name, value in response.usage.model_dump().items():
            self.usage[name] += value
        raw = response.tool_input(prompt.kind.tool_name)
        if raw is None:
            return self.give_up(item, ref, outcome.key, [f"schema: no {prompt.kind.tool_name} call "
                                                         f"(stop_reason {response.stop_reason})"], None)
        try:
            output = prompt.kind.output.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "output"
            return self.give_up(item, ref, outcome.key, [f"schema: {where}: {first['msg']}"], raw)
        findings = step.check(self.ctx, item, output)
        if findings:
            return self.give_up(item, ref, outcome.key, [str(f) for f in findings], raw)
        reply = Reply(self.session.provider_name, self.options.model, ref, outcome.key, item.sample,
                      response.usage.model_dump())
        return step.accept(self.ctx, item, output, reply)

    def give_up(self, item: Item, ref: dict, key: str, reasons: list[str], raw, retry: bool = True) -> list[Item]:
        final = not retry or item.sample + 1 >= self.options.attempts
        self.rejected += 1
        self.reject({"kind": "rejected", "item": item.key, "prompt": ref, "request": key, "sample": item.sample,
                     "reasons": reasons, "output": raw, "final": final})
        return [] if final else [item.again()]

    # -- the dry run -------------------------------------------------------------------------------

    def estimate(self) -> tuple[dict[str, Estimate], str]:
        """Every request the run would send, priced by the session's estimate: nothing paid is called.
        A request the cache already answers is settled with that answer, as the real run settles it, so
        the requests that follow from it are the real run's too (and cached as well, after a complete
        run); the others are answered by placeholder outputs of the expected size (no checks)."""
        from ..llm.outcome import Outcome

        by_group: dict[str, list] = {}
        wave = self.first_wave()
        self.ctx.emit = lambda kind, record: None
        seen_drafts = 0
        while wave:
            following: list[Item] = []
            for item in wave:
                request, prompt = self.request(item)
                by_group.setdefault(item.group, []).append(request)
                key = self.session.key(request)
                known = self.session.known(key)
                if known is not None:
                    following += self.settle(item, prompt, Outcome(request, key, response=known, cached=True))
                    continue
                output = synthetic_output(prompt, item, seen_drafts)
                seen_drafts += 1
                reply = Reply(self.session.provider_name, self.options.model, prompt.provenance(), "0" * 64, 0, {})
                following += STEPS[item.step].accept(self.ctx, item, output, reply)
            wave = following
        rows, source = {}, "heuristic"
        for group in KINDS:
            if group not in by_group:
                continue
            rows[group] = estimate = self.session.estimate(by_group[group], batch=self.options.batch)
            source = estimate.token_source if estimate.token_source != "heuristic" else source
        return rows, source


def journal_name(constitution: Constitution, options: GenerateOptions) -> str:
    sources = [f.sha256 for f in constitution.files]
    digest = hashlib.sha256(canonical_json([sources, options.as_manifest(), options.seed]).encode()).hexdigest()
    return f"generate-{digest[:16]}"


def generate(constitution: Constitution, out_dir: Path, options: GenerateOptions, session) -> GenerateResult:
    """Run the model stage into `out_dir` atomically (or, for a session in dry-run mode, estimate it)."""
    from ..emit import source_paths
    from ..emit.manifest import about

    with Staging(Path(out_dir), protected=source_paths(constitution)) as staging:
        sinks: dict = {}
        rejected = staging.sink("rejected.jsonl")
        tally: dict[str, Counter] = {}

        def emit(kind: str, record: dict) -> None:
            sinks[kind].write(record)
            for pid in record["principles"]:
                tally.setdefault(pid, Counter())[kind] += 1

        runner = Runner(constitution, options, session, emit=emit, reject=rejected.write)
        drafts = any(authored_draft_items(runner.ctx, d) for d in runner.plan.offline_dilemmas)
        sinks.update({kind: staging.sink(name) for kind, name in OUTPUT_FILES.items()
                      if _wanted(kind, options, drafts)})
        runner.run()
        outputs = []
        for name in ("dilemmas", "probes"):
            sink = staging.sink(f"{name}.jsonl")
            sink.write_raw(runner.build["_files"][name])
            sinks[name] = sink
        staging.close_sinks()
        for kind, sink in [*sinks.items(), ("rejected", rejected)]:
            outputs.append({"path": sink.path.name, "sha256": sink.sha256, "records": sink.records})
        outputs.sort(key=lambda o: o["path"])
        if options.targets:
            from ..emit.targets import run_targets
            canonical = [("dilemma", "dilemmas.jsonl"), ("probe", "probes.jsonl")] + \
                [(kind, name) for kind, name in OUTPUT_FILES.items() if kind in sinks]
            # Each target takes the kinds it declares (emit/kinds.py) and skips the rest.
            outputs += run_targets(staging.path, options.targets, canonical, model=options.model,
                                   about=about(constitution))
        built = manifest(constitution, options, runner, outputs, tally)
        staging.write_manifest(built)
        staging.commit()
    return GenerateResult(manifest=built, rejected=runner.rejected)


def _wanted(kind: str, options: GenerateOptions, authored_drafts: bool = False) -> bool:
    """Revisions come from the critique pass, or from drafts an author left for the model to revise."""
    if kind == "revision" and not (options.critique or authored_drafts):
        return False
    return any(kind in GROUPS[group] for group in options.kinds)


def manifest(constitution: Constitution, options: GenerateOptions, runner: Runner, outputs: list[dict],
             tally: dict[str, Counter]) -> dict:
    from ..emit import source_paths

    records = {o["path"].removesuffix(".jsonl"): o["records"] for o in outputs if o["path"].endswith(".jsonl")}
    from ..emit.manifest import about

    return {
        "compiler": {"name": "constitutionc", "version": __version__},
        "constitution": about(constitution),
        "seed": options.seed,
        "options": options.as_manifest(),
        "sources": [{"path": f.path, "sha256": f.sha256} for f in constitution.files
                    if f.path in set(source_paths(constitution))],
        "outputs": outputs,
        "records": records,
        "principles": {p.id: dict(sorted(tally.get(p.id, Counter()).items())) for p in constitution.principles},
        "generation": {"provider": runner.session.provider_name, "model": options.model,
                       "counts": {"dilemmas_per_family": runner.counts.dilemmas_per_family,
                                  "stories": runner.counts.stories, "episodes": runner.counts.episodes,
                                  "documents": runner.counts.documents},
                       "prompts": dict(sorted(runner.prompts_used.items())), "requests": runner.requests,
                       "rejected": runner.rejected, "usage": dict(sorted(runner.usage.items()))},
    }


def estimate(constitution: Constitution, options: GenerateOptions, session) -> GenerateResult:
    runner = Runner(constitution, options, session)
    rows, source = runner.estimate()
    return GenerateResult(estimates=rows, token_source=source)
