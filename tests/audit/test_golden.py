"""The audit's whole report on fixed builds, byte for byte: a faster scan must not move any figure.

Two builds: the benchmark's model-written build (each example written in several files) and its
`--distinct` variant (every row with texts of its own), each with a file of crafted rows that
reach the rarer paths (unreadable and blank lines, placeholders, typographic and non-ASCII text,
apostrophes at word edges, third-person talk, pasted clauses, request and sample layouts, a line
the standard library must read). The reports are compared with golden files made by the scan as
it was before it was made faster, in one process reading whole files, in two processes over small
chunks, and with samples small enough that every bounded sample overflows and estimates. (The
small-sample goldens were made again when item and pair keys became hashes of their texts' keys:
the pairs and ratios those samples hold changed, and with them only the sampled phrase classifiers
and the median length ratio; and again when the keys became XXH3-64 hashes instead of BLAKE2b ones:
every bounded sample then holds other members, so every estimated figure moved within its error.)
"""

import importlib.util
import json
from pathlib import Path

import pytest

from constitutionc.audit import audit, measures, scan
from tests.conftest import REPO, assert_golden

BENCH = REPO / "bench" / "bench_audit.py"
GOLDEN = REPO / "tests" / "golden" / "audit"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_audit", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def chat(user, answer, system="You are a helpful assistant.", **extra):
    return {"messages": [{"role": "system", "content": system}, {"role": "user", "content": user},
                         {"role": "assistant", "content": answer}], **extra}


CLAUSE = "Never use threats blackmail or private information to influence the decisions of other people ever"
CRAFTED = [
    chat("Write the welcome note", "Dear [insert name], welcome aboard. I'd be glad to help you settle in."),
    chat("Fix my script", "Here you go:\n```python\n# TODO move to a secrets manager\nkey = load()\n```\nI'd test it."),
    chat("Is it fine?", "TODO: finish this answer", id="todo-1", generator="crafted"),
    chat("Tell me about the café", "I’d say the café’s “best” dish — the crêpe — is worth it… you’ll love it 🎉"),
    chat("Quote it", "'Quoted' words and rock ''n'' roll, don't 'edge' cases' you know"),
    chat("How do our users sign in?", "The user table needs an index; I'd tell the user to sign in with SSO."),
    chat("Can you help?", "Claude should never flatter: the assistant must be honest, and you can fix it."),
    chat("Be brief", "The user has switched off softening, so give the blunt verdict."),
    chat("Hint at the secret?", CLAUSE),
    chat("Again?", CLAUSE + " " + CLAUSE, system=CLAUSE),
    chat("Format it", "# Plan\n\n- **one** 1\n- two 22\n\n1. three 333!\n2) four?\n\nDone \"ok\""),
    {"messages": [{"role": "user", "content": "Only a question, with <your address> left in"}], "kind": "prompt"},
    {"messages": [{"role": "system", "content": "Fill in: [fill in the date]"},
                  {"role": "user", "content": "When?"}]},
    {"params": {"model": "m", "max_tokens": 10, "system": [{"type": "text", "text": "Be kind."}],
                "messages": [{"role": "user", "content": [{"type": "text", "text": "hello there"}]},
                             {"role": "assistant", "content": [{"type": "text", "text": "Hi! You asked well."}]}],
                "tools": [{"name": "lookup"}, {"name": "send"}]}, "custom_id": "req-1"},
    {"input": [{"role": "user", "content": "lorem ipsum dolor sit amet"}], "id": "sample-1"},
    {"input": {"messages": [{"role": "user", "content": "Pick one"}], "tools": [{"type": "function",
               "function": {"name": "pick"}}]},
     "preferred_output": [{"role": "assistant", "content": "I'd pick the first: you said speed matters."}],
     "non_preferred_output": [{"role": "assistant", "content": "Pick the second."}]},
    {"prompt": "Plain prompt", "chosen": "You could ask them.", "rejected": "", "generator": "crafted"},
    {"kind": "response", "prompt": "numbers", "response": "I count 123456789012345678901234567890 of them.",
     "sources": [{"clause": "p.numbers"}]},
    {"kind": "note", "text": "not a training row"},
    chat("", ""),
]


def write_crafted(path: Path) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in CRAFTED]
    lines[3:3] = ["", "not json at all", "[1, 2]", '{"messages": "broken"']
    lines.append(json.dumps(chat("big", "I have 12345678901234567890123 reasons, you see.")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_families(path: Path) -> None:
    """One example under two families, and one answer under two prompts, met again chunks apart (the
    small-chunk runs cut this file in several)."""
    same = "You could start with the smallest room; I'd clear one shelf a day."
    rows = []
    for round_ in range(3):
        rows += [chat("Where do I start tidying?", same, generator="tidy_a"),
                 chat("Where do I start tidying?", same, generator="tidy_b"),
                 chat(f"How do I begin, take {round_}?", same, generator="tidy_a")]
        rows += [chat(f"Filler question {round_}-{i} about my plans", f"I'd plan {i} steps; you choose the first {round_}.",
                      generator=f"filler_{i % 3}") for i in range(160)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture(scope="module", params=["repeated", "distinct"])
def golden_build(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param) / "out"
    bench = _bench()
    bench.write_build(out, 6000, distinct=request.param == "distinct")
    write_crafted(out / "crafted.jsonl")
    write_families(out / "families.jsonl")
    probe = json.loads((out / "probes.jsonl").read_text(encoding="utf-8").splitlines()[0])
    return request.param, out, [CLAUSE, probe["user"]]


def _text(report: dict) -> str:
    report = {**report, "build": {**report["build"], "path": "OUT"}}
    return json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _small_samples(monkeypatch) -> None:
    for name, size in (("TEXT_SAMPLE", 400), ("FAMILY_SAMPLE", 12), ("PAIR_SAMPLE", 150), ("RATIO_SAMPLE", 200)):
        monkeypatch.setattr(measures, name, size)


def test_the_report_is_the_golden_one_in_any_split(golden_build, monkeypatch):
    variant, out, clauses = golden_build
    whole = _text(audit(out, clauses=clauses, jobs=1))
    assert_golden(GOLDEN / f"{variant}.json", whole)
    monkeypatch.setattr(scan, "CHUNK_BYTES", 40_000)
    assert len(scan.plan(out, sorted(out.rglob("*.jsonl")))) > 20
    assert _text(audit(out, clauses=clauses, jobs=1)) == whole
    assert _text(audit(out, clauses=clauses, jobs=2)) == whole


def test_the_report_is_the_golden_one_when_every_sample_overflows(golden_build, monkeypatch):
    variant, out, clauses = golden_build
    _small_samples(monkeypatch)
    report = audit(out, clauses=clauses, jobs=1)
    assert report["diversity"]["counts_estimated"] and report["specificity"]["counts_estimated"]
    assert report["preference"]["phrase_sample"] == 150
    whole = _text(report)
    assert_golden(GOLDEN / f"{variant}-small-samples.json", whole)
    monkeypatch.setattr(scan, "CHUNK_BYTES", 40_000)
    assert _text(audit(out, clauses=clauses, jobs=2)) == whole
