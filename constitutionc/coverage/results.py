"""Graded probe results: the results format, and per-principle violation rates with 95% Wilson intervals.

Input (documented in docs/coverage.md): JSONL, one object per probe run, with at
least `probe_id` and `verdict` ("pass", "fail" or "error"). A fail belongs to the
clauses in its `clauses` list (the clauses of the checks that fired, or that the
judge named); a fail without them belongs to every clause its probe cites. An
error is neither a pass nor a fail: it is counted apart. `cited` (the clauses the
probe cites), `condition_id`, `sample`, `model` and `source` are read when present;
other keys are ignored. `constitutionc results import` writes this format from
Inspect and promptfoo logs; `constitutionc eval` writes it too.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .scan import CoverageInputError

# The 0.975 quantile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054
VERDICTS = ("pass", "fail", "error")
ResultsInputError = CoverageInputError
# One graded run is a small object; a longer line (say /dev/zero given as the file) is not read into memory whole.
MAX_LINE_CHARS = 1 << 23


@dataclass(frozen=True)
class Run:
    probe_id: str
    verdict: str
    # The clauses a fail belongs to; empty when the run names none (then: every clause cited).
    clauses: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    condition_id: str | None = None


@dataclass
class ProbeRuns:
    runs: int = 0
    fails: int = 0
    errors: int = 0
    # fails that name their clauses, per clause; and fails that name none
    clause_fails: Counter = field(default_factory=Counter)
    unattributed: int = 0

    def add(self, run: Run) -> None:
        if run.verdict == "error":
            self.errors += 1
            return
        self.runs += 1
        if run.verdict == "fail":
            self.fails += 1
            if run.clauses:
                self.clause_fails.update(run.clauses)
            else:
                self.unattributed += 1

    def fails_of(self, clause: str) -> int:
        return self.clause_fails[clause] + self.unattributed


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

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.by_probe.values())


def _strings(value, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CoverageInputError(f"{where}: `{key}` must be a list of clause ids")
    return tuple(dict.fromkeys(value))


def parse_run(value, where: str) -> Run:
    if not isinstance(value, dict) or not isinstance(value.get("probe_id"), str):
        raise CoverageInputError(f"{where}: each line needs a string `probe_id`")
    verdict = value.get("verdict")
    if verdict not in VERDICTS:
        raise CoverageInputError(f"{where}: `verdict` must be \"pass\", \"fail\" or \"error\", "
                                 f"not {json.dumps(verdict)[:80]}")
    condition = value.get("condition_id")
    return Run(value["probe_id"], verdict, _strings(value.get("clauses"), where, "clauses"),
               _strings(value.get("cited"), where, "cited"), condition if isinstance(condition, str) else None)


def read_runs(path: Path) -> Iterator[Run]:
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
                    value = json.loads(line)
                except RecursionError:
                    raise CoverageInputError(f"{path}:{number}: nested too deeply to be a result") from None
                except ValueError as e:
                    raise CoverageInputError(f"{path}:{number}: not a JSON object ({e})") from None
                yield parse_run(value, f"{path}:{number}")
        except UnicodeDecodeError:
            raise CoverageInputError(f"results file {path} is not UTF-8 text") from None


def read_results(path: Path) -> GradedResults:
    results = GradedResults(str(path))
    for run in read_runs(path):
        results.by_probe.setdefault(run.probe_id, ProbeRuns()).add(run)
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


def rate_row(key: str, fails: int, runs: int) -> dict:
    low, high = wilson_interval(fails, runs)
    return {"id": key, "runs": runs, "fails": fails, "rate": fails / runs if runs else 0.0, "low": low, "high": high}


def violation_table(results: GradedResults, probe_citations: dict[str, tuple],
                    principle_ids: set[str]) -> dict:
    """Each run counts for the principles its probe cites (that still exist); a fail counts against
    the clauses it names, or all of them when it names none. Worst first."""
    per_principle: dict[str, list[int]] = {}
    unknown: list[str] = []
    for probe_id, runs in results.by_probe.items():
        citations = probe_citations.get(probe_id)
        if citations is None:
            unknown.append(probe_id)
            continue
        for clause in dict.fromkeys(c for c, _ in citations):
            if clause not in principle_ids:
                continue
            entry = per_principle.setdefault(clause, [0, 0])
            entry[0] += runs.runs
            entry[1] += runs.fails_of(clause)
    rows = [rate_row(clause, fails, total) for clause, (total, fails) in per_principle.items() if total]
    rows.sort(key=lambda r: (-r["rate"], -r["low"], r["id"]))
    unknown_runs = sum(results.by_probe[p].runs + results.by_probe[p].errors for p in unknown)
    return {"file": results.path, "runs": results.runs, "fails": results.fails, "errors": results.errors,
            "principles": rows, "unknown_probe_ids": sorted(unknown), "unknown_runs": unknown_runs}
