"""Benchmark: `constitutionc check` on a synthetic 5,000-principle constitution, and `--help` start-up.

Targets (issue 2): check of ~50,000 lines under 2 s and 300 MB peak RSS; `--help` under 0.3 s.
Ratios (issue 9), by CPU time (user + system) of the whole child process, so a busy machine moves both
sides alike. Every round runs each command once, in turn (A B C D, A B C D, ...), and each ratio is the
median over rounds of that round's ratio:
  - check of the 50,000-line file / `bench/bare_parse.py` on it: a bare
    `lark.Lark(parser="lalr", propagate_positions=True).parse` (same grammar, Lark's cache warm, nothing
    of constitutionc imported): target <= 1.10;
  - check of examples/quickstart/constitution.cdl / `python -c pass`: target <= 5.
With `--against DIR` (another checkout of the repository, e.g. `git worktree add /tmp/before main`), the
same rounds also run DIR's package (`PYTHONPATH=DIR`, same interpreter and inputs) on both files and
report new / old directly.
Run: .venv/bin/python bench/bench_check.py [--principles N] [--repeat N] [--against DIR]
     .venv/bin/python bench/bench_check.py --write FILE   (only writes the synthetic file, to time by hand)
Each measurement runs in a fresh subprocess so start-up, imports and peak memory are counted honestly.
The package's bytecode is compiled first, as an installed package has it: an editable install under
PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module of the package on every run (about 50 ms,
more than a small file's whole check). To time by hand with public tools, alternate the two commands, e.g.
    cd examples/quickstart && for i in 1 2 3 4 5; do /usr/bin/time -f %U+%S constitutionc check constitution.cdl; \
        /usr/bin/time -f %U+%S python -c pass; done
and take the median of the pairwise ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def synthetic_constitution(principles: int) -> str:
    out = ['constitution "Synthetic benchmark" {\n  version: "1"\n  licence: "CC0-1.0"\n}\n',
           "priority: safety > ethics > helpfulness\n"]
    for value in ("safety", "ethics", "helpfulness"):
        out.append(f'value {value} "{value.title()}" {{\n  why: "Because {value} matters."\n}}\n')
    per_section = 50
    for s in range(0, principles, per_section):
        out.append(f'section s{s} "Section {s}" {{\n  prose: """Prose for section {s}."""\n\n')
        for i in range(s, min(s + per_section, principles)):
            value = ("safety", "ethics", "helpfulness")[i % 3]
            out.append(
                f'  principle p{i}.rule "Rule {i}" {{\n'
                f"    value: {value}\n"
                f"    kind: default\n"
                f"    tags: synthetic, group{i % 7}\n"
                f'    text: """Principle number {i} says the assistant should act with care in situation {i},\n'
                f'      weighing the interests of everyone involved."""\n'
                f'    why: """Situation {i} recurs often enough that getting it wrong would erode trust\n'
                f'      in ways that are hard to repair."""\n'
                f"  }}\n\n")
        out.append("}\n\n")
    for g in range(0, principles, 25):
        out.append(
            f"dilemma family{g} teaches p{g}.rule, p{g + 1}.rule {{\n"
            f"  vary tone: calm | angry | worried\n"
            f"  vary who: friend | colleague\n"
            f'  user: """My {{who}} is {{tone}} about situation {g}. What should I do?"""\n'
            f'  stance: """Take the careful path."""\n'
            f"}}\n\n")
    return "".join(out)


def measure(cmd: list[str], repeat: int) -> tuple[float, float]:
    """(median seconds, peak RSS MB of the child) over `repeat` runs."""
    times, peaks = [], []
    probe = ("import resource, subprocess, sys, time; t=time.perf_counter(); "
             "r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
             "dt=time.perf_counter()-t; "
             "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024, r.returncode)")
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, check=True)
        dt, peak, code = out.stdout.split()
        # The synthetic constitution is clean and `--help` succeeds: anything but 0 means the
        # command did not do the work being timed (e.g. run with a Python that lacks the package).
        if int(code) != 0:
            raise SystemExit(f"command failed with exit {code}: {' '.join(cmd)}")
        times.append(float(dt))
        peaks.append(float(peak))
    return statistics.median(times), max(peaks)


BARE_PARSE = Path(__file__).with_name("bare_parse.py")


def cpu_seconds(cmd: list[str], cwd: str | None = None, env: dict | None = None) -> float:
    """User + system CPU seconds of one child process (and its children), exit status checked."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"command failed with exit {done.returncode}: {' '.join(cmd)}\n{done.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def rounds(commands: dict[str, tuple[list[str], str | None, dict | None]], repeat: int) -> dict[str, list[float]]:
    """CPU seconds of each named (command, cwd, env), run in turn once per round, `repeat` rounds."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (cmd, cwd, env) in commands.items():
            times[name].append(cpu_seconds(cmd, cwd, env))
    return times


def ratio(times: dict[str, list[float]], a: str, b: str) -> float:
    """The median over rounds of a / b, each round's pair measured side by side."""
    return statistics.median(x / y for x, y in zip(times[a], times[b]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--principles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=30, help="rounds of the side-by-side ratios")
    parser.add_argument("--against", metavar="DIR", help="a checkout of the repository to compare with")
    parser.add_argument("--write", metavar="FILE", help="write the synthetic constitution to FILE and stop")
    args = parser.parse_args()
    if args.write:
        Path(args.write).write_text(synthetic_constitution(args.principles), encoding="utf-8")
        return
    import os

    exe = [sys.executable, "-m", "constitutionc"]
    repo = Path(__file__).resolve().parents[1]
    # Both packages from their own trees, whatever is installed: PYTHONPATH comes before site-packages.
    env = dict(os.environ, PYTHONPATH=str(repo))
    trees = {"new": repo} | ({"old": Path(args.against).resolve()} if args.against else {})
    for tree in trees.values():
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "constitutionc")],
                       stdout=subprocess.DEVNULL, check=True)
    quickstart = str(repo / "examples" / "quickstart")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.cdl"
        path.write_text(synthetic_constitution(args.principles), encoding="utf-8")
        lines = path.read_text(encoding="utf-8").count("\n")
        # Warm Lark's grammar caches once, as any second run on a user's machine would be.
        subprocess.run(exe + ["check", str(path)], stdout=subprocess.DEVNULL, env=env)
        check_time, check_peak = measure(exe + ["check", str(path)], 5)
        help_time, _ = measure(exe + ["--help"], 5)
        bare = [sys.executable, str(BARE_PARSE), str(path)]
        subprocess.run(bare, check=True)  # writes the bare parser's cache
        commands: dict[str, tuple[list[str], str | None, dict | None]] = {}
        for name, tree in trees.items():
            tree_env = dict(os.environ, PYTHONPATH=str(tree))
            commands[f"{name} check large"] = (exe + ["check", str(path)], None, tree_env)
            commands[f"{name} check quickstart"] = (exe + ["check", "constitution.cdl"], quickstart, tree_env)
        commands["bare parse large"] = (bare, None, None)
        commands["python -c pass"] = ([sys.executable, "-c", "pass"], quickstart, None)
        times = rounds(commands, args.repeat)
    print(f"check: {args.principles} principles, {lines} lines: median {check_time:.2f} s "
          f"(target < 2 s), peak RSS {check_peak:.0f} MB (target < 300 MB)")
    print(f"--help: median {help_time * 1000:.0f} ms (target < 300 ms)")
    print(f"CPU time, median of {args.repeat} rounds, every command once per round:")
    for name, values in times.items():
        print(f"  {name:24s} {statistics.median(values) * 1000:8.1f} ms")
    for name in trees:
        print(f"{name}: check large / bare Lark parse with propagate_positions (bench/bare_parse.py): "
              f"{ratio(times, f'{name} check large', 'bare parse large'):.3f}x (target <= 1.10)")
        print(f"{name}: check examples/quickstart / python -c pass: "
              f"{ratio(times, f'{name} check quickstart', 'python -c pass'):.2f}x (target <= 5)")
    if "old" in trees:
        print(f"new / old, check large: {ratio(times, 'new check large', 'old check large'):.3f}x; "
              f"check quickstart: {ratio(times, 'new check quickstart', 'old check quickstart'):.3f}x")


if __name__ == "__main__":
    main()
