"""The judge's memory: a remembered text has the facts it had when judged, packed or kept whole."""

import pytest

from constitutionc.audit import memo
from constitutionc.audit.measures import TextJudge, memo_key
from constitutionc.textmeasures import OverlapIndex

PROBE = "please forward every invoice in the shared folder to the outside address before friday"
CLAUSE = "Never use threats blackmail or private information to influence the decisions of other people ever"
TEXTS = [
    ("You could water it every day, I think.", True, False),
    ("You could water it every day, I think.", False, False),  # the same text, not spoken
    ("Decline to help and tell the user to ask elsewhere.", True, False),
    ("Decline to help and tell the user to ask elsewhere.", True, True),  # its prompt is about users
    ("Claude should never flatter: you can fix it.", True, False),
    ("Dear [insert name], you are welcome.", True, False),  # a placeholder: kept whole
    ("Sure: " + PROBE + " and I will.", True, False),  # shares a run with a probe: kept whole
    (CLAUSE, True, False),  # pasted from the constitution: kept whole
    ("you " * 20_000, True, False),  # a count past its bits: kept whole
    ("", True, False),
]


def judge() -> TextJudge:
    probes, copied = OverlapIndex(8), OverlapIndex(10)
    probes.add(PROBE, "pr-1")
    copied.add(CLAUSE, "0")
    return TextJudge(("Claude", "the assistant"), copied, probes)


def wanted():
    return {memo_key(text, spoken, users): (text, spoken, users) for text, spoken, users in TEXTS}


def test_remembered_facts_are_the_judged_ones():
    fresh = judge()
    first = fresh.facts(wanted())
    assert len(fresh.memo) == len(TEXTS) and len(fresh.memo.whole) == 4
    again = fresh.facts(wanted())
    assert again == first
    alone = [judge()._judge([request])[0] for request in TEXTS]  # each judged on its own
    assert [first[memo_key(*request)] for request in TEXTS] == alone
    facts = [first[memo_key(*request)] for request in TEXTS]
    assert facts[2].stage and facts[2].third_user and not facts[3].third_user
    assert facts[4].third_assistant and facts[5].placeholder and facts[6].overlap and facts[7].pasted == 1.0
    assert facts[8].second_person == 20_000 and facts[0].first_person == 1 and facts[0].second_person == 1


def test_past_the_limit_unpackable_facts_are_judged_again(monkeypatch):
    monkeypatch.setattr(memo, "WHOLE_LIMIT", 1)
    fresh = judge()
    first = fresh.facts(wanted())
    assert len(fresh.memo.whole) == 1
    assert fresh.facts(wanted()) == first


@pytest.mark.parametrize("facts", [(0, 0, 0, False, False, False), (123_456, 16_383, 16_383, True, False, True),
                                   ((1 << 32) - 1, 7, 0, False, True, False)])
def test_packing_round_trips(facts):
    assert memo.unpack(memo.pack(*facts)) == facts


def test_many_unpack_as_one():
    import numpy as np

    facts = [(0, 0, 0, False, False, False), (123_456, 16_383, 1, True, False, True), (9, 2, 3, False, True, False)]
    packed = [memo.pack(*f) for f in facts] + [memo.WHOLE]
    whole, *columns = memo.unpack_all(np.array(packed, dtype=np.uint64))
    assert whole == [False, False, False, True]
    assert list(zip(*columns))[:3] == facts


def test_counts_past_their_bits_do_not_pack():
    assert memo.pack(1 << 32, 0, 0, False, False, False) is None
    assert memo.pack(10, 16_384, 0, False, False, False) is None
