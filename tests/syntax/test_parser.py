"""Parsing: error recovery reports every independent error, in words, at the right place."""

from __future__ import annotations

from constitutionc.syntax.parser import get_parser, parse_text

THREE_ERRORS = '''\
principle { text: "no id" why: "w" }

principle ok.one "Fine" { text: "t" why: "w" }

tension ok.one over { why: "missing the yielding principle" }

principle ok.two "Also fine" { text: "t" why: "w" }

dilemma d teaches ok.one { user: "u" stance: @ }
'''


def test_three_independent_errors_are_all_reported():
    result = parse_text(THREE_ERRORS, "three.cdl")
    lines = [(d.span.line, d.code) for d in result.diagnostics]
    assert lines == [(1, "CDL001"), (5, "CDL001"), (9, "CDL001")]
    assert result.tree is not None  # recovery kept a tree, so later stages still run


def test_messages_say_what_was_expected_in_words():
    result = parse_text(THREE_ERRORS, "three.cdl")
    first, second, third = result.diagnostics
    assert first.message.startswith("expected a principle id after `principle`")
    assert (first.span.line, first.span.column) == (1, 11)
    assert "the id of the principle that yields after `over`" in second.message
    assert "unexpected character '@'" in third.message


def test_missing_closing_brace_at_end_of_file():
    result = parse_text('section "A" {\n  principle a.b { text: "t" why: "w" }\n', "open.cdl")
    assert len(result.diagnostics) == 1
    assert "the end of the file" in result.diagnostics[0].message
    assert result.tree is not None


def test_unterminated_string_is_named():
    result = parse_text('principle a.b { text: "never closed\n why: "w" }\n', "s.cdl")
    assert any("never closed" in d.message for d in result.diagnostics)


def test_comments_are_collected_with_positions():
    result = parse_text('# top\nprinciple a.b { # inline\n text: "t # not a comment" why: "w" }\n', "c.cdl")
    assert [(str(c), c.line) for c in result.comments] == [("# top", 1), ("# inline", 2)]


def test_deep_nesting_is_a_diagnostic_not_a_crash():
    text = 'section "x" {\n' * 10_000 + "}\n" * 10_000
    result = parse_text(text, "deep.cdl")
    assert result.tree is None
    assert result.diagnostics[0].code == "CDL002"
    assert "nested" in result.diagnostics[0].message


def test_keywords_are_ordinary_field_names_inside_bodies():
    # `value`, `environment` and `principle` start constructs at file level, but inside a body
    # they are field names, wherever they appear in it.
    text = ('probe p tests a.b {\n  title: "T"\n  environment: e\n  value: x\n  principle: y\n}\n'
            'principle a.b {\n  text: "t"\n  value: safety\n  why: "w"\n}\n'
            'section "S" {\n  prose: "x"\n  principle c.d { text: "t" why: "w" }\n}\n')
    assert parse_text(text, "k.cdl").diagnostics == []


def test_every_prefix_of_a_real_file_gives_syntax_errors_not_internal_errors():
    from pathlib import Path

    from constitutionc.syntax.resolve import compile_text

    text = (Path(__file__).resolve().parents[2] / "examples/quickstart/constitution.cdl").read_text()
    for cut in range(0, len(text), 97):
        codes = {d.code for d in compile_text(text[:cut], "cut.cdl").diagnostics}
        assert "CDL009" not in codes, f"internal error for the first {cut} characters"


def test_names_may_use_any_alphabet():
    text = 'principle sécurité.règle { text: "t" why: "w" }\ntension sécurité.règle over 安全.原则 { why: "w" }\n'
    assert parse_text(text, "u.cdl").diagnostics == []


def test_a_one_megabyte_string_is_lexed_in_little_memory():
    import tracemalloc

    text = 'principle a { text: "' + "x" * 1_000_000 + '" why: "w" }\n'
    get_parser()  # built (or loaded from cache) outside the measurement
    tracemalloc.start()
    try:
        result = parse_text(text, "long.cdl")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.diagnostics == []
    assert peak < 50_000_000, f"peak {peak / 1e6:.0f} MB"
