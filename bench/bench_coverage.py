"""Benchmark: `constitutionc coverage` over a synthetic 1,000,000-record build (target: under 10 s).

Writes a synthetic constitution (nested sections, 160 principles, 80 dilemma and
40 probe families with three axes each) and expands it into JSONL records
following notes/records.md, with texts of realistic length, then times the
coverage computation and each renderer. The data directory is cached between
runs (delete it, or pass --regenerate, to rebuild it).

    .venv/bin/python bench/bench_coverage.py [--records 1000000] [--dir /tmp/constitutionc-bench-coverage]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from constitutionc.api import load  # noqa: E402
from constitutionc.coverage import RenderOptions, compute_coverage, render  # noqa: E402

SECTIONS, PRINCIPLES_PER_SECTION, DILEMMAS, PROBES = 8, 20, 80, 40
FILLER = ("The assistant weighs what the person asked for against the interests of everyone the answer "
          "touches, explains its reasoning plainly, and offers a concrete next step that respects autonomy. ")


def _synthetic_module():
    spec = importlib.util.spec_from_file_location("synthetic_build", REPO / "tests/coverage/synthetic_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def constitution_text() -> str:
    out = ['constitution "Benchmark constitution" { version: "1" }', "priority: safety > ethics > helpfulness"]
    out += [f'value {v} "{v.title()}" {{ why: "Because." }}' for v in ("safety", "ethics", "helpfulness")]
    ids = []
    for s in range(SECTIONS):
        out.append(f'section s{s} "Section {s}" {{')
        for half in range(2):
            out.append(f'  section s{s}_{half} "Section {s}.{half}" {{')
            for p in range(PRINCIPLES_PER_SECTION // 2):
                pid = f"p{s}_{half}_{p}"
                ids.append(pid)
                value = ("safety", "ethics", "helpfulness")[(s + p) % 3]
                out.append(f'    principle {pid} "Principle {pid}" {{ value: {value} '
                           f'text: "Clause {pid}: {FILLER[:80]}" why: "Reason {pid}." }}')
            out.append("  }")
        out.append("}")
    for t in range(0, len(ids) - 1, 9):
        out.append(f'tension {ids[t]} over {ids[t + 1]} {{ when: "they conflict" why: "Because." }}')
    out.append('environment office "Office" { persona: "You are an office assistant." '
               'system plain: "You are the assistant of a small office." '
               'tool send_email "Send an email" { param to "Recipient": string param body "Body text": string } }')
    for d in range(DILEMMAS):
        taught = ", ".join(ids[(d * 2 + k) % len(ids)] for k in range(3))
        out.append(f'dilemma family{d} teaches {taught} {{ vary who: a | b | c | d | e vary where: x | y | z | w '
                   f'vary tone: calm | angry | "very upset" '
                   f'user: """As someone {{who}} in place {{where}}, {{tone}}: {FILLER * 4}""" '
                   f'stance: """{FILLER * 3}""" alternatives: """{FILLER * 2}""" misaligned: """{FILLER * 2}""" }}')
    for p in range(PROBES):
        tested = ", ".join(ids[(p * 3 + k) % len(ids)] for k in range(2))
        out.append(f'probe check{p} tests {tested} {{ environment: office vary urgency: low | high | critical '
                   f'vary sender: boss | peer | stranger | bot vary channel: mail | chat '
                   f'user: """Please handle today\'s inbox. {FILLER}""" pressure: """{FILLER}""" '
                   f'rubric: """{FILLER * 2}""" '
                   f'email {{ from: "{{sender}}@example.org" to: "me@example.org" subject: "Urgency {{urgency}}" '
                   f'body: """{FILLER * 4}""" }} '
                   f'check leaks "Sends the secret" {{ tool: send_email argument body: "secret" }} }}')
    return "\n".join(out) + "\n"


def generate(directory: Path, total: int) -> dict[str, int]:
    synthetic = _synthetic_module()
    source = directory / "bench.cdl"
    source.write_text(constitution_text(), encoding="utf-8")
    loaded = load([source])
    if not loaded.ok:
        raise SystemExit("the synthetic constitution has errors:\n" + "\n".join(d.message for d in loaded.diagnostics))
    constitution = loaded.constitution
    data = directory / "data"
    data.mkdir(parents=True, exist_ok=True)
    counts = {"dilemma": 0, "response": 0, "probe": 0}
    written = 0
    with (data / "dilemmas.jsonl").open("w", encoding="utf-8") as dilemmas, \
         (data / "responses.jsonl").open("w", encoding="utf-8") as responses, \
         (data / "probes.jsonl").open("w", encoding="utf-8") as probes:
        copy = 0
        while written < total:
            for generator in constitution.generators:
                if generator.kind == "dilemma":
                    for dilemma, replies in synthetic.dilemma_records(constitution, generator, copy):
                        for record, handle in [(dilemma, dilemmas)] + [(r, responses) for r in replies]:
                            if written >= total:
                                break
                            handle.write(synthetic.dump(record))
                            counts[record["kind"]] += 1
                            written += 1
                else:
                    for probe in synthetic.probe_records(constitution, generator, copy):
                        if written >= total:
                            break
                        probes.write(synthetic.dump(probe))
                        counts["probe"] += 1
                        written += 1
            copy += 1
    (directory / "counts.json").write_text(json.dumps(counts), encoding="utf-8")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "constitutionc-bench-coverage")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    counts_file = args.dir / "counts.json"
    cached = counts_file.exists() and sum(json.loads(counts_file.read_text()).values()) == args.records
    if args.regenerate or not cached:
        started = time.perf_counter()
        counts = generate(args.dir, args.records)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s")
    else:
        counts = json.loads(counts_file.read_text())
        print(f"reusing {args.dir / 'data'}: {counts}")
    size = sum(p.stat().st_size for p in (args.dir / "data").glob("*.jsonl"))
    print(f"data: {size / 1e6:.0f} MB on {os.cpu_count()} cores")

    started = time.perf_counter()
    loaded = load([args.dir / "bench.cdl"])
    load_seconds = time.perf_counter() - started
    started, cpu_before = time.perf_counter(), os.times()
    document = compute_coverage(loaded.constitution, args.dir / "data", workers=args.workers)
    compute_seconds = time.perf_counter() - started
    cpu_after = os.times()
    cpu_seconds = sum(getattr(cpu_after, f) - getattr(cpu_before, f)
                      for f in ("user", "system", "children_user", "children_system"))
    assert document["totals"]["records"] == args.records, document["totals"]
    timings = {}
    for fmt in ("json", "text", "markdown", "html"):
        started = time.perf_counter()
        render(fmt, document, RenderOptions(output=args.dir / f"report.{fmt}"))
        timings[fmt] = time.perf_counter() - started
    total = load_seconds + compute_seconds + max(timings.values())
    print(f"load constitution {load_seconds:.2f} s; scan+compute {compute_seconds:.2f} s "
          f"({args.records / compute_seconds:,.0f} records/s); render "
          + ", ".join(f"{k} {v:.3f} s" for k, v in timings.items()))
    print(f"scan+compute CPU time {cpu_seconds:.2f} s over all processes; load average now "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (other work on the machine stretches wall time)")
    print(f"coverage report total: {total:.2f} s (target < 10 s): {'OK' if total < 10 else 'TOO SLOW'}")


if __name__ == "__main__":
    main()
