"""Server parts that need no client: settings from initialization options, the exception guard,
and the choice of what a quick fix replaces."""

from __future__ import annotations

from constitutionc.diagnostics import diag
from constitutionc.ir import Span
from constitutionc.lsp.checking import fix_target
from constitutionc.lsp.convert import SourceLines
from constitutionc.lsp.server import DEFAULT_DEBOUNCE_MS, Settings, guarded


def test_debounce_comes_from_initialization_options_within_bounds():
    assert Settings.from_options({"debounceMs": 0}).debounce_ms == 0
    assert Settings.from_options({"debounceMs": 400}).debounce_seconds == 0.4
    for bad in (None, [], {"debounceMs": -1}, {"debounceMs": "fast"}, {"debounceMs": True}, {"debounceMs": 10**6}):
        assert Settings.from_options(bad).debounce_ms == DEFAULT_DEBOUNCE_MS


def test_lint_rules_are_on_unless_turned_off():
    assert Settings.from_options(None).lint is True
    assert Settings.from_options({"lint": False}).lint is False
    assert Settings.from_options({"lint": "no"}).lint is True


class RecordingServer:
    def __init__(self):
        self.errors = []

    def log_error(self, what, detail):
        self.errors.append((what, detail))


def test_guard_turns_an_exception_into_a_log_line_and_the_default():
    server = RecordingServer()

    @guarded(server, default=[])
    def failing(params):
        raise KeyError("boom")

    assert failing(None) == []
    [(what, detail)] = server.errors
    assert "failing failed" in what and "KeyError: 'boom'" in detail


def test_fix_target_is_the_span_when_it_is_one_name_else_the_quoted_name_inside_it():
    lines = SourceLines('  check c "d" {\n    tool: send_mesage\n  }\n')
    block = Span(file="f", line=1, column=3, end_line=3, end_column=4)
    found = fix_target(diag("CDL102", "no tool in environment `home_agent` named `send_mesage`; did you mean "
                                      "`send_message`?", block, fix="send_message"), lines)
    assert (found.line, found.column, found.end_column) == (2, 11, 22)
    word = Span(file="f", line=2, column=11, end_line=2, end_column=22)
    assert fix_target(diag("CDL102", "x", word, fix="send_message"), lines) == word
    assert fix_target(diag("CDL102", "no `nothing` here", block, fix="other"), lines) is None
