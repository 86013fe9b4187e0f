"""Benchmark: `constitutionc check` on a synthetic 5,000-principle constitution, and `--help` start-up.

Targets (issue 2): check of ~50,000 lines under 2 s and 300 MB peak RSS; `--help` under 0.3 s.
Ratios (issue 9), each a median of runs alternated A B A B in one call, by CPU time (user + system) of
the whole child process, so a busy machine moves both sides alike:
  - check of the 50,000-line file / `bench/bare_parse.py` on it: a bare
    `lark.Lark(parser="lalr", propagate_positions=True).parse` (same grammar, Lark's cache warm, nothing
    of constitutionc imported): target <= 1.10;
  - check of examples/quickstart/constitution.cdl / `python -c pass`: target <= 5.
Run: .venv/bin/python bench/bench_check.py [--principles N] [--repeat N]
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


def cpu_seconds(cmd: list[str], cwd: str | None = None) -> float:
    """User + system CPU seconds of one child process (and its children), exit status checked."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"command failed with exit {done.returncode}: {' '.join(cmd)}\n{done.stderr.decode()}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def alternating_ratio(a: list[str], b: list[str], repeat: int, cwd: str | None = None) -> tuple[float, float, float]:
    """(median A/B of CPU time over pairs run A B A B ..., median A seconds, median B seconds)."""
    ratios, a_times, b_times = [], [], []
    for _ in range(repeat):
        a_time, b_time = cpu_seconds(a, cwd), cpu_seconds(b, cwd)
        ratios.append(a_time / b_time)
        a_times.append(a_time)
        b_times.append(b_time)
    return statistics.median(ratios), statistics.median(a_times), statistics.median(b_times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--principles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", metavar="FILE", help="write the synthetic constitution to FILE and stop")
    args = parser.parse_args()
    if args.write:
        Path(args.write).write_text(synthetic_constitution(args.principles), encoding="utf-8")
        return
    exe = [sys.executable, "-m", "constitutionc"]
    package = Path(__file__).resolve().parents[1] / "constitutionc"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], stdout=subprocess.DEVNULL, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synthetic.cdl"
        path.write_text(synthetic_constitution(args.principles), encoding="utf-8")
        lines = path.read_text(encoding="utf-8").count("\n")
        # Warm Lark's grammar cache once, as any second run on a user's machine would be.
        subprocess.run(exe + ["check", str(path)], stdout=subprocess.DEVNULL)
        check_time, check_peak = measure(exe + ["check", str(path)], args.repeat)
        help_time, _ = measure(exe + ["--help"], args.repeat)
        bare = [sys.executable, str(BARE_PARSE), str(path)]
        subprocess.run(bare, check=True)  # writes the bare parser's cache
        vs_bare = alternating_ratio(exe + ["check", str(path)], bare, args.repeat)
        quickstart = Path(__file__).resolve().parents[1] / "examples" / "quickstart"
        vs_pass = alternating_ratio(exe + ["check", "constitution.cdl"], [sys.executable, "-c", "pass"],
                                    max(args.repeat, 10), cwd=str(quickstart))
    print(f"check: {args.principles} principles, {lines} lines: median {check_time:.2f} s "
          f"(target < 2 s), peak RSS {check_peak:.0f} MB (target < 300 MB)")
    print(f"--help: median {help_time * 1000:.0f} ms (target < 300 ms)")
    print(f"check / bare Lark parse with propagate_positions (bench/bare_parse.py), CPU: {vs_bare[0]:.2f}x "
          f"(target <= 1.10; medians {vs_bare[1]:.2f} s vs {vs_bare[2]:.2f} s)")
    print(f"check examples/quickstart / python -c pass, CPU: {vs_pass[0]:.1f}x "
          f"(medians {vs_pass[1] * 1000:.0f} ms vs {vs_pass[2] * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
