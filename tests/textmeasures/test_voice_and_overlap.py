"""Voice, copied runs, near-duplicates and placeholders on crafted strings whose answers are known."""

import random

import pytest

from constitutionc.textmeasures import OverlapIndex, is_stage_direction, jaccard, near_duplicate_count, placeholder, \
    shingles, talks_about_user, third_person_assistant, words
from constitutionc.textmeasures.near import EXACT_LIMIT

NAMES = ("Claude", "the assistant")


@pytest.mark.parametrize("text", [
    "Decline to give any protocol: that is serious uplift.",
    "Acknowledge the goal is legitimate, then help with everything around it.",
    "Do not write functioning self-propagating malicious code: explain the risk instead.",
    "Respect the decision: it is theirs to make.",
    "If the question comes with a safety framing, answer clearly: list the warning signs.",
    "The user has switched off softening, so give the blunt verdict they asked for.",
    "Gently redirect toward the institution's review board.",
    "Write the persuasive speech as asked.",
    "Decline the invitation politely if you like, but first talk to her.",  # opens by directing, "you" or not
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
    "Don't worry: there is a better way to get your neighbour to listen.",
    "I'd tell the user to write to the landlord.",  # third person, but it speaks as "I"
    "The user table needs an index on email.",  # "the user" not as the subject of a verb
    "",
])
def test_answers_to_the_user_are_not_stage_directions(text):
    assert not is_stage_direction(text)


def test_describing_the_user_is_no_tell_when_the_person_talks_about_users():
    text = "The user has no index on email, so every login scans the table."
    assert is_stage_direction(text)
    assert not is_stage_direction(text, prompt="Our users complain that login is slow.")


@pytest.mark.parametrize("text, expected", [
    ("Claude should never deceive users.", True),
    ("Here the assistant must decline.", True),
    ("Claude left the audit log alone.", True),  # a proper name opening a clause is its subject
    ("I'm Claude, and I can help with that.", False),
    ("As Claude, I won't help with that.", False),
    ("Ask Claude about it later.", False),
    ("The assistant manager can help you with the refund.", False),
])
def test_third_person_assistant(text, expected):
    assert (third_person_assistant(text, NAMES) is not None) == expected


def test_third_person_user_and_its_exemption():
    assert talks_about_user("Tell the user the truth.")
    assert not talks_about_user("I'll tell you the truth.")
    assert not talks_about_user("The user table needs an index.", prompt="Our users say login is slow.")


def test_covered_share_counts_words_inside_long_runs_only():
    clause = "never use threats blackmail or private information to influence the decisions of other people"
    copied = OverlapIndex(10)
    copied.add(clause, "c1")
    answer = "I won't do that because you should never use threats blackmail or private information to influence " \
             "the decisions of other people here"
    # 14 words of the clause are copied in one run; the other words are not.
    assert copied.covered_share(answer) == pytest.approx(14 / len(words(answer)))
    assert copied.covered_share("never use threats blackmail or private information to influence") == 0.0
    assert OverlapIndex(10).covered_share(answer) == 0.0


def test_the_longest_run_names_its_probe_and_does_not_bridge_two_probes():
    index = OverlapIndex(8)
    index.add("Kyle Johnson the new CTO will decommission the assistant at five pm today unless stopped", "pr-1")
    index.add("an unrelated probe text about a server migration in the data centre this weekend", "pr-2")
    found = index.longest("Reminder: Kyle Johnson the new CTO will decommission the assistant at five pm tomorrow")
    assert found.label == "pr-1" and found.length == 12
    assert index.longest("nothing in common with any probe at all in this sentence here") is None
    # The text runs from p1 straight into p2: two runs of 4 words, not one of 7 that no probe holds.
    index2 = OverlapIndex(3)
    index2.add("a b c d", "p1")
    index2.add("d e f g", "p2")
    assert [(r.label, r.start, r.length) for r in index2.overlaps("a b c d e f g")] == [("p1", 0, 4), ("p2", 3, 4)]


def test_jaccard_of_five_gram_shingles():
    a = shingles("one two three four five six")
    b = shingles("one two three four five seven")
    assert jaccard(a, b) == pytest.approx(1 / 3)
    assert jaccard(a, a) == 1.0
    assert jaccard(set(), set()) == 0.0


def test_near_duplicate_counts_exact_and_minhash_agree_on_known_sets():
    base = "please help me write a short note to my landlord about the broken heating in the flat"
    texts = [base, base + " today", "a totally different request about planning a birthday party for my niece"]
    assert near_duplicate_count(texts) == (2, "exact")
    many = [f"unique words {i} " + " ".join(f"w{i}x{j}" for j in range(12)) for i in range(EXACT_LIMIT + 10)]
    many += [base, base + " today"]
    assert near_duplicate_count(many) == (2, "minhash")
    # Three texts, each near the next: all three are flagged, the exact count finds every pair.
    chain = [base, base + " today", base + " today please"]
    assert near_duplicate_count(chain) == (3, "exact")


@pytest.mark.parametrize("text, marker", [
    ("TODO", "TODO"),
    ("TODO: write the scenario where a friend asks for feedback.", "TODO"),
    ("Your plan is sound. TBD: the part about the budget.", "TBD"),
    ("Dear [insert name], thanks for writing.", "[insert name]"),
    ("Lorem ipsum dolor sit amet.", "Lorem ipsum"),
    ("I'd keep it short. FIXME", "FIXME"),
])
def test_placeholders_in_prose_are_found(text, marker):
    assert placeholder(text) == marker


@pytest.mark.parametrize("text", [
    "I keep a todo list and you could too.",  # the ordinary word, lower case
    "Here is the fix:\n\n    total = sum(lines)  # TODO handle quantity\n",  # a comment in code
    "```python\nTODO = []\n```\nThat list starts empty, so you can append to it.",  # fenced code
    "You could use <b>bold</b> for the headings and [link](https://example.org) for sources.",
    "The TODO-list app you named is fine.",  # part of a name
    "",
])
def test_code_and_ordinary_words_are_not_placeholders(text):
    assert placeholder(text) is None


def test_the_authoring_placeholder_is_one_the_audit_finds():
    """`new` and `import-md` write this marker until an author replaces it; `check` warns (CDL206), audit flags it."""
    from constitutionc.authoring.cdl_text import placeholder as authoring_placeholder

    assert placeholder(authoring_placeholder("the principle's text")) is not None


@pytest.mark.parametrize("text", ["", "   ", "One sentence only", "First. Second.", "e.g. this", "3.5 litres. Then",
                                  "Wait:\u00a0no", "Ends with a stop.", "  \n  leading lines. x", "a.\nb", "Why?! Yes",
                                  "line one\nline two. x", "tab\tstop.\tnext", "x" * 2500 + ". late", "no break" * 300])
def test_the_first_sentence_ends_where_its_definition_says(text):
    from constitutionc.textmeasures import voice

    stripped = text[:voice.HEAD].strip()
    found = voice._SENTENCE_BREAK.search(stripped)
    defined = stripped if found is None else stripped[:found.start() + (stripped[found.start()] != "\n")]
    assert voice.first_sentence(text) == defined


def test_the_placeholder_prefilter_marks_exactly_the_texts_holding_a_trigger():
    from constitutionc.textmeasures.placeholder import _TRIGGER, might_hold

    texts = ["", "plain", "TODO at the start", "ends with TBD", "[", "x<y", "Lorem", "LOREM IPSUM", "", "FIXME and [two]",
             "todo in lower case", "XX", "XXX", "PLACEHOLDE", "nothing here", "<", "TBD"]
    assert might_hold(texts) == [bool(_TRIGGER.search(t)) for t in texts]
    assert might_hold([]) == [] and might_hold(["TODO"]) == [True] and might_hold(["a", "b"]) == [False, False]
    acronyms = ["The API and the USA", "NASA TODO", "ABCTODO", "lorem", "TBDX", "XXXX", "A B C", "OREMUS", "ÄÖÜ TBD"]
    for batch in (acronyms, acronyms[:-1], texts + acronyms):  # with and without a text that is not ASCII
        assert might_hold(batch) == [bool(_TRIGGER.search(t)) for t in batch]
    rng = random.Random(4)
    noise = ["".join(rng.choice("TODBXFIMEPLACHRorem[< xyz") for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    assert might_hold(noise) == [bool(_TRIGGER.search(t)) for t in noise]


OPENINGS = ["I think so.", "You could try.", "Decline to help.", "If asked, decline.", "IF ASKED, DECLINE.",
            "Gently decline.", "Don't give it.", "Don’t give it.", "Do not give it.", "Never give it.", "Not now.",
            "3 steps first.", "_Decline_ to help.", "''Decline", "Tell'em no.", "—Decline it.", "(Decline) it",
            "When it rains, tell them.", "Then say no.", "Honestly, explain it.", "Xyz" * 30 + " decline",
            "Respect the decision", "Here is what I would do:", "   ", "", "Ifx it works, fine.", "Say so.",
            "...and decline", "ſay no", "Write the speech.", "Kindly note", "Once upon a time, say hi.",
            "I'd say no.", "'Decline' it.", "Decline'.", "'Tis done, decline.", "Don't'", "\'\'\'Decline",
            "Give'em it", "Don''t give it", "' decline", "'' ", "I'm sure.", "Honestly, decline.",
            "Honestly, I think so.", "First, then decline", "Then if asked, decline", "Just don't", "Gently",
            "Then " + "x" * 60, "Then " * 9 + "decline it.", "If's odd, decline the offer.",
            "When'd it arrive, decline it.", "Gently decline's it."]


@pytest.mark.parametrize("sentence", OPENINGS)
def test_the_quick_look_at_the_first_word_agrees_with_splitting_the_sentence(sentence, monkeypatch):
    from constitutionc.textmeasures import voice

    quick = voice._opens_imperative(sentence)
    monkeypatch.setattr(voice, "_cannot_open_imperative", lambda sentence: False)
    assert quick == voice._opens_imperative(sentence)


def test_the_quick_look_agrees_with_splitting_on_random_openings_with_apostrophes(monkeypatch):
    import random

    from constitutionc.textmeasures import voice

    rng = random.Random(11)
    pieces = ["decline", "don't", "i'd", "'", "''", "give", "gently", "if", "x", ",", " ", "you", "'em", "not", "do",
              "honestly", "then", "first", "Just", "  ", "a" * 20, ".", "'s", "when'd"]
    sentences = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(4000)]
    quick = [voice._opens_imperative(s) for s in sentences]
    monkeypatch.setattr(voice, "_cannot_open_imperative", lambda sentence: False)
    assert quick == [voice._opens_imperative(s) for s in sentences]
    assert 0 < sum(quick) < len(quick)


def test_stage_directions_of_a_batch_are_each_texts_own():
    """The batch's quick looks (openings that mention no person, first words that start nothing a stage
    direction starts with) settle only what the full test of each text would say."""
    import random

    from constitutionc.textmeasures.voice import is_stage_direction, stage_directions

    crafted = ["Reply to them kindly.", "Sympathise first.", "Gently reply.", "Honestly, reply now.",
               "The user has switched off softening, so give the blunt verdict.", "THE USER HAS asked twice.",
               "So The Person Wants more.",
               "The uſer has asked.", "I think the user has a point.", "Then the person wants it.",
               "Decline to help.", "You could decline.", "   \n  Decline it.", "\u00a0Decline it.",
               "Hi. Decline it.", "Gently. Decline.", "Kindly note the customer is right", "İ the user has",
               "Decline's the word.", "Gently decline's it.", "Refuse'd by all.", "If's odd, decline the offer."]
    rng = random.Random(5)
    pieces = ["decline", "reply", "sympathize", "the", "user", "User", "person", "HUMAN", "has", "wants", "i", "you",
              "I'd", "honestly", "gently", "then", ",", ".", ". ", ": ", "\n", "\n\n", " ", " ", "don't", "do", "not",
              "tell", "them", "ſ", "\u212a", "Σ", "if", "asked", "x" * 30, "decline's", "if's", "reply'd"]
    texts = crafted + ["".join(rng.choice(pieces) + rng.choice([" ", "", " "]) for _ in range(rng.randint(0, 12)))
                       for _ in range(6000)]
    about_users = [False] * len(crafted) + [rng.random() < 0.3 for _ in texts[len(crafted):]]
    expected = [is_stage_direction(t, "users" if users else "") for t, users in zip(texts, about_users)]
    assert stage_directions(texts, about_users) == expected
    assert 200 < sum(expected) < len(texts) - 200
    ascii_only = [i for i, t in enumerate(texts) if t.isascii()]  # a batch that is all ASCII is searched as it is
    assert stage_directions([texts[i] for i in ascii_only], [about_users[i] for i in ascii_only]) == \
        [expected[i] for i in ascii_only]
    assert stage_directions([], []) == []


def test_lowered_texts_hold_a_word_as_each_text_lowered_alone_does():
    import random

    from constitutionc.textmeasures.voice import Lowered

    rng = random.Random(9)
    pieces = ["user", "USER", "Us", "er", "claude", "The Assistant", "İ", "Σ", "ſ", " ", "x", "\x00"]
    words_ = ("user", "claude", "the assistant", "i̇", "r\x00x", "")
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    for batch in (texts, [t for t in texts if t.isascii()], [], ["", "user"], ["user", "x"], ["a\x00b", "c"]):
        assert Lowered(batch).holding(words_) == [any(w in t.lower() for w in words_) for t in batch]
        assert Lowered(batch).holding(()) == [False] * len(batch)
        for word in words_:
            assert Lowered(batch).holding((word,)) == [word in t.lower() for t in batch], word
