"""Merging shards: check that shard manifests agree and join their files into the unsharded build's output.

Shards are contiguous slices of the global instance sequence (see `expand.shard_range`),
so concatenating their files in shard order gives the unsharded files byte for byte;
the targets are then re-run on the joined records and a manifest written.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import kinds as record_kinds
from .manifest import BuildResult, records_per_kind, relative_root
from .targets import TARGETS, run_targets
from .trust import shape_problem
from .writer import MANIFEST, BUFFER_BYTES, JsonlSink, Staging

SHARD_AGREEMENT = ("compiler", "constitution", "seed", "options", "sources")


class MergeError(Exception):
    """Shard manifests disagree or a shard is missing; the message is one line."""


def merge(shard_dirs: list[Path], out_dir: Path) -> BuildResult:
    """Join shard outputs into the unsharded build's output, byte for byte."""
    shard_dirs = [Path(d) for d in shard_dirs]
    manifests = [(d, _load_manifest(d)) for d in shard_dirs]
    by_index = _check_shards(manifests)
    ordered = [by_index[i] for i in range(len(by_index))]
    first = manifests[0][1]
    kinds = [record_kinds.by_plural(plural) for plural in first["options"]["only"]]  # known: _load_manifest

    with Staging(out_dir, protected=shard_dirs) as staging:
        outputs = []
        for k in kinds:
            sink = staging.sink(k.filename)
            for directory, manifest in ordered:
                _copy_verified(directory, manifest, k.filename, sink)
            sink.close()
            outputs.append({"path": k.filename, "sha256": sink.sha256, "records": sink.records})
        try:
            outputs += run_targets(staging.path, first["options"]["targets"],
                                   [(k.name, k.filename) for k in kinds], model=first["options"].get("model"),
                                   about=first.get("constitution") or {})
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            # The records match their manifests' sha256s, but a manifest can be written by hand.
            raise MergeError(f"the shards' records are not records this compiler writes "
                             f"({type(e).__name__}: {str(e)[:200]})") from None
        merged = {key: first.get(key) for key in SHARD_AGREEMENT}
        merged["shard"] = None
        merged["project"] = _merged_project(manifests[0], out_dir)
        merged["outputs"] = sorted(outputs, key=lambda o: o["path"])
        merged["records"] = records_per_kind(outputs, kinds)
        merged["variants"] = _sum_nested([m.get("variants") or {} for _d, m in ordered])
        merged["principles"] = _sum_nested([m["principles"] for _d, m in ordered])
        merged["generators"] = _merge_generators([m["generators"] for _d, m in ordered])
        staging.write_manifest(merged)
        staging.commit()
    return BuildResult(merged, Path(out_dir), staging.warnings)


def _merged_project(first: tuple[Path, dict], out_dir: Path) -> dict | None:
    """The first shard's project, its root re-expressed from the merged output (shards may sit elsewhere)."""
    directory, manifest = first
    recorded = manifest.get("project")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("constitution"), str):
        return None
    root = recorded.get("root")
    absolute = (directory / root).resolve() if isinstance(root, str) else None
    return {"constitution": recorded["constitution"], "root": relative_root(absolute, out_dir)}


def _load_manifest(directory: Path) -> dict:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(f"{directory}: no {MANIFEST}; is it a shard build's output?") from None
    except (OSError, ValueError, RecursionError) as e:
        raise MergeError(f"{path}: cannot read ({e})") from None
    problem = shape_problem(manifest)
    if problem:
        raise MergeError(f"{path} is not a build manifest: {problem}")
    plurals = {k.plural for k in record_kinds.KINDS.values()}  # the names a build's manifest records
    unknown = [kind for kind in manifest["options"]["only"] if kind not in plurals]
    if unknown:
        raise MergeError(f"{path} names record kinds this compiler does not know: {', '.join(unknown)[:200]}")
    unknown = [name for name in manifest["options"].get("targets", []) if name not in TARGETS]
    if unknown:
        raise MergeError(f"{path} names targets this compiler does not know: {', '.join(unknown)[:200]}")
    return manifest


def _check_shards(manifests: list[tuple[Path, dict]]) -> dict[int, tuple[Path, dict]]:
    """Every manifest is a shard of the same build and each index 0..N-1 is given once.

    Returns shard index -> (directory, manifest)."""
    first_dir, first = manifests[0]
    for directory, manifest in manifests:
        if manifest.get("shard") is None:
            raise MergeError(f"{directory} is not a shard (built without --shard)")
        for key in SHARD_AGREEMENT:
            if manifest.get(key) != first.get(key):
                raise MergeError(f"{directory} and {first_dir} disagree on {key}; "
                                 "shards must come from the same inputs and options")
    count = first["shard"]["count"]
    by_index: dict[int, tuple[Path, dict]] = {}
    for directory, manifest in manifests:
        if manifest["shard"]["count"] != count:
            raise MergeError(f"{directory} is shard {manifest['shard']['index']}/{manifest['shard']['count']}, "
                             f"but {first_dir} is one of {count}")
        index = manifest["shard"]["index"]
        if not 0 <= index < count:
            raise MergeError(f"{directory} claims to be shard {index}/{count}, which does not exist")
        if index in by_index:
            raise MergeError(f"shard {index}/{count} is given twice: {by_index[index][0]} and {directory}")
        by_index[index] = (directory, manifest)
    missing = sorted(set(range(count)) - set(by_index))
    if missing:
        raise MergeError(f"missing shard(s) {', '.join(f'{i}/{count}' for i in missing)}")
    return by_index


def _copy_verified(directory: Path, manifest: dict, filename: str, sink: JsonlSink) -> None:
    """Append a shard's file to `sink`, checking it against the sha256 its manifest recorded."""
    expected = next((o["sha256"] for o in manifest["outputs"] if o["path"] == filename), None)
    digest = hashlib.sha256()
    try:
        handle = open(directory / filename, "rb")
    except FileNotFoundError:
        raise MergeError(f"{directory} has no {filename}, though its manifest lists it") from None
    except OSError as e:
        raise MergeError(f"cannot read shard file {directory / filename}: {e.strerror or e}") from None
    with handle:
        while True:
            try:
                chunk = handle.read(BUFFER_BYTES)
            except OSError as e:  # a read error is the shard's; a write error below is the output's
                raise MergeError(f"cannot read shard file {directory / filename}: {e.strerror or e}") from None
            if not chunk:
                break
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
