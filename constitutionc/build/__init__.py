"""`constitutionc build`: a checked constitution to canonical JSONL records, targets and a manifest.

Stages, one module each: `expand` (combinations -> sampled instances, shards),
`records` (an instance -> plain record dicts), `backends` (the registry of
record kinds), `writer` (streaming, atomic output). This module runs them and
keeps the counts the manifest and the summary report.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .. import __version__
from ..ir import Constitution
from . import expand
from .backends import BACKENDS, STYLES, Backend, Unit
from .records import GeneratorContext, UnboundSlotError
from .writer import MANIFEST, OutputError, Staging, file_entry, read_records

__all__ = ["BuildOptions", "BuildResult", "MergeError", "OutputError", "UnboundSlotError", "build", "merge",
           "BACKENDS"]

STYLE_CHOICES = {"inline": ("inline",), "separate": ("separate",), "both": STYLES}


@dataclass(frozen=True)
class BuildOptions:
    seed: int = 0
    only: tuple[str, ...] = tuple(BACKENDS)
    targets: tuple[str, ...] = ()
    limit: int | None = None
    shard: tuple[int, int] | None = None  # (index from 0, count)
    style: str = "both"
    max_combinations: int | None = None

    def backends(self) -> list[Backend]:
        return [b for name, b in BACKENDS.items() if name in self.only]

    def as_manifest(self) -> dict:
        return {"only": [b.name for b in self.backends()], "targets": list(self.targets), "limit": self.limit,
                "style": self.style, "max_combinations": self.max_combinations}


@dataclass
class BuildResult:
    manifest: dict
    out_dir: Path

    @property
    def records(self) -> dict[str, int]:
        return self.manifest["records"]


@dataclass
class Tally:
    """Records per kind, per principle (by the clauses they cite) and instances per generator."""

    principles: dict[str, Counter] = field(default_factory=dict)
    # (kind, sources list) -> records; a generator's sources lists are shared objects, so counting
    # by list and expanding once at the end keeps the per-record cost to one dict update.
    _by_sources: Counter = field(default_factory=Counter)
    _lists: dict[int, list] = field(default_factory=dict)

    def add(self, kind: str, records: list[dict]) -> None:
        for record in records:
            sources = record["sources"]
            key = id(sources)
            if key not in self._lists:
                self._lists[key] = sources
            self._by_sources[(kind, key)] += 1

    def per_principle(self, constitution: Constitution, kinds: Iterable[str]) -> dict[str, dict[str, int]]:
        out = {p.id: {kind: 0 for kind in kinds} for p in constitution.principles}
        for (kind, key), n in self._by_sources.items():
            for source in self._lists[key]:
                out.setdefault(source["clause"], {k: 0 for k in kinds})[kind] += n
        return out


Progress = Callable[[int], None]


def build(constitution: Constitution, out_dir: Path, options: BuildOptions, *,
          on_plan: Callable[[int], None] | None = None, progress: Progress | None = None) -> BuildResult:
    """Build into `out_dir` atomically. Raises UnboundSlotError, OutputError or OSError; DIR is then untouched."""
    backends = options.backends()
    styles = STYLE_CHOICES[options.style]
    plan = expand.plan(constitution, options.seed, kinds={b.generator_kind for b in backends},
                       limit=options.limit, shard=options.shard)
    if on_plan:
        on_plan(plan.size)
    staging = Staging(out_dir)
    try:
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
            if progress and done % 256 == 0:
                progress(256)
        if progress:
            progress(done % 256)
        staging.close_sinks()
        outputs = [{"path": sinks[b.name].path.name, "sha256": sinks[b.name].sha256,
                    "records": sinks[b.name].records} for b in backends]
        outputs += run_targets(staging.path, options.targets, backends)
        manifest = _manifest(constitution, options, outputs, backends,
                             tally.per_principle(constitution, [b.kind for b in backends]),
                             plan.built_per_generator())
        staging.write_manifest(manifest)
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    return BuildResult(manifest, Path(out_dir))


def run_targets(root: Path, targets: Iterable[str], backends: list[Backend]) -> list[dict]:
    """Feed each target the canonical records, file by file in registry order, read back from `root`.

    Reading back (rather than feeding records as they are made) gives targets the same stream
    in a build and in a merge of shards, so their files are identical too.
    """
    targets = list(targets)
    if not targets:
        return []
    from .targets import TARGETS

    entries = []
    for name in targets:
        target = TARGETS[name](root / name)
        for b in backends:
            for record in read_records(root / b.filename):
                target.write(b.kind, record)
        for path in target.close():
            entries.append(file_entry(root, Path(path)))
    return entries


def _manifest(constitution: Constitution, options: BuildOptions, outputs: list[dict], backends: list[Backend],
              principles: dict, generators: dict) -> dict:
    records = {b.kind: next(o["records"] for o in outputs if o["path"] == b.filename) for b in backends}
    return {
        "compiler": {"name": "constitutionc", "version": __version__},
        "seed": options.seed,
        "shard": None if options.shard is None else {"index": options.shard[0], "count": options.shard[1]},
        "options": options.as_manifest(),
        "sources": [{"path": f.path, "sha256": f.sha256} for f in constitution.files],
        "outputs": sorted(outputs, key=lambda o: o["path"]),
        "records": records,
        "principles": principles,
        "generators": generators,
    }


# --- merging shards ---------------------------------------------------------------------------------

class MergeError(Exception):
    """Shard manifests disagree or a shard is missing; the message is one line."""


def _load_manifest(directory: Path) -> dict:
    import json

    path = directory / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(f"{directory}: no {MANIFEST}; is it a shard build's output?") from None
    except (OSError, ValueError) as e:
        raise MergeError(f"{path}: cannot read ({e})") from None


SHARD_AGREEMENT = ("compiler", "seed", "options", "sources")


def merge(shard_dirs: list[Path], out_dir: Path) -> BuildResult:
    """Join shard outputs into the unsharded build's output, byte for byte."""
    manifests = [(Path(d), _load_manifest(Path(d))) for d in shard_dirs]
    first_dir, first = manifests[0]
    for directory, manifest in manifests:
        if manifest.get("shard") is None:
            raise MergeError(f"{directory} is not a shard (built without --shard)")
        for key in SHARD_AGREEMENT:
            if manifest.get(key) != first.get(key):
                raise MergeError(f"{directory} and {first_dir} disagree on {key}; "
                                 "shards must come from the same inputs and options")
    count = first["shard"]["count"]
    by_index: dict[int, Path] = {}
    for directory, manifest in manifests:
        if manifest["shard"]["count"] != count:
            raise MergeError(f"{directory} is shard {manifest['shard']['index']}/{manifest['shard']['count']}, "
                             f"but {first_dir} is one of {count}")
        index = manifest["shard"]["index"]
        if index in by_index:
            raise MergeError(f"shard {index}/{count} is given twice: {by_index[index]} and {directory}")
        by_index[index] = directory
    missing = sorted(set(range(count)) - set(by_index))
    if missing:
        raise MergeError(f"missing shard(s) {', '.join(f'{i}/{count}' for i in missing)}")
    ordered = [m for _d, m in sorted(manifests, key=lambda dm: dm[1]["shard"]["index"])]
    dirs = [by_index[i] for i in range(count)]
    backends = [BACKENDS[name] for name in first["options"]["only"]]

    staging = Staging(out_dir)
    try:
        outputs = []
        for b in backends:
            sink = staging.sink(b.filename)
            for directory, manifest in zip(dirs, ordered):
                _copy_verified(directory, manifest, b.filename, sink)
            sink.close()
            outputs.append({"path": b.filename, "sha256": sink.sha256, "records": sink.records})
        outputs += run_targets(staging.path, first["options"]["targets"], backends)
        merged = {key: first[key] for key in SHARD_AGREEMENT}
        merged["shard"] = None
        merged["outputs"] = sorted(outputs, key=lambda o: o["path"])
        merged["records"] = {b.kind: next(o["records"] for o in outputs if o["path"] == b.filename)
                             for b in backends}
        merged["principles"] = _sum_nested([m["principles"] for m in ordered])
        merged["generators"] = _merge_generators([m["generators"] for m in ordered])
        staging.write_manifest(merged)
        staging.commit()
    except BaseException:
        staging.abort()
        raise
    return BuildResult(merged, Path(out_dir))


def _copy_verified(directory: Path, manifest: dict, filename: str, sink) -> None:
    """Append a shard's file to `sink`, checking it against the sha256 its manifest recorded."""
    expected = next((o["sha256"] for o in manifest["outputs"] if o["path"] == filename), None)
    digest = hashlib.sha256()
    try:
        handle = open(directory / filename, "rb")
    except FileNotFoundError:
        raise MergeError(f"{directory} has no {filename}, though its manifest lists it") from None
    with handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            sink.write_raw(chunk)
    if digest.hexdigest() != expected:
        raise MergeError(f"{directory / filename} does not match the sha256 in its manifest "
                         "(truncated or edited since the shard was built?)")


def _sum_nested(tables: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for table in tables:
        for key, counts in table.items():
            row = out.setdefault(key, {})
            for kind, n in counts.items():
                row[kind] = row.get(kind, 0) + n
    return out


def _merge_generators(tables: list[dict[str, dict]]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for table in tables:
        for gid, entry in table.items():
            row = out.setdefault(gid, {"combinations": entry["combinations"], "instances": 0,
                                       "focus": {pid: 0 for pid in entry["focus"]}})
            row["instances"] += entry["instances"]
            for pid, n in entry["focus"].items():
                row["focus"][pid] += n
    return out


def balance(manifest: dict) -> dict[str, tuple]:
    """Per record kind: (min, median, max) records per principle, with the principles at the extremes."""
    out = {}
    kinds = list(manifest["records"])
    for kind in kinds:
        counts = sorted((row.get(kind, 0), pid) for pid, row in manifest["principles"].items())
        if counts:
            out[kind] = (counts[0], statistics.median(n for n, _ in counts), counts[-1])
    return out
