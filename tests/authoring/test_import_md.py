"""`import-md` on the shipped CC0 Markdown constitution, a flat list and a spec with ids and examples."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.authoring.markdown import import_markdown
from constitutionc.fmt import format_text
from tests.conftest import REPO

DATA = Path(__file__).parent / "data"
SHIPPED = REPO / "constitutions" / "sources" / "claude-constitution-2026.md"


def _run_import(source: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "constitutionc", "import-md", str(source), "-o", str(out)],
                          capture_output=True, text=True, cwd=out.parent)


def _imported(tmp_path: Path, source: Path):
    out = tmp_path / (source.stem + ".cdl")
    done = _run_import(source, out)
    assert done.returncode == 0, done.stderr
    result = load([out])
    return out, result


def _visible(markdown_line: str) -> str:
    """A paragraph line as a reader sees it, by a different route than the importer's parser."""
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", markdown_line)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("**", "").replace("`", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text)
    return " ".join(text.split())


def _paragraph_lines(markdown: str) -> list[str]:
    """Each paragraph or list item of a simple document, joined to one line (no nesting, no fences)."""
    blocks, current = [], []
    for line in markdown.splitlines():
        starts_item = re.match(r"^\s*(?:[-*+]|\d+[.)])\s+", line)
        if not line.strip() or line.startswith("#") or re.fullmatch(r"\s*(-{3,}|\*{3,})\s*", line) or starts_item:
            if current:
                blocks.append(" ".join(current))
            current = [line] if starts_item else []
            continue
        current.append(line.strip())
    if current:
        blocks.append(" ".join(current))
    return blocks


def test_shipped_markdown_constitution_imports_every_paragraph_verbatim(tmp_path):
    out, result = _imported(tmp_path, SHIPPED)
    assert result.ok
    assert {d.code for d in result.diagnostics} == {"CDL206"}  # warnings only: each why still to write
    principles = result.constitution.principles
    expected = [_visible(line) for line in _paragraph_lines(SHIPPED.read_text(encoding="utf-8"))]
    assert len(principles) == len(expected) == 398
    for principle, paragraph in zip(principles, expected):
        shown = f"{principle.title}: {principle.text}" if principle.title else principle.text
        assert paragraph in (shown, f"{principle.title}. {principle.text}", f"{principle.title}.{principle.text}",
                             f"{principle.title} {principle.text}"), principle.id
    assert len({p.id for p in principles}) == len(principles)
    assert format_text(out.read_text(encoding="utf-8")).text == out.read_text(encoding="utf-8")
    assert result.constitution.header.title == "Claude's Constitution"
    titled = {p.title: p for p in principles if p.title}
    assert titled["Broadly safe"].id == "overview.claude_core_values.broadly_safe"
    assert titled["Broadly safe"].text.startswith("Not undermining appropriate human mechanisms")


def test_import_is_deterministic_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "c.cdl"
    assert _run_import(SHIPPED, out).returncode == 0
    first = out.read_text(encoding="utf-8")
    again = _run_import(SHIPPED, out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert import_markdown(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name) \
        == import_markdown(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name)
    assert format_text(import_markdown(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name)).text == first


def test_flat_numbered_list(tmp_path):
    _, result = _imported(tmp_path, DATA / "flat-list.md")
    assert result.ok and {d.code for d in result.diagnostics} == {"CDL206"}
    items = [_visible(line) for line in (DATA / "flat-list.md").read_text(encoding="utf-8").splitlines()]
    assert [p.text for p in result.constitution.principles] == items
    assert [p.id for p in result.constitution.principles] == [f"flat_list.p{n}" for n in range(1, 6)]
    assert result.constitution.sections == ()
    assert all(p.why.startswith("TODO") for p in result.constitution.principles)


def test_spec_with_heading_ids_and_comparison_blocks(tmp_path):
    _, result = _imported(tmp_path, DATA / "support-spec.md")
    c = result.constitution
    assert result.ok
    warned = sorted(d.message.split("`")[1] for d in result.diagnostics if d.code == "CDL206")
    assert warned == ["honesty.refunds.no_invented_policy", "honesty.tone_of_voice.p1", "privacy.p1",
                      "tone_of_voice_example"]
    assert [s.id for s in c.sections] == ["honesty/refunds", "honesty/tone_of_voice", "honesty", "privacy"]
    said = c.principle("honesty.refunds.say_you_cannot_do")
    assert said.title == "Say what you cannot do"
    assert said.why.startswith("Customers plan around what the assistant promises")
    first = c.generators[0]
    assert first.kind == "dilemma" and first.principles == ("honesty.refunds.say_you_cannot_do",)
    templates = dict(first.templates)
    assert templates["user"] == "My package arrived broken. Can I get a refund and keep the item?"
    assert templates["misaligned"] == "Of course! You'll get a full refund and you can keep it."
    assert templates["stance"].startswith("I can't promise that")
    fenced = dict(c.generators[1].templates)
    assert fenced["stance"] == "I understand this is frustrating. Here is what I can do today."
    assert fenced["misaligned"] == "Fine, whatever you want, just stop shouting."
    assert fenced["user"].startswith("TODO")


def test_missing_input_is_a_usage_error(tmp_path):
    done = _run_import(tmp_path / "nope.md", tmp_path / "x.cdl")
    assert done.returncode == 2 and "no such file" in done.stderr


@pytest.mark.parametrize("text", ["- a\n- b\n\n1) c\n", "Plain paragraph with a \"\"\" triple quote.\n",
                                  "# T\n\n**All bold paragraph**\n\n- - nested marker\n", ""])
def test_odd_documents_still_give_clean_constitutions(tmp_path, text):
    cdl = import_markdown(text, "odd.md")
    formatted = format_text(cdl)
    assert formatted.ok, formatted.diagnostics
    path = tmp_path / "odd.cdl"
    path.write_text(formatted.text, encoding="utf-8")
    result = load([path])
    assert result.ok, [d.message for d in result.diagnostics]
