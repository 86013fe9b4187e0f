"""Error recovery on real files: each `.cdl` in data/recovery/ marks, with `# expect: CODE`, the
line of every diagnostic it must produce. A missed error or a cascade (a diagnostic nobody
expected) fails, so each independent error is reported exactly once, on its own line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.syntax.parser import parse_text

DATA = Path(__file__).parent / "data" / "recovery"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def expectations(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found.extend((number, code.strip()) for code in match.group(1).split(",") if code.strip())
    return sorted(found)


@pytest.mark.parametrize("path", sorted(DATA.glob("*.cdl")), ids=lambda p: p.name)
def test_each_error_is_reported_once_and_nothing_else(path: Path, monkeypatch):
    monkeypatch.chdir(path.parent)
    result = load([path.name])
    actual = sorted((d.span.line, d.code) for d in result.diagnostics)
    details = "\n".join(f"  {d.span.line}:{d.span.column} {d.code} {d.message}" for d in result.diagnostics)
    assert actual == expectations(path), f"all diagnostics:\n{details}"


def _messages(text: str) -> list[str]:
    return [d.message for d in parse_text(text, "m.cdl").diagnostics]


def test_missing_closing_brace_is_reported_at_the_next_construct_not_at_the_end():
    text = 'principle a { text: "t" why: "w"\n\nprinciple b { text: "t" why: "w" }\n'
    result = parse_text(text, "m.cdl")
    assert [(d.span.line, d.span.column) for d in result.diagnostics] == [(3, 1)]
    assert "`{` on line 1 is never closed" in result.diagnostics[0].message


def test_stray_words_are_pointed_at_not_the_closing_brace():
    result = parse_text('principle a {\n  text: "t"\n  these are stray\n}\n', "m.cdl")
    [d] = result.diagnostics
    assert (d.span.line, d.span.column, d.span.end_column) == (3, 3, 18)
    assert "`these are stray` is not a field" in d.message


def test_a_missing_value_is_reported_after_the_colon():
    [d] = parse_text('principle a {\n  text:\n}\n', "m.cdl").diagnostics
    assert (d.span.line, d.span.column) == (2, 8)
    assert d.message.startswith("expected a value")


def test_unclosed_text_block_is_named_as_a_text_block():
    assert _messages('principle a {\n  text: """never closed\n  why: "w"\n}\n') == [
        'this text block is never closed: end it with `"""`']


def test_keyword_read_as_a_name_gets_a_hint():
    [message] = _messages("dilemma teaches p.a { }\n")
    assert "`teaches` was read as a name: is the name before it missing?" in message


def test_a_closing_brace_too_many():
    assert _messages('principle a { text: "t" why: "w" } }\n') == [
        "this `}` closes no block (is there one too many?)"]


def test_construct_keywords_stay_field_names_when_not_followed_by_a_header():
    # `principle: x` or `value: y` inside a body are fields, not unclosed blocks.
    text = 'probe p tests a.b {\n  value: x\n  principle: y\n  environment: e\n}\n'
    assert _messages(text) == []


def test_a_long_run_of_junk_stops_early_instead_of_repairing_every_word():
    result = parse_text("x " * 5000, "junk.cdl")
    assert len(result.diagnostics) <= 3
    assert "too many syntax errors" in result.diagnostics[-1].message


def test_unclosed_string_keeps_the_closing_braces_of_its_line():
    text = 'principle a { text: "never closed }\nprinciple b { text: "t" why: "w" }\n'
    messages = _messages(text)
    assert len(messages) == 1 and "never closed" in messages[0]


def test_a_label_that_happens_to_be_a_keyword_is_not_an_unclosed_block():
    text = ('probe p tests a.b {\n  user: "u"\n  rubric: "r"\n'
            '  check section "Mentions the section" { says: "x" }\n}\n')
    assert _messages(text) == []


def test_a_text_block_missing_its_closing_quotes_is_named_where_the_error_shows():
    text = ('principle a {\n  text: """abc\n  why: "w"\n}\n'
            'principle b {\n  text: """x"""\n  why: "y"\n}\n')
    diagnostics = parse_text(text, "m.cdl").diagnostics
    assert diagnostics and diagnostics[0].span.line == 6
    assert "starts on line 2" in diagnostics[0].notes[0]
    assert 'is its closing `"""` missing?' in diagnostics[0].notes[0]


_TRAILING_BAR = '''principle p.a "A" {
  text: "t"
  why: "w"
}

dilemma fam teaches p.a {
  vary tone: a | b |
  user: "Hi, I am {tone}."
  stance: "s"
}
'''


def _load_text(tmp_path: Path, text: str):
    path = tmp_path / "c.cdl"
    path.write_text(text, encoding="utf-8")
    return load([path])


def test_a_trailing_bar_in_an_axis_is_one_error_at_the_bar_and_the_next_field_still_reads(tmp_path):
    result = _load_text(tmp_path, _TRAILING_BAR)
    [d] = result.diagnostics
    assert (d.code, d.span.line, d.span.column, d.span.end_column) == ("CDL001", 7, 20, 21)
    assert d.message == ("nothing follows this `|` at the end of the line: remove it, or write the missing "
                         "choice after it")
    [family] = result.constitution.generators
    [axis] = family.axes
    assert axis.values == ("a", "b")
    assert dict(family.templates)["user"] == "Hi, I am {tone}."


def test_a_choice_list_continued_on_the_next_line_is_not_an_error(tmp_path):
    text = _TRAILING_BAR.replace("a | b |\n", "a | b |\n    c |\n    d\n")
    result = _load_text(tmp_path, text)
    assert result.diagnostics == []
    [axis] = result.constitution.generators[0].axes
    assert axis.values == ("a", "b", "c", "d")
