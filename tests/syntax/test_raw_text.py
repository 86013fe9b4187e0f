"""`raw\"\"\"...\"\"\"` keeps line breaks and inner indentation; the formatter re-indents it without changing it."""

from __future__ import annotations

import pytest

from constitutionc.api import load
from constitutionc.fmt import format_text

CSV = '''principle data.rows "Rows" {
  text: raw"""
    name,role
    Ana,  lead
      (indented note)

    Bo,dev
    """
  why: "w"
}
principle data.inline "Inline" { text: raw"""a: 1
b:
  - 2""" why: "w" }
'''


def texts(tmp_path, source: str) -> dict[str, str]:
    path = tmp_path / "raw.cdl"
    path.write_text(source, encoding="utf-8")
    result = load([path])
    assert not [d for d in result.diagnostics if d.is_error], result.diagnostics
    return {p.id: p.text for p in result.constitution.principles}


def test_raw_text_keeps_its_lines(tmp_path):
    found = texts(tmp_path, CSV)
    assert found["data.rows"] == "name,role\nAna,  lead\n  (indented note)\n\nBo,dev"
    assert found["data.inline"] == "a: 1\nb:\n  - 2"


def test_formatting_raw_text_keeps_its_meaning(tmp_path):
    formatted = format_text(CSV).text
    assert formatted is not None and formatted != CSV
    assert texts(tmp_path, formatted) == texts(tmp_path, CSV)
    assert format_text(formatted).text == formatted


@pytest.mark.parametrize("source", ['vary mode: raw | cooked', 'tags: raw'])
def test_raw_is_still_a_plain_word(tmp_path, source):
    text = f'principle p.x {{ text: "t" why: "w" }}\ndilemma d teaches p.x {{ {source}\n user: "{{mode}}" stance: "s" }}'
    path = tmp_path / "word.cdl"
    path.write_text(text.replace("{mode}", "m") if "tags" in source else text, encoding="utf-8")
    assert not [d for d in load([path]).diagnostics if d.is_error]
