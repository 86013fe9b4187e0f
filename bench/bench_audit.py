"""Benchmark `constitutionc audit` on a 1,000,000-record build of the scaled quickstart.

    .venv/bin/python bench/bench_audit.py [--records 1000000] [--data DIR]

Builds the synthetic constitution of `bench_build.py` (or reuses `--data`), then
runs `constitutionc audit DATA --format json` in a fresh process and reports wall
time, CPU time and peak RSS (the child's rusage). Targets: under 30 s on this
machine for 1,000,000 records, memory flat (well under 1 GB, independent of the
records' count once the distinct texts are seen).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import family_count, synthetic_families, write_cdl  # noqa: E402


def measured(argv: list[str]) -> tuple[float, float, float, bytes]:
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{argv} failed")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=None, help="An existing build to audit.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data
        if data is None:
            source = Path(tmp) / "scaled.cdl"
            write_cdl(synthetic_families(family_count(args.records)), source)
            data = Path(tmp) / "out"
            subprocess.run([sys.executable, "-m", "constitutionc", "build", str(source), "-o", str(data)],
                           check=True, stdout=subprocess.DEVNULL)
        records = sum(sum(1 for _ in p.open("rb")) for p in data.glob("*.jsonl"))
        wall, cpu, rss, output = measured([sys.executable, "-m", "constitutionc", "audit", str(data),
                                           "--format", "json"])
        report = json.loads(output)
        print(f"audit of {records:,} records: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {rss:.0f} MB, "
              f"{records / cpu:,.0f} records per CPU-second; "
              f"{report['counts']['training_items']:,} distinct training items")


if __name__ == "__main__":
    main()
