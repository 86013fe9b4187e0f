"""Streaming scan of a build's JSONL records into a small, mergeable tally.

A build can hold millions of records, so nothing here keeps a record after its
line is read. Records of one family share their citations, so the tally counts
records per *signature* (kind, variant, generator, cited clauses with their
hashes, tensions) and all per-principle arithmetic happens later, once per
signature instead of once per record. Files are split into byte ranges on line
boundaries and scanned in parallel worker processes; each worker returns a
`Tally`, and tallies merge by addition.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

DATA_FILES = ("dilemmas.jsonl", "responses.jsonl", "probes.jsonl")
RECORD_KINDS = ("dilemma", "response", "probe")
STALE_SAMPLE_SIZE = 20
# Below this size a file is scanned in one piece: process start-up costs more than it saves.
PARALLEL_THRESHOLD_BYTES = 32 * 1024 * 1024

# A signature: (kind, variant, generator, ((clause, sha256), ...), (tension id, ...))
Signature = tuple


class CoverageInputError(Exception):
    """The data directory or a results file cannot be read or is malformed (exit status 2)."""


@dataclass
class Tally:
    records: Counter = field(default_factory=Counter)  # signature -> number of records
    axes: dict = field(default_factory=dict)  # citations -> set of (axis, value)
    stale_samples: dict = field(default_factory=dict)  # clause -> first record ids citing it stale
    probe_citations: dict = field(default_factory=dict)  # probe id -> citations (only ids asked for)

    def merge(self, other: "Tally") -> None:
        self.records.update(other.records)
        for citations, pairs in other.axes.items():
            self.axes.setdefault(citations, set()).update(pairs)
        for clause, ids in other.stale_samples.items():
            mine = self.stale_samples.setdefault(clause, [])
            mine.extend(ids[: STALE_SAMPLE_SIZE - len(mine)])
        self.probe_citations.update(other.probe_citations)


@dataclass(frozen=True)
class ScanContext:
    """What a worker needs to know: the current clause hashes and the probe ids the results mention."""

    current_hashes: dict[str, str]
    wanted_probes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Chunk:
    path: str
    start: int
    end: int


class _BadRecord(Exception):
    def __init__(self, offset: int, reason: str):
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


def scan_data_dir(data_dir: Path, context: ScanContext, workers: int | None = None) -> tuple[Tally, list[str]]:
    """Scan the build's three record files; returns the tally and warnings (e.g. a missing file)."""
    if not data_dir.exists():
        raise CoverageInputError(f"data directory {data_dir} does not exist (run `constitutionc build` first)")
    if not data_dir.is_dir():
        raise CoverageInputError(f"{data_dir} is not a directory")
    paths = [data_dir / name for name in DATA_FILES]
    present = [p for p in paths if p.is_file()]
    if not present:
        raise CoverageInputError(f"{data_dir} holds no build records (expected {', '.join(DATA_FILES)})")
    warnings = [f"{p} is missing; counted as empty" for p in paths if not p.is_file()]
    chunks = [c for p in present for c in _split(p, workers or os.cpu_count() or 1)]
    tally = Tally()
    if len(chunks) <= len(present) or (workers or os.cpu_count() or 1) < 2:
        parts = [_scan_chunk_reporting(c, context) for c in chunks]
    else:
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count()) as pool:
            parts = list(pool.map(_scan_chunk_reporting, chunks, [context] * len(chunks)))
    for part in parts:
        tally.merge(part)
    return tally, warnings


def _split(path: Path, pieces: int) -> list[Chunk]:
    try:
        size = path.stat().st_size
    except OSError as e:
        raise CoverageInputError(f"cannot read {path}: {e.strerror}") from None
    if size < PARALLEL_THRESHOLD_BYTES or pieces < 2:
        return [Chunk(str(path), 0, size)]
    # More pieces than workers, so a slow piece does not leave a core idle at the end.
    step = size // (pieces * 4) + 1
    bounds = [0]
    with path.open("rb") as f:
        position = step
        while position < size:
            f.seek(position)
            f.readline()  # move to the start of the next line
            boundary = f.tell()
            if boundary >= size:
                break
            if boundary > bounds[-1]:
                bounds.append(boundary)
            position = boundary + step
    bounds.append(size)
    return [Chunk(str(path), a, b) for a, b in zip(bounds, bounds[1:])]


def _scan_chunk_reporting(chunk: Chunk, context: ScanContext) -> Tally:
    try:
        return scan_chunk(chunk, context)
    except _BadRecord as e:
        line = _line_at(Path(chunk.path), e.offset)
        raise CoverageInputError(f"{chunk.path}:{line}: {e.reason}") from None
    except OSError as e:
        raise CoverageInputError(f"cannot read {chunk.path}: {e.strerror}") from None


def _line_at(path: Path, offset: int) -> int:
    with path.open("rb") as f:
        return f.read(offset).count(b"\n") + 1


def scan_chunk(chunk: Chunk, context: ScanContext) -> Tally:
    tally = Tally()
    records = tally.records
    axes_by_citations = tally.axes
    stale_samples = tally.stale_samples
    wanted = context.wanted_probes
    hashes = context.current_hashes
    stale_clauses: dict[tuple, tuple[str, ...]] = {}  # citations -> the clauses it cites stale
    loads = json.loads
    with open(chunk.path, "rb") as f:
        f.seek(chunk.start)
        offset = chunk.start
        while offset < chunk.end:
            line = f.readline()
            if not line:
                break
            here = offset
            offset += len(line)
            if line.isspace():
                continue
            try:
                record = loads(line)
                kind = record["kind"]
                citations = tuple([(s["clause"], s["sha256"]) for s in record["sources"]])
                axes = record["axes"]
                generator = record["generator"]
            except ValueError as e:
                raise _BadRecord(here, f"not a JSON record ({e})") from None
            except (KeyError, TypeError) as e:
                raise _BadRecord(here, f"record lacks the field {e} (see the record shapes in docs/coverage.md)") from None
            if kind == "response":
                signature = (kind, record.get("variant"), generator, citations, tuple(record.get("tensions") or ()))
            elif kind in ("dilemma", "probe"):
                signature = (kind, None, generator, citations, ())
                if kind == "probe" and wanted and record["id"] in wanted:
                    tally.probe_citations[record["id"]] = citations
            else:
                raise _BadRecord(here, f"unknown record kind {kind!r} (expected one of {', '.join(RECORD_KINDS)})")
            records[signature] += 1
            pairs = axes_by_citations.get(citations)
            if pairs is None:
                pairs = axes_by_citations[citations] = set()
            pairs.update(axes.items())
            stale = stale_clauses.get(citations)
            if stale is None:
                stale = stale_clauses[citations] = tuple(c for c, h in citations if hashes.get(c) != h)
            for clause in stale:
                sample = stale_samples.setdefault(clause, [])
                if len(sample) < STALE_SAMPLE_SIZE:
                    sample.append(record.get("id"))
    return tally
