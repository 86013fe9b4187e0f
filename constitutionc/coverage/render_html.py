"""Coverage as one self-contained HTML page: inline CSS, inline script, inline SVG charts.

Nothing is fetched from the network. The principle table sorts when a header is
clicked (or from the address: `report.html#sort=probes:desc`); each principle
links to its source line; colours follow the reader's light or dark preference.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from urllib.parse import quote

from .render import RenderOptions, axes_detail, axes_summary, format_percent, format_rate, rollup_percent

STYLE = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #59636e; --line: #d0d7de;
  --head: #f6f8fa; --good: #1a7f37; --bad: #cf222e; --dilemma: #0969da; --response: #8250df; --probe: #bf8700; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --head: #151b23;
    --good: #3fb950; --bad: #f85149; --dilemma: #4493f8; --response: #ab7df8; --probe: #d29922; }
}
body { background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, sans-serif; margin: 2rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.muted { color: var(--muted); }
a { color: var(--dilemma); }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: var(--head); }
td[data-col=id] { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
th[data-key] { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
.yes { color: var(--good); font-weight: 600; } .no { color: var(--bad); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
svg text { fill: var(--fg); font-size: 11px; }
.bar-dilemmas { fill: var(--dilemma); } .bar-responses { fill: var(--response); } .bar-probes { fill: var(--probe); }
.legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 1em; vertical-align: middle; }
"""

# Sorting reads each cell's data-value (numbers compare as numbers); the address may ask for an initial order.
SCRIPT = """
(function () {
  var table = document.getElementById("principles");
  var body = table.tBodies[0];
  function sortBy(key, direction) {
    var rows = Array.prototype.slice.call(body.rows);
    var index = Array.prototype.findIndex.call(table.tHead.rows[0].cells, function (c) { return c.dataset.key === key; });
    if (index < 0) { return; }
    var sign = direction === "desc" ? -1 : 1;
    rows.sort(function (a, b) {
      var x = a.cells[index].dataset.value, y = b.cells[index].dataset.value;
      var nx = Number(x), ny = Number(y);
      var order = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return order * sign || a.dataset.order - b.dataset.order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c, i) {
      if (i === index) { c.setAttribute("aria-sort", direction === "desc" ? "descending" : "ascending"); }
      else { c.removeAttribute("aria-sort"); }
    });
    table.dataset.sorted = key + ":" + direction;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
    cell.addEventListener("click", function () {
      sortBy(cell.dataset.key, cell.getAttribute("aria-sort") === "ascending" ? "desc" : "asc");
    });
  });
  var match = /sort=([A-Za-z_]+)(?::(asc|desc))?/.exec(window.location.hash);
  if (match) { sortBy(match[1], match[2] || "asc"); }
  document.documentElement.dataset.ready = "true";
})();
"""

COLUMNS = (  # key, header, numeric
    ("id", "principle", False), ("section", "section", False), ("dilemmas", "dilemmas", True),
    ("responses", "responses", True), ("probes", "probes", True), ("taught", "taught", False),
    ("tested", "tested", False), ("covered", "covered", False), ("axes", "axes", False),
)


def render(document: dict, options: RenderOptions) -> str:
    totals = document["totals"]
    title = document["constitution"] or "constitution"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        f"<title>Principle coverage: {escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Principle coverage: {escape(title)}</h1>",
        f'<p id="summary" data-covered="{totals["covered"]}" data-principles="{totals["principles"]}">'
        f'<strong>{totals["covered"]} of {totals["principles"]}</strong> principles covered '
        f'({format_percent(totals["covered"], totals["principles"])}); {totals["taught"]} taught, '
        f'{totals["tested"]} tested. <span class="muted">{totals["records"]} records from '
        f'{escape(document["data"])}: {totals["dilemmas"]} dilemmas, {totals["responses"]} responses, '
        f'{totals["probes"]} probes.</span></p>',
        _principles_table(document, options),
        _charts(document),
        _rollups(document),
        _tensions(document),
        _problems(document, options),
        _results(document),
        f"<script>{SCRIPT}</script></body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _flag(flag: bool) -> str:
    return f'<span class="{"yes" if flag else "no"}">{"yes" if flag else "no"}</span>'


def _source_links(file: str | None, line: int | None, options: RenderOptions) -> tuple[str | None, str | None]:
    """(relative link with #L<line>, editor link) for a source location; std library files get neither."""
    if not file or file.startswith("std:"):
        return None, None
    base = options.output.resolve().parent if options.output else Path.cwd()
    absolute = Path(file).resolve()
    relative = Path(os.path.relpath(absolute, base)).as_posix()
    # Percent-encoded, a file name can never read as a scheme (`javascript:...`) or leave the path.
    return (f"{quote(relative, safe='/')}#L{line}",
            f"vscode://file/{quote(absolute.as_posix(), safe='/')}:{line}")


def _principles_table(document: dict, options: RenderOptions) -> str:
    head = "".join(f'<th data-key="{key}"{" class=num" if numeric else ""}>{label}</th>'
                   for key, label, numeric in COLUMNS)
    section_titles = {s["id"]: s["title"] for s in document["sections"] if s["id"] is not None}
    rows = []
    for order, row in enumerate(document["principles"]):
        section = section_titles.get(row["section"], row["section"] or "")
        link, editor = _source_links(row["file"], row["line"], options)
        location = f'{escape(row["file"])}:{row["line"]}'
        name = (f'<a href="{escape(link)}" title="{location}">{escape(row["id"])}</a>' if link
                else f'<span title="{location}">{escape(row["id"])}</span>')
        if editor:
            name += f' <a class="muted" href="{escape(editor)}" title="open in VS Code">&#x270E;</a>'
        variants = row["responses_by_variant"]
        cells = [
            f'<td data-col="id" data-value="{escape(row["id"])}">{name}</td>',
            f'<td data-col="section" data-value="{escape(section)}" title="{escape(row["section"] or "")}">'
            f'{escape(section)}</td>',
            f'<td class="num" data-col="dilemmas" data-value="{row["dilemmas"]}">{row["dilemmas"]}</td>',
            f'<td class="num" data-col="responses" data-value="{row["responses"]}" title="justified '
            f'{variants["justified"]}, bare {variants["bare"]}, preference {variants["preference"]}">'
            f'{row["responses"]}</td>',
            f'<td class="num" data-col="probes" data-value="{row["probes"]}">{row["probes"]}</td>',
        ]
        for key in ("taught", "tested", "covered"):
            cells.append(f'<td data-col="{key}" data-value="{int(row[key])}">{_flag(row[key])}</td>')
        summary = axes_summary(row["axes"])
        cells.append(f'<td data-col="axes" data-value="{escape(summary)}" title="{escape(axes_detail(row["axes"]))}">'
                     f'{escape(summary)}</td>')
        rows.append(f'<tr data-id="{escape(row["id"])}" data-order="{order}">{"".join(cells)}</tr>')
    return (f'<h2>Principles</h2><p class="muted">Click a column header to sort.</p>'
            f'<table id="principles"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _charts(document: dict) -> str:
    by_id = {row["id"]: row for row in document["principles"]}
    figures = []
    for section in document["sections"]:
        members = [by_id[i] for i in section["principle_ids"]]
        if not members:
            continue
        figures.append(_section_chart(section, members))
    if not figures:
        return ""
    legend = ('<p class="legend muted">records per principle:<span class="bar-dilemmas" style="background:'
              'var(--dilemma)"></span>dilemmas<span style="background:var(--response)"></span>responses'
              '<span style="background:var(--probe)"></span>probes</p>')
    return f'<h2>Records per section</h2>{legend}<div class="charts">{"".join(figures)}</div>'


def _section_chart(section: dict, members: list[dict]) -> str:
    label_width, bar_width, row_height = 190, 260, 22
    largest = max((m["records"] for m in members), default=0) or 1
    height = row_height * len(members) + 6
    shapes = []
    for index, member in enumerate(members):
        y = 3 + index * row_height
        shapes.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(member["id"])}</text>')
        x = float(label_width)
        for key in ("dilemmas", "responses", "probes"):
            width = bar_width * member[key] / largest
            if width > 0:
                shapes.append(f'<rect class="bar-{key}" x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="15">'
                              f'<title>{escape(member["id"])}: {member[key]} {key}</title></rect>')
            x += width
        shapes.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{member["records"]}</text>')
    total_width = label_width + bar_width + 60
    name = section["title"] or section["id"] or ""
    caption = (f'{escape(name)} <span class="muted">{section["covered"]}/{section["principles"]} covered, '
               f'{rollup_percent(section)}</span>')
    return (f'<figure class="chart" data-section="{escape(section["id"] or "")}"><figcaption>{caption}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_width}" height="{height}" role="img" '
            f'aria-label="records per principle in {escape(name)}">{"".join(shapes)}</svg></figure>')


def _rollup_table(table_id: str, title: str, rows: list[dict]) -> str:
    body = "".join(
        f'<tr data-id="{escape(r["id"] or "")}"><td>{escape(r["title"] or r["id"] or "")}</td>'
        f'<td class="num">{r["principles"]}</td><td class="num">{r["covered"]}</td>'
        f'<td class="num">{rollup_percent(r)}</td><td class="num">{r["dilemmas"]}</td>'
        f'<td class="num">{r["responses"]}</td><td class="num">{r["probes"]}</td></tr>' for r in rows)
    return (f'<h2>{title}</h2><table id="{table_id}"><thead><tr><th>{title[:-1].lower()}</th><th class="num">'
            f'principles</th><th class="num">covered</th><th class="num">percent</th><th class="num">dilemmas</th>'
            f'<th class="num">responses</th><th class="num">probes</th></tr></thead><tbody>{body}</tbody></table>')


def _rollups(document: dict) -> str:
    return (_rollup_table("sections", "Sections", document["sections"])
            + _rollup_table("values", "Core values", document["values"]))


def _tensions(document: dict) -> str:
    if not document["tensions"]:
        return ""
    body = "".join(f'<tr><td>{escape(t["id"])}</td><td class="num">{t["responses"]}</td>'
                   f'<td class="num">{t["co_cited"]}</td><td>{_flag(t["covered"])}</td></tr>'
                   for t in document["tensions"])
    return ('<h2>Tensions</h2><table id="tensions"><thead><tr><th>tension</th><th class="num">responses '
            'discussing it</th><th class="num">records citing both</th><th>covered</th></tr></thead>'
            f'<tbody>{body}</tbody></table>')


def _problems(document: dict, options: RenderOptions) -> str:
    parts = []
    balance = document["balance"]
    if balance["largest"] is not None:
        parts.append(f'<h2>Balance</h2><p id="balance">Records per principle: min {balance["min"]}, median '
                     f'{balance["median"]}, max {balance["max"]}; <code>{escape(balance["largest"])}</code> '
                     f'holds {balance["largest_share"] * 100:.1f}% of all citations.</p>')
    if document["uncovered"]:
        items = []
        for row in document["uncovered"]:
            link, _ = _source_links(row["file"], row["line"], options)
            where = escape(f'{row["file"]}:{row["line"]}')
            where = f'<a href="{escape(link)}">{where}</a>' if link else where
            missing = ", ".join(w for w, f in (("not taught", row["taught"]), ("not tested", row["tested"])) if not f)
            items.append(f'<li><code>{escape(row["id"])}</code> ({missing}) at {where}</li>')
        parts.append(f'<h2>Uncovered principles</h2><ul id="uncovered">{"".join(items)}</ul>')
    if document["stale"]:
        rows = "".join(f'<tr><td>{escape(e["clause"])}</td><td>{e["reason"]}</td><td class="num">{e["records"]}'
                       f'</td><td>{escape(", ".join(str(i) for i in e["sample_ids"][:5]))}</td></tr>'
                       for e in document["stale"])
        parts.append(f'<h2>Stale records</h2><p>{document["totals"]["stale_records"]} records cite a clause edited '
                     'or removed since the build.</p><table id="stale"><thead><tr><th>clause</th><th>reason</th>'
                     f'<th class="num">records</th><th>examples</th></tr></thead><tbody>{rows}</tbody></table>')
    for warning in document["warnings"]:
        parts.append(f'<p class="muted">warning: {escape(warning)}</p>')
    return "".join(parts)


def _results(document: dict) -> str:
    results = document["results"]
    if results is None:
        return ""
    rows = "".join(f'<tr data-id="{escape(r["id"])}"><td>{escape(r["id"])}</td><td class="num">{r["runs"]}</td>'
                   f'<td class="num">{r["fails"]}</td><td class="num">{format_rate(r["rate"])}</td>'
                   f'<td class="num">{format_rate(r["low"])} – {format_rate(r["high"])}</td></tr>'
                   for r in results["principles"])
    unknown = ""
    if results["unknown_probe_ids"]:
        unknown = (f'<p class="muted">{len(results["unknown_probe_ids"])} probe ids are not in the build: '
                   f'{escape(json.dumps(results["unknown_probe_ids"][:20]))}</p>')
    return (f'<h2>Violation rates</h2><p>{results["runs"]} graded runs from {escape(results["file"])}, worst '
            'first.</p><table id="results"><thead><tr><th>principle</th><th class="num">runs</th><th class="num">'
            'fails</th><th class="num">rate</th><th class="num">95% Wilson interval</th></tr></thead>'
            f'<tbody>{rows}</tbody></table>{unknown}')
