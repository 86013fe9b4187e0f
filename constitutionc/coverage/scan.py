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
import mmap
import os
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..emit import kinds as record_kinds
from ..textmeasures import probe_texts
from ..textmeasures.placeholder import placeholder


def probe_placeholder(record: dict) -> str | None:
    """The placeholder text a probe record still holds (in what the model or its grader reads), or None."""
    return next((marker for text in probe_texts(record) if (marker := placeholder(text)) is not None), None)

STALE_SAMPLE_SIZE = 20
# Below this size a file is scanned in one piece: process start-up costs more than it saves.
PARALLEL_THRESHOLD_BYTES = 32 * 1024 * 1024

class CoverageInputError(Exception):
    """The data directory or a results file cannot be read or is malformed (exit status 2)."""


@dataclass
class Tally:
    # signature (kind, variant, generator, ((clause, sha256), ...), (tension id, ...), focus) -> number of records
    records: Counter = field(default_factory=Counter)
    axes: dict = field(default_factory=dict)  # citations -> set of (axis, value)
    stale_samples: dict = field(default_factory=dict)  # clause -> first record ids citing it stale
    probe_citations: dict = field(default_factory=dict)  # probe id -> citations (only ids asked for)
    # Probes still holding placeholder text (a `constitutionc new probe` skeleton's TODO): they test
    # nothing, so they are counted here and not in `records`. The first few: (id, focus, placeholder).
    placeholder_probes: int = 0
    placeholder_samples: list = field(default_factory=list)

    def merge(self, other: "Tally") -> None:
        self.records.update(other.records)
        self.placeholder_probes += other.placeholder_probes
        self.placeholder_samples.extend(other.placeholder_samples[:STALE_SAMPLE_SIZE - len(self.placeholder_samples)])
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
    # `made_from` part -> its digest now (see `provenance`); a record's differing part makes it stale
    current_parts: dict[str, str] = field(default_factory=dict)


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
    """Scan the build's record files (one per registered kind); returns the tally and warnings
    (a missing file of a kind built by default)."""
    if not data_dir.exists():
        raise CoverageInputError(f"data directory {data_dir} does not exist (run `constitutionc build` first)")
    if not data_dir.is_dir():
        raise CoverageInputError(f"{data_dir} is not a directory")
    kinds = list(record_kinds.KINDS.values())
    present = [data_dir / k.filename for k in kinds if (data_dir / k.filename).is_file()]
    if not present:
        expected = ", ".join(k.filename for k in kinds if k.default)
        raise CoverageInputError(f"{data_dir} holds no build records (expected {expected})")
    expected = _expected_kinds(data_dir)
    warnings = [f"{data_dir / k.filename} is missing; counted as empty" for k in kinds
                if k.name in expected and not (data_dir / k.filename).is_file()]
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


def _expected_kinds(data_dir: Path) -> set[str]:
    """The kinds whose files the data should hold: those its manifest says were built, or, without a
    readable manifest, the default kinds that teach or test (a missing file of those changes coverage)."""
    try:
        only = json.loads((data_dir / "manifest.json").read_text(encoding="utf-8"))["options"]["only"]
        return {k.name for k in record_kinds.KINDS.values() if k.plural in only}
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return {k.name for k in record_kinds.defaults() if k.role != "neither"}


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


def _line_windows(buf, start: int, end: int):
    """(start, end) of each non-blank line in buf[start:end], newline excluded."""
    position = start
    while position < end:
        newline = buf.find(b"\n", position, end)
        stop = end if newline < 0 else newline
        if stop > position and not (buf[position] in b" \t\r" and buf[position:stop].isspace()):
            yield position, stop
        position = stop + 1


def _line_at(path: Path, offset: int) -> int:
    lines, done = 1, 0
    with path.open("rb") as f:
        while done < offset:
            block = f.read(min(1 << 20, offset - done))
            if not block:
                break
            lines += block.count(b"\n")
            done += len(block)
    return lines


_CLOSERS = {ord('"'): b'"', ord("["): b"]", ord("{"): b"}"}


def arguing_kinds() -> frozenset[bytes]:
    """The `kind` values (as JSON) whose records list the tensions they argue, from the kind registry."""
    return frozenset(json.dumps(k.name).encode() for k in record_kinds.KINDS.values() if k.argues)

# How many (citations, axes) texts a chunk remembers as already seen before it starts afresh (bounds memory).
SEEN_AXES_LIMIT = 200_000


class _Unreadable(Exception):
    """The fast reading cannot vouch for this line; parse it in full."""


class _Keys:
    """The key tokens to search for, colon included, in one separator style (`"k":` or `"k": `)."""

    def __init__(self, separator: bytes):
        def token(name: str) -> bytes:
            return b'"' + name.encode() + b'"' + separator

        self.generator, self.kind, self.variant = token("generator"), token("kind"), token("variant")
        self.tensions, self.sources, self.axes = token("tensions"), token("sources"), token("axes")
        self.focus, self.made_from = token("focus"), token("made_from")


COMPACT_KEYS, SPACED_KEYS = _Keys(b":"), _Keys(b": ")


def _keys_for(line: bytes) -> _Keys:
    """The build writes compact JSON (docs/records.md); json.dumps's default style is accepted too."""
    return SPACED_KEYS if b'"kind": ' in line and b'"kind":"' not in line else COMPACT_KEYS


def _cut(buf, token: bytes, from_end: bool, start: int, end: int) -> tuple[bytes | None, int]:
    """(raw JSON text of the value after `token` in buf[start:end], where it ends); (None, start) if absent.

    From the end, the last occurrence is taken: the record's own `sources` (and `tensions`, `variant`)
    come after anything nested that could share the name, except in probes' tools, whose parameter
    schemas are objects and so fail the check that `sources` is a list.
    """
    if from_end:
        index = buf.rfind(token, start, end)
        while index > start and buf[index - 1] == 92:  # a backslash: an escaped quote inside a string
            index = buf.rfind(token, start, index)
    else:
        index = buf.find(token, start, end)
        while index > start and buf[index - 1] == 92:
            index = buf.find(token, index + 1, end)
    if index < 0:
        return None, start
    position = index + len(token)
    if position >= end:
        raise _Unreadable
    closer = _CLOSERS.get(buf[position])
    if closer is None:
        if buf[position:position + 4] == b"null":
            return b"null", position + 4
        raise _Unreadable  # a number, or whitespace in a style the key tokens do not expect
    stop = buf.find(closer, position + 1, end)
    if stop < 0:
        raise _Unreadable
    return buf[position:stop + 1], stop + 1


def _raw_values(buf, start: int = 0, end: int | None = None, keys: _Keys | None = None,
                arguing: frozenset[bytes] | None = None) -> tuple | None:
    """(kind, variant, generator, sources, tensions, axes, focus) as raw JSON texts, found without parsing.


    Responses and probes carry kilobytes of text coverage never looks at, and a
    full `json.loads` spends most of its time building those strings. Inside a
    JSON string every quote is escaped, so an unescaped `"sources":` is always a
    key; in the record shapes (docs/records.md) these keys occur only at the top
    level, except `kind` inside probe messages, which comes after the record's
    own `kind` when keys are sorted, and is rejected anyway (its value is not a
    record kind) when they are not. Each value is cut at the first closing
    character of its type; a cut that lands inside a string leaves text that is
    not complete JSON, so every distinct text is parsed once and checked before
    use (`_parse_signature`). None means "parse this line fully".
    `buf[start:end]` is the line (a whole bytes object by default, or a window on a mapped file).
    """
    if end is None:
        end = len(buf)
    if keys is None:
        keys = _keys_for(bytes(buf[start:end]))
    try:
        # Sorted keys put `axes` first (after `alternatives` in dilemmas), then `generator`, `id`, `kind`,
        # ..., `sources`, ..., `tensions`, `variant`. Searching each key after the previous one means an
        # axis named `generator` or `kind` is never mistaken for the record's key; a key not found where
        # sorting puts it leaves a field missing, and the line is parsed fully.
        axes, after_axes = _cut(buf, keys.axes, False, start, end)
        generator_at = buf.find(keys.generator, after_axes, end)
        # `focus` sorts just before `generator` in every record kind: the last one before it is the record's.
        focus = _cut(buf, keys.focus, True, after_axes, generator_at)[0] if generator_at > 0 else None
        generator, after_generator = _cut(buf, keys.generator, False, after_axes, end)
        kind, after_kind = _cut(buf, keys.kind, False, after_generator, end)
        # `made_from` sorts after `kind` and before anything nested that could hold the name.
        made_from = _cut(buf, keys.made_from, False, after_kind, end)[0]
        if kind in (arguing if arguing is not None else arguing_kinds()):
            variant = _cut(buf, keys.variant, True, after_generator, end)[0]
            tensions = _cut(buf, keys.tensions, True, after_generator, end)[0]
        else:
            variant = tensions = None
        return (kind, variant, generator, _cut(buf, keys.sources, True, after_generator, end)[0], tensions, axes,
                focus, made_from)
    except _Unreadable:
        return None


def _complete_json(text: bytes | None):
    """Parse a cut value; raises ValueError when the cut is not exactly one complete JSON value."""
    return None if text is None else json.loads(text)


def _parse_axes(text: bytes | None) -> dict | None:
    try:
        axes = _complete_json(text)
    except ValueError:
        return None
    return axes if isinstance(axes, dict) else None


def _parse_signature(raw: tuple) -> tuple | None:
    """(kind, variant, generator, citations, tensions, focus, parts) from raw texts, or None if they do not check out."""
    if raw[2] is None:
        return None  # no `generator` key at all (null is fine): the full parse reports it
    try:
        kind, variant, generator, sources, tensions, focus, made_from = (_complete_json(t) for t in raw)
        if kind not in record_kinds.KINDS or not isinstance(sources, list) or not (
                generator is None or isinstance(generator, str)):
            return None
        if focus is not None and not isinstance(focus, str):
            return None
        parts = _parts(made_from)
        citations = tuple([(s["clause"], s["sha256"]) for s in sources])
        if not record_kinds.KINDS[kind].argues:
            return (kind, None, generator, citations, (), focus, parts)
        if tensions is not None and not isinstance(tensions, list):
            return None
        return (kind, variant, generator, citations, tuple(tensions or ()), focus, parts)
    except (ValueError, KeyError, TypeError):
        return None


def _parts(made_from) -> tuple[tuple[str, str], ...]:
    """A record's `made_from` as sorted (part, digest) pairs; records from before it existed have none."""
    if made_from is None:
        return ()
    if not isinstance(made_from, dict) or not all(isinstance(v, str) for v in made_from.values()):
        raise TypeError("made_from")
    return tuple(sorted(made_from.items()))


def _full_signature(line: bytes) -> tuple[tuple, dict, dict]:
    """(signature, axes, record) by parsing the whole line; raises on a malformed record."""
    record = json.loads(line)
    kind = record["kind"]
    citations = tuple([(s["clause"], s["sha256"]) for s in record["sources"]])
    generator = record.get("generator")  # model-written kinds (documents, stories, episodes) have none
    if generator is not None and not isinstance(generator, str):
        raise TypeError("generator")
    focus = record.get("focus")
    parts = _parts(record.get("made_from"))
    known = record_kinds.KINDS.get(kind) if isinstance(kind, str) else None
    if known is not None and known.argues:
        signature = (kind, record.get("variant"), generator, citations, tuple(record.get("tensions") or ()), focus,
                     parts)
    else:
        signature = (kind, None, generator, citations, (), focus, parts)
    axes = record.get("axes", {})  # nor do ablation pairs and documents vary along axes
    if not isinstance(axes, dict):
        raise TypeError("axes")
    return signature, axes, record


# How many leading lines of each chunk are read both ways to confirm the fast reading agrees.
CROSS_CHECK_LINES = 64


def scan_chunk(chunk: Chunk, context: ScanContext) -> Tally:
    if chunk.end <= chunk.start:
        return Tally()
    with open(chunk.path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        return _scan_mapped(mapped, chunk, context)


def _scan_mapped(buf, chunk: Chunk, context: ScanContext) -> Tally:
    # The file is mapped rather than read so a line is never copied: only the few values cut out of it are.
    tally = Tally()
    records = tally.records
    axes_by_citations = tally.axes
    stale_samples = tally.stale_samples
    wanted = context.wanted_probes
    arguing = arguing_kinds()
    hashes = context.current_hashes
    signatures: dict[tuple, tuple | None] = {}  # raw texts -> parsed signature (None: parse such lines fully)
    seen_axes: set[tuple[bytes, bytes]] = set()
    stale_of: dict[tuple, tuple[str, ...]] = {}  # citations -> the clauses it cites stale
    fast = True
    checked = 0
    keys = None
    for start, end in _line_windows(buf, chunk.start, min(chunk.end, len(buf))):
        record = None
        if keys is None:
            keys = _keys_for(buf[start:end])
        try:
            raw = _raw_values(buf, start, end, keys, arguing) if fast else None
            signature = axes = None
            if raw is not None:
                key = raw[:5] + raw[6:]
                signature = signatures.get(key, False)
                if signature is False:
                    signature = signatures[key] = _parse_signature(key)
                if signature is not None and (raw[3], raw[5]) not in seen_axes:
                    axes = _parse_axes(raw[5])
                    if axes is None:
                        signature = None
                    else:
                        if len(seen_axes) >= SEEN_AXES_LIMIT:
                            seen_axes.clear()
                        seen_axes.add((raw[3], raw[5]))
            if signature is None or checked < CROSS_CHECK_LINES:
                full_signature, full_axes, record = _full_signature(buf[start:end])
                if signature is not None and checked < CROSS_CHECK_LINES:
                    checked += 1
                    if full_signature != signature or (axes is not None and axes != full_axes) or (
                            axes is None and _parse_axes(raw[5]) != full_axes):
                        fast = False  # this build writes records the fast reading does not understand
                signature, axes = full_signature, full_axes
            if signature[0] == "probe":
                record = record or json.loads(buf[start:end])
                marker = probe_placeholder(record)
                if marker is not None:
                    tally.placeholder_probes += 1
                    if len(tally.placeholder_samples) < STALE_SAMPLE_SIZE:
                        tally.placeholder_samples.append((record.get("id"), record.get("focus"), marker))
                    continue
            if axes:
                axes_by_citations.setdefault(signature[3], set()).update(axes.items())
        except UnicodeDecodeError:
            raise _BadRecord(start, "not UTF-8 text") from None
        except (ValueError, IndexError) as e:
            raise _BadRecord(start, f"not a JSON record ({e})") from None
        except (KeyError, TypeError, AttributeError) as e:
            raise _BadRecord(start, f"record lacks the field {e} or it has the wrong type "
                                    "(see the record shapes in docs/records.md)") from None
        kind, _, _, citations, _, _, parts = signature
        if kind not in record_kinds.KINDS:
            raise _BadRecord(start, f"unknown record kind {kind!r} "
                                    f"(expected one of {', '.join(record_kinds.KINDS)})")
        records[signature] += 1
        if kind == "probe" and wanted:
            record = record or json.loads(buf[start:end])
            if record["id"] in wanted:
                tally.probe_citations[record["id"]] = citations
        stale = stale_of.get((citations, parts))
        if stale is None:
            stale = stale_of[(citations, parts)] = tuple(c for c, h in citations if hashes.get(c) != h) + tuple(
                part for part, digest in parts if context.current_parts.get(part) != digest)
        for clause in stale:
            sample = stale_samples.setdefault(clause, [])
            if len(sample) < STALE_SAMPLE_SIZE:
                record = record or json.loads(buf[start:end])
                sample.append(record.get("id"))
    return tally
