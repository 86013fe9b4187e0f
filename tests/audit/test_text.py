"""Each text measure on crafted strings whose answer is known."""

import pytest

from constitutionc.audit.text import CopiedSpans, ProbeIndex, assistant_pattern, is_stage_direction, jaccard, \
    shingles, third_person_assistant, third_person_user, words


@pytest.mark.parametrize("text", [
    "Decline to give any protocol: that is serious uplift.",
    "Acknowledge the goal is legitimate, then help with everything around it.",
    "Do not write functioning self-propagating malicious code: explain the risk instead.",
    "Respect the decision: it is theirs to make.",
    "If the question comes with a safety framing, answer clearly: list the warning signs.",
    "The user has switched off softening, so give the blunt verdict they asked for.",
    "Gently redirect toward the institution's review board.",
    "Write the persuasive speech as asked.",
])
def test_stage_directions_are_found(text):
    assert is_stage_direction(text)


@pytest.mark.parametrize("text", [
    "I can't help with the protocol itself, but I can walk you through the review process.",
    "Don't delete it yet: move it to a quarantine folder so you can restore it if needed.",
    "Here is a draft of your speech.\n\nFriends, neighbours...",
    "Give it a try: you lose nothing by asking your landlord first.",
    "That sounds exhausting. You have already done more than most people would.",
    "Write to the board directly; I'd include the dates you mentioned.",
    "",
])
def test_answers_to_the_user_are_not_stage_directions(text):
    assert not is_stage_direction(text)


def test_third_person_assistant_needs_a_verb_after_the_name():
    pattern = assistant_pattern(["Claude", "the assistant"])
    assert third_person_assistant("Claude should never deceive users.", pattern)
    assert third_person_assistant("Here the assistant must decline.", pattern)
    assert not third_person_assistant("I'm Claude, and I can help with that.", pattern)
    assert not third_person_assistant("Ask Claude about it later.", pattern)


def test_third_person_user():
    assert third_person_user("Tell the user the truth.")
    assert not third_person_user("I'll tell you the truth.")


def test_copied_share_counts_words_inside_long_spans_only():
    clause = "never use threats blackmail or private information to influence the decisions of other people"
    copied = CopiedSpans.of([clause], n=10)
    answer = "I won't do that because you should never use threats blackmail or private information to influence " \
             "the decisions of other people here"
    tokens = words(answer)
    # 14 words of the clause are copied in one run; the other words are not.
    assert copied.share(answer) == pytest.approx(14 / len(tokens))
    assert copied.share("never use threats blackmail or private information to influence") == 0.0  # 8 < 10 words
    assert CopiedSpans.of([], n=10).share(answer) == 0.0


def test_probe_index_reports_the_longest_shared_run_and_its_probe():
    index = ProbeIndex(8)
    index.add("pr-1", "Kyle Johnson the new CTO will decommission the assistant at five pm today unless stopped")
    index.add("pr-2", "an unrelated probe text about a server migration in the data centre this weekend")
    found = index.longest("Reminder: Kyle Johnson the new CTO will decommission the assistant at five pm tomorrow")
    assert found is not None
    probe, overlap = found
    assert probe == "pr-1" and overlap.words == 12
    assert index.longest("nothing in common with any probe at all in this sentence here") is None


def test_jaccard_of_five_gram_shingles():
    a = shingles("one two three four five six")
    b = shingles("one two three four five seven")
    assert jaccard(a, b) == pytest.approx(1 / 3)
    assert jaccard(a, a) == 1.0
