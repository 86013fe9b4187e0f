"""Benchmark: time from a didChange on a 2,000-line document to its publishDiagnostics.

Target (issue 5): diagnostics published within 100 ms of a change to a 2,000-line document.
Run: python bench/bench_lsp.py [--lines 2000] [--changes 40] [--debounce 0 150] [--pause 50]

The server is the real `constitutionc lsp` process over stdio. Each change edits one principle
(alternately breaking and repairing a reference, so the diagnostics differ each time); the clock
starts just before the didChange is written and stops when the publishDiagnostics for that
version arrives. The figures include any wait the throttle imposes: the server checks a change at once
when the document's last check started at least `debounce` ms earlier, otherwise when that interval
ends (the "minus debounce" column subtracts the whole interval, the most a change can wait).
Every change gives a text never seen before, so the compiler's per-file cache cannot answer it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient


def document(lines: int) -> str:
    out = ['constitution "LSP benchmark" {\n  version: "1"\n}\n\npriority: safety > ethics\n\n',
           'value safety "Safe" {\n  why: "Oversight."\n}\n\nvalue ethics "Ethical" {\n  why: "Honesty."\n}\n\n']
    count = 0
    while sum(part.count("\n") for part in out) < lines:
        out.append(
            f'section "Part {count}" {{\n'
            f'  principle bench.p{count} "Principle {count}" {{\n'
            f"    value: {('safety', 'ethics')[count % 2]}\n"
            f'    text: """Principle {count} asks for care in situation {count},\n'
            f'      weighing everyone involved."""\n'
            f'    why: """Situation {count} recurs; getting it wrong erodes trust."""\n'
            f"  }}\n}}\n\n"
            f"dilemma bench_d{count} teaches bench.p{count} {{\n"
            f"  vary tone: calm | upset\n"
            f'  user: """A {{tone}} person asks about situation {count}."""\n'
            f'  stance: """Answer with care."""\n'
            f"}}\n\n")
        count += 1
    return "".join(out)


def edit(text: str, version: int) -> str:
    """The document after change `version`: a reference in the middle alternately broken and repaired,
    plus a comment naming the version, so that no two versions have the same text (the compiler caches
    files by content; a benchmark that repeated texts would measure the cache, not a change)."""
    broken = text.replace("teaches bench.p100 ", "teaches bench.p100x ") if version % 2 else text
    middle = broken.index("dilemma bench_d100 ")
    return f"{broken[:middle]}# edit {version}\n{broken[middle:]}"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(text: str, debounce_ms: int, changes: int, folder: Path, lint: bool,
                  pause: float) -> list[float]:
    path = folder / "bench.cdl"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    arrived: dict[int, float] = {}
    client = LanguageClient("bench", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        if params.uri == uri and params.version is not None:
            arrived.setdefault(params.version, time.perf_counter())

    await client.start_io(sys.executable, "-m", "constitutionc", "lsp")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=folder.as_uri(),
        initialization_options={"debounceMs": debounce_ms, "lint": lint}))
    client.initialized(types.InitializedParams())
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="cdl", version=1, text=text)))
    await wait_for(arrived, 1)

    latencies = []
    for version in range(2, changes + 2):
        edited = edit(text, version)
        await asyncio.sleep(pause)  # after the previous diagnostics arrived, as between keystroke bursts
        started = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited)]))
        await wait_for(arrived, version)
        latencies.append((arrived[version] - started) * 1000)

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies


async def wait_for(arrived: dict[int, float], version: int, timeout: float = 60) -> None:
    deadline = time.perf_counter() + timeout
    while version not in arrived:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"no diagnostics for version {version}")
        await asyncio.sleep(0.001)


def in_process(text: str, runs: int, folder: Path, lint: bool) -> list[float]:
    """The check alone (what the server runs per change), without the protocol around it."""
    from pygls.workspace.position_codec import PositionCodec

    from constitutionc.lsp.checking import check_document

    path = folder / "bench.cdl"
    timings, cpu = [], []
    for run in range(runs):
        edited = edit(text, run)
        started, started_cpu = time.perf_counter(), time.thread_time()
        check_document(path, {path: edited}, PositionCodec(), lint)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return timings, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=40)
    parser.add_argument("--debounce", type=int, nargs="+", default=[0, 150], help="debounce delays (ms) to try")
    parser.add_argument("--pause", type=int, default=50,
                        help="ms between a publish and the next change; the server checks a change at once "
                             "when its last check started at least `debounce` ms before, else waits for that")
    parser.add_argument("--no-lint", dest="lint", action="store_false",
                        help="check only, as `constitutionc check` (default: with the lint rules, as the server does)")
    args = parser.parse_args()
    text = document(args.lines)
    print(f"document: {text.count(chr(10))} lines, {len(text.encode()) // 1024} KB; {args.changes} changes each, {args.pause} ms apart; "
          f"lint rules {'on' if args.lint else 'off'}")
    print(f"{'debounce':>9} {'median':>9} {'p95':>9} {'max':>9} {'median-debounce':>16} {'p95-debounce':>13}")
    with tempfile.TemporaryDirectory() as folder:
        alone, cpu = in_process(text, args.changes, Path(folder).resolve(), args.lint)
        print(f"{'check alone':>9} {statistics.median(alone):>7.1f}ms {percentile(alone, 0.95):>7.1f}ms "
              f"{max(alone):>7.1f}ms   (in-process, no protocol: the floor for the figures below)")
        # CPU time does not grow when other processes compete for the cores: compare it with the
        # wall-clock figures to tell a slow check from a busy machine.
        print(f"{'check CPU':>9} {statistics.median(cpu):>7.1f}ms {percentile(cpu, 0.95):>7.1f}ms "
              f"{max(cpu):>7.1f}ms   (CPU time of the same checks)")
        for debounce in args.debounce:
            latencies = asyncio.run(measure(text, debounce, args.changes, Path(folder).resolve(), args.lint,
                                            args.pause / 1000))
            median, p95 = statistics.median(latencies), percentile(latencies, 0.95)
            print(f"{debounce:>7}ms {median:>7.1f}ms {p95:>7.1f}ms {max(latencies):>7.1f}ms "
                  f"{median - debounce:>14.1f}ms {p95 - debounce:>11.1f}ms")


if __name__ == "__main__":
    main()
