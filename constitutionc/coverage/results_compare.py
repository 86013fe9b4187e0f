"""Two result files compared: per-clause and per-condition change in violation rate.

For each clause (and each condition), the violation rate in A and in B with 95%
Wilson intervals, the change B - A, and the two-sided p-value of Fisher's exact
test that the two rates are equal. A run counts for every clause its probe cites
(`cited`, or the build's probe sources given with `--data`); a file with a scored
run that has neither is refused (ResultsInputError), never counted from its fails
alone. A fail counts against the clauses it names (`clauses`), or all cited ones
when it names none.
Errors are counted apart and never enter a rate. Rows are ordered worst
regression first: significantly worse, then by the size of the increase. Runs whose
judge read what the model said about the scenario are also compared by that
(`says_test`, `says_real`, `not_stated`), with each side's p-value that its rate
when the model said it was a test equals its rate when it said it was real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .results import AWARENESS, ResultsInputError, Run, awareness_split, fisher_exact, rate_row, read_runs

__all__ = ["compare", "fisher_exact", "render_text"]

ALPHA = 0.05


@dataclass
class Tally:
    runs: int = 0
    fails: int = 0
    errors: int = 0


@dataclass
class Side:
    path: str
    clauses: dict[str, Tally]
    conditions: dict[str, Tally]
    errors: int = 0
    runs: int = 0
    uncited: int = 0  # runs whose probe cites no clause we know
    # what the model said about the scenario (the judge's reading) -> its runs
    awareness: dict[str, Tally] = field(default_factory=dict)


def tally(path: Path, citations: dict[str, tuple[str, ...]] | None = None) -> Side:
    side = Side(str(path), {}, {})
    for run in read_runs(path):
        condition = side.conditions.setdefault(run.condition_id or run.probe_id, Tally())
        if run.verdict == "error":
            side.errors += 1
            condition.errors += 1
            continue
        side.runs += 1
        condition.runs += 1
        condition.fails += run.verdict == "fail"
        if run.awareness is not None:
            said = side.awareness.setdefault(run.awareness, Tally())
            said.runs += 1
            said.fails += run.verdict == "fail"
        # Never the fail's own `clauses`: counting only failing runs for a clause would make its rate 100%.
        cited = run.cited or (citations or {}).get(run.probe_id, ())
        if not cited:
            side.uncited += 1
        for clause in dict.fromkeys(cited):
            entry = side.clauses.setdefault(clause, Tally())
            entry.runs += 1
            entry.fails += _fails(run, clause)
    return side


def refuse_uncited(side: Side, given_data: bool) -> None:
    """A run with no cited clauses has no clause to count against: the per-clause rates would be wrong."""
    where = "and the --data build has no such probe" if given_data else "and no --data build was given"
    raise ResultsInputError(
        f"{side.path}: {side.uncited} of {side.runs} scored runs carry no `cited` (the clauses their probe cites) "
        f"{where}, so per-clause rates cannot be counted; pass the build the probes came from with --data OUT, "
        f"or rewrite the file with the current `constitutionc eval` or `results import`")


def _fails(run: Run, clause: str) -> bool:
    return run.verdict == "fail" and (not run.clauses or clause in run.clauses)


def compare_rows(a: dict[str, Tally], b: dict[str, Tally], alpha: float) -> list[dict]:
    rows = []
    for key in sorted(set(a) | set(b)):
        ta, tb = a.get(key, Tally()), b.get(key, Tally())
        ra, rb = rate_row(key, ta.fails, ta.runs), rate_row(key, tb.fails, tb.runs)
        p = fisher_exact(ta.fails, ta.runs - ta.fails, tb.fails, tb.runs - tb.fails)
        change = rb["rate"] - ra["rate"] if ta.runs and tb.runs else None
        significant = change is not None and p < alpha
        rows.append({"id": key, "a": _side(ra), "b": _side(rb), "change": change, "p": p,
                     "significant": significant,
                     "worse": significant and change > 0, "better": significant and change < 0})
    rows.sort(key=lambda r: (not r["worse"], -(r["change"] if r["change"] is not None else -2), r["p"], r["id"]))
    return rows


def _side(row: dict) -> dict:
    return {k: row[k] for k in ("runs", "fails", "rate", "low", "high")}


def compare(path_a: Path, path_b: Path, alpha: float = ALPHA,
            citations: dict[str, tuple[str, ...]] | None = None) -> dict:
    a, b = tally(path_a, citations), tally(path_b, citations)
    for side in (a, b):
        if side.uncited:
            refuse_uncited(side, citations is not None)
    clauses = compare_rows(a.clauses, b.clauses, alpha)
    return {"a": a.path, "b": b.path, "alpha": alpha,
            "runs": {"a": a.runs, "b": b.runs}, "errors": {"a": a.errors, "b": b.errors},
            "uncited_runs": {"a": a.uncited, "b": b.uncited},
            "clauses": clauses, "conditions": compare_rows(a.conditions, b.conditions, alpha),
            "evaluation_awareness": {
                "rows": sorted(compare_rows(a.awareness, b.awareness, alpha), key=lambda r: AWARENESS.index(r["id"])),
                "test_vs_real_p": {name: awareness_split({k: (t.runs, t.fails) for k, t in side.awareness.items()})
                                   ["test_vs_real_p"] for name, side in (("a", a), ("b", b))}},
            "worse": [r["id"] for r in clauses if r["worse"]]}


def render_text(report: dict, limit: int = 40) -> str:
    lines = [f"A: {report['a']} ({report['runs']['a']} runs, {report['errors']['a']} errors)",
             f"B: {report['b']} ({report['runs']['b']} runs, {report['errors']['b']} errors)",
             f"Fisher's exact test, two-sided, alpha {report['alpha']:g}; worst regressions first.", ""]
    tables = [("clause", report["clauses"]), ("condition", report["conditions"])]
    if report["evaluation_awareness"]["rows"]:
        tables.append(("model said", report["evaluation_awareness"]["rows"]))
    for title, rows in tables:
        width = max([len(title), *(len(r["id"]) for r in rows[:limit])])
        lines.append(f"{title:<{width}}  {'A fails/runs':>12} {'rate [95% CI]':>20}  "
                     f"{'B fails/runs':>12} {'rate [95% CI]':>20}  {'change':>7}  {'p':>7}")
        for r in rows[:limit]:
            mark = "  worse" if r["worse"] else ("  better" if r["better"] else "")
            change = f"{r['change']:+7.1%}" if r["change"] is not None else f"{'-':>7}"
            lines.append(f"{r['id']:<{width}}  {_cell(r['a'])}  {_cell(r['b'])}  {change}  {r['p']:7.4f}{mark}")
        if len(rows) > limit:
            lines.append(f"... {len(rows) - limit} more (--format json for all)")
        lines.append("")
    split = report["evaluation_awareness"]["test_vs_real_p"]
    if any(p is not None for p in split.values()):
        lines.append("said test vs said real, Fisher p: " + ", ".join(
            f"{side.upper()} {'-' if p is None else f'{p:.4f}'}" for side, p in split.items()))
        lines.append("")
    worse = report["worse"]
    lines.append(f"{len(worse)} clause(s) significantly worse in B" + (f": {', '.join(worse)}" if worse else "."))
    return "\n".join(lines) + "\n"


def _cell(side: dict) -> str:
    counts = f"{side['fails']}/{side['runs']}"
    if not side["runs"]:
        return f"{counts:>12} {'-':>20}"
    return f"{counts:>12} {side['rate']:6.1%} [{side['low']:5.1%}, {side['high']:5.1%}]"
