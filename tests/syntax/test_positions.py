"""The parser sets tree positions itself (not Lark's `propagate_positions`): the spans must be
exactly Lark's, node for node, on every .cdl file in the repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from lark import Lark, Tree

from constitutionc.syntax import builder, parser
from tests.conftest import REPO

FILES = sorted(p for p in REPO.rglob("*.cdl") if ".venv" not in p.parts and p.stat().st_size < 2_000_000)


@pytest.fixture(scope="module")
def lark_positions() -> Lark:
    """The same parser with Lark's own position propagation."""
    options = dict(parser.PARSER_OPTIONS, propagate_positions=True)
    return Lark(parser.grammar_text(), **options)


def spans(tree: Tree) -> list[tuple]:
    out = []
    for node in tree.iter_subtrees_topdown():
        meta = node.meta
        out.append((node.data, meta.empty) if meta.empty else
                   (node.data, meta.line, meta.column, meta.end_line, meta.end_column))
    return out


def test_there_are_files_to_compare():
    assert len(FILES) > 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_spans_are_larks(path: Path, lark_positions):
    text = path.read_text(encoding="utf-8")
    ours = parser.parse_text(text, path.name)
    if ours.tree is None or ours.diagnostics:
        pytest.skip("not a clean parse: its spans are covered by the diagnostic tests")
    parser._local.state = parser._ParseState(text=text)
    expected = lark_positions.parse(text)
    assert spans(ours.tree) == spans(expected)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_the_tree_built_while_parsing_is_the_one_built_from_larks_positions(path: Path, lark_positions):
    """`parse_module` builds the syntax tree in the parser's callbacks; walking the tree Lark makes
    with its own `propagate_positions` must give the same nodes, spans included."""
    text = path.read_text(encoding="utf-8")
    module, result = builder.parse_module(text, path.name)
    if module is None or result.diagnostics:
        pytest.skip("not a clean parse: its spans are covered by the diagnostic tests")
    parser._local.state = parser._ParseState(text=text)
    expected = builder.build_module(lark_positions.parse(text), path.name, parser._local.state.comments)
    assert module == expected
