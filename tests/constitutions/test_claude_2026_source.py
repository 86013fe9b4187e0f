"""Claude's constitution (January 2026) against the document itself: every quoted field is verbatim.

`constitutions/sources/claude-constitution-2026.txt` is the complete CC0 text (origin in
constitutions/README.md). Quoted fields (`text`, `why`, `trust`, a tension's `why`) may quote several
passages, separated by a blank line or an ellipsis; each passage must occur in the document exactly,
typographic quotes and dashes included, up to line wrapping.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from constitutionc.api import load

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "constitutions" / "claude-2026.cdl"
DOCUMENT = REPO / "constitutions" / "sources" / "claude-constitution-2026.txt"
PASSAGE_BREAK = re.compile(r"\n\s*\n|\s*(?:\.\.\.|\u2026)\s*")


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def document() -> str:
    return collapse(DOCUMENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def constitution():
    result = load([SOURCE], root=REPO)
    assert result.ok
    return result.constitution


def quoted_fields(constitution):
    for p in constitution.principles:
        if p.lead_in:
            # A list item with the words that govern it: each part is a quotation, their join is not.
            yield f"principle {p.id} lead_in", p.lead_in
            yield f"principle {p.id} item", p.item
        else:
            yield f"principle {p.id} text", p.text
        yield f"principle {p.id} why", p.why
    for v in constitution.values:
        yield f"value {v.id} text", v.text
        yield f"value {v.id} why", v.why
    for p in constitution.principals:
        yield f"principal {p.id} text", p.text
        yield f"principal {p.id} trust", p.trust
        yield f"principal {p.id} why", p.why
    for t in constitution.tensions:
        yield f"tension {t.id} why", t.why


def test_every_quoted_passage_occurs_verbatim_in_the_document(constitution, document):
    missing = []
    for where, text in quoted_fields(constitution):
        for passage in filter(str.strip, PASSAGE_BREAK.split(text or "")):
            if collapse(passage) not in document:
                missing.append(f"{where}: {collapse(passage)[:120]}")
    assert missing == []


def test_the_hard_constraints_are_the_documents_list_in_order_and_complete(constitution, document):
    listed = re.search(r"Claude should never: (.*?) These represent absolute restrictions", document).group(1)
    hard = [collapse(p.item) for p in constitution.principles if p.kind == "hard_constraint"]
    assert " ".join(hard) == listed


def test_every_list_item_follows_the_lead_in_that_governs_it(constitution, document):
    """The lead-in is the nearest one before the item: the sentence that introduces its list, not the same
    words elsewhere."""
    quoted = [p for p in constitution.principles if p.lead_in]
    leads = {p.lead_in for p in quoted}
    assert len(quoted) >= 11
    for p in quoted:
        at = document.find(collapse(p.item))
        before = {lead: document.rfind(collapse(lead), 0, at) for lead in leads}
        assert before[p.lead_in] >= 0, p.id
        # No other lead-in, and no other occurrence of this one, sits between the lead-in and the item.
        assert before[p.lead_in] == max(before.values()), p.id
        assert p.text == f"{p.lead_in} {p.item.strip()}"


def test_every_hard_constraint_reads_as_a_prohibition(constitution):
    hard = [p for p in constitution.principles if p.kind == "hard_constraint"]
    assert len(hard) == 7 and all(p.text.startswith("Claude should never: ") for p in hard)
