"""The language reference cannot drift: every `cdl` example in docs/*.md compiles cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from constitutionc.api import load

REPO = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```cdl\n(.*?)^```", re.S | re.M)


def examples() -> list[tuple[str, int, str]]:
    found = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text[: match.start()].count("\n") + 1
            found.append((doc.name, line, match.group(1)))
    return found


def test_the_reference_has_examples():
    assert len([e for e in examples() if e[0] == "language.md"]) >= 12


@pytest.mark.parametrize("doc,line,source", examples(), ids=[f"{d}:{n}" for d, n, _ in examples()])
def test_example_compiles_without_errors(tmp_path, doc, line, source):
    path = tmp_path / "example.cdl"
    path.write_text(source, encoding="utf-8")
    result = load([path])
    errors = [f"{d.span.line if d.span else '?'}: {d.code} {d.message}" for d in result.diagnostics
              if d.is_error]
    assert not errors, f"{doc}:{line}: the example does not compile:\n" + "\n".join(errors)


def test_every_construct_is_documented_with_an_example():
    constructs = {"constitution", "import", "priority", "value", "principal", "section", "principle",
                  "tension", "environment", "dilemma", "probe", "axis"}
    sources = "\n".join(source for _, _, source in examples())
    shown = {word for word in constructs if re.search(rf"^\s*{word}\b", sources, re.M)}
    # `import` needs files to import, so it is described in prose and exercised in tests/syntax.
    assert constructs - shown <= {"import"}


FRAGMENT = re.compile(r"^```cdl fragment\n(.*?)^```", re.S | re.M)


def fragments() -> list[tuple[str, int, str]]:
    found = []
    for doc in sorted((REPO / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for match in FRAGMENT.finditer(text):
            found.append((doc.name, text[: match.start()].count("\n") + 1, match.group(1)))
    return found


@pytest.mark.parametrize("doc,line,source", fragments(), ids=[f"{d}:{n}" for d, n, _ in fragments()])
def test_fragment_parses(doc, line, source):
    """Fragments refer to names defined elsewhere in their page, so they are only parsed."""
    from constitutionc.syntax.parser import parse_text

    problems = parse_text(source, f"{doc}:{line}").diagnostics
    assert not problems, f"{doc}:{line}: " + "; ".join(d.message for d in problems)
