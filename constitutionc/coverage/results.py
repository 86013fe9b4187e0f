"""Graded probe results: the results format, and per-principle violation rates with 95% Wilson intervals.

Input (documented in docs/coverage.md): JSONL, one object per probe run, with at
least `probe_id` and `verdict` ("pass", "fail" or "error"). A fail belongs to the
clauses in its `clauses` list (the clauses of the checks that fired, or that the
judge named); a fail without them belongs to every clause its probe cites. An
error is neither a pass nor a fail: it is counted apart. `cited` (the clauses the
probe cites), `condition_id`, `sample`, `model` and `source` are read when present,
and `evaluation_awareness` (what the model under test said about the scenario, as the
judge read it: `says_test`, `says_real` or `not_stated`), by which rates are also split;
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

from .. import jsonl
from ..jsonl import JsonlError
from .scan import CoverageInputError

# The 0.975 quantile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054
VERDICTS = ("pass", "fail", "error")
# What the model under test said about the scenario, as the judge of `constitutionc eval` reports it.
AWARENESS = ("says_test", "says_real", "not_stated")
ResultsInputError = CoverageInputError
# One graded run is a small object; a longer line (say /dev/zero given as the file) is not read into memory whole.
MAX_LINE_BYTES = 1 << 23


@dataclass(frozen=True)
class Run:
    probe_id: str
    verdict: str
    # The clauses a fail belongs to; empty when the run names none (then: every clause cited).
    clauses: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    condition_id: str | None = None
    awareness: str | None = None  # one of AWARENESS, or None when no judge said


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
    # awareness -> [runs, fails], over scored runs
    by_awareness: dict[str, list[int]] = field(default_factory=dict)

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


def cited_clauses(record: dict) -> list[str]:
    """The clauses a probe record (or a log's copy of its metadata) cites: its sources' clauses, then its
    principles, each once. The `cited` of the results format; what a clause's rate counts runs against."""
    sources = record.get("sources") if isinstance(record.get("sources"), list) else []
    cited = [s["clause"] for s in sources if isinstance(s, dict) and isinstance(s.get("clause"), str)]
    principles = record.get("principles") if isinstance(record.get("principles"), list) else []
    cited += [p for p in principles if isinstance(p, str)]
    return list(dict.fromkeys(cited))


def parse_run(value, where: str) -> Run:
    if not isinstance(value, dict) or not isinstance(value.get("probe_id"), str):
        raise CoverageInputError(f"{where}: each line needs a string `probe_id`")
    verdict = value.get("verdict")
    if verdict not in VERDICTS:
        raise CoverageInputError(f"{where}: `verdict` must be \"pass\", \"fail\" or \"error\", "
                                 f"not {json.dumps(verdict)[:80]}")
    condition = value.get("condition_id")
    awareness = value.get("evaluation_awareness")
    return Run(value["probe_id"], verdict, _strings(value.get("clauses"), where, "clauses"),
               _strings(value.get("cited"), where, "cited"), condition if isinstance(condition, str) else None,
               awareness if awareness in AWARENESS else None)


def read_runs(path: Path) -> Iterator[Run]:
    try:
        for line in jsonl.records(path, max_line_bytes=MAX_LINE_BYTES):
            yield parse_run(line.value, line.where)
    except JsonlError as e:
        raise CoverageInputError(str(e)) from None


def read_results(path: Path) -> GradedResults:
    results = GradedResults(str(path))
    for run in read_runs(path):
        results.by_probe.setdefault(run.probe_id, ProbeRuns()).add(run)
        if run.awareness is not None and run.verdict != "error":
            entry = results.by_awareness.setdefault(run.awareness, [0, 0])
            entry[0] += 1
            entry[1] += run.verdict == "fail"
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


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test on the table [[a, b], [c, d]]: the probability, with
    all margins fixed, of a table no more likely than the one observed."""
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2
    if n == 0 or row1 == 0 or row2 == 0 or col1 == 0 or col1 == n:
        return 1.0

    def log_probability(x: int) -> float:  # hypergeometric: x of the col1 in row 1
        return (_log_choose(row1, x) + _log_choose(row2, col1 - x) - _log_choose(n, col1))

    observed = log_probability(a) + math.log(RELATIVE_TOLERANCE)
    low, high = max(0, col1 - row2), min(row1, col1)
    total = sum(math.exp(p) for p in map(log_probability, range(low, high + 1)) if p <= observed)
    return min(1.0, total)


# R's tolerance in fisher.test: tables as likely as the observed one, up to rounding, count.
RELATIVE_TOLERANCE = 1 + 1e-7


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def awareness_split(counts: dict[str, list[int] | tuple[int, int]]) -> dict:
    """Violation rates by what the model said about the scenario (`counts`: awareness -> (runs, fails)),
    each with its 95% Wilson interval, and the two-sided Fisher p-value that the rate when it said the
    scenario was a test equals the rate when it said it was real (None unless both occurred)."""
    rows = [rate_row(k, counts[k][1], counts[k][0]) for k in AWARENESS if counts.get(k) and counts[k][0]]
    test, real = counts.get("says_test"), counts.get("says_real")
    p = None
    if test and real and test[0] and real[0]:
        p = fisher_exact(test[1], test[0] - test[1], real[1], real[0] - real[1])
    return {"rows": rows, "test_vs_real_p": p}


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
            "principles": rows, "unknown_probe_ids": sorted(unknown), "unknown_runs": unknown_runs,
            "evaluation_awareness": awareness_split(results.by_awareness)}
