"""Roll-up rows for a section that holds no principles (only prose) show no percentage, in every
human-readable format: "100%" there would claim coverage of nothing."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from constitutionc.commands.coverage import command

from .conftest import RECORD_FILES

SOURCE = '''constitution "Prose-only section fixture" { version: "1" }

value care "Care" { why: "People come first." }

section mission "Mission" {
  prose: "Why the organisation exists; nothing here to teach or test."
}

section conduct "Conduct" {
  principle conduct.ask "Ask first" {
    value: care
    text: "Ask before acting."
    why: "Mistakes that cannot be undone cost most."
  }
}
'''


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "c.cdl").write_text(SOURCE, encoding="utf-8")
    build = tmp_path / "build"
    build.mkdir()
    for name in RECORD_FILES:
        (build / name).write_text("", encoding="utf-8")
    return tmp_path


def run(project, fmt):
    result = CliRunner().invoke(command, [str(project / "c.cdl"), "--data", str(project / "build"), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_json_keeps_the_counts_of_an_empty_section(project):
    sections = {s["id"]: s for s in json.loads(run(project, "json"))["sections"]}
    assert (sections["mission"]["principles"], sections["mission"]["covered"]) == (0, 0)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_an_empty_section_shows_no_percentage(project, fmt):
    line = next(l for l in run(project, fmt).splitlines() if "Mission" in l)
    assert "%" not in line and "–" in line
    conduct = next(l for l in run(project, fmt).splitlines() if "Conduct" in l)
    assert "0.00%" in conduct


def test_an_empty_section_shows_no_percentage_in_html(project):
    page = run(project, "html")
    row = page[page.index('<tr data-id="mission">'):]
    row = row[:row.index("</tr>")]
    assert "%" not in row and "–" in row
    assert "100.00%" not in page
