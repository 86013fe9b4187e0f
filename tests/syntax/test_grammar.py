"""The grammar: conflict-free under Lark's strict mode, one file, loaded by the package."""

from __future__ import annotations

from pathlib import Path

from constitutionc.syntax import parser

REPO = Path(__file__).resolve().parents[2]


def test_grammar_has_no_conflicts_in_strict_mode():
    parser.get_parser.cache_clear()
    try:
        strict = parser.get_parser(strict=True)  # raises on shift/reduce or terminal collisions
        assert strict.parse('principle a.b { text: "t" why: "w" }') is not None
    finally:
        parser.get_parser.cache_clear()


def test_top_level_grammar_is_the_file_the_package_loads():
    top = REPO / "grammars" / "constitution.lark"
    assert top.read_text(encoding="utf-8") == parser.grammar_text()


def test_parser_is_built_once():
    assert parser.get_parser() is parser.get_parser()
