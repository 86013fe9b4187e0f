"""The HTML report in a real headless Chromium: it renders (non-blank, in light and dark mode), its
script runs and sorts, its table shows the JSON's numbers, and it needs nothing from the network."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from constitutionc.commands.coverage import command

from . import png
from .cdp import Browser
from .conftest import NESTED, REPO

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed; the HTML report is checked "
                                    "in a real browser (apt-get install -y chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1024,900"]


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=90, check=True)


class TableReader(HTMLParser):
    """Collects the root element's attributes and, per table id, rows of {data-col: (data-value, text)}."""

    def __init__(self):
        super().__init__()
        self.root: dict = {}
        self.tables: dict[str, list] = {}
        self.table_attrs: dict[str, dict] = {}
        self._table = None
        self._cell = None
        self.figures = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.root = attrs
        elif tag == "table":
            self._table = attrs.get("id")
            self.tables[self._table] = []
            self.table_attrs[self._table] = attrs
        elif tag == "tr" and self._table and "data-id" in attrs:
            self.tables[self._table].append({"_id": attrs["data-id"]})
        elif tag == "td" and self._table and self.tables[self._table]:
            self._cell = [attrs.get("data-col") or str(len(self.tables[self._table][-1]) - 1), attrs.get("data-value"), ""]
        elif tag == "figure":
            self.figures += 1
        elif tag == "a":
            self.hrefs.append(attrs.get("href", ""))

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[2] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            key, value, text = self._cell
            self.tables[self._table][-1][key] = (value, text.strip())
            self._cell = None
        elif tag == "table":
            self._table = None


@pytest.fixture
def report(tmp_path, nested_build):
    probe = json.loads((nested_build / "probes.jsonl").read_text().splitlines()[0])["id"]
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps({"probe_id": probe, "verdict": "fail"}) + "\n")
    html = tmp_path / "out" / "coverage.html"
    for fmt, target in (("html", html), ("json", tmp_path / "coverage.json")):
        result = CliRunner().invoke(command, [str(NESTED.relative_to(REPO)), "--data", str(nested_build),
                                              "--results", str(results), "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
    return html, json.loads((tmp_path / "coverage.json").read_text())


def test_self_contained(report):
    html, _ = report
    text = html.read_text()
    assert not re.search(r"<link|<img|<iframe|\bsrc=|@import|url\(", text)
    for href in re.findall(r'href="([^"]*)"', text):
        assert urlsplit(href).scheme in ("", "vscode"), href
    assert "<style>" in text and "<script>" in text and "prefers-color-scheme: dark" in text


def test_source_links_point_at_the_principle_line(report):
    html, document = report
    reader = TableReader()
    reader.feed(html.read_text())
    links = [h for h in reader.hrefs if h.endswith(tuple(f"#L{p['line']}" for p in document["principles"]))]
    assert len(links) >= len(document["principles"])
    for href in links:
        path, _, line = unquote(href).partition("#L")
        target = (html.parent / path).resolve()
        assert target == NESTED
        assert "principle " in target.read_text().splitlines()[int(line) - 1]


@needs_chromium
def test_browser_table_matches_json(tmp_path, report):
    html, document = report
    dom = chromium(tmp_path, "--dump-dom", html.as_uri() + "#sort=citing:desc").stdout.decode()
    reader = TableReader()
    reader.feed(dom)
    assert reader.root.get("data-ready") == "true", "the page script did not run to the end"
    assert reader.table_attrs["principles"].get("data-sorted") == "citing:desc"
    rows = reader.tables["principles"]
    expected = sorted(document["principles"], key=lambda p: -p["citing"]["records"])
    assert [r["_id"] for r in rows] == [p["id"] for p in expected]
    for row, principle in zip(rows, expected):
        # Focused counts (what makes a principle taught or tested) and the citing count, each under its own label.
        for key in ("dilemmas", "responses", "probes"):
            value = str(principle["focused"][key])
            assert row[f"focused_{key}"] == (value, value), (principle["id"], key)
        assert row["citing"] == (str(principle["citing"]["records"]),) * 2
        for key in ("taught", "tested", "covered"):
            assert row[key][1] == ("yes" if principle[key] else "no")
    sections = {r["_id"]: r for r in reader.tables["sections"]}
    for section in document["sections"]:
        cells = sections[section["id"] or ""]
        assert [cells[k][1] for k in ("principles", "taught", "tested", "covered", "citing")] == [
            str(section[k]) for k in ("principles", "taught", "tested", "covered")] + [str(section["citing"]["records"])]
    headers = re.search(r'<table id="principles"[^>]*><thead><tr>(.*?)</tr>', dom)[1]
    assert re.findall(r">([^<]+)</th>", headers)[2:6] == ["focused dilemmas", "focused responses", "focused probes",
                                                         "citing records"]
    assert reader.figures == 1
    charted = {r["_id"]: r for r in reader.tables["section-chart"]}
    for section in (s for s in document["sections"] if s["principles"]):
        cells = charted[section["id"] or ""]
        assert (cells["taught"][1], cells["tested"][1], cells["principles"][1]) == (
            str(section["taught"]), str(section["tested"]), str(section["principles"]))
    assert [r["_id"] for r in reader.tables["results"]] == [r["id"] for r in document["results"]["principles"]]
    summary = re.search(r'id="summary" data-covered="(\d+)" data-principles="(\d+)"', dom)
    assert (int(summary[1]), int(summary[2])) == (document["totals"]["covered"], document["totals"]["principles"])


@needs_chromium
def test_browser_screenshots_are_not_blank_in_light_and_dark_mode(tmp_path, report):
    html, _ = report
    stats = {}
    for mode, extra in (("light", []), ("dark", ["--force-dark-mode"])):
        shot = tmp_path / f"{mode}.png"
        chromium(tmp_path, f"--screenshot={shot}", *extra, html.as_uri())
        stats[mode] = png.luminance_stats(shot.read_bytes(), step=6)
    for mode, (mean, variance) in stats.items():
        assert variance > 200, f"{mode} screenshot looks blank (luminance variance {variance:.0f})"
    assert stats["light"][0] > 180, "light mode should have a light background"
    assert stats["dark"][0] < 80, "dark mode should follow prefers-color-scheme to a dark background"


@needs_chromium
def test_real_clicks_sort_and_filter_and_the_next_steps_come_first(tmp_path, report):
    html, document = report
    browser = Browser(CHROMIUM, str(tmp_path / "profile-cdp"), [f for f in FLAGS if f != "--headless"]
                      + ["--headless=new"])
    try:
        browser.open(html.as_uri())
        browser.wait_for("document.documentElement.dataset.ready === 'true'")
        headings = browser.evaluate("Array.from(document.querySelectorAll('h2')).map(h => h.textContent)")
        assert headings[0] == "What to do next" and headings[1] == "Principles"
        gaps = document["uncovered"] + document["under_covered"]
        listed = browser.evaluate("Array.from(document.querySelectorAll('#next li')).map(li => "
                                  "[li.dataset.id, Array.from(li.querySelectorAll('code.cmd')).map(c => c.textContent),"
                                  " li.querySelector('a') && li.querySelector('a').getAttribute('href')])")
        assert [item[0] for item in listed] == [g["id"] for g in gaps] and gaps
        for (pid, commands, href), gap in zip(listed, gaps):
            assert commands == gap["commands"] and href.endswith(f"#L{gap['line']}")

        browser.click('th[data-key="focused_probes"]')
        order = "Array.from(document.querySelectorAll('#principles tbody tr')).map(r => r.dataset.id)"
        ascending = [p["id"] for p in sorted(document["principles"], key=lambda p: p["focused"]["probes"])]
        assert browser.evaluate(order) == ascending
        assert browser.evaluate("document.getElementById('principles').dataset.sorted") == "focused_probes:asc"
        browser.click('th[data-key="focused_probes"]')
        descending = [p["id"] for p in sorted(document["principles"], key=lambda p: -p["focused"]["probes"])]
        assert browser.evaluate(order) == descending
        shown = ("Array.from(document.querySelectorAll('#principles tbody tr')).filter(r => !r.hidden)"
                 ".map(r => [r.dataset.id, Number(r.querySelector('[data-col=focused_probes]').textContent)])")
        assert len(browser.evaluate(shown)) == len(document["principles"])

        browser.click("#only-gaps")
        visible = browser.evaluate(shown)
        assert sorted(pid for pid, _ in visible) == sorted(g["id"] for g in gaps)
        by_id = {p["id"]: p for p in document["principles"]}
        assert all(probes == by_id[pid]["focused"]["probes"] for pid, probes in visible)
        browser.click("#only-gaps")
        assert len(browser.evaluate(shown)) == len(document["principles"])
    finally:
        browser.close()
