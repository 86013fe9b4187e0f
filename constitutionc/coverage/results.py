"""Graded probe results: per-principle violation rates with 95% Wilson score intervals.

Input (documented in docs/coverage.md): JSONL, one object per probe run, with at
least `probe_id` and `verdict` ("pass" or "fail"); other keys are ignored.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from .scan import CoverageInputError

# The 0.975 quantile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054
VERDICTS = ("pass", "fail")
# One graded run is a small object; a longer line (say /dev/zero given as the file) is not read into memory whole.
MAX_LINE_CHARS = 1 << 23


@dataclass
class ProbeRuns:
    runs: int = 0
    fails: int = 0


@dataclass
class GradedResults:
    path: str
    by_probe: dict[str, ProbeRuns] = field(default_factory=dict)

    @property
    def runs(self) -> int:
        return sum(r.runs for r in self.by_probe.values())

    @property
    def fails(self) -> int:
        return sum(r.fails for r in self.by_probe.values())


def read_results(path: Path) -> GradedResults:
    results = GradedResults(str(path))
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as e:
        raise CoverageInputError(f"cannot read results file {path}: {e.strerror}") from None
    with handle:
        try:
            for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE_CHARS + 1), ""), start=1):
                if len(line) > MAX_LINE_CHARS:
                    raise CoverageInputError(f"{path}:{number}: a line longer than {MAX_LINE_CHARS:,} characters; "
                                             "is this a results file?")
                if not line.strip():
                    continue
                try:
                    run = json.loads(line)
                except RecursionError:
                    raise CoverageInputError(f"{path}:{number}: nested too deeply to be a result") from None
                except ValueError as e:
                    raise CoverageInputError(f"{path}:{number}: not a JSON object ({e})") from None
                if not isinstance(run, dict) or not isinstance(run.get("probe_id"), str):
                    raise CoverageInputError(f"{path}:{number}: each line needs a string `probe_id`")
                verdict = run.get("verdict")
                if verdict not in VERDICTS:
                    raise CoverageInputError(f"{path}:{number}: `verdict` must be \"pass\" or \"fail\", "
                                             f"not {json.dumps(verdict)}")
                entry = results.by_probe.setdefault(run["probe_id"], ProbeRuns())
                entry.runs += 1
                entry.fails += verdict == "fail"
        except UnicodeDecodeError:
            raise CoverageInputError(f"results file {path} is not UTF-8 text") from None
    return results


def wilson_interval(fails: int, runs: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion; (0, 1) when there are no runs."""
    if runs == 0:
        return 0.0, 1.0
    p = fails / runs
    z2 = z * z
    denominator = 1 + z2 / runs
    centre = (p + z2 / (2 * runs)) / denominator
    half = z * math.sqrt(p * (1 - p) / runs + z2 / (4 * runs * runs)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def violation_table(results: GradedResults, probe_citations: dict[str, tuple],
                    principle_ids: set[str]) -> dict:
    """Attribute each run to the principles its probe cites (that still exist), worst first."""
    per_principle: dict[str, ProbeRuns] = {}
    unknown: list[str] = []
    for probe_id, runs in results.by_probe.items():
        citations = probe_citations.get(probe_id)
        if citations is None:
            unknown.append(probe_id)
            continue
        for clause in dict.fromkeys(c for c, _ in citations):
            if clause not in principle_ids:
                continue
            entry = per_principle.setdefault(clause, ProbeRuns())
            entry.runs += runs.runs
            entry.fails += runs.fails
    rows = []
    for clause, entry in per_principle.items():
        low, high = wilson_interval(entry.fails, entry.runs)
        rows.append({"id": clause, "runs": entry.runs, "fails": entry.fails,
                     "rate": entry.fails / entry.runs, "low": low, "high": high})
    rows.sort(key=lambda r: (-r["rate"], -r["low"], r["id"]))
    unknown_runs = sum(results.by_probe[p].runs for p in unknown)
    return {"file": results.path, "runs": results.runs, "fails": results.fails, "principles": rows,
            "unknown_probe_ids": sorted(unknown), "unknown_runs": unknown_runs}
