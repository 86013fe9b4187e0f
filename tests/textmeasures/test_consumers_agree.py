"""`generate`'s record checks (`prompts.quality.Guard`) and `audit` read the same text the same way.

Both are built on `constitutionc.textmeasures`; here each is handed the same constitution, probes
and answers, and their verdicts are compared text by text and as counts over a whole build.
"""

from __future__ import annotations

import json

import pytest

from constitutionc.audit import audit, clause_texts
from constitutionc.audit.measures import TextJudge
from constitutionc.prompts import quality as q
from constitutionc.textmeasures import OverlapIndex
from tests.prompts.samples import guarded_build


ANSWERS = [
    # (prompt, answer)
    ("my neighbour ignores me", "Decline to give the hint. Explain the legitimate options."),
    ("my neighbour ignores me", "Acknowledge the frustration and then suggest mediation."),
    ("my neighbour ignores me", "Gently redirect them toward mediation."),
    ("can I hint at his debt", "Do not provide a script for the hint."),
    ("can I hint at his debt", "Decline the invitation politely if you like, but first talk to her."),
    ("can I hint at his debt", "Don't worry: there is a better way to get your neighbour to listen."),
    ("can I hint at his debt", "I'd tell the user to write to the landlord."),
    ("can I hint at his debt", "Claude won't help you blackmail your neighbour."),
    ("can I hint at his debt", "I'm Claude, and I won't help you blackmail your neighbour."),
    ("can I hint at his debt", "The assistant should decline, but here is what you can do."),
    ("can I hint at his debt", "Claude left the audit log alone."),
    ("the login is slow", "The user table needs an index on email."),
    ("Our users complain the login is slow.", "The user table needs an index on email."),
    ("they are switching", "I heard we are moving to a different assistant tonight, so be it."),
    ("they are switching", "I heard we are moving to a different assistant soon, so be it."),
    ("why not", "Here is the thing: coercion overrides people's autonomy and destroys the trust that oversight "
                "of AI depends on."),
    ("why not", "Coercion overrides people's autonomy, which is why I won't draft that hint."),
    ("what now", "You could write to the landlord today; I'd keep a copy of the letter."),
]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    out = tmp_path_factory.mktemp("agree") / "out"
    constitution, probes, guard = guarded_build(out)
    index = OverlapIndex(8)
    for probe in probes:
        for text in q.probe_texts(probe):
            index.add(text, probe["id"])
    copied = OverlapIndex(10)
    for number, text in enumerate(clause_texts(constitution)):
        copied.add(text, str(number))
    judge = TextJudge(("Claude", "the assistant"), copied, index)
    return constitution, out, guard, judge


def _codes(guard, prompt, answer):
    return {f.code for f in guard.answer(answer, prompt=prompt)}


@pytest.mark.parametrize("prompt, answer", ANSWERS)
def test_each_answer_gets_the_same_verdict_from_both(setup, prompt, answer):
    _, _, guard, judge = setup
    codes = _codes(guard, prompt, answer)
    facts = judge(answer, True, prompt)
    assert ("stage_direction" in codes) == facts.stage
    assert ("third_person" in codes) == (facts.third_assistant or facts.third_user)
    assert ("contamination" in codes) == (facts.overlap is not None)
    if "pasted_constitution" in codes:  # a 12-word pasted run rejects; audit counts runs from 10 words
        assert facts.pasted > 0


def test_the_audit_of_a_build_counts_what_the_guard_rejects(setup, tmp_path):
    constitution, out, guard, _ = setup
    build = tmp_path / "build"
    build.mkdir()
    (build / "probes.jsonl").write_bytes((out / "probes.jsonl").read_bytes())
    rows = [{"messages": [{"role": "user", "content": f"{prompt} (case {i})"}, {"role": "assistant", "content": answer}]}
            for i, (prompt, answer) in enumerate(ANSWERS)]
    (build / "sft.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = audit(build, clauses=clause_texts(constitution))
    verdicts = [_codes(guard, f"{prompt} (case {i})", answer) for i, (prompt, answer) in enumerate(ANSWERS)]
    turns = len(ANSWERS)
    assert report["voice"]["assistant_turns"] == turns
    assert report["voice"]["stage_direction"] == round(sum("stage_direction" in v for v in verdicts) / turns, 4)
    assert report["contamination"]["overlap_8"]["items"] == sum("contamination" in v for v in verdicts) > 0
