"""What a manifest read back from disk may be trusted with.

A `manifest.json` is data anyone can write. Merging reads shard manifests and a
build reads the previous DIR's manifest to decide what it may delete; neither
may crash on a malformed one nor delete a file on its word alone. `shape_problem`
checks the structure a manifest must have; `unverified_outputs` checks the
files it lists against their sha256s.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

BUFFER_BYTES = 1 << 20


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _counts(table: Any) -> bool:
    return isinstance(table, dict) and all(isinstance(row, dict) and all(_is_int(n) for n in row.values())
                                           for row in table.values())


def outputs_problem(manifest: Any) -> str | None:
    """Why a manifest's `outputs` list cannot be used (None when it can)."""
    if not isinstance(manifest, dict):
        return "it is not a JSON object"
    outputs = manifest.get("outputs")
    if not isinstance(outputs, list):
        return "`outputs` is not a list"
    for entry in outputs:
        if not (isinstance(entry, dict) and isinstance(entry.get("path"), str) and entry["path"]
                and isinstance(entry.get("sha256"), str)):
            return "an entry of `outputs` lacks a `path` or `sha256` string"
        if not _inside(entry["path"]):
            return f"`outputs` names {entry['path'][:200]!r}, which is not a path inside the output directory"
    return None


def shape_problem(manifest: Any) -> str | None:
    """Why a shard manifest cannot be merged (None when its structure is sound)."""
    problem = outputs_problem(manifest)
    if problem:
        return problem
    shard = manifest.get("shard")
    if shard is not None and not (isinstance(shard, dict) and _is_int(shard.get("index"))
                                  and _is_int(shard.get("count"))):
        return "`shard` is not an object with whole-number `index` and `count`"
    options = manifest.get("options")
    if not (isinstance(options, dict) and isinstance(options.get("only"), list)
            and all(isinstance(k, str) for k in options["only"])
            and isinstance(options.get("targets", []), list)
            and all(isinstance(t, str) for t in options.get("targets", []))):
        return "`options` is not an object with `only` and `targets` lists of names"
    if not isinstance(options.get("model"), (str, type(None))):
        return "`options.model` is not a name"
    if not _counts(manifest.get("principles")):
        return "`principles` is not a table of counts"
    generators = manifest.get("generators")
    if not (isinstance(generators, dict)
            and all(isinstance(g, dict) and _is_int(g.get("combinations")) and _is_int(g.get("instances"))
                    and isinstance(g.get("focus"), dict) and all(_is_int(n) for n in g["focus"].values())
                    for g in generators.values())):
        return "`generators` is not a table of combinations, instances and focus counts"
    return None


def _inside(relative: str) -> bool:
    parts = Path(relative).parts
    return not (Path(relative).is_absolute() or ".." in parts or "\\" in relative or "\0" in relative)


def unverified_outputs(directory: Path, outputs: list[dict]) -> list[str]:
    """The listed files that are not what the manifest says: missing, not regular files, or changed."""
    bad = []
    for entry in outputs:
        path = directory / entry["path"]
        try:
            if path.is_symlink() or not path.is_file() or _sha256(path) != entry["sha256"]:
                bad.append(entry["path"])
        except OSError:
            bad.append(entry["path"])
    return bad


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as handle:
        for chunk in iter(lambda: handle.read(BUFFER_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def symlinks_under(directory: Path) -> list[str]:
    """Symbolic links anywhere under `directory` (a build writes none), as POSIX paths relative to it."""
    found = []
    for folder, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = Path(folder) / name
            if path.is_symlink():
                found.append(path.relative_to(directory).as_posix())
    return sorted(found)
