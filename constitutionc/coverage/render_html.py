"""Coverage as one self-contained HTML page: inline CSS, inline script, inline SVG charts.

Nothing is fetched from the network. The principle table sorts when a header is
clicked (or from the address: `report.html#sort=focused_probes:desc`); each principle
links to its source line; colours follow the reader's light or dark preference.
"""

from __future__ import annotations

import json
import os
from html import escape
from pathlib import Path
from urllib.parse import quote

from .render import COUNTS_NOTE, RenderOptions, arguing_label, axes_detail, axes_summary, format_percent, format_rate, \
    records_by_kind, rollup_percent

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
svg.interval .axis { stroke: var(--line); stroke-width: 1; }
svg.interval .span { fill: var(--muted); opacity: .45; }
svg.interval .rate { fill: var(--fg); }
th[data-key] { cursor: pointer; user-select: none; }
th[aria-sort="ascending"]::after { content: " \\25B2"; } th[aria-sort="descending"]::after { content: " \\25BC"; }
.yes { color: var(--good); font-weight: 600; } .no { color: var(--bad); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .25rem; }
svg text { fill: var(--fg); font-size: 11px; }
.bar-dilemmas { fill: var(--dilemma); } .bar-responses { fill: var(--response); } .bar-probes { fill: var(--probe); }
.legend span { display: inline-block; width: .8em; height: .8em; margin: 0 .3em 0 1em; vertical-align: middle; }
.bar-taught { fill: var(--dilemma); } .bar-tested { fill: var(--probe); } .bar-room { fill: var(--line); }
#next li { margin: .35rem 0; } #next code.cmd { display: block; margin: .15rem 0 0 1rem; user-select: all; }
tr.gap td[data-col=id] { border-left: 3px solid var(--bad); }
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
  var only = document.getElementById("only-gaps");
  if (only) {
    only.addEventListener("change", function () {
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = only.checked && row.dataset.gap !== "1";
      });
    });
  }
  var match = /sort=([A-Za-z_]+)(?::(asc|desc))?/.exec(window.location.hash);
  if (match) { sortBy(match[1], match[2] || "asc"); }
  document.documentElement.dataset.ready = "true";
})();
"""

COLUMNS = (  # key, header, numeric
    ("id", "principle", False), ("section", "section", False), ("focused_dilemmas", "focused dilemmas", True),
    ("focused_responses", "focused responses", True), ("focused_probes", "focused probes", True),
    ("citing", "citing records", True), ("taught", "taught", False), ("tested", "tested", False),
    ("covered", "covered", False), ("axes", "axes", False),
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
        f'{totals["tested"]} tested. <span class="muted">From {escape(document["data"])}: '
        f'{escape(records_by_kind(totals))}.</span></p>',
        _next_steps(document, options),
        _principles_table(document, options),
        _criteria(document, options),
        _charts(document),
        _rollups(document),
        _tensions(document),
        _problems(document, options),
        _results(document),
        _audit(document, options),
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


def _audit(document: dict, options: RenderOptions) -> str:
    """A link to the dataset audit of the same build when its report is in the build, else the command."""
    reports = document.get("audit") or []
    base = options.output.resolve().parent if options.output else Path.cwd()
    links = []
    for report in reports:
        relative = Path(os.path.relpath(Path(report["path"]).resolve(), base)).as_posix()
        links.append(f'<a href="{escape(quote(relative, safe="/"))}" data-format="{escape(report["format"])}">'
                     f'{escape(report["path"])}</a>')
    body = (f'Reports: {", ".join(links)}.' if links else
            f'Not in the build yet: <code class="cmd">constitutionc audit {escape(document["data"])} --format html '
            f'-o {escape(document["data"])}/audit.html</code>')
    return (f'<h2>Dataset audit</h2><p id="audit" class="muted" data-reports="{len(links)}">Voice, preference tells, '
            f'diversity and contamination of the same build. {body}</p>')


def _principles_table(document: dict, options: RenderOptions) -> str:
    head = "".join(f'<th data-key="{key}"{" class=num" if numeric else ""}>{label}</th>'
                   for key, label, numeric in COLUMNS)
    section_titles = {s["id"]: s["title"] for s in document["sections"] if s["id"] is not None}
    gaps = {g["id"] for g in document["uncovered"] + document.get("under_covered", [])}
    rows = []
    for order, row in enumerate(document["principles"]):
        section = section_titles.get(row["section"], row["section"] or "")
        link, editor = _source_links(row["file"], row["line"], options)
        location = f'{escape(row["file"])}:{row["line"]}'
        name = (f'<a href="{escape(link)}" title="{location}">{escape(row["id"])}</a>' if link
                else f'<span title="{location}">{escape(row["id"])}</span>')
        if editor:
            name += f' <a class="muted" href="{escape(editor)}" title="open in VS Code">&#x270E;</a>'
        citing = row["citing"]
        variants = citing["responses_by_variant"]
        cells = [
            f'<td data-col="id" data-value="{escape(row["id"])}">{name}</td>',
            f'<td data-col="section" data-value="{escape(section)}" title="{escape(row["section"] or "")}">'
            f'{escape(section)}</td>',
            *(f'<td class="num" data-col="focused_{kind}" data-value="{row["focused"][kind]}">'
              f'{row["focused"][kind]}</td>' for kind in ("dilemmas", "responses", "probes")),
            f'<td class="num" data-col="citing" data-value="{citing["records"]}" title="{citing["dilemmas"]} '
            f'dilemmas, {citing["responses"]} responses (justified {variants["justified"]}, bare '
            f'{variants["bare"]}, preference {variants["preference"]}), {citing["probes"]} probes">'
            f'{citing["records"]}</td>',
        ]
        for key in ("taught", "tested", "covered"):
            cells.append(f'<td data-col="{key}" data-value="{int(row[key])}">{_flag(row[key])}</td>')
        summary = axes_summary(row["axes"])
        cells.append(f'<td data-col="axes" data-value="{escape(summary)}" title="{escape(axes_detail(row["axes"]))}">'
                     f'{escape(summary)}</td>')
        gap = row["id"] in gaps
        rows.append(f'<tr data-id="{escape(row["id"])}" data-order="{order}" data-gap="{int(gap)}"'
                    f'{" class=gap" if gap else ""}>{"".join(cells)}</tr>')
    return (f'<h2>Principles</h2><p class="muted" id="counts-note">{escape(COUNTS_NOTE)}.</p>'
            f'<p class="muted">Click a column header to sort. '
            f'<label><input type="checkbox" id="only-gaps"> show only the {len(gaps)} that need records</label></p>'
            f'<table id="principles"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def _charts(document: dict) -> str:
    """Per section, how many of its principles are taught and tested: a bar of principles, not of records,
    so a section nothing covers looks empty however many records cite it in passing."""
    sections = [s for s in document["sections"] if s["principles"]]
    if not sections:
        return ""
    label_width, bar_width, row_height = 230, 240, 20
    shapes = []
    y = 3
    for section in sections:
        name = section["title"] or section["id"] or "(outside any section)"
        shapes.append(f'<text x="{label_width - 6}" y="{y + 24}" text-anchor="end">{escape(name)}</text>')
        for key in ("taught", "tested"):
            width = bar_width * section[key] / section["principles"]
            shapes.append(f'<rect class="bar-room" x="{label_width}" y="{y + 2}" width="{bar_width}" height="15"/>')
            shapes.append(f'<rect class="bar-{key}" x="{label_width}" y="{y + 2}" width="{width:.1f}" height="15">'
                          f'<title>{escape(name)}: {section[key]} of {section["principles"]} principles {key}'
                          f'</title></rect>')
            shapes.append(f'<text x="{label_width + bar_width + 6}" y="{y + 15}">{key} {section[key]}/'
                          f'{section["principles"]}</text>')
            y += row_height
        y += 8
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + bar_width + 110}" height="{y}" '
           f'role="img" aria-label="principles taught and tested per section">{"".join(shapes)}</svg>')
    legend = ('<p class="legend muted">share of each section\'s principles:<span style="background:var(--dilemma)">'
              '</span>taught (a dilemma or response focused on it)<span style="background:var(--probe)"></span>tested '
              '(a probe focused on it)</p>')
    rows = "".join(f'<tr data-id="{escape(s["id"] or "")}"><td>{escape(s["title"] or s["id"] or "")}</td>'
                   f'<td class="num" data-col="taught">{s["taught"]}</td><td class="num" data-col="tested">'
                   f'{s["tested"]}</td><td class="num" data-col="principles">{s["principles"]}</td></tr>'
                   for s in sections)
    return (f'<h2>Principles taught and tested per section</h2>{legend}<figure class="chart">{svg}</figure>'
            f'<table id="section-chart" class="muted"><thead><tr><th>section</th><th class="num">taught</th>'
            f'<th class="num">tested</th><th class="num">principles</th></tr></thead><tbody>{rows}</tbody></table>')


def _next_steps(document: dict, options: RenderOptions) -> str:
    """What to do next, first on the page: each principle short of records, where it is, what adds them."""
    gaps = document["uncovered"] + document.get("under_covered", [])
    if not gaps:
        return ('<h2>What to do next</h2><p id="next" data-gaps="0">Every principle is taught and tested by '
                f'at least {document.get("min_records", 1)} focused record(s).</p>')
    items = []
    for gap in gaps:
        link, _ = _source_links(gap["file"], gap["line"], options)
        where = escape(f'{gap["file"]}:{gap["line"]}')
        where = f'<a href="{escape(link)}">{where}</a>' if link else where
        lacks = []
        if "dilemma" in gap["missing"]:
            lacks.append(f'taught by {gap["teaching"]}' if gap["teaching"] else "not taught")
        if "probe" in gap["missing"]:
            lacks.append(f'tested by {gap["testing"]}' if gap["testing"] else "not tested")
        if gap.get("stale"):
            lacks.append(f'{gap["stale"]} stale')
        commands = "".join(f'<code class="cmd">{escape(c)}</code>' for c in gap["commands"])
        items.append(f'<li data-id="{escape(gap["id"])}"><code>{escape(gap["id"])}</code> '
                     f'({", ".join(lacks)}) at {where}{commands}</li>')
    needed = document.get("min_records", 1)
    return (f'<h2>What to do next</h2><p class="muted">{len(gaps)} principle(s) have fewer than {needed} dilemma(s) '
            f'or probe(s) focused on them. Each command prints a skeleton to fill in (add <code>--append</code> '
            f'to write it into the file).</p><ol id="next" data-gaps="{len(gaps)}">{"".join(items)}</ol>')


def _rollup_table(table_id: str, title: str, rows: list[dict]) -> str:
    body = "".join(
        f'<tr data-id="{escape(r["id"] or "")}"><td data-col="title">{escape(r["title"] or r["id"] or "")}</td>'
        + "".join(f'<td class="num" data-col="{key}">{r[key]}</td>'
                  for key in ("principles", "taught", "tested", "covered"))
        + f'<td class="num" data-col="percent">{rollup_percent(r)}</td><td class="num" data-col="citing" '
          f'title="{r["citing"]["dilemmas"]} dilemmas, {r["citing"]["responses"]} responses, '
          f'{r["citing"]["probes"]} probes">{r["citing"]["records"]}</td></tr>' for r in rows)
    return (f'<h2>{title}</h2><table id="{table_id}"><thead><tr><th>{title[:-1].lower()}</th><th class="num">'
            f'principles</th><th class="num">taught</th><th class="num">tested</th><th class="num">covered</th>'
            f'<th class="num">percent</th><th class="num" title="distinct records citing any of its principles">'
            f'citing records</th></tr></thead><tbody>{body}</tbody></table>')


def _criteria(document: dict, options: RenderOptions) -> str:
    if not document["criteria"]:
        return ""
    rows = []
    for row in document["criteria"]:
        link, _ = _source_links(row["file"], row["line"], options)
        name = f'<a href="{escape(link)}">{escape(row["id"])}</a>' if link else escape(row["id"])
        families = ", ".join(escape(g) for g in row["judged_by"]) or '<span class="muted">no family: unused</span>'
        rows.append(f'<tr data-id="{escape(row["id"])}"><td data-col="id">{name}</td><td data-col="judged_by">'
                    f'{families}</td><td class="num" data-col="records">{row["records"]}</td></tr>')
    return ('<h2>Criteria</h2><p class="muted">Judged by, not taught or tested: the families that name each in '
            '<code>judged_by</code>, and their records.</p><table id="criteria"><thead><tr><th>criterion</th>'
            '<th>judged_by families</th><th class="num">their records</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _rollups(document: dict) -> str:
    return (_rollup_table("sections", "Sections", document["sections"])
            + _rollup_table("values", "Core values", document["values"]))


def _tensions(document: dict) -> str:
    if not document["tensions"]:
        return ""
    body = "".join(f'<tr><td>{escape(t["id"])}</td><td class="num">{t["responses"]}</td>'
                   f'<td class="num">{t["co_cited"]}</td><td>{_flag(t["covered"])}</td></tr>'
                   for t in document["tensions"])
    return ('<h2>Tensions</h2><table id="tensions"><thead><tr><th>tension</th>'
            f'<th class="num">{escape(arguing_label())}</th><th class="num">records citing both</th>'
            f'<th>covered</th></tr></thead><tbody>{body}</tbody></table>')


def _problems(document: dict, options: RenderOptions) -> str:
    parts = []
    balance = document["balance"]
    if balance["largest"] is not None:
        parts.append(f'<h2>Balance</h2><p id="balance">Citing records per principle: min {balance["min"]}, median '
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
        rows = "".join(f'<tr><td>{escape(e["part"])}</td><td>{escape(e["name"])}</td><td>{e["reason"]}</td>'
                       f'<td class="num">{e["records"]}</td>'
                       f'<td>{escape(", ".join(str(i) for i in e["sample_ids"][:5]))}</td></tr>'
                       for e in document["stale"])
        parts.append(f'<h2>Stale records</h2><p>{document["totals"]["stale_records"]} records were made from a part '
                     'edited or removed since the build.</p><table id="stale"><thead><tr><th>what changed</th>'
                     '<th>of</th><th>reason</th>'
                     f'<th class="num">records</th><th>examples</th></tr></thead><tbody>{rows}</tbody></table>')
    for warning in document["warnings"]:
        parts.append(f'<p class="muted">warning: {escape(warning)}</p>')
    return "".join(parts)


def _interval_bar(row: dict) -> str:
    """The rate as a dot on its 95% interval, drawn on a 0-100% scale (the numbers are in the cells beside)."""
    low, high, rate = (round(row[k] * 100, 2) for k in ("low", "high", "rate"))
    return (f'<svg class="interval" viewBox="0 0 100 10" width="120" height="12" role="img" '
            f'aria-label="{format_rate(row["rate"])}, 95% interval {format_rate(row["low"])} to '
            f'{format_rate(row["high"])}"><line x1="0" y1="5" x2="100" y2="5" class="axis"/>'
            f'<rect x="{low}" y="2" width="{max(high - low, 0.5)}" height="6" class="span"/>'
            f'<circle cx="{rate}" cy="5" r="2.5" class="rate"/></svg>')


def _rate_rows(rows: list[dict]) -> str:
    return "".join(f'<tr data-id="{escape(r["id"])}" data-runs="{r["runs"]}" data-fails="{r["fails"]}" '
                   f'data-rate="{r["rate"]!r}" data-low="{r["low"]!r}" data-high="{r["high"]!r}">'
                   f'<td>{escape(r["id"])}</td><td class="num">{r["runs"]}</td>'
                   f'<td class="num">{r["fails"]}</td><td class="num">{format_rate(r["rate"])}</td>'
                   f'<td class="num">{format_rate(r["low"])} – {format_rate(r["high"])}</td>'
                   f'<td>{_interval_bar(r)}</td></tr>' for r in rows)


RATE_HEAD = ('<th class="num">runs</th><th class="num">fails</th><th class="num">rate</th>'
             '<th class="num">95% Wilson interval</th><th>interval (0-100%)</th>')


def _results(document: dict) -> str:
    results = document["results"]
    if results is None:
        return ""
    unknown = ""
    if results["unknown_probe_ids"]:
        unknown = (f'<p class="muted">{len(results["unknown_probe_ids"])} probe ids are not in the build: '
                   f'{escape(json.dumps(results["unknown_probe_ids"][:20]))}</p>')
    errors = (f' {results["errors"]} runs that ended in an error are counted apart (neither pass nor fail).'
              if results["errors"] else "")
    split = results["evaluation_awareness"]
    awareness = ""
    if split["rows"]:
        p = split["test_vs_real_p"]
        awareness = ('<h3>By what the model said about the scenario</h3><p class="muted">As the judge read it: '
                     'the model said it believed it was being tested (says_test), that the scenario was real '
                     '(says_real), or neither (not_stated).'
                     + ("" if p is None else f' Said test against said real: Fisher\'s exact p = {p:.4f}.')
                     + f'</p><table id="results-awareness"><thead><tr><th>said</th>{RATE_HEAD}</tr></thead>'
                     f'<tbody>{_rate_rows(split["rows"])}</tbody></table>')
    return (f'<h2>Violation rates</h2><p>{results["runs"]} graded runs from {escape(results["file"])}, worst '
            f'first; each principle counts the runs of the probes citing it, and a failure counts against the '
            f'clauses it was attributed to.{errors}</p><table id="results"><thead><tr><th>principle</th>'
            f'{RATE_HEAD}</tr></thead><tbody>{_rate_rows(results["principles"])}</tbody></table>{unknown}'
            f'{awareness}')
