"""Coverage for the terminal: rich tables, coloured only when writing to a terminal."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from .render import COUNTS_NOTE, RenderOptions, arguing_label, audit_line, axes_summary, format_percent, format_rate, \
    records_by_kind, rollup_percent


def _mark(flag: bool) -> str:
    return "[green]yes[/green]" if flag else "[red]no[/red]"


def render(document: dict, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=options.color, no_color=not options.color,
                      color_system="standard" if options.color else None, width=options.width,
                      highlight=False, emoji=False)
    totals = document["totals"]
    console.print(f"[bold]Principle coverage[/bold] of {document['constitution'] or 'the constitution'} "
                  f"from {document['data']}")
    console.print(f"{totals['covered']} of {totals['principles']} principles covered "
                  f"({format_percent(totals['covered'], totals['principles'])}); "
                  f"{totals['taught']} taught, {totals['tested']} tested; "
                  f"{records_by_kind(totals)}")
    console.print(_principles_table(document))
    if document["criteria"]:
        console.print(_criteria_table(document))
    console.print(_rollup_table("Sections", document["sections"]))
    console.print(_rollup_table("Core values", document["values"]))
    if document["tensions"]:
        console.print(_tensions_table(document))
    balance = document["balance"]
    if balance["largest"] is not None:
        console.print(f"Balance: citing records per principle min {balance['min']}, median {balance['median']}, "
                      f"max {balance['max']}; the largest ({balance['largest']}) holds "
                      f"{balance['largest_share'] * 100:.1f}% of all citations")
    if document["uncovered"]:
        console.print("[bold]Uncovered principles[/bold]")
        for row in document["uncovered"]:
            missing = " and ".join(w for w, flag in (("not taught", row["taught"]), ("not tested", row["tested"]))
                                   if not flag)
            console.print(f"  {row['file']}:{row['line']}: {row['id']} ({missing})", markup=False)
    if document["stale"]:
        console.print(f"[yellow]Stale records[/yellow]: {totals['stale_records']} records were made from a "
                      "part edited or removed since the build (rebuild to refresh); what changed:")
        for entry in document["stale"]:
            console.print(f"  {entry['part']} of {entry['name']} ({entry['reason']}): {entry['records']} records, e.g. "
                          f"{', '.join(str(i) for i in entry['sample_ids'][:3])}", markup=False)
    if document["results"] is not None:
        console.print(_results_table(document["results"]))
    for warning in document["warnings"]:
        console.print(f"[yellow]warning[/yellow]: {warning}")
    console.print(audit_line(document), markup=False)
    return buffer.getvalue()


def _principles_table(document: dict) -> Table:
    table = Table(title="Principles", title_justify="left")
    for name, justify in (("principle", "left"), ("focused\ndilemmas", "right"), ("focused\nresponses", "right"),
                          ("focused\nprobes", "right"), ("citing\nrecords", "right"), ("taught", "center"),
                          ("tested", "center"), ("covered", "center"), ("axes", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for row in document["principles"]:
        focused = row["focused"]
        table.add_row(row["id"], str(focused["dilemmas"]), str(focused["responses"]), str(focused["probes"]),
                      str(row["citing"]["records"]), _mark(row["taught"]), _mark(row["tested"]),
                      _mark(row["covered"]), axes_summary(row["axes"]))
    table.caption = COUNTS_NOTE
    return table


def _criteria_table(document: dict) -> Table:
    table = Table(title="Criteria (judged by, not taught or tested)", title_justify="left")
    for name in ("criterion", "judged_by families", "their records"):
        table.add_column(name, justify="right" if name == "their records" else "left", overflow="fold")
    for row in document["criteria"]:
        table.add_row(row["id"], ", ".join(row["judged_by"]) or "(no family: unused)", str(row["records"]))
    return table


def _rollup_table(title: str, rows: list[dict]) -> Table:
    table = Table(title=title, title_justify="left")
    for name in ("title", "principles", "taught", "tested", "covered", "percent", "citing\nrecords"):
        table.add_column(name, justify="left" if name == "title" else "right")
    for row in rows:
        table.add_row(row["title"] or row["id"], str(row["principles"]), str(row["taught"]), str(row["tested"]),
                      str(row["covered"]), rollup_percent(row), str(row["citing"]["records"]))
    table.caption = "principles counted as taught, tested, covered; citing records: distinct records citing any of them"
    return table


def _tensions_table(document: dict) -> Table:
    table = Table(title="Tensions", title_justify="left")
    for name in ("tension", arguing_label(), "records citing both", "covered"):
        table.add_column(name, justify="left" if name == "tension" else "right")
    for row in document["tensions"]:
        table.add_row(row["id"], str(row["responses"]), str(row["co_cited"]), _mark(row["covered"]))
    return table


def _results_table(results: dict) -> Table:
    table = Table(title=f"Violation rates from {results['file']} ({results['runs']} runs), worst first",
                  title_justify="left")
    for name in ("principle", "runs", "fails", "rate", "95% interval"):
        table.add_column(name, justify="left" if name == "principle" else "right")
    for row in results["principles"]:
        table.add_row(row["id"], str(row["runs"]), str(row["fails"]), format_rate(row["rate"]),
                      f"{format_rate(row['low'])} to {format_rate(row['high'])}")
    split = results["evaluation_awareness"]
    for row in split["rows"]:
        table.add_row(f"(model {row['id']})", str(row["runs"]), str(row["fails"]), format_rate(row["rate"]),
                      f"{format_rate(row['low'])} to {format_rate(row['high'])}", style="dim")
    captions = []
    if split["test_vs_real_p"] is not None:
        captions.append(f"said test vs said real: Fisher p = {split['test_vs_real_p']:.4f}")
    if results["errors"]:
        captions.append(f"{results['errors']} error runs counted apart")
    if results["unknown_probe_ids"]:
        shown = ", ".join(results["unknown_probe_ids"][:5])
        captions.append(f"{len(results['unknown_probe_ids'])} probe ids not in the build "
                        f"({results['unknown_runs']} runs ignored): {shown}")
    if captions:
        table.caption = "; ".join(captions)
    return table
