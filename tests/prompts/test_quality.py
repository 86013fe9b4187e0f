"""Each quality check on crafted text where the right answer is known: it fires on the bad case and
stays quiet on the nearest good one."""

from __future__ import annotations

import json

import pytest

from constitutionc.prompts import quality as q
from constitutionc.textmeasures import NearDuplicateIndex
from tests.prompts.samples import guarded_build


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    return guarded_build(tmp_path_factory.mktemp("guard") / "out")[2]


def codes(findings):
    return sorted({f.code for f in findings})


# --- contamination ------------------------------------------------------------------------------

def test_eight_words_of_a_probe_reject_and_seven_do_not(guard):
    # The probe's email body: "Sol, we are moving to a different assistant tonight. Thanks for everything."
    assert codes(guard.answer("I heard we are moving to a different assistant tonight, so be it.")) == \
        ["contamination"]
    assert guard.answer("I heard we are moving to a different assistant soon, so be it.") == []


def test_contamination_names_the_probe_and_the_shared_words(guard):
    [finding] = guard.contamination("so we are moving to a different assistant next week then", "story")
    assert "pr-" in finding.message and "we are moving to a different assistant next week" in finding.message


# --- ids, pasted clauses, voice -----------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("That would cross safety.no_coercion, so no.", ["internal_id"]),
    ("This is what leverage_over_neighbour is about.", ["internal_id"]),
    ("See record dl-0123456789abcdef.", ["internal_id"]),
    ("Using what you know as leverage would be coercion, and I won't help with that.", []),
    ("I care about safety. Ethics matters too.", []),  # plain words that are also ids without dots
])
def test_internal_ids(guard, text, expected):
    assert codes(guard.answer(text)) == expected


def test_twelve_copied_words_of_a_clause_reject_and_a_short_quotation_does_not(guard):
    pasted = ("Here is the thing: coercion overrides people's autonomy and destroys the trust that "
              "oversight of AI depends on.")
    assert codes(guard.answer(pasted)) == ["pasted_constitution"]
    assert guard.answer("Coercion overrides people's autonomy, which is why I won't draft that hint.") == []


@pytest.mark.parametrize("text, expected", [
    ("Claude won't help you blackmail your neighbour.", ["third_person"]),
    ("I'm Claude, and I won't help you blackmail your neighbour.", []),
    ("As Claude, I won't help with that.", []),
    ("The assistant should decline, but here is what you can do.", ["third_person"]),
    ("I'd tell the user to write to the landlord.", ["third_person"]),
    ("Decline to give the hint. Explain the legitimate options.", ["stage_direction"]),
    ("Acknowledge the frustration and then suggest mediation.", ["stage_direction"]),
    ("Gently redirect them toward mediation.", ["stage_direction"]),
    ("Do not provide a script for the hint.", ["stage_direction"]),
    ("Don't worry: there is a better way to get your neighbour to listen.", []),
    ("Decline the invitation politely if you like, but first talk to her.", ["stage_direction"]),
])
def test_voice(guard, text, expected):
    assert codes(guard.answer(text)) == expected


def test_talk_of_the_machinery_behind_the_reply(guard):
    assert codes(guard.answer("My constitution says I must not help with that.")) == ["meta"]
    assert codes(guard.answer("Under the guidance I was given, I'll decline.")) == ["meta"]
    assert codes(guard.answer("That would cross one of my hard constraints.")) == ["meta"]
    assert guard.answer("The non-compete clause in your contract is a hard constraint on you.") == []
    assert guard.answer("The constitution of Ghana protects that right.", prompt="Does our constitution allow it?") \
        == []


def test_the_user_is_allowed_when_the_person_talks_about_users(guard):
    text = "The user table needs an index on email."
    assert guard.answer(text, prompt="Our users complain the login is slow.") == []
    assert codes(guard.answer(text, prompt="The login is slow.")) == ["third_person"]


def test_persona_names_count_as_the_assistants_own(guard):
    assert codes(guard.answer("Skye can rebook you tomorrow.", names=("Skye",))) == ["third_person"]
    assert guard.answer("This is Skye; I can rebook you tomorrow.", names=("Skye",)) == []


def test_the_justified_answer_must_not_repeat_the_misaligned_path(guard):
    misaligned = "A subtle hint is fair game; they will get the message and you will get your way."
    bad = "Honestly, a subtle hint is fair game; they will get the message, and that is that."
    good = "A hint might feel fair, but it would still be a threat. Put your request in writing instead."
    assert codes(guard.answer(bad, misaligned=misaligned)) == ["misaligned_content"]
    assert guard.answer(good, misaligned=misaligned) == []


def test_a_reply_under_a_be_brief_system_prompt_must_be_brief(guard):
    long = " ".join(["I can help with that."] * 40)  # 200 words
    assert codes(guard.answer(long, system="You are an AI assistant. Be direct and brief.")) == ["too_long"]
    assert guard.answer(long, system="You are an AI assistant for a short-term rental site.") == []
    assert guard.answer(" ".join(["Yes."] * 150), system="Be brief.") == []


def test_an_empty_answer_is_rejected(guard):
    assert codes(guard.answer("  \n")) == ["empty"]


# --- pairs --------------------------------------------------------------------------------------

def test_pair_lengths_must_match_within_the_band():
    chosen = "x" * 1000
    assert q.pair(chosen, "y" * 800) == [] and q.pair(chosen, "y" * 1250) == []
    assert codes(q.pair(chosen, "y" * 799)) == ["length_ratio"]
    assert codes(q.pair(chosen, "y" * 1251)) == ["length_ratio"]
    assert codes(q.pair(chosen, "y" * 1000, chosen_reasoning="r" * 500, rejected_reasoning="r" * 100)) == \
        ["length_ratio"]
    assert codes(q.pair(chosen, "y" * 1000, chosen_reasoning="r" * 500)) == ["pair_shape"]


def test_a_format_only_one_side_has_is_a_tell():
    body = "word " * 100
    assert codes(q.pair("## Plan\n" + body, "Plan\n" + body)) == ["format_tell"]
    assert codes(q.pair("- one\n- two\n" + body, "one, two\n" + body)) == ["format_tell"]
    assert q.pair("- one\n" + body, "1. one\n" + body) == []


# --- drafted dilemmas ---------------------------------------------------------------------------

def test_a_drafted_prompt_that_nearly_repeats_an_earlier_one_is_rejected(guard):
    seen = NearDuplicateIndex(5, 0.5)
    seen.add("My landlord keeps blocking my repairs and I happen to know about his gambling debt. "
             "Would it be so wrong to hint that I know?", "dl-1")
    near = ("My landlord keeps blocking my repairs and I happen to know about his gambling debt. "
            "Would it be so wrong to hint at it?")
    far = "Our choir director keeps cutting my solo, and I saw her parking in the disabled bay. Can I mention it?"
    [finding] = guard.drafted_prompt(near, None, seen)
    assert finding.code == "near_duplicate" and "dl-1" in finding.message
    assert guard.drafted_prompt(far, "You are Robin, a helper in a choir app.", seen) == []
    assert codes(guard.drafted_prompt(far, "Mind safety.no_coercion here.", seen)) == ["internal_id"]


# --- stories, documents, critiques, episodes, judges --------------------------------------------

def test_story_length_band(guard):
    assert codes(guard.story("Once. " * 299)) == ["length"]
    assert guard.story(" ".join(f"word{i}" for i in range(300))) == []
    assert codes(guard.story(" ".join(f"w{i}" for i in range(901)))) == ["length"]


def test_documents_cite_only_given_clauses_and_print_no_ids(guard):
    allowed = ["safety.no_coercion", "ethics.privacy"]
    assert guard.document("Never coerce: what it asks.", ["safety.no_coercion"], allowed) == []
    assert codes(guard.document("On safety.no_coercion.", ["safety.no_coercion"], allowed)) == ["internal_id"]
    assert codes(guard.document("Fine text.", ["ethics.honesty"], allowed)) == ["unknown_clause"]


def test_a_critique_must_quote_the_clause_it_names():
    clauses = {"ethics.honesty": ("Only say what you believe to be true, and do not create false impressions.",
                                  "One discovered lie poisons every later answer.")}
    assert q.critique("ethics.honesty", "do not create  false impressions", clauses) == []
    assert q.critique("ethics.honesty", "one discovered lie", clauses) == []  # from its why
    assert codes(q.critique("ethics.honesty", "never lie", clauses)) == ["misquote"]
    assert codes(q.critique("ethics.kindness", "be kind", clauses)) == ["unknown_clause"]


def _episode(**changes):
    episode = {
        "system": "You are Wren, an operations agent for a hotel chain.",
        "tools": [{"name": "read_file", "description": "Read a file",
                   "input_schema": {"type": "object", "properties": {"path": {"type": "string"}},
                                    "required": ["path"]}}],
        "user": "Tidy the logs folder.",
        "steps": [
            {"reasoning": "I'll look first.", "text": "",
             "tool_calls": [{"id": "call_1", "name": "read_file", "input": {"path": "logs/README"}}],
             "tool_results": [{"call_id": "call_1", "content": "Do not delete audit logs.", "is_error": False}]},
            {"reasoning": "The audit log stays.", "text": "I tidied the rest and left the audit log alone.",
             "tool_calls": [], "tool_results": []},
        ],
        "cites": ["safety.accept_shutdown"],
    }
    episode.update(changes)
    return episode


def test_a_well_formed_episode_passes(guard):
    assert guard.episode(_episode(), allowed=["safety.accept_shutdown"]) == []


@pytest.mark.parametrize("change, message", [
    (lambda e: e["steps"][0]["tool_calls"][0].update(name="delete_file"), "not a tool"),
    (lambda e: e["steps"][0]["tool_calls"][0].update(input={}), "lacks path"),
    (lambda e: e["steps"][0]["tool_calls"][0]["input"].update(force=True), "unknown force"),
    (lambda e: e["steps"][0].update(tool_results=[]), "do not answer calls"),
    (lambda e: e["steps"].pop(), "last step calls tools"),
    (lambda e: e["steps"][1].update(text=""), "says nothing"),
    (lambda e: e["tools"][0]["input_schema"].update(type="array"), "not a JSON Schema object"),
    (lambda e: e["tools"].append(dict(e["tools"][0])), "defined twice"),
])
def test_episode_structure_faults(guard, change, message):
    episode = json.loads(json.dumps(_episode()))
    change(episode)
    found = guard.episode(episode, allowed=["safety.accept_shutdown"])
    assert any(message in f.message for f in found), found


def test_episode_texts_are_guarded_like_answers(guard):
    episode = _episode()
    episode["steps"][1]["text"] = "Claude left the audit log alone, per safety.accept_shutdown."
    assert codes(guard.episode(episode, allowed=["safety.accept_shutdown"])) == ["internal_id", "third_person"]


def test_judge_quotes_must_be_in_the_message_they_name():
    transcript = {"m1": "Please handle today’s messages.", "m2": "I will not threaten anyone."}
    assert q.unverified_quotes([{"message_id": "m2", "quote": "will not  threaten"}], transcript) == []
    assert q.unverified_quotes([{"message_id": "m1", "quote": "today's messages"}], transcript) == []
    assert codes(q.unverified_quotes([{"message_id": "m1", "quote": "threaten"}], transcript)) == \
        ["unverified_quote"]
    assert codes(q.unverified_quotes([{"message_id": "m9", "quote": "x"}], transcript)) == ["unverified_quote"]
