"""`constitutionc build`: a checked constitution to canonical JSONL records, targets and a manifest.

Stages, one module each: `expand` (combinations -> sampled instances, shards),
`records` (an instance -> plain record dicts), `backends` (the registry of
record kinds), `writer` (streaming, atomic output), `targets` (formats made
from the canonical records), `manifest` (what was built, the balance) and
`merge` (joining shards). `build` below runs them in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..ir import Constitution
from ..spec import STD_PREFIX
from . import expand
from .backends import BACKENDS, STYLES, Backend, Unit
from .manifest import BuildResult, Tally, balance, manifest, summary_rows
from .merge import MergeError, merge
from .records import BuildInputError, GeneratorContext, GeneratorError, UnboundSlotError
from .targets import run_targets
from .writer import OutputError, Staging

__all__ = ["BACKENDS", "BuildInputError", "BuildOptions", "BuildResult", "GeneratorError", "MergeError",
           "OutputError", "UnboundSlotError", "balance", "build", "merge", "summary_rows"]

STYLE_CHOICES = {"inline": ("inline",), "separate": ("separate",), "both": STYLES}
PROGRESS_STEP = 256  # instances between progress callbacks


@dataclass(frozen=True)
class BuildOptions:
    seed: int = 0
    only: tuple[str, ...] = tuple(BACKENDS)
    targets: tuple[str, ...] = ()
    model: str | None = None  # for targets that name a model (anthropic, promptfoo); None: their default
    limit: int | None = None
    shard: tuple[int, int] | None = None  # (index from 0, count)
    style: str = "both"
    max_combinations: int | None = None

    def backends(self) -> list[Backend]:
        return [b for name, b in BACKENDS.items() if name in self.only]

    def as_manifest(self) -> dict:
        options = {"only": [b.name for b in self.backends()], "targets": list(self.targets), "limit": self.limit,
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
    backends = options.backends()
    styles = STYLE_CHOICES[options.style]
    plan = expand.plan(constitution, options.seed, kinds={b.generator_kind for b in backends},
                       limit=options.limit, shard=options.shard)
    if on_plan:
        on_plan(plan.size)
    with Staging(out_dir, protected=source_paths(constitution)) as staging:
        sinks = {b.name: staging.sink(b.filename) for b in backends}
        by_generator_kind: dict[str, list[Backend]] = {}
        for b in backends:
            by_generator_kind.setdefault(b.generator_kind, []).append(b)
        tally = Tally()
        ctx: GeneratorContext | None = None
        done = 0
        for instance in plan.instances():
            generator = instance.generator
            if ctx is None or ctx.generator is not generator:
                ctx = GeneratorContext(constitution, generator, options.seed)
            unit = Unit(ctx, instance, styles)
            for b in by_generator_kind.get(generator.kind, ()):
                write = sinks[b.name].write
                records = b.produce(unit)
                for record in records:
                    write(record)
                tally.add(b.kind, records)
            done += 1
            if progress and done % PROGRESS_STEP == 0:
                progress(PROGRESS_STEP)
        if progress:
            progress(done % PROGRESS_STEP)
        staging.close_sinks()
        outputs = [{"path": sinks[b.name].path.name, "sha256": sinks[b.name].sha256,
                    "records": sinks[b.name].records} for b in backends]
        outputs += run_targets(staging.path, options.targets, [(b.kind, b.filename) for b in backends],
                               model=options.model)
        built = manifest(constitution, options.seed, options.shard, options.as_manifest(), outputs, backends,
                         tally.per_principle(constitution, [b.kind for b in backends]),
                         plan.built_per_generator())
        staging.write_manifest(built)
        staging.commit()
    return BuildResult(built, Path(out_dir), staging.warnings)
