"""The syntax tree: strings decode as a policy writer expects; every node has a span."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

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


def _folded_after_dedent(raw: str) -> str:
    """The decoding as first written, with `textwrap.dedent` before the lines are stripped."""
    body = re.sub(r"\r+\n", "\n", raw[3:-3])
    if body.startswith("\n"):
        body = body[1:]
    body = textwrap.dedent(body).strip()
    folded = []
    for paragraph in re.split(r"\n[ \t]*\n", body):
        out: list[str] = []
        for line in (line.strip() for line in paragraph.split("\n")):
            if out and not re.match(r"^\s*([-*]|\d+[.)])\s", line):
                out[-1] = out[-1] + " " + line
            else:
                out.append(line)
        folded.append("\n".join(out))
    return "\n\n".join(p for p in folded if p)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\u3000a-1.)*", max_size=40))
def test_text_blocks_decode_as_if_dedented_first(body):
    raw = f'"""{body}"""'
    assert decode_long_string(raw) == _folded_after_dedent(raw)
