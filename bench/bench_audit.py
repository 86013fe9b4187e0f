"""Benchmark `constitutionc audit` on a synthetic generated build of `--records` JSON lines.

    .venv/bin/python bench/bench_audit.py [--records 1000000] [--distinct] [--data DIR] [--keep DIR]
        [--against TREE]

An offline build of a constitution holds briefs and probes and nothing to train on, so it would
leave most of the audit idle. This script writes what a model-written build looks like instead,
in the layouts the targets write: chat rows (justified, bare and an OpenAI copy of justified, so
the same example arrives in two files), preference pairs, canonical response records and probes
with system prompts, tool sets and messages. Texts are drawn from a seeded random vocabulary, so
the data are the same on every run; a few answers are stage directions, talk about "the user" or
copy a probe's words, so every figure has work to do.

By default each example is written four times over the files (the justified answer three times,
the prompt four), as the targets of one build write it. `--distinct` writes every row with its own
prompt and answers instead, so nearly every text of the build is met once: a scan that only got
fast by remembering repeated texts shows it there.

Then it runs `constitutionc audit DATA --format json` in a fresh process and reports wall time,
CPU time and peak RSS (the child's rusage). With `--against TREE` (another checkout of the project,
e.g. a `git worktree` of an older commit) it runs that tree's audit on the same data too, the two
alternately (`--rounds` times each), prints both and their ratios, and fails unless the two JSON
reports are byte-identical. Targets (issue 15): under 30 s for 1,000,000 records on this machine,
memory flat: peak RSS at 1,000,000 records close to the peak at 100,000.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SYSTEMS = [f"You are the assistant of shop number {i}. Answer plainly." for i in range(40)]
PROBES = 200
FAMILIES = 150


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    syllables = "ka lo mi ne ru sa te vi zo pa de fu gi ho ju la mo ni po qu ri si tu".split()
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(size)]


class Writer:
    def __init__(self, seed: int = 15):
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        self.common = self.words[:300]  # frequent words make short n-grams repeat, as in real text

    def sentence(self, count: int) -> str:
        rng, words, common = self.rng, self.words, self.common
        return " ".join(rng.choice(common) if rng.random() < 0.3 else rng.choice(words) for _ in range(count))

    def answer(self, count: int) -> str:
        opening = self.rng.choice(["I think", "You could", "I'd suggest", "Honestly,", "Here is what I would do:"])
        return f"{opening} {self.sentence(count)}. {self.sentence(count // 3)}?"


def write_build(out: Path, records: int, distinct: bool = False) -> None:
    """`records` lines of a model-written build in `out`; with `distinct`, every row has texts of its own."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "hf").mkdir(exist_ok=True)
    (out / "openai").mkdir(exist_ok=True)
    w = Writer()
    probe_texts = []
    with (out / "probes.jsonl").open("w", encoding="utf-8") as f:
        for i in range(PROBES):
            user = w.sentence(40)
            probe_texts.append(user)
            f.write(json.dumps({"kind": "probe", "id": f"pr-{i:016x}", "generator": f"family_{i % FAMILIES}",
                                "principles": [f"p.rule_{i % 50}"], "system": w.rng.choice(SYSTEMS[:10]),
                                "user": user, "messages": [{"id": "m1", "body": w.sentence(30)}],
                                "tools": [{"name": "send_email"}, {"name": f"tool_{i % 7}"}]}) + "\n")

    def example() -> tuple[str, str]:
        """A prompt and its justified answer: a few answers direct instead of speaking, or copy a probe."""
        prompt = w.sentence(w.rng.randint(20, 45))
        answer = w.answer(w.rng.randint(50, 110))
        roll = w.rng.random()
        if roll < 0.02:
            answer = "Decline to help and advise the user to " + answer
        elif roll < 0.03:
            answer = answer + " " + " ".join(w.rng.choice(probe_texts).split()[:14])
        return prompt, answer

    # Four rows per item: justified (hf and openai), bare, and a pair or a canonical record.
    items = max(1, (records - PROBES) // 4)
    files = {name: (out / name).open("w", encoding="utf-8") for name in
             ("hf/justified.jsonl", "hf/bare.jsonl", "openai/chat.jsonl", "hf/preference.jsonl",
              "responses.jsonl")}
    try:
        for i in range(items):
            family = f"family_{i % FAMILIES}"
            system = SYSTEMS[i % len(SYSTEMS)]
            prompt, answer = example()
            common = {"id": f"rs-{i:016x}", "generator": family, "principles": [f"p.rule_{i % 50}"]}

            def chat(prompt: str, answer: str, variant: str) -> str:
                return json.dumps({"messages": [{"role": "system", "content": system},
                                                {"role": "user", "content": prompt},
                                                {"role": "assistant", "content": answer}],
                                   **common, "kind": "response", "variant": variant}) + "\n"

            files["hf/justified.jsonl"].write(chat(prompt, answer, "justified"))
            files["openai/chat.jsonl"].write(chat(*(example() if distinct else (prompt, answer)), "justified"))
            if distinct:
                prompt, answer = example()
            files["hf/bare.jsonl"].write(chat(prompt, w.answer(w.rng.randint(30, 70)), "bare"))
            if distinct:
                prompt, answer = example()
            if i % 2:
                rejected = w.answer(w.rng.randint(40, 120))
                files["hf/preference.jsonl"].write(json.dumps({
                    "prompt": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
                    "chosen": [{"role": "assistant", "content": answer}],
                    "rejected": [{"role": "assistant", "content": rejected}], **common}) + "\n")
            else:
                files["responses.jsonl"].write(json.dumps({**common, "kind": "response", "variant": "justified",
                                                           "system": system, "prompt": prompt,
                                                           "response": answer}) + "\n")
    finally:
        for handle in files.values():
            handle.close()


def measured(argv: list[str], env: dict | None = None) -> tuple[float, float, float, bytes]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{argv} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def differences(this, other, path: str = "") -> list[str]:
    """The JSON paths where two reports differ (a change meant to keep the figures should show none, one
    that changes how samples are chosen only sampled figures)."""
    if isinstance(this, dict) and isinstance(other, dict):
        return [found for key in sorted(set(this) | set(other))
                for found in differences(this.get(key), other.get(key), f"{path}.{key}")]
    if isinstance(this, list) and isinstance(other, list) and len(this) == len(other):
        return [found for i, (a, b) in enumerate(zip(this, other)) for found in differences(a, b, f"{path}[{i}]")]
    return [] if this == other else [path or "."]


HERE = Path(__file__).resolve().parents[1]  # the checkout this script belongs to


def tree_env(tree: Path) -> dict:
    """The environment that makes `python -P -m constitutionc` run `tree`'s code (-P: not the working
    directory's)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tree.resolve()), *filter(None, [env.get("PYTHONPATH")])])
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--distinct", action="store_true", help="Give every row texts of its own.")
    parser.add_argument("--data", type=Path, default=None, help="An existing build to audit (nothing is written).")
    parser.add_argument("--keep", type=Path, default=None, help="Write the synthetic build here and keep it.")
    parser.add_argument("--against", type=Path, default=None,
                        help="Another checkout of the project: audit the same data with its code too and compare.")
    parser.add_argument("--rounds", type=int, default=1, help="Runs of each version (alternating).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            data = args.keep or Path(tmp) / "out"
            write_build(data, args.records, args.distinct)
        records = sum(sum(1 for _ in p.open("rb")) for p in data.rglob("*.jsonl"))
        argv = [sys.executable, "-P", "-m", "constitutionc", "audit", str(data), "--format", "json"]
        versions = [("this", HERE)] + ([("against", args.against)] if args.against else [])
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _ in versions}
        reports: dict[str, bytes] = {}
        for _ in range(args.rounds):
            for name, tree in versions:
                load = os.getloadavg()[0]
                wall, cpu, rss, output = measured(argv, tree_env(tree))
                runs[name].append((wall, cpu, rss))
                reports.setdefault(name, output)
                report = json.loads(output)
                print(f"{name:>7}: audit of {records:,} records: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {rss:.0f} MB, "
                      f"{records / cpu:,.0f} records per CPU-second; "
                      f"{report['counts']['training_items']:,} distinct training items (load {load:.2f} before)",
                      flush=True)
        if args.against:
            best = {name: tuple(min(r[i] for r in rows) for i in range(3)) for name, rows in runs.items()}
            (wall, cpu, rss), (old_wall, old_cpu, old_rss) = best["this"], best["against"]
            print(f"best of {args.rounds}: this {wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MB; against "
                  f"{old_wall:.1f} s wall, {old_cpu:.1f} s CPU, {old_rss:.0f} MB; speed-up {old_wall / wall:.2f}x wall, "
                  f"{old_cpu / cpu:.2f}x CPU, memory {rss / old_rss:.2f}x")
            # The machine's speed drifts between rounds more than most changes move the time: the ratio
            # within each round (two runs a minute apart) is the steadier figure.
            ratios = sorted(old[1] / new[1] for new, old in zip(runs["this"], runs["against"]))
            print(f"CPU speed-up within each round: {', '.join(f'{r:.2f}x' for r in ratios)}; "
                  f"median {statistics.median(ratios):.2f}x")
            if reports["this"] != reports["against"]:
                paths = differences(json.loads(reports["this"]), json.loads(reports["against"]))
                raise SystemExit(f"the two reports differ at {len(paths)} places: " + ", ".join(paths[:20]))
            print("reports byte-identical")


if __name__ == "__main__":
    main()
