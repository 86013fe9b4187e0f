"""The audit's pass over a build's lines: chunks of files, scanned in one process or in several.

A chunk is a byte range of one file that starts and ends at a line break. `scan` reads a chunk's
rows, judges each text once (`TextJudge`) and returns what the chunk adds: `ChunkItems` for the
item-level figures, still to be de-duplicated against earlier chunks, while the text-level figures
go into the process's own `Partial`. The parent takes the chunks' items in file order, so the first
occurrence of an item is the one counted, whatever process scanned it; partials merge at the end.
Each process scans a fixed shard of the chunks (`shards`) rather than whichever chunk is next, so
the copies of an example that the targets write to several files are judged once, in one process.
With `jobs=1` the same functions run in the calling process, so both paths give one report.
"""

from __future__ import annotations

import gc
import mmap
import os
import queue
from array import array
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import orjson

from .. import jsonl
from ..textmeasures import OverlapIndex
from ..textmeasures.voice import users_are_the_topic
from .measures import _EMPTY_KEY, _MISSING_KEY, CONTAMINATION_WORDS, ChunkItems, ItemFigures, PairTally, \
    Partial, TextJudge, _key, is_ablation, item_key_of, pair_key
from .features import SURFACE_FEATURES, pair_votes
from .memo import KeyedRows
from .rows import PROBE, PROMPT, TRAINING, UNREADABLE, Row, read_row

T = TypeVar("T")
CHUNK_BYTES = 8 << 20  # a chunk's size: small enough to spread a build over the processes, large enough
# that a chunk's result is worth sending
PARALLEL_BYTES = 32 << 20  # builds smaller than this are scanned in the calling process: starting
# processes costs more than it saves
_label = attrgetter("role", "kind", "variant", "clauses")  # what a row is counted under in the counts
ROLE_COLUMN = {TRAINING: "training", PROBE: "probes", PROMPT: "prompts", UNREADABLE: "unreadable"}
VOICE_COLUMNS = ("assistant_turns", "stage_direction", "third_person_assistant", "speaks_as_assistant")


@dataclass(frozen=True)
class Chunk:
    path: Path
    name: str  # the file's path relative to the build, as the report names it
    start: int
    end: int
    span: int = 0  # the stretch of its file it lies in (`plan`): a file's spans alternate between the processes


def spans_for(largest: int, jobs: int) -> int:
    """Spans a file is cut into for `jobs` processes: a multiple of `jobs`, spans of the largest file about
    `SPAN_BYTES`."""
    return jobs * max(1, -(-largest // (jobs * SPAN_BYTES))) if jobs > 1 else 1


def plan(out_dir: Path, files: list[Path], size: int | None = None, jobs: int = 1) -> list[Chunk]:
    """Every file cut at line breaks into chunks of about `size` bytes (default `CHUNK_BYTES`), in file order.

    For `jobs` processes, every file is cut into the same number of equal spans (`spans_for`), each of the
    same number of equal chunks, so the processes' shards (`shards`) hold equal parts of every file."""
    size = size or CHUNK_BYTES
    totals = [path.stat().st_size for path in files]
    spans = spans_for(max(totals, default=0), jobs)
    chunks = []
    for path, total in zip(files, totals):
        name = path.relative_to(out_dir).as_posix()
        if total == 0:
            chunks.append(Chunk(path, name, 0, 0))
            continue
        per_span = max(1, -(-total // (spans * size)))
        step = -(-total // (spans * per_span))
        start = 0
        with path.open("rb") as handle:
            for piece in range(spans * per_span):
                end = min((piece + 1) * step, total)
                if end <= start:  # a line longer than a chunk took this one's place
                    continue
                if end < total:
                    handle.seek(end)
                    end += len(handle.readline())  # to the end of the line the cut falls in
                chunks.append(Chunk(path, name, start, end, piece // per_span))
                start = end
                if start >= total:
                    break
    return chunks


def _read(chunk: Chunk) -> bytes:
    with chunk.path.open("rb") as handle:
        handle.seek(chunk.start)
        return handle.read(chunk.end - chunk.start)


def _split(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _row(line: bytes, name: str, number: int) -> Row | None:
    """The row of one line, read as every command reads JSON lines (`jsonl.parse`); a bad line is unreadable."""
    if not line.strip():
        return None
    try:
        record = jsonl.parse(line, name, number, objects=False)
    except jsonl.JsonlError:
        return Row(name, number, role=UNREADABLE)
    return read_row(record, name, number)


def _rows(lines: list[bytes], name: str) -> Iterator[Row]:
    """The row of every non-blank line (its place in `lines` is `row.line - 1`). A line orjson reads goes to
    `read_row` as orjson reads it, with no search for long digit runs (`jsonl.needs_standard`): the one value
    orjson reads differently from the standard library is an integer past 64 bits (a float), and a training
    or prompt row keeps strings only.
    A probe row writes its messages' other values into its `probe_texts` (where a number's printed length
    can decide whether a bracket reads as a placeholder), so a probe's line is read again as `_row` reads
    it, as is a line orjson refuses. Probes are few."""
    loads, decode_error = orjson.loads, orjson.JSONDecodeError
    for number, line in enumerate(lines, 1):
        try:
            record = loads(line)
        except decode_error:
            row = _row(line, name, number)  # blank, or the standard library's verdict on it
            if row is not None:
                yield row
            continue
        row = read_row(record, name, number)
        yield _row(line, name, number) if row.role == PROBE else row


PROBE_MARK = b'"probe"'  # every probe record says "kind": "probe"; a chunk without the word holds none


def probe_rows(chunks: list[Chunk]) -> Iterator[Row]:
    """The probes, with their line numbers. Each file is searched for the mark where it lies (mapped, not
    read); only a chunk that holds it is split, only its lines that mention it are parsed, and only the
    stretch before it is counted, for its line numbers."""
    files: list[list[Chunk]] = []  # runs of one file's chunks
    for chunk in chunks:
        if files and files[-1][0].path == chunk.path:
            files[-1].append(chunk)
        else:
            files.append([chunk])
    for file_chunks in files:
        path, name = file_chunks[0].path, file_chunks[0].name
        with path.open("rb") as handle:
            mapped = _mapped(handle)
            try:
                before = counted = 0  # lines before byte `counted`
                for chunk in file_chunks:
                    if mapped is None:  # read instead, as a scan reads
                        data = _read(chunk)
                        if PROBE_MARK not in data:
                            before += len(_split(data))
                            continue
                    elif mapped.find(PROBE_MARK, chunk.start, chunk.end) < 0:  # most chunks of a generated build
                        continue
                    else:
                        before += mapped[counted:chunk.start].count(b"\n")  # chunks start after a line break
                        data = mapped[chunk.start:chunk.end]
                    lines = _split(data)
                    for number, line in enumerate(lines, start=before + 1):
                        if PROBE_MARK in line:
                            row = _row(line, name, number)
                            if row is not None and row.role == PROBE:
                                yield row
                    before, counted = before + len(lines), chunk.end
            finally:
                if mapped is not None:
                    mapped.close()


def _mapped(handle) -> "mmap.mmap | None":
    """The open file mapped for reading; None for an empty file or one that cannot be mapped (a file of
    /sys or /proc, some network or FUSE mounts), which is read instead."""
    try:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(handle.fileno()).st_size else None
    except (OSError, ValueError):
        return None


def probe_rows_in_two(chunks: list[Chunk]) -> list[Row]:
    """`probe_rows`, the first files (about half the bytes) searched by a forked child while this process
    searches the rest: a file's line numbers need only that file."""
    sizes: dict[str, int] = {}
    for chunk in chunks:
        sizes[chunk.name] = sizes.get(chunk.name, 0) + chunk.end - chunk.start
    half, total, first = sum(sizes.values()) / 2, 0, set()
    for name in list(sizes)[:-1]:
        if total + sizes[name] / 2 > half:  # past halfway by its middle: the rest is ours
            break
        total += sizes[name]
        first.add(name)
    if not first:  # one file holds most of the build
        return list(probe_rows(chunks))
    theirs = in_child(lambda: list(probe_rows([chunk for chunk in chunks if chunk.name in first])))
    ours = list(probe_rows([chunk for chunk in chunks if chunk.name not in first]))
    return theirs() + ours


@dataclass
class Probes:
    """What the probes give every scan: their texts' index, and their system prompts' and tool sets' keys."""

    index: OverlapIndex = field(default_factory=lambda: OverlapIndex(CONTAMINATION_WORDS[0]))
    count: int = 0
    systems: frozenset[int] = frozenset()
    tools: frozenset[int] = frozenset()
    prompts: list[tuple[str, str]] = field(default_factory=list)  # (probe id, user turn): semantic references

    @classmethod
    def gather(cls, chunks: list[Chunk], jobs: int = 1) -> "Probes":
        probes = cls()
        systems, tools = set(), set()
        for row in probe_rows_in_two(chunks) if jobs > 1 else probe_rows(chunks):
            probes.count += 1
            for text in row.probe_texts:
                probes.index.add(text, row.id or f"{row.file}:{row.line}")
            if row.prompt:
                probes.prompts.append((row.id or f"{row.file}:{row.line}", row.prompt))
            systems.add(_key(row.system or ""))
            if row.tools:
                tools.add(_key(*row.tools))
        probes.systems, probes.tools = frozenset(systems), frozenset(tools)
        return probes


@dataclass
class Context:
    """Everything a scanning process needs, built once before the pass."""

    names: tuple[str, ...]
    copied: OverlapIndex | None
    probes: Probes


# What a met row adds, remembered by its content and family: (item key, system prompt key, pair key,
# packed votes, turns | stage directions << 32, third-person talk | speaking << 32).
MET_WIDTH = 6
assert 2 * len(SURFACE_FEATURES) < 62, "the votes are packed two bits a feature below _VOTED"
_LOW = 0xFFFFFFFF
_U64_MASK = (1 << 64) - 1
_VOTED = 1 << 62  # the packed votes are there (both sides of a pair spoken), even when all are 0


def _pack_votes(votes: list[int] | None) -> int:
    """`pair_votes` (each 0, 1 or 2) as one integer, two bits a feature; 0 for none."""
    if votes is None:
        return 0
    packed = _VOTED
    for place, vote in enumerate(votes):
        packed |= vote << 2 * place
    return packed


def _unpack_votes(packed: int) -> list[int]:
    return [packed >> 2 * place & 3 for place in range(len(SURFACE_FEATURES))]


class Scanner:
    """One process's scanning state: its judge (with its memo) and its partial figures."""

    def __init__(self, context: Context):
        self.context = context
        self.judge = TextJudge(context.names, context.copied, context.probes.index)
        self.partial = Partial()
        # the rows whose texts this process added to the samples, by content and family: their counts
        self.met = KeyedRows(MET_WIDTH)

    def _entry(self, name: str) -> dict:
        entry = self.partial.files.get(name)
        if entry is None:
            entry = self.partial.files[name] = {
                "path": name, "rows": 0, "training": 0, "probes": 0, "prompts": 0, "other": 0, "unreadable": 0,
                "assistant_turns": 0, "stage_direction": 0, "third_person_assistant": 0, "speaks_as_assistant": 0}
        return entry

    def scan(self, chunk: Chunk) -> ChunkItems:
        """The chunk's rows: per-row figures into the partial, its distinct training items returned.

        The rows are read first. A training row whose item this process met in an earlier chunk, in
        the same family, adds only its row's counts, and those are remembered (`met`): its texts are
        not looked at again. The parent takes chunks in file order, so it has counted that item
        already, and the samples hold it by content. Every other row's texts are gathered and judged
        at once (remembered texts cost a lookup); then each row's figures are added in line order.
        Line numbers in the returned examples count from the chunk's start; the parent adds the lines
        of the file's earlier chunks."""
        import numpy as np

        judge, partial, probe_systems = self.judge, self.partial, self.context.probes.systems
        items = ChunkItems(chunk.name)
        data = _read(chunk)
        lines = _split(data)
        del data
        items.lines = len(lines)
        entry = self._entry(chunk.name)
        parsed = list(_rows(lines, chunk.name))
        del lines
        # A training row's content and family, by Python's hash: the key its counts are remembered by.
        row_keys = [hash((row.system, row.prompt, row.chosen, row.rejected, row.family, *row.assistant))
                    for row in parsed if row.role == TRAINING]
        remembered: dict[int, list[int]] = {}  # place among the training rows -> remembered counts
        if row_keys and len(self.met):
            found, values = self.met.find(np.array(row_keys, dtype=np.int64).view(np.uint64))
            places = np.flatnonzero(found)
            remembered = dict(zip(places.tolist(), values[places].tolist()))
        rows: list[tuple[Row, list | None, list | None]] = []  # (row, to read, remembered counts)
        wanted: dict[int, tuple[str, bool, bool]] = {}
        training = 0
        # `memo_key(text, spoken, users)` is hash((text, spoken, users)): written out in these loops
        for row in parsed:
            if row.role != TRAINING:
                rows.append((row, None, None))
                continue
            training += 1
            counts = remembered.get(training - 1)
            if counts is not None:
                rows.append((row, None, counts))
                continue
            users = users_are_the_topic(row.prompt)
            answers = row.assistant + [row.chosen] if row.chosen else row.assistant
            spoken = answers + [row.rejected] if row.rejected else answers  # a rejected answer must sound like one too
            spoken_keys = []
            for text in spoken:
                judged = (text, True, users)
                spoken_keys.append(memo_key := hash(judged))
                wanted[memo_key] = judged
            if row.chosen is not None and row.rejected is not None:  # an empty side is judged too
                for text in (row.chosen, row.rejected):
                    if not text:  # the others are among `spoken`
                        wanted[hash((text, True, users))] = (text, True, users)
            prompt_key = system_key = None
            if row.prompt:
                judged = (row.prompt, False, False)
                wanted[prompt_key := hash(judged)] = judged
            if row.system:
                judged = (row.system, False, False)
                wanted[system_key := hash(judged)] = judged
            rows.append((row, [users, answers, spoken, spoken_keys, prompt_key, system_key], None))
        labels = Counter(map(_label, parsed))  # rows by label: counted once a label
        del parsed
        facts = judge.facts(wanted) if wanted else {}
        remember = array("Q")  # (row key, *the MET_WIDTH numbers) of each row added to the samples, end to end
        training = 0
        local: set[int] = set()  # items already recorded in this chunk
        turns = stage = third_assistant = speaking = 0
        for row, read_first, counts in rows:
            if counts is not None:  # met in an earlier chunk: its remembered counts
                training += 1
                key, system, the_pair, votes, row_turns_stage, row_third_speaking = counts
                partial.add_environment(row, probe_systems, system)
                turns += row_turns_stage & _LOW
                stage += row_turns_stage >> 32
                third_assistant += row_third_speaking & _LOW
                speaking += row_third_speaking >> 32
                if votes:
                    partial.pair_files.setdefault(chunk.name, PairTally()).add(row, _unpack_votes(votes), the_pair,
                                                                               is_ablation(row))
                local.add(key)
                continue
            if read_first is None:
                if row.role == PROMPT:
                    items.prompt_record(row)
                elif row.role == PROBE:
                    items.probe_record(row)
                continue
            training += 1
            users, answers, spoken, spoken_keys, prompt_key, system_key = read_first
            spoken_facts = [facts[memo_key] for memo_key in spoken_keys]
            system_facts = facts[system_key] if system_key is not None else None
            system = system_facts.key if system_facts else _EMPTY_KEY
            # The item's key from its texts' keys (each text is hashed once, in judging). An empty text is not
            # judged (nor among `spoken`): its key is _EMPTY_KEY; a missing one has none (_MISSING_KEY).
            chosen = _MISSING_KEY if row.chosen is None else spoken_facts[len(row.assistant)].key if row.chosen \
                else _EMPTY_KEY
            rejected = _MISSING_KEY if row.rejected is None else spoken_facts[-1].key if row.rejected else _EMPTY_KEY
            key = item_key_of(row, _MISSING_KEY if row.system is None else system,
                              facts[prompt_key].key if row.prompt else _EMPTY_KEY,
                              [f.key for f in spoken_facts[:len(row.assistant)]], chosen, rejected)
            partial.add_environment(row, probe_systems, system)
            row_stage = row_third = row_speaking = 0
            for f in spoken_facts:
                row_stage += f.stage
                row_third += f.third_assistant
                row_speaking += not (f.stage or f.third_assistant or f.third_user or f.pasted >= 0.5)
            turns += len(spoken_facts)
            stage += row_stage
            third_assistant += row_third
            speaking += row_speaking
            ablation = row.chosen is not None and row.rejected is not None and is_ablation(row)
            votes = the_pair = None
            if row.chosen and row.rejected:  # both sides spoken: the last two facts are theirs
                votes = pair_votes(row.chosen, spoken_facts[-2], row.rejected, spoken_facts[-1])
                the_pair = pair_key(chosen, rejected)
                partial.pair_files.setdefault(chunk.name, PairTally()).add(row, votes, the_pair, ablation)
            if key in local:
                continue
            local.add(key)
            remember.fromlist([row_keys[training - 1] & _U64_MASK, key, system, the_pair or 0, _pack_votes(votes),
                               len(spoken_facts) | row_stage << 32, row_third | row_speaking << 32])
            prompt_facts = facts[prompt_key] if prompt_key is not None else None
            partial.add_texts(row, prompt_facts, zip(answers, spoken_facts))
            if row.chosen is not None and row.rejected is not None and not ablation:
                if votes is None:  # a side is empty
                    votes = pair_votes(row.chosen, facts[hash((row.chosen, True, users))], row.rejected,
                                       facts[hash((row.rejected, True, users))])
                    the_pair = pair_key(chosen, rejected)
                partial.pair_sample.add(the_pair, (row.chosen, row.rejected))
                if row.chosen:
                    partial.ratios.add(key, len(row.rejected) / len(row.chosen))
            else:
                votes = None
            spoken_pairs = list(zip(spoken, spoken_facts))
            read = ([(row.system, system_facts)] if system_facts else []) \
                + ([(row.prompt, prompt_facts)] if prompt_facts else []) + spoken_pairs
            items.record(row, spoken_pairs, votes, read, key)
        entry["rows"] += len(rows)
        kinds, variants, clauses = partial.kinds, partial.variants, partial.clauses
        for (role, kind, variant, row_clauses), count in labels.items():
            entry[ROLE_COLUMN.get(role, "other")] += count
            if kind:  # a record's kind, variant and clauses are counted when it names its kind
                kinds[kind] += count
                variants[f"{kind}/{variant}" if variant else kind] += count
                for clause in row_clauses:
                    clauses[clause] += count
        entry["assistant_turns"] += turns
        entry["stage_direction"] += stage
        entry["third_person_assistant"] += third_assistant
        entry["speaks_as_assistant"] += speaking
        if remember:
            numbers = np.frombuffer(remember, dtype=np.uint64).reshape(-1, 1 + MET_WIDTH)
            keys, first = np.unique(numbers[:, 0], return_index=True)
            self.met.add(keys, numbers[first, 1:])
        return items.pack()


SPAN_BYTES = 64 << 20  # a span of the largest file (see `plan`): the parent holds at most about one
# span's results that arrive before their turn, so its memory does not grow with the build


def shards(chunks: list[Chunk], jobs: int) -> list[list[int]]:
    """The chunks each process scans, by their places in `chunks`: the k-th process takes every `jobs`-th
    span of each file, k first, in file order. The targets of one build write the same examples in the
    same order to every file, so an example's copies fall in one process and are judged once there. Any
    split gives the same report, as each process takes its chunks in file order."""
    split: list[list[int]] = [[] for _ in range(jobs)]
    for place, chunk in enumerate(chunks):
        split[chunk.span % jobs].append(place)
    return split


HANDED_OVER, FAILED = -1, -2  # what a worker's message holds, in place of a chunk's place


def _scan_shard(worker: int, context: Context, chunks: list[Chunk], places: list[int], results) -> None:
    """A worker process: scan its chunks in order, send each chunk's items, then its partial, each
    message as (worker, place, payload)."""
    gc.disable()  # see `_without_collector`; the process ends with its shard
    try:
        scanner = Scanner(context)
        for place in places:
            results.put((worker, place, scanner.scan(chunks[place])))
        results.put((worker, HANDED_OVER, scanner.partial))
    except BaseException as error:  # the parent raises it: a worker must not leave it waiting
        results.put((worker, FAILED, error))


@contextmanager
def _without_collector():
    """The pass makes no reference cycles (rows, tuples, dicts and arrays, freed by their counts), but it
    makes millions of objects, and the cyclic collector would walk the live ones again and again (a
    tenth of the scan's time): it is off while the pass runs."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def default_jobs() -> int:
    return max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def jobs_for(size: int, jobs: int | None = None) -> int:
    """The processes a pass over `size` bytes takes: `jobs`, by default up to 2 (the cores here) for a
    large build and 1 for a small one."""
    if jobs is None:
        jobs = default_jobs() if size >= PARALLEL_BYTES else 1
    return max(1, jobs)


def in_child(work: Callable[[], T]) -> Callable[[], T]:
    """Starts `work()` in a forked process and returns the function that waits for its result. The child
    sees this process's memory as it is now, so only the result is pickled. Where processes cannot be
    forked, `work` runs in this process when its result is asked for."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return work
    processes = multiprocessing.get_context("fork")
    receiving, sending = processes.Pipe(duplex=False)

    def child() -> None:
        gc.disable()  # as in `_scan_shard`: the process ends with its work
        try:
            outcome = (True, work())
        except BaseException as error:  # the parent raises it
            outcome = (False, error)
        sending.send(outcome)

    process = processes.Process(target=child, daemon=True)
    process.start()
    sending.close()

    def result() -> T:
        try:
            done, value = receiving.recv()
        except EOFError:
            raise RuntimeError("an audit worker process ended without its results (killed?)") from None
        finally:
            process.join()
            receiving.close()
        if not done:
            raise value
        return value

    return result


def run(chunks: list[Chunk], context: Context, jobs: int | None = None) -> tuple[ItemFigures, Partial]:
    """Scan every chunk, in `jobs` processes (default: up to 2, the cores here; 1 for a small build)."""
    items = ItemFigures()
    lines_before: Counter = Counter()

    def take(result: ChunkItems) -> None:
        items.take(result, lines_before[result.file])
        lines_before[result.file] += result.lines

    jobs = min(jobs_for(sum(c.end - c.start for c in chunks), jobs), len(chunks))
    if jobs <= 1:
        scanner = Scanner(context)
        with _without_collector():
            for chunk in chunks:
                take(scanner.scan(chunk))
        return items, scanner.partial
    import multiprocessing

    partial = Partial()
    processes = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    results = processes.Queue()
    workers = [processes.Process(target=_scan_shard, args=(number, context, chunks, places, results), daemon=True)
               for number, places in enumerate(shards(chunks, jobs))]
    for worker in workers:
        worker.start()
    early: dict[int, ChunkItems] = {}  # chunks scanned before an earlier one: held until their turn
    following, handed = 0, set()
    try:
        with _without_collector():
            while len(handed) < jobs:
                try:
                    worker, place, result = results.get(timeout=1)
                except queue.Empty:  # a worker that has ended has sent all it will send
                    if any(w.exitcode is not None and n not in handed for n, w in enumerate(workers)):
                        raise RuntimeError("an audit worker process ended without its results (killed?)") from None
                    continue
                if place == FAILED:
                    raise result
                if place == HANDED_OVER:
                    partial.merge(result)
                    handed.add(worker)
                    continue
                early[place] = result
                while following in early:
                    take(early.pop(following))
                    following += 1
    except BaseException:
        for worker in workers:
            worker.terminate()
        raise
    for worker in workers:
        worker.join()
    return items, partial
