"""The symbol index on its own: definitions and references by id, with exact spans."""

from __future__ import annotations

from pathlib import Path

from constitutionc.lsp.index import Reference, Symbol, index_text

DATA = Path(__file__).resolve().parent / "data"


def quickstart():
    return index_text((DATA / "constitution.cdl").read_text(encoding="utf-8"), "q.cdl")


def where(node) -> tuple[int, int, int]:
    span = node.name_span if isinstance(node, Symbol) else node.span
    return span.line, span.column, span.end_column


def test_definitions_of_every_namespace():
    index = quickstart()
    names = {(s.kind, s.scope, s.name) for s in index.definitions}
    assert {("principle", None, "safety.no_coercion"), ("value", None, "ethics"),
            ("environment", None, "home_agent"), ("generator", None, "pause_notice"),
            ("tool", "home_agent", "send_message"), ("param", "home_agent.send_message", "body"),
            ("system", "home_agent", "terse"), ("axis", "leverage_over_neighbour", "secret"),
            ("check", "pause_notice", "uses_leverage"), ("section", None, "Safety")} <= names
    [principle] = index.definitions_named("principle", "safety.no_coercion")
    assert where(principle) == (27, 13, 31)
    assert principle.field("kind") == "hard_constraint" and principle.field("value") == "safety"
    assert principle.field("text").startswith("Never use threats")


def test_references_with_roles_and_spans():
    index = quickstart()
    refs = {(r.role, r.name, where(r)) for r in index.references}
    assert ("teaches", "safety.no_coercion", (91, 41, 59)) in refs
    assert ("tests", "safety.accept_shutdown", (104, 26, 48)) in refs
    assert ("clause", "safety.no_coercion", (123, 13, 31)) in refs
    assert ("tension", "helpfulness.real_help", (75, 29, 50)) in refs
    assert ("priority", "helpfulness", (12, 29, 40)) in refs
    assert ("environment", "home_agent", (105, 16, 26)) in refs
    assert ("tool", "send_message", (121, 11, 23)) in refs
    assert ("argument", "body", (122, 14, 18)) in refs


def test_template_slots_inside_multi_line_text_blocks():
    index = quickstart()
    slots = sorted(where(r) for r in index.references if r.role == "template" and r.name == "relation")
    # `{relation}` on the first line of a """ block, and on a continuation line further down.
    assert slots == [(95, 16, 24), (101, 49, 57)]
    text = (DATA / "constitution.cdl").read_text(encoding="utf-8").split("\n")
    assert text[100][48:56] == "relation"


def test_at_finds_the_narrowest_name_under_a_position():
    index = quickstart()
    node = index.at(91, 45)
    assert isinstance(node, Reference) and node.name == "safety.no_coercion"
    assert index.at(91, 59).name == "safety.no_coercion"  # just after the last character still counts
    assert index.at(3, 1) is None
    generator = index.enclosing(["generator"], 95, 20)
    assert generator.name == "leverage_over_neighbour"


def test_half_typed_and_garbage_text_never_raise():
    text = (DATA / "constitution.cdl").read_text(encoding="utf-8")
    for cut in range(0, len(text), 211):
        index = index_text(text[:cut], "cut.cdl")
        for symbol in index.definitions:
            assert symbol.span.line <= symbol.span.end_line
    assert index_text("}}}{{{ \x00 \"\"\" principle", "g.cdl").definitions == []
