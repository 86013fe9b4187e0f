"""The manifest: what a build made from what, and the balance figures the summary prints.

`Tally` counts records per principle as they stream; `manifest` assembles the
document (no timestamps, no absolute paths); `balance` and `summary_rows` read
a manifest back, so a build and a merge of shards report the same way.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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

    def add(self, kind: str, records: list[dict]) -> None:
        for record in records:
            sources = record["sources"]
            key = id(sources)
            if key not in self._lists:
                self._lists[key] = sources
            self._by_sources[(kind, key)] += 1

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


def manifest(constitution: Constitution, seed: int, shard: tuple[int, int] | None, options: dict,
             outputs: list[dict], kinds: list[RecordKind], principles: dict, generators: dict) -> dict:
    return {
        "compiler": {"name": "constitutionc", "version": __version__},
        "seed": seed,
        "shard": None if shard is None else {"index": shard[0], "count": shard[1]},
        "options": options,
        "sources": sorted(({"path": f.project_path or f.path, "sha256": f.sha256} for f in constitution.files),
                          key=lambda f: f["path"]),
        "outputs": sorted(outputs, key=lambda o: o["path"]),
        "records": records_per_kind(outputs, kinds),
        "principles": principles,
        "generators": generators,
    }


def balance(manifest: dict) -> dict[str, tuple]:
    """Per record kind: (min, median, max) records per principle, with the principles at the extremes."""
    out = {}
    for kind in manifest["records"]:
        counts = sorted((row.get(kind, 0), pid) for pid, row in manifest["principles"].items())
        if counts:
            out[kind] = (counts[0], statistics.median(n for n, _ in counts), counts[-1])
    return out


def grid_rows(manifest: dict) -> list[tuple[str, int, int]]:
    """(generator, combinations after the variation rules, instances built), in name order."""
    return [(name, entry["combinations"], entry["instances"])
            for name, entry in sorted(manifest.get("generators", {}).items())]


def summary_rows(manifest: dict) -> list[tuple[str, int, str, str, str]]:
    """(kind, records, min, median, max) where the last three are records per principle."""
    stats = balance(manifest)
    rows = []
    for kind, n in manifest["records"].items():
        low, median, high = stats.get(kind, ((0, "-"), 0, (0, "-")))
        rows.append((kind, n, f"{low[0]} ({low[1]})", f"{median:g}", f"{high[0]} ({high[1]})"))
    return rows
