"""The manifest: what a build made from what, and the balance figures the summary prints.

`Tally` counts records per principle as they stream; `manifest` assembles the
document (no timestamps, no absolute paths); `balance` and `summary_rows` read
a manifest back, so a build and a merge of shards report the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from .. import __version__
from ..ir import Constitution
from .kinds import RecordKind


@dataclass
class BuildResult:
    manifest: dict
    out_dir: Path
    warnings: list[str] = field(default_factory=list)  # the output is complete; something beside it is not

    @property
    def records(self) -> dict[str, int]:
        return self.manifest["records"]


@dataclass
class Tally:
    """Records per kind, per principle (by the clauses they cite)."""

    # (kind, sources list) -> records; a generator's sources lists are shared objects, so counting
    # by list and expanding once at the end keeps the per-record cost to one dict update.
    _by_sources: Counter = field(default_factory=Counter)
    _lists: dict[int, list] = field(default_factory=dict)
    _variants: Counter = field(default_factory=Counter)  # (kind, variant) -> records, for kinds with variants

    def add(self, kind: str, records: list[dict]) -> None:
        for record in records:
            sources = record["sources"]
            key = id(sources)
            if key not in self._lists:
                self._lists[key] = sources
            self._by_sources[(kind, key)] += 1
            variant = record.get("variant")
            if variant is not None:
                self._variants[(kind, variant)] += 1

    def variants(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for (kind, variant), n in sorted(self._variants.items()):
            out.setdefault(kind, {})[variant] = n
        return out

    def per_principle(self, constitution: Constitution, kinds: Iterable[str]) -> dict[str, dict[str, int]]:
        kinds = list(kinds)
        out = {p.id: {kind: 0 for kind in kinds} for p in constitution.principles}
        for (kind, key), n in self._by_sources.items():
            for source in self._lists[key]:
                out.setdefault(source["clause"], {k: 0 for k in kinds})[kind] += n
        return out


def records_per_kind(outputs: list[dict], kinds: list[RecordKind]) -> dict[str, int]:
    """Each kind's record count, read from its file's entry in `outputs`."""
    counts = {o["path"]: o["records"] for o in outputs}
    return {k.name: counts[k.filename] for k in kinds}


def source_list(constitution: Constitution) -> list[dict]:
    return sorted(({"path": f.project_path or f.path, "sha256": f.sha256} for f in constitution.files),
                  key=lambda f: f["path"])


def _entry(constitution: Constitution):
    """The first file named on the command line (older IR without `entries`: the first project file)."""
    files = [f for f in constitution.files if f.project_path and not f.project_path.startswith("std:")]
    return next((f for name in constitution.entries for f in files if f.project_path == name),
                files[0] if files else None)


def project_root(constitution: Constitution) -> Path | None:
    """The project root the sources' paths are relative to: the entry file's location less its project path."""
    entry = _entry(constitution)
    if entry is None:
        return None
    parts = PurePosixPath(entry.project_path).parts
    absolute = Path(entry.path).resolve()
    if ".." in parts or len(parts) > len(absolute.parts) - 1:
        return None
    root = absolute.parents[len(parts) - 1]
    return root if root.joinpath(*parts) == absolute else None


PROJECT_MARKERS = (".git", "pyproject.toml", "constitutionc.toml")


def relative_root(root: Path | None, out_dir: Path) -> str | None:
    """`root` as seen from the output directory ("..", "../constitutions") when both lie in one project:
    the output is inside the root, or their nearest common directory holds a `.git`, `pyproject.toml` or
    `constitutionc.toml`. None otherwise: a path out of the project would name this machine's directories
    (`../../home/me/...`), and two builds of the same project would differ."""
    if root is None:
        return None
    out = Path(out_dir).resolve()
    common = Path(os.path.commonpath([root, out]))
    if common != root and not any((common / marker).exists() for marker in PROJECT_MARKERS):
        return None
    return Path(os.path.relpath(root, out)).as_posix()


def project(constitution: Constitution, out_dir: Path) -> dict | None:
    """Where the build came from: the entry file's project path and, when the output is in the same
    project, the root relative to the output (so `audit OUT` finds the constitution without searching)."""
    entry = _entry(constitution)
    if entry is None:
        return None
    return {"constitution": entry.project_path, "root": relative_root(project_root(constitution), out_dir)}


def about(constitution: Constitution) -> dict:
    """What the constitution is, for the manifest and the targets that describe a dataset (the hf card).
    `sha256` identifies the whole constitution: a hash of its files' paths and hashes."""
    header = constitution.header
    digest = hashlib.sha256(json.dumps(source_list(constitution), sort_keys=True).encode("utf-8")).hexdigest()
    return {"title": header.title, "version": header.version, "licence": header.licence, "sha256": digest}


def manifest(constitution: Constitution, seed: int, shard: tuple[int, int] | None, options: dict,
             outputs: list[dict], kinds: list[RecordKind], principles: dict, generators: dict,
             variants: dict, project: dict | None = None) -> dict:
    return {
        "compiler": {"name": "constitutionc", "version": __version__},
        "constitution": about(constitution),
        "project": project,
        "seed": seed,
        "shard": None if shard is None else {"index": shard[0], "count": shard[1]},
        "options": options,
        "sources": source_list(constitution),
        "outputs": sorted(outputs, key=lambda o: o["path"]),
        "records": records_per_kind(outputs, kinds),
        "variants": variants,
        "principles": principles,
        "generators": generators,
    }


def balance(manifest: dict) -> dict[str, tuple[tuple[int, list[str]], float, tuple[int, list[str]]]]:
    """Per record kind: how many of its records cite each principle, as (fewest, median, most), the
    extremes with every principle at them (sorted), so a tie is never reported as one principle."""
    out = {}
    for kind in manifest["records"]:
        counts = sorted((row.get(kind, 0), pid) for pid, row in manifest["principles"].items())
        if counts:
            low, high = counts[0][0], counts[-1][0]
            out[kind] = ((low, [pid for n, pid in counts if n == low]),
                         statistics.median(n for n, _ in counts),
                         (high, [pid for n, pid in counts if n == high]))
    return out


def _extreme(count: int, principles: list[str]) -> str:
    """`3 (care)` for one principle at the extreme, `0 (4 principles)` for a tie."""
    return f"{count} ({principles[0]})" if len(principles) == 1 else f"{count} ({len(principles)} principles)"


def grid_rows(manifest: dict) -> list[tuple[str, int, int]]:
    """(generator, combinations after the variation rules, instances built), in name order."""
    return [(name, entry["combinations"], entry["instances"])
            for name, entry in sorted(manifest.get("generators", {}).items())]


def summary_rows(manifest: dict) -> list[tuple[str, int, str | None]]:
    """(kind, records, spread) where spread says how many of the kind's records cite each principle
    (`min 0 (care), median 2, max 5 (4 principles)`), or `None` when there is nothing to spread: no
    records, no principles, or every principle cited by the same number."""
    stats = balance(manifest)
    rows = []
    for kind, n in manifest["records"].items():
        spread = None
        if n and kind in stats:
            (low, fewest), median, (high, most) = stats[kind]
            if low == high:
                spread = f"{low} for every principle" if low else "none cites a principle"
            else:
                spread = f"min {_extreme(low, fewest)}, median {median:g}, max {_extreme(high, most)}"
        rows.append((kind, n, spread))
    return rows


def offline_line(manifest: dict) -> str | None:
    """One line: what the offline build produced for training and what still needs a model."""
    records = manifest.get("records", {})
    if "dilemma" not in records:
        return None
    dilemmas = records["dilemma"]
    answered = manifest.get("variants", {}).get("response", {}).get("bare", 0)
    produced = [f"{dilemmas} prompts"]
    if "brief" in records:
        produced.append(f"{records['brief']} briefs")
    produced.append(f"{answered} authored answers")
    if "probe" in records:
        produced.append(f"{records['probe']} probes")
    waiting = dilemmas - answered
    needs = (f"answers to the {waiting} dilemmas without a `reply:` (`constitutionc generate` "
             "writes them from the briefs)" if waiting else "nothing")
    return f"offline: {', '.join(produced)}; needs a model: {needs}"


# How far `find_constitution` looks below the working directory for a build made outside its project.
SEARCH_DEPTH = 6
SEARCH_DIRECTORIES = 4000
SKIPPED_DIRECTORIES = frozenset({"node_modules", "__pycache__", "site-packages"})


def _recorded_entry(out_dir: Path) -> tuple[str, str, str | None] | None:
    """(the entry's project path, its sha256, the recorded root) from the build's manifest, if it has them."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_bytes())
        digests = {s["path"]: s["sha256"] for s in manifest.get("sources", []) if isinstance(s, dict)}
        recorded = manifest.get("project") if isinstance(manifest.get("project"), dict) else {}
        entry = recorded.get("constitution") or next(p for p in digests if not str(p).startswith("std:"))
        root = recorded.get("root")
        return entry, digests[entry], root if isinstance(root, str) else None
    except (OSError, ValueError, AttributeError, TypeError, KeyError, StopIteration):
        return None


def _matches(candidate: Path, digest: str) -> bool:
    try:
        return candidate.is_file() and hashlib.sha256(candidate.read_bytes()).hexdigest() == digest
    except OSError:
        return False


def _below(start: Path, relative: PurePosixPath) -> Iterable[Path]:
    """`DIR/relative` for the directories DIR under `start`, breadth first, nearest first, within bounds
    (hidden directories, virtual environments and caches skipped)."""
    level, seen = [start], 0
    for _ in range(SEARCH_DEPTH + 1):
        following = []
        for directory in level:
            yield directory.joinpath(*relative.parts)
            seen += 1
            if seen >= SEARCH_DIRECTORIES:
                return
            try:
                children = sorted(p for p in directory.iterdir() if p.is_dir() and not p.is_symlink())
            except OSError:
                continue
            following += [p for p in children if not p.name.startswith(".") and p.name not in SKIPPED_DIRECTORIES
                          and not (p / "pyvenv.cfg").exists()]
        level = following


def find_constitution(out_dir: Path, cwd: Path | None = None) -> Path | None:
    """The entry file a build was made from, found from the build's manifest and verified by the sha256
    the manifest records for it; None when it cannot be found (or the manifest names none).

    The manifest records the entry's path in its project and, when the build lies in the same project,
    the root relative to the build: then that is the one place to look. A build outside the project
    records no root (it would name this machine's directories), so the project path is tried from the
    working directory, from beside the build, and then below the working directory (the usual case: a
    build written to /tmp from a project's top directory). Shared by `audit` (the pasted-text figure, the
    coverage command it prints) and `eval` (the judge's clause texts)."""
    recorded = _recorded_entry(Path(out_dir))
    if recorded is None:
        return None
    entry, digest, root = recorded
    relative = PurePosixPath(entry)
    if relative.is_absolute() or ".." in relative.parts or entry.startswith("std:"):
        return None
    if root is not None:
        candidate = Path(out_dir) / root / Path(*relative.parts)
        return candidate if _matches(candidate, digest) else None
    here = Path(cwd) if cwd is not None else Path.cwd()
    for base in (here, Path(out_dir).resolve().parent):
        if _matches(base.joinpath(*relative.parts), digest):
            return base.joinpath(*relative.parts)
    return next((candidate for candidate in _below(here, relative) if _matches(candidate, digest)), None)
