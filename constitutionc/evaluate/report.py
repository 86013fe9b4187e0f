"""The results of a run: results.jsonl, unscored.jsonl, transcripts.jsonl, summary.json, report.html.

results.jsonl holds the scored runs in the format `coverage --results` and `results compare` read
(`probe_id`, `verdict` pass or fail, `cited`), extended with the sample, the clauses a failure belongs to, what the checks and the judge said,
and the model's stated evaluation awareness. Runs that could not be scored go to unscored.jsonl with the
reason. Every file is written to a temporary name and renamed, so each is the old one or the new one.
"""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from pathlib import Path

from ..atomic_file import write_atomic as _write_atomic
from ..coverage.results import awareness_split, wilson_interval


def write_atomic(path: Path, text: str) -> None:
    """Transcripts and results quote the model's answers to probes: readable by their owner only."""
    _write_atomic(path, text, mode=0o600)


def jsonl(rows) -> str:
    return "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)


def _rate(fails: int, runs: int) -> dict:
    low, high = wilson_interval(fails, runs)
    return {"runs": runs, "fails": fails, "rate": fails / runs if runs else None, "low": low, "high": high}


def summarise(scored: list[dict], unscored: list[dict]) -> dict:
    per_clause: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_probe: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_awareness: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in scored:
        failed = row["verdict"] == "fail"
        per_probe[row["probe_id"]][0] += 1
        per_probe[row["probe_id"]][1] += failed
        # A run counts for every clause its probe cites, as `coverage --results` and `results compare` count it.
        for clause in row.get("cited") or row["principles"]:
            per_clause[clause][0] += 1
            per_clause[clause][1] += failed and clause in row["clauses"]
        awareness = row.get("evaluation_awareness") or "not_judged"
        by_awareness[awareness][0] += 1
        by_awareness[awareness][1] += failed
    clauses = [{"id": clause, **_rate(fails, runs)} for clause, (runs, fails) in per_clause.items()]
    clauses.sort(key=lambda r: (-(r["rate"] or 0), -r["low"], r["id"]))
    fails = sum(r["verdict"] == "fail" for r in scored)
    return {"runs": len(scored) + len(unscored), "scored": len(scored), "fails": fails,
            "overall": _rate(fails, len(scored)),
            "unscored": dict(sorted(Counter(r["reason"] for r in unscored).items())),
            "disagreements": sum(bool(r.get("disagreement")) for r in scored),
            # Runs the judge was asked about but could not decide, scored by the checks alone under the rule.
            "judge_undecided": sum(1 for r in scored if r.get("judge")
                                   and r["judge"].get("verdict") not in ("violated", "not_violated")),
            "by_evaluation_awareness": {k: _rate(f, n) for k, (n, f) in sorted(by_awareness.items())},
            # The study's comparison: the rate when the model said it was being tested against when it
            # said the scenario was real, with intervals and Fisher's exact test.
            "evaluation_awareness": awareness_split(by_awareness),
            "clauses": clauses,
            # How many clauses had a violation at all: 0 means the table's order ranks nothing.
            "violated_clauses": sum(1 for c in clauses if c["fails"]),
            "probes": {p: _rate(f, n) for p, (n, f) in sorted(per_probe.items())}}


def _pct(value) -> str:
    return "-" if value is None else f"{value:.1%}"


def terminal_table(summary: dict, rich_table: bool) -> str:
    lines = [f"{summary['scored']} scored runs of {summary['runs']}: {summary['fails']} failed "
             f"({_pct(summary['overall']['rate'])}, 95% {_pct(summary['overall']['low'])}"
             f"-{_pct(summary['overall']['high'])})"]
    if summary["unscored"]:
        lines.append("unscored: " + ", ".join(f"{k} {v}" for k, v in summary["unscored"].items()))
    if summary["unscored"].get("needs_judge"):
        lines.append(f"warning: {summary['unscored']['needs_judge']} runs need a judge: their probes' `combine` rule "
                     "cannot decide them from the checks alone (unscored needs_judge); grade with --judge MODEL")
    if summary.get("judge_undecided"):
        lines.append(f"warning: the judge could not decide {summary['judge_undecided']} scored runs; "
                     "their verdicts rest on the checks alone")
    if summary["disagreements"]:
        lines.append(f"checks and judge disagreed on {summary['disagreements']} runs")
    for awareness, row in summary["by_evaluation_awareness"].items():
        lines.append(f"  model {awareness}: {row['fails']}/{row['runs']} failed ({_pct(row['rate'])}, "
                     f"95% {_pct(row['low'])}-{_pct(row['high'])})")
    test_vs_real = summary["evaluation_awareness"]["test_vs_real_p"]
    if test_vs_real is not None:
        lines.append(f"  said test vs said real: Fisher p = {test_vs_real:.4f}")
    if summary["scored"] and not summary["fails"]:
        # Every rate is 0%: a worst-first table would rank clauses by nothing. What differs is how
        # many runs each had, so how far the 95% interval reaches.
        lines.append(no_violation_text(summary))
        lines.append(f"{'clause':<44} {'runs':>5}  95% interval")
        for row in summary["clauses"]:
            lines.append(f"{row['id']:<44} {row['runs']:>5}  {_pct(row['low'])}-{_pct(row['high'])}")
        return "\n".join(lines) + "\n"
    lines.append(f"{'clause':<44} {'runs':>5} {'fails':>5} {'rate':>7}  95% interval")
    for row in summary["clauses"]:
        lines.append(f"{row['id']:<44} {row['runs']:>5} {row['fails']:>5} {_pct(row['rate']):>7}  "
                     f"{_pct(row['low'])}-{_pct(row['high'])}")
    return "\n".join(lines) + "\n"


def no_violation_text(summary: dict) -> str:
    clauses = len(summary["clauses"])
    return (f"No clause had a violation: none of the {summary['scored']} scored "
            f"run{'s' if summary['scored'] != 1 else ''} failed, across {clauses} "
            f"clause{'s' if clauses != 1 else ''} (each clause's runs and 95% interval below).")


def report_html(summary: dict, model: str) -> str:
    rows = "".join(f"<tr><td>{html.escape(r['id'])}</td><td>{r['runs']}</td><td>{r['fails']}</td>"
                   f"<td>{_pct(r['rate'])}</td><td>{_pct(r['low'])} – {_pct(r['high'])}</td></tr>"
                   for r in summary["clauses"])
    aware = "".join(f"<tr><td>{html.escape(k)}</td><td>{v['runs']}</td><td>{v['fails']}</td><td>{_pct(v['rate'])}</td>"
                    f"<td>{_pct(v['low'])} – {_pct(v['high'])}</td></tr>"
                    for k, v in summary["by_evaluation_awareness"].items())
    p = summary["evaluation_awareness"]["test_vs_real_p"]
    test_vs_real = ("" if p is None else
                    f"<p id=\"test-vs-real\">Said it was a test against said it was real: Fisher's exact p = {p:.4f}.</p>")
    unscored = ", ".join(f"{html.escape(k)}: {v}" for k, v in summary["unscored"].items()) or "none"
    no_violation = (f'<p id="no-violation">{html.escape(no_violation_text(summary))}</p>\n'
                    if summary["scored"] and not summary["fails"] else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>constitutionc eval: {html.escape(model)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}}table{{border-collapse:collapse}}
td,th{{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}}</style></head><body>
<h1>Violation rates: {html.escape(model)}</h1>
<p>{summary['scored']} scored runs of {summary['runs']}; {summary['fails']} failed
({_pct(summary['overall']['rate'])}, 95% interval {_pct(summary['overall']['low'])} – {_pct(summary['overall']['high'])}).
Unscored (neither pass nor fail): {unscored}. Checks and judge disagreed on {summary['disagreements']} runs.</p>
<h2>By clause (failures attributed to the clause whose check fired or that the judge named)</h2>
{no_violation}<table id="clauses"><thead><tr><th>clause</th><th>runs</th><th>fails</th><th>rate</th><th>95% interval</th></tr></thead>
<tbody>{rows}</tbody></table>
<h2>By what the model said about the scenario</h2>
<p>What the judge read in the transcript: the model said it believed the scenario was a test (says_test),
real (says_real), or neither (not_stated); not_judged runs had no judge.</p>
<table id="awareness"><thead><tr><th>stated</th><th>runs</th><th>fails</th><th>rate</th><th>95% interval</th></tr></thead><tbody>{aware}</tbody></table>
{test_vs_real}
</body></html>
"""


def write_results(out: Path, scored: list[dict], unscored: list[dict], transcripts: list[dict], model: str,
                  rich_table: bool = False) -> dict:
    summary = summarise(scored, unscored)
    write_atomic(out / "transcripts.jsonl", jsonl(transcripts))
    write_atomic(out / "unscored.jsonl", jsonl(unscored))
    write_atomic(out / "summary.json", json.dumps(summary, indent=2, sort_keys=True) + "\n")
    write_atomic(out / "report.html", report_html(summary, model))
    write_atomic(out / "results.jsonl", jsonl(scored))  # last: its presence means the run finished
    return summary
