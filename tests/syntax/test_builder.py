"""The syntax tree: strings decode as a policy writer expects; every node has a span."""

from __future__ import annotations

from constitutionc.syntax.builder import build_module, decode_long_string, decode_string
from constitutionc.syntax.parser import parse_text


def test_quoted_string_escapes():
    assert decode_string(r'"say \"hi\"\n\\"') == 'say "hi"\n\\'


def test_text_block_keeps_quotes_and_punctuation_without_escaping():
    raw = '"""He said "no" -- and meant it; 100% (really)."""'
    assert decode_long_string(raw) == 'He said "no" -- and meant it; 100% (really).'


def test_text_block_dedents_and_folds_wrapped_lines_into_paragraphs():
    raw = '"""\n    First line of a paragraph\n    continues here.\n\n    Second paragraph.\n    - a list item\n    - another\n    """'
    assert decode_long_string(raw) == ("First line of a paragraph continues here.\n\n"
                                       "Second paragraph.\n- a list item\n- another")


def test_nodes_carry_spans():
    text = 'principle safety.x "Title" {\n  text: "t"\n  why: """w"""\n}\n'
    result = parse_text(text, "f.cdl")
    module = build_module(result.tree, "f.cdl", result.comments)
    (item,) = module.items
    assert item.kind == "principle"
    assert (item.span.line, item.span.column, item.span.end_line, item.span.end_column) == (1, 1, 4, 2)
    assert item.name.text == "safety.x"
    assert (item.name.span.line, item.name.span.column, item.name.span.end_column) == (1, 11, 19)
    text_entry = item.body[0]
    assert text_entry.key.text == "text" and text_entry.value.single.text == "t"
    assert text_entry.span.line == 2
