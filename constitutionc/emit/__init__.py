"""`constitutionc build`: a checked constitution to canonical JSONL records, targets and a manifest.

Stages, one module each: `kinds` (the registry of record kinds), `expand`
(combinations -> sampled instances, shards), `records` (an instance -> plain
record dicts), `backends` (each offline kind's producer), `writer` (streaming,
atomic output), `targets` (formats made from the canonical records), `manifest`
(what was built, the balance) and `merge` (joining shards). `build` below runs
them in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..ir import Constitution
from ..spec import STD_PREFIX
from . import expand, kinds
from .backends import STYLES, ItemUnit, Unit
from .kinds import KINDS, PRODUCERS, RecordKind
from .manifest import BuildResult, Tally, about, balance, manifest, project, summary_rows
from .merge import MergeError, merge
from .records import BuildInputError, GeneratorContext, GeneratorError, UnboundSlotError
from .targets import run_targets
from .writer import OutputError, Staging

__all__ = ["KINDS", "BuildInputError", "BuildOptions", "BuildResult", "GeneratorError", "MergeError",
           "OutputError", "RecordKind", "UnboundSlotError", "balance", "build", "default_only", "merge",
           "summary_rows"]

STYLE_CHOICES = {"inline": ("inline",), "separate": ("separate",), "both": STYLES}
PROGRESS_STEP = 256  # instances between progress callbacks


def default_only() -> tuple[str, ...]:
    """What a build makes without `--only`: the kinds on by default, by the names `--only` uses."""
    return tuple(k.plural for k in kinds.defaults())


@dataclass(frozen=True)
class BuildOptions:
    seed: int = 0
    only: tuple[str, ...] = field(default_factory=default_only)  # kinds' plurals (or names)
    targets: tuple[str, ...] = ()
    model: str | None = None  # for targets that name a model (anthropic, promptfoo); None: their default
    limit: int | None = None
    shard: tuple[int, int] | None = None  # (index from 0, count)
    style: str = "both"
    max_combinations: int | None = None

    def kinds(self) -> list[RecordKind]:
        """The offline kinds asked for, in registry order (model-written kinds are never built here)."""
        return kinds.in_order(k for name in self.only if (k := kinds.lookup(name)) is not None and k.offline)

    def as_manifest(self) -> dict:
        options = {"only": [k.plural for k in self.kinds()], "targets": list(self.targets), "limit": self.limit,
                   "style": self.style, "max_combinations": self.max_combinations}
        if self.model is not None:
            options["model"] = self.model
        return options


def source_paths(constitution: Constitution) -> list[str]:
    """The constitution's files on disk (the standard library ships with the package)."""
    return [f.path for f in constitution.files if not f.path.startswith(STD_PREFIX)]


def build(constitution: Constitution, out_dir: Path, options: BuildOptions, *,
          on_plan: Callable[[int], None] | None = None, progress: Callable[[int], None] | None = None) -> BuildResult:
    """Build into `out_dir` atomically. Raises BuildInputError, OutputError or OSError; DIR is then untouched."""
    built_kinds = options.kinds()
    styles = STYLE_CHOICES[options.style]
    plan = expand.plan(constitution, options.seed, kinds={k.feed for k in built_kinds},
                       limit=options.limit, shard=options.shard)
    if on_plan:
        on_plan(plan.size)
    with Staging(out_dir, protected=source_paths(constitution)) as staging:
        sinks = {k.name: staging.sink(k.filename) for k in built_kinds}
        # feed -> (kind name, its producer, its sink's write) for each kind that feed makes
        by_feed: dict[str, list] = {}
        for k in built_kinds:
            by_feed.setdefault(k.feed, []).append((k.name, PRODUCERS[k.name], sinks[k.name].write))
        tally = Tally()
        ctx: GeneratorContext | None = None
        done = 0
        for instance in plan.instances():
            if isinstance(instance, expand.Item):
                unit = ItemUnit(constitution, instance.feed, instance.node, options.seed, styles)
                makers = by_feed[instance.feed]
            else:
                generator = instance.generator
                if ctx is None or ctx.generator is not generator:
                    ctx = GeneratorContext(constitution, generator, options.seed)
                unit = Unit(ctx, instance, styles)
                makers = by_feed.get(generator.kind, ())
            for name, produce, write in makers:
                records = produce(unit)
                for record in records:
                    write(record)
                tally.add(name, records)
            done += 1
            if progress and done % PROGRESS_STEP == 0:
                progress(PROGRESS_STEP)
        if progress:
            progress(done % PROGRESS_STEP)
        staging.close_sinks()
        outputs = [{"path": sinks[k.name].path.name, "sha256": sinks[k.name].sha256,
                    "records": sinks[k.name].records} for k in built_kinds]
        outputs += run_targets(staging.path, options.targets, [(k.name, k.filename) for k in built_kinds],
                               model=options.model, about=about(constitution))
        built = manifest(constitution, options.seed, options.shard, options.as_manifest(), outputs, built_kinds,
                         tally.per_principle(constitution, [k.name for k in built_kinds]),
                         plan.built_per_generator(), tally.variants(), project(constitution, Path(out_dir)))
        staging.write_manifest(built)
        staging.commit()
    return BuildResult(built, Path(out_dir), staging.warnings)
