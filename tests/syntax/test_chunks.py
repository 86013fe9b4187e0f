"""Parsing a large file piece by piece gives exactly the whole-file parse, or is not used."""

from __future__ import annotations

from pathlib import Path

import pytest

from constitutionc.syntax import chunks
from constitutionc.syntax.builder import build_module
from constitutionc.syntax.parser import parse_text
from constitutionc.syntax.resolve import compile_text

REPO = Path(__file__).resolve().parents[2]
BIG = [p for p in sorted(REPO.rglob("*.cdl")) if ".venv" not in p.parts
       and p.read_text(encoding="utf-8").count("\n") >= chunks.MIN_LINES]


def whole(text: str, file: str):
    result = parse_text(text, file)
    return build_module(result.tree, file, result.comments)


def synthetic(principles: int = 400) -> str:
    parts = ['# a synthetic constitution\nconstitution "S" { version: "1" }\n\npriority: a > b\n\n']
    for i in range(principles):
        parts.append(f'# principle {i}\nprinciple p{i}.rule "Rule {i}" {{\n  text: """Text {i} with a }} brace\n'
                     f'    and a "quote"."""\n  why: "Why {i} # not a comment"\n}}\n\n')
    parts.append('section "S" {\n  principle s.one { text: "t" why: "w" }\n}\n')
    return "".join(parts)


@pytest.mark.parametrize("path", BIG, ids=lambda p: str(p.relative_to(REPO)))
def test_pieces_equal_the_whole_file_on_shipped_files(path):
    text = path.read_text(encoding="utf-8")
    module = chunks.parse_in_pieces(text, "f.cdl")
    assert module is not None
    expected = whole(text, "f.cdl")
    assert module.items == expected.items and module.comments == expected.comments


def test_pieces_equal_the_whole_file_with_braces_and_hashes_in_strings():
    text = synthetic()
    module = chunks.parse_in_pieces(text, "s.cdl")
    expected = whole(text, "s.cdl")
    assert module is not None
    assert module.items == expected.items and module.comments == expected.comments


def test_a_syntax_error_falls_back_to_the_whole_file_parse():
    text = synthetic().replace('principle p7.rule "Rule 7" {', 'principle "Rule 7" {', 1)
    assert chunks.parse_in_pieces(text, "s.cdl") is None
    assert [d.code for d in compile_text(text, "s.cdl").diagnostics] == ["CDL001"]


def test_unbalanced_braces_fall_back():
    assert chunks.split_top_level("principle a { text: \"t\"\n") is None
    assert chunks.split_top_level("}\n") is None


def test_an_edit_re_parses_only_the_piece_it_touches(monkeypatch):
    text = synthetic()
    chunks.parse_in_pieces(text, "edit.cdl")
    calls = []
    real = chunks.parse_module
    monkeypatch.setattr(chunks, "parse_module", lambda t, f: calls.append(f) or real(t, f))
    edited = text.replace('why: "Why 200 # not a comment"', 'why: "Why two hundred"', 1)
    module = chunks.parse_in_pieces(edited, "edit.cdl")
    assert len(calls) == 1
    assert module.items == whole(edited, "edit.cdl").items


@pytest.mark.parametrize("broken", [False, True], ids=["clean", "with a syntax error"])
def test_a_one_shot_load_equals_the_incremental_one(tmp_path, broken):
    """`check` in a process of its own parses whole files and remembers nothing: same result."""
    from constitutionc import api

    text = synthetic()
    if broken:
        text = text.replace('why: "Why 7 # not a comment"', 'why "Why 7"')
    path = tmp_path / "s.cdl"
    path.write_text(text, encoding="utf-8")
    chunks._cache.clear()
    one_shot = api.load([path], incremental=False)
    assert not chunks._cache  # nothing remembered
    incremental = api.load([path])
    assert one_shot.constitution == incremental.constitution
    assert one_shot.diagnostics == incremental.diagnostics
    assert bool(one_shot.diagnostics) is broken
