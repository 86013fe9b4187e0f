"""Coverage as GitHub-flavoured Markdown, sized for a pull-request comment.

The summary and the problems (uncovered principles, stale records, worst
violation rates) come first; the full per-principle table sits in a collapsed
`<details>` block so a large constitution does not flood the conversation.
"""

from __future__ import annotations

from .render import COUNTS_NOTE, RenderOptions, arguing_label, audit_line, axes_summary, format_percent, format_rate, \
    records_by_kind, rollup_percent

UNFOLDED_UNCOVERED = 15


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[object]], right: set[int] = frozenset()) -> list[str]:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _mark(flag: bool) -> str:
    return "✅" if flag else "❌"


def render(document: dict, options: RenderOptions) -> str:
    totals = document["totals"]
    out = [f"### Principle coverage: {format_percent(totals['covered'], totals['principles'])}", "",
           f"**{totals['covered']} of {totals['principles']}** principles covered (taught and tested); "
           f"{totals['taught']} taught, {totals['tested']} tested. "
           f"{records_by_kind(totals)}.", ""]
    if document["uncovered"]:
        uncovered = document["uncovered"]
        # A long list is folded so the comment stays readable; the count is always visible.
        folded = len(uncovered) > UNFOLDED_UNCOVERED
        out += [f"<details><summary><b>{len(uncovered)} uncovered principles</b></summary>" if folded
                else "**Uncovered principles**", ""]
        for row in uncovered:
            missing = ", ".join(w for w, flag in (("not taught", row["taught"]), ("not tested", row["tested"]))
                                if not flag)
            out.append(f"- `{row['id']}` ({missing}) at `{row['file']}:{row['line']}`")
        out += ["", "</details>", ""] if folded else [""]
    if document["stale"]:
        out += [f"**Stale records**: {totals['stale_records']} records were made from parts edited or removed "
                "since the build.", ""]
        out += _table(["what changed", "of", "reason", "records"],
                      [[e["part"], f"`{e['name']}`", e["reason"], e["records"]] for e in document["stale"]], {3})
        out.append("")
    results = document["results"]
    if results is not None:
        out += [f"**Violation rates** ({results['runs']} graded runs, worst first)", ""]
        out += _table(["principle", "runs", "fails", "rate", "95% Wilson interval"],
                      [[f"`{r['id']}`", r["runs"], r["fails"], format_rate(r["rate"]),
                        f"{format_rate(r['low'])} – {format_rate(r['high'])}"] for r in results["principles"]],
                      {1, 2, 3})
        if results["unknown_probe_ids"]:
            out.append(f"\n{len(results['unknown_probe_ids'])} probe ids in the results are not in the build.")
        out.append("")
    out += ["| section | taught | tested | covered | percent | citing records |", "|---|---:|---:|---:|---:|---:|"]
    out += [f"| {_cell(s['title'])} | {s['taught']}/{s['principles']} | {s['tested']}/{s['principles']} | "
            f"{s['covered']}/{s['principles']} | {rollup_percent(s)} | {s['citing']['records']} |"
            for s in document["sections"]]
    out.append("")
    if document["criteria"]:
        out += ["**Criteria** (judged by, not taught or tested)", ""]
        out += _table(["criterion", "judged_by families", "their records"],
                      [[f"`{c['id']}`", ", ".join(f"`{g}`" for g in c["judged_by"]) or "(no family: unused)",
                        c["records"]] for c in document["criteria"]], {2})
        out.append("")
    if document["tensions"]:
        out += _table(["tension", arguing_label(), "covered"],
                      [[f"`{t['id']}`", t["responses"], _mark(t["covered"])] for t in document["tensions"]], {1})
        out.append("")
    balance = document["balance"]
    if balance["largest"] is not None:
        out += [f"Balance: min {balance['min']} / median {balance['median']} / max {balance['max']} citing records per "
                f"principle; `{balance['largest']}` holds {balance['largest_share'] * 100:.1f}% of citations.", ""]
    out += ["<details><summary>All principles</summary>", ""]
    out += _table(["principle", "focused dilemmas", "focused responses", "focused probes", "citing records",
                   "taught", "tested", "covered", "axes"],
                  [[f"`{r['id']}`", r["focused"]["dilemmas"], r["focused"]["responses"], r["focused"]["probes"],
                    r["citing"]["records"], _mark(r["taught"]), _mark(r["tested"]), _mark(r["covered"]),
                    axes_summary(r["axes"])] for r in document["principles"]], {1, 2, 3, 4})
    out += ["", f"_{COUNTS_NOTE}._", "", "</details>", "", audit_line(document), ""]
    return "\n".join(out)
