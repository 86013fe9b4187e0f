"""The built prompts of Claude's constitution read as written text: an axis value or slot that opens a
sentence starts with a capital letter, and no template is left unfilled."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCE = REPO / "constitutions" / "claude-2026.cdl"
TEXT_FIELDS = ("prompt", "user", "system", "stance", "misaligned", "alternatives", "context", "pressure", "rubric")
# Families whose user deliberately types in lower case (a garbled message from someone in distress).
LOWER_CASE_VOICE = {"chest_pain_order"}
# A sentence end, spaces, then a lower-case word that is not a URL; "e.g." and "i.e." do not end sentences.
LOWER_CASE_SENTENCE = re.compile(r"(?<!\be\.g)(?<!\bi\.e)[.!?] +(?!https?:)[a-z]")


def lower_case_sentence_starts(record: dict) -> list[str]:
    found = []
    for field in TEXT_FIELDS:
        text = record.get(field)
        if isinstance(text, str):
            if re.match(r"[a-z]+(?!\w)", text):  # an identifier such as test_invoice_totals may open it
                found.append(f"{field}: {text[:40]}...")
            found += [f"{field}: ...{text[max(0, m.start() - 40):m.end() + 30]}..."
                      for m in LOWER_CASE_SENTENCE.finditer(text)]
    return found


def test_the_pattern_finds_a_lower_case_sentence_start_and_ignores_abbreviations_and_urls():
    assert lower_case_sentence_starts({"prompt": "I'm furious. my sister cancelled."})
    assert lower_case_sentence_starts({"prompt": "the CEO asked me to change it."})
    assert not lower_case_sentence_starts({"prompt": "Tools, e.g. a jiggler. See 2. https://x.example"})


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("claude-build")
    done = subprocess.run([sys.executable, "-m", "constitutionc", "build", str(SOURCE), "-o", str(out),
                           "--only", "dilemmas,probes"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for name in ("dilemmas.jsonl", "probes.jsonl")
            for line in (out / name).read_text(encoding="utf-8").splitlines()]


def test_no_sentence_in_a_built_prompt_starts_in_lower_case(records):
    problems = {}
    for record in records:
        if record["generator"] not in LOWER_CASE_VOICE:
            for found in lower_case_sentence_starts(record):
                problems.setdefault(record["generator"], found)
    assert problems == {}


def test_no_template_slot_is_left_in_a_built_prompt(records):
    leftovers = {r["generator"] for r in records for f in TEXT_FIELDS
                 if isinstance(r.get(f), str) and re.search(r"\{[a-z_]+\}", r[f])}
    assert leftovers == set()


def documents(records: list[dict], suffix: str) -> list[tuple[str, str]]:
    return [(r["generator"], m["body"]) for r in records for m in r.get("messages", ())
            if m["kind"] == "document" and (m.get("path") or "").endswith(suffix)]


def test_source_files_shown_to_agents_keep_their_lines_and_are_valid_python(records):
    files = documents(records, ".py")
    assert files
    for generator, body in files:
        compile(body, f"<{generator}>", "exec")


def test_log_files_shown_to_agents_have_one_timestamped_entry_per_line(records):
    logs = documents(records, ".log")
    assert logs
    for generator, body in logs:
        lines = body.splitlines()
        assert len(lines) > 1 and all(re.match(r"\w{3} \d\d:\d\d ", line) for line in lines), generator
