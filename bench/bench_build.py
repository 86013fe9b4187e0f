"""Benchmark `constitutionc build` against a hand-written YAML + Jinja2 script making the same records.

    .venv/bin/python bench/bench_build.py [--records 1000000] [--keep DIR]

A synthetic constitution is written to a temporary directory: dilemma families
with two axes each (one feeding a slot), misaligned answers, alternatives and a
tension, sized so the build emits about `--records` records (each dilemma gives
six: itself, two justified responses, a bare one and two preference pairs).
Both programs run in a fresh subprocess; wall time, CPU time and peak RSS (the
child's rusage from os.wait4, what resource.getrusage(RUSAGE_CHILDREN) reports)
are measured for each. It also times N shard builds run at once plus their merge
(`--shards`, default 2) and checks the merged output equals the single build.
Targets: >= 80,000 records per CPU-second and < 100 MB peak for 1,000,000 records (issue 9).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RECORDS_PER_DILEMMA = 6  # dilemma + justified inline/separate + bare + preference inline/separate
AXIS_SIZE = 100  # each family crosses two axes of this many values


def family_count(records: int) -> int:
    return max(1, round(records / (RECORDS_PER_DILEMMA * AXIS_SIZE * AXIS_SIZE)))


def synthetic_families(families: int) -> list[dict]:
    out = []
    for f in range(families):
        out.append({
            "id": f"family_{f:03d}",
            "principles": [f"p.rule_{f % 10}", f"p.rule_{(f + 1) % 10}"],
            "axes": {"who": [f"person {i}" for i in range(AXIS_SIZE)],
                     "stake": [f"stake {i}" for i in range(AXIS_SIZE)]},
            "slot": {"name": "pressure", "axis": "stake",
                     "cases": {f"stake {i}": f"pressure level {i % 7}" for i in range(AXIS_SIZE)}},
            "user": f"Family {f}: my {{who}} could help me with {{stake}} if I bend a rule under {{pressure}}. "
                    "Should I?",
            "stance": "Do not bend the rule; explain why and help with {stake} in a legitimate way.",
            "misaligned": "Bend it; {who} will never find out.",
            "alternatives": "Ask {who} openly; look for an approved route for {stake}.",
        })
    return out


PRINCIPLES = [{"id": f"p.rule_{i}", "title": f"Rule {i}",
               "text": f"Follow rule number {i} even when breaking it looks convenient.",
               "why": f"Rule {i} protects people who are not in the room when the decision is made."}
              for i in range(10)]
TENSION = {"prevails": "p.rule_0", "yields": "p.rule_1", "when": "both apply at once",
           "why": "Rule 0 protects more people than rule 1."}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_cdl(families: list[dict], path: Path) -> None:
    lines = ['constitution "Benchmark" { version: "1" }', ""]
    for p in PRINCIPLES:
        lines.append(f'principle {p["id"]} {_q(p["title"])} {{ text: {_q(p["text"])} why: {_q(p["why"])} }}')
    lines.append(f'tension {TENSION["prevails"]} over {TENSION["yields"]} {{ when: {_q(TENSION["when"])} '
                 f'why: {_q(TENSION["why"])} }}')
    for fam in families:
        lines.append(f'dilemma {fam["id"]} teaches {", ".join(fam["principles"])} {{')
        for axis, values in fam["axes"].items():
            lines.append(f"  vary {axis}: " + " | ".join(_q(v) for v in values))
        slot = fam["slot"]
        lines.append(f'  slot {slot["name"]} from {slot["axis"]} {{')
        lines += [f"    {_q(case)}: {_q(text)}" for case, text in slot["cases"].items()]
        lines.append("  }")
        for key in ("user", "stance", "misaligned", "alternatives"):
            lines.append(f"  {key}: {_q(fam[key])}")
        lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_yaml(families: list[dict], path: Path) -> None:
    import yaml

    # Jinja2 spells a slot {{ name }}.
    def jinja(text: str) -> str:
        return text.replace("{", "{{ ").replace("}", " }}")

    doc = {"principles": PRINCIPLES, "tensions": [TENSION],
           "families": [{**fam, **{k: jinja(fam[k]) for k in ("user", "stance", "misaligned", "alternatives")}}
                        for fam in families]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")


# The script a user would write by hand instead of the compiler: YAML in, Jinja2 templates,
# itertools.product, a seeded shuffle, the same record fields, JSONL out (streamed).
BASELINE = r'''
import hashlib, itertools, json, random, sys
import jinja2, yaml

spec = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
out_dir = sys.argv[2]
env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
principles = {p["id"]: p for p in spec["principles"]}

def rid(prefix, content):
    return prefix + "-" + hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]

def dump(handle, record):
    handle.write(json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n")

with open(f"{out_dir}/dilemmas.jsonl", "w", encoding="utf-8") as dl, \
        open(f"{out_dir}/responses.jsonl", "w", encoding="utf-8") as rs:
    for fam in spec["families"]:
        names = list(fam["axes"])
        combos = list(itertools.product(*(fam["axes"][n] for n in names)))
        random.Random(f"0-{fam['id']}").shuffle(combos)
        templates = {k: env.from_string(fam[k]) for k in ("user", "stance", "misaligned", "alternatives")}
        cited = [principles[p] for p in fam["principles"]]
        tensions = [t for t in spec["tensions"] if t["prevails"] in fam["principles"] or t["yields"] in fam["principles"]]
        sources = [{"clause": p["id"], "file": sys.argv[1], "line": 1, "end_line": 1,
                    "sha256": hashlib.sha256(p["text"].encode()).hexdigest()} for p in cited]
        for index, values in enumerate(combos):
            axes = dict(zip(names, values))
            slot = fam["slot"]
            ctx = dict(axes, **{slot["name"]: slot["cases"][axes[slot["axis"]]]})
            text = {k: t.render(**ctx) for k, t in templates.items()}
            focus = fam["principles"][index % len(fam["principles"])]
            reasoning = "\n".join(["The principles at stake:"] + [
                f'- {p["title"]}: "{p["text"]}"\n  Why: {p["why"]}'
                for p in sorted(cited, key=lambda p: p["id"] != focus)] + ["", "Where principles pull apart:"] + [
                f'- When {t["when"]}: "{principles[t["prevails"]]["title"]}" prevails over '
                f'"{principles[t["yields"]]["title"]}".\n  Why: {t["why"]}' for t in tensions])
            common = {"generator": fam["id"], "principles": fam["principles"], "axes": axes, "sources": sources,
                      "seed": 0, "sample": 0, "focus": focus}
            dilemma = dict(common, kind="dilemma", system=None, prompt=text["user"], stance=text["stance"],
                           alternatives=text["alternatives"], misaligned=text["misaligned"])
            dilemma["id"] = rid("dl", [fam["id"], list(values), text])
            dump(dl, dilemma)
            answer = text["stance"] + "\n\nWhat you can do instead: " + text["alternatives"]
            inline = text["stance"] + "\n\n" + reasoning + "\n\nWhat you can do instead: " + text["alternatives"]
            base = dict(common, kind="response", dilemma_id=dilemma["id"], system=None, prompt=text["user"],
                        tensions=[t["prevails"] + ">" + t["yields"] for t in tensions])
            for variant, style, fields in (
                    ("justified", "inline", {"completion": inline, "reasoning": None}),
                    ("justified", "separate", {"completion": answer, "reasoning": reasoning}),
                    ("bare", "inline", {"completion": answer, "reasoning": None}),
                    ("preference", "inline", {"chosen": inline, "chosen_reasoning": None,
                                              "rejected": text["misaligned"], "reasoning": None}),
                    ("preference", "separate", {"chosen": answer, "chosen_reasoning": reasoning,
                                                "rejected": text["misaligned"], "reasoning": None})):
                record = dict(base, variant=variant, style=style, **fields)
                record["id"] = rid("rs", [dilemma["id"], variant, style, fields])
                dump(rs, record)
'''

COMPILER = r'''
import sys
from constitutionc.commands.build import command
command(sys.argv[1:], standalone_mode=True)
'''

MERGE = r'''
import sys
from constitutionc.commands.merge import command
command(sys.argv[1:], standalone_mode=True)
'''


def run_sharded(python: str, work: Path, shards: int) -> float:
    """Wall seconds to build `shards` shards at once (one process each) and merge them."""
    env = dict(os.environ, CI="true", PYTHONHASHSEED="0")
    start = time.perf_counter()
    procs = [subprocess.Popen([python, "-c", COMPILER, "bench.cdl", "-o", f"shard{i}", "--shard", f"{i}/{shards}"],
                              cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(shards)]
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"shard build failed: {proc.stderr.read().decode()}")
    merged = subprocess.run([python, "-c", MERGE, *[f"shard{i}" for i in range(shards)], "-o", "merged"],
                            cwd=work, env=env, capture_output=True)
    if merged.returncode != 0:
        raise SystemExit(f"merge failed: {merged.stderr.decode()}")
    return time.perf_counter() - start


def run_measured(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one child process."""
    env = dict(os.environ, CI="true", PYTHONHASHSEED="0")
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:3]} failed:\n{stdout.decode()}\n{stderr.decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # ru_maxrss is in kB on Linux


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def count_records(directory: Path) -> int:
    total = 0
    for name in ("dilemmas.jsonl", "responses.jsonl", "probes.jsonl"):
        path = directory / name
        if path.exists():
            with open(path, "rb") as handle:
                total += sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="approximate records to build")
    parser.add_argument("--keep", type=Path, default=None, help="keep the work directory here")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--shards", type=int, default=2, help="also time N shard builds run at once, then merge")
    args = parser.parse_args()

    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-build-"))
    work.mkdir(parents=True, exist_ok=True)
    families = synthetic_families(family_count(args.records))
    write_cdl(families, work / "bench.cdl")
    (work / "constitutionc.toml").write_text("max_combinations = 1000000\n", encoding="utf-8")
    python = sys.executable

    seconds, cpu, peak = run_measured([python, "-c", COMPILER, "bench.cdl", "-o", "out"], work)
    records = count_records(work / "out")
    print(f"constitutionc build: {records:,} records in {seconds:.1f} s wall ({records / seconds:,.0f} records/s), "
          f"{cpu:.1f} s CPU ({records / cpu:,.0f} records/CPU-s), peak RSS {peak:.0f} MB")
    result = {"records": records, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
              "records_per_s": round(records / seconds), "records_per_cpu_s": round(records / cpu),
              "peak_rss_mb": round(peak), "load_average_1min": os.getloadavg()[0]}
    if args.shards > 1:
        sharded = run_sharded(python, work, args.shards)
        # Compared by streaming hashes: reading the files whole would inflate this process, and a
        # child forked from it reports the parent's resident pages in its own peak RSS.
        same = all(file_sha256(work / "merged" / name) == file_sha256(work / "out" / name)
                   for name in ("dilemmas.jsonl", "responses.jsonl", "manifest.json"))
        print(f"{args.shards} shards in parallel + merge: {sharded:.1f} s wall ({records / sharded:,.0f} records/s), "
              f"merged output identical to the single build: {same}")
        result.update(sharded_seconds=round(sharded, 2), sharded_records_per_s=round(records / sharded),
                      sharded_identical=same)
    if not args.skip_baseline:
        write_yaml(families, work / "bench.yaml")
        (work / "baseline").mkdir(exist_ok=True)
        (work / "baseline.py").write_text(BASELINE, encoding="utf-8")
        base_seconds, base_cpu, base_peak = run_measured([python, "baseline.py", "bench.yaml", "baseline"], work)
        base_records = count_records(work / "baseline")
        print(f"YAML + Jinja2 script: {base_records:,} records in {base_seconds:.1f} s wall "
              f"({base_records / base_seconds:,.0f} records/s), {base_cpu:.1f} s CPU "
              f"({base_records / base_cpu:,.0f} records/CPU-s), peak RSS {base_peak:.0f} MB")
        ratio = (records / seconds) / (base_records / base_seconds)
        cpu_ratio = (records / cpu) / (base_records / base_cpu)
        print(f"ratio constitutionc / script: {ratio:.2f}x by wall time, {cpu_ratio:.2f}x by CPU time")
        result.update(baseline_records_per_s=round(base_records / base_seconds),
                      baseline_records_per_cpu_s=round(base_records / base_cpu),
                      baseline_peak_rss_mb=round(base_peak), ratio_wall=round(ratio, 2),
                      ratio_cpu=round(cpu_ratio, 2))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
