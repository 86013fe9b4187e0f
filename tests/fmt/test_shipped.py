"""Every shipped .cdl file: formatting is idempotent, keeps every comment and never changes meaning."""

from __future__ import annotations

import pytest

from constitutionc.fmt import format_text

from .helpers import REPO, comment_texts, meaning, shipped_cdl_files

FILES = shipped_cdl_files()


def test_the_corpus_is_not_empty():
    assert any(p.parts[-2:] == ("quickstart", "constitution.cdl") for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(REPO)) for p in FILES])
def test_format_properties(path):
    source = path.read_text(encoding="utf-8")
    first = format_text(source, path.name)
    if not first.ok:
        # Files kept for syntax-error tests: the formatter must refuse them, naming the error.
        assert first.diagnostics and all(d.code in ("CDL001", "CDL002") for d in first.diagnostics)
        return
    second = format_text(first.text, path.name)
    assert second.text == first.text, "formatting twice changed the text"
    assert comment_texts(first.text) == comment_texts(source)
    assert meaning(first.text) == meaning(source)
