"""The messages a new writer meets first, each from a slip measured on real writing (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.diagnostics import did_you_mean


def _messages(tmp_path: Path, text: str) -> list[tuple[str, int, str]]:
    path = tmp_path / "slip.cdl"
    path.write_text(text, encoding="utf-8")
    return [(d.code, d.span.line if d.span else 0, d.message) for d in load([path]).diagnostics]


@pytest.mark.parametrize("after", ['\n    why: "w"\n  }\n}\n', "\n  }\n}\n"])
def test_unquoted_text_says_to_quote_it_and_shows_both_forms(tmp_path, after):
    found = _messages(tmp_path, 'section "R" {\n  principle r1.child "Child" {\n    text: the assistant never lies'
                                + after)
    [message] = [m for code, line, m in found if line == 3]
    assert message.startswith("text must be quoted")
    assert '`text: "the assistant never lies"`' in message and '`text: """the assistant never lies"""`' in message
    assert "has no field" not in " ".join(m for _, _, m in found)


@pytest.mark.parametrize("order", ["text_first", "why_first"])
def test_inner_unescaped_quote_says_to_escape_or_use_a_block(tmp_path, order):
    text = 'text: "Avoid "unobjectionable" filler."'
    body = f'  {text}\n  why: "w"\n' if order == "text_first" else f'  why: "w"\n  {text}\n'
    found = _messages(tmp_path, f'principle r1.child "Child" {{\n{body}}}\n')
    [message] = [m for _, _, m in found]
    assert "ends the text of `text` early" in message and '`\\"`' in message and '"""..."""' in message


def test_unclosed_section_is_named_with_its_line(tmp_path):
    found = _messages(tmp_path, 'section "Safety" {\n  principle r1.child "Child" {\n    text: "t"\n    why: "w"\n'
                                '  }\n\nprinciple r2.x "X" {\n  text: "t"\n  why: "w"\n}\n')
    [(code, _, message)] = found
    assert code == "CDL001"
    assert 'closing `section "Safety"` (opened on line 1)' in message


def test_vary_written_like_a_slot_does_not_lose_the_next_field(tmp_path):
    found = _messages(tmp_path, 'principle r1.c "C" {\n  text: "t"\n  why: "w"\n}\n\n'
                                'dilemma d1 teaches r1.c {\n  vary audience from a\n  user: "Hello"\n  stance: "s"\n}\n')
    assert not any("needs `user`" in m for _, _, m in found)
    assert [(code, line) for code, line, _ in found] == [("CDL104", 7)]


def test_did_you_mean_only_within_a_sensible_distance_and_says_when_nothing_is_close(tmp_path):
    found = _messages(tmp_path, 'principle safety.no_legal_advice "L" {\n  text: "t"\n  why: "w"\n}\n'
                                'principle safety.no_financial_tips "F" {\n  text: "t"\n  why: "w"\n}\n'
                                'dilemma d1 teaches safety.no_medical_authority {\n  user: "u"\n  stance: "s"\n}\n'
                                'dilemma d2 teaches safety.no_legal_advise {\n  user: "u"\n  stance: "s"\n}\n')
    by_line = {line: m for _, line, m in found}
    assert "did you mean" not in by_line[9] and "no defined principle has a name close to it" in by_line[9]
    assert by_line[13].endswith("did you mean `safety.no_legal_advice`?")
    assert did_you_mean("wy", ["why", "text"]) == "why"
    assert did_you_mean("CDL6O1", ["CDL621", "CDL601"]) == "CDL601"


def test_build_without_generators_says_so_and_exits_0(tmp_path):
    (tmp_path / "f.cdl").write_text('principle r1.child "Child" {\n  text: "t"\n  why: "w"\n}\n')
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", "f.cdl", "-o", "out"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0
    assert "no dilemma or probe families" in done.stdout and "0 records" not in done.stdout
    assert "constitutionc new dilemma --for r1.child --in f.cdl" in done.stdout
