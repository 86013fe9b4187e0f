"""Every shipped .cdl file: formatting is idempotent, keeps every comment and never changes meaning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.fmt import format_text
from constitutionc.lint import lint_result, settings_for

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


def _findings(folder: Path, name: str) -> list[tuple[str, str]]:
    result = load([folder / name], root=folder)
    report = lint_result(result, settings_for(result))
    return sorted((d.code, d.message) for d in report.diagnostics if d.span and d.span.file.endswith(name))


@pytest.mark.parametrize("path", [p for p in FILES if "std" not in p.parts],
                         ids=[str(p.relative_to(REPO)) for p in FILES if "std" not in p.parts])
def test_formatting_keeps_what_each_suppression_comment_silences(path, tmp_path, monkeypatch):
    # Suppressions apply to their own line and the next, so a comment the formatter moves
    # must still sit on or just above what it silenced: the lint findings must not change.
    first = format_text(path.read_text(encoding="utf-8"), path.name)
    if not first.ok:
        return
    monkeypatch.chdir(path.parent)
    before = _findings(path.parent, path.name)
    shutil.copytree(path.parent, tmp_path / "copy")
    (tmp_path / "copy" / path.name).write_text(first.text, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "copy")
    assert _findings(tmp_path / "copy", path.name) == before


PUBLISHED = [p for p in FILES if p.relative_to(REPO).parts[0] in ("examples", "constitutions", "constitutionc")]


@pytest.mark.parametrize("path", PUBLISHED, ids=[str(p.relative_to(REPO)) for p in PUBLISHED])
def test_published_files_are_already_formatted(path):
    # Users copy these files; the CI workflow `constitutionc init` writes runs `fmt --check .` over them.
    source = path.read_text(encoding="utf-8")
    assert format_text(source, path.name).text == source, f"run `constitutionc fmt {path.relative_to(REPO)}`"
