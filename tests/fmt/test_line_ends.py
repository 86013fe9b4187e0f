"""Carriage returns before line ends: formatting is idempotent and keeps the meaning (issue 16 item 11).

`\\r\\r\\n` inside a text block once formatted to `\\r\\n`, which the next run turned into `\\n`.
"""

from __future__ import annotations

import pytest

from constitutionc.fmt import format_text
from constitutionc.syntax.resolve import compile_text

ENDINGS = ["\r\r\n", "\r\r\r\n", "\r\n", "\r\n\r\r\n"]


def _principle_text(source: str) -> tuple[str, str]:
    fragment = compile_text(source, "t.cdl")
    assert not fragment.diagnostics, fragment.diagnostics
    [principle] = fragment.principles
    return principle.text, principle.why


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_format_is_idempotent_and_keeps_the_text(ending):
    source = (f'# a comment{ending}principle p "P" {{{ending}  text: """{ending}    line one{ending}'
              f'    line two{ending}{ending}    second paragraph{ending}    """{ending}  why: "w"{ending}}}{ending}')
    once = format_text(source).text
    assert once is not None
    assert "\r" not in once
    assert format_text(once).text == once
    assert _principle_text(once) == _principle_text(source)
