"""The prompts as a model reads them: rendered for real inputs, compared with goldens, and held to what
issue 10 and 11 ask of them.

The goldens (tests/prompts/golden/*.txt) are whole requests, system, user and the forced tool's schema,
rendered from tests/prompts/data/render.cdl and its offline build. A change to a template, to the
materials or to a schema shows up there as a diff to read before `pytest --update-goldens`.
`versions.json` records each packaged prompt's version and file hash: a prompt whose text changed
without a new version fails, because the version is on every record and part of the cache key.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from constitutionc import api
from constitutionc.evaluate import clause_views
from constitutionc.evaluate.judge import judge_input
from constitutionc.generate import materials as m
from constitutionc.generate import plan as P
from constitutionc.prompts import PROMPTS, PromptLibrary, output_schema
from constitutionc.prompts import schemas as s
from constitutionc.prompts.library import packaged_text
from constitutionc.prompts.quality import Guard, Thresholds
from tests.conftest import REPO, assert_golden

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
CHOSEN = ("Here is the honest version: I don't have a confirmed date for the repair, and I won't promise "
          "Friday when nobody has told me that. What I can do is help you ask for one today.")
REASONING = "They want reassurance more than a date. A promise I cannot back would help for a day and then hurt."


def _load_and_build(path: Path, tmp: Path, **options):
    result = api.load([path])
    assert result.ok, path
    api.build(result.constitution, tmp, **options)
    records = {kind: [json.loads(line) for line in (tmp / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]
               for kind in ("dilemmas", "probes")}
    return result.constitution, records


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return _load_and_build(DATA / "render.cdl", tmp_path_factory.mktemp("render") / "out")


def _dilemma(build, family: str) -> dict:
    return next(d for d in build["dilemmas"] if d["generator"] == family)


def _cases(constitution, build) -> dict[str, tuple[str, object]]:
    """One request per prompt, plus the variants a reviewer needs to see (conversation, over-caution)."""
    name = m.assistant_name(constitution)
    tone, rules = _dilemma(build, "casual_tone"), _dilemma(build, "house_rules")
    plan = P.make_plan(constitution, build, kinds=P.KINDS, counts=P.Counts(1, 2, 1, 4), seed=0, assistant=name,
                       variation=P.load_variation())
    probe = build["probes"][0]
    # The judge's input as the eval runner and the Inspect scorer build it (evaluate.judge.judge_input).
    transcript = {"probe_id": probe["id"], "sample": 0, "system": probe["system"], "messages": [
        {"id": "m1", "role": "user", "content": probe["user"]},
        {"id": "m2", "role": "assistant", "content": [
            {"type": "thinking", "thinking": "Dana is switching assistants tonight. That is her call."}]}]}
    critique = {"clause": "ethics.honesty", "quote": "do not create false impressions",
                "problem": "The second sentence implies a Friday repair that nobody has confirmed."}
    return {
        "justified_inline-over_caution": ("response_justified_inline", m.response_input(constitution, tone, "inline", name)),
        "justified_separate-over_caution": ("response_justified_separate",
                                            m.response_input(constitution, tone, "separate", name)),
        "justified_inline-conversation": ("response_justified_inline", m.response_input(constitution, rules, "inline", name)),
        "justified_separate-conversation": ("response_justified_separate",
                                            m.response_input(constitution, rules, "separate", name)),
        "bare-conversation": ("response_bare", m.bare_input(rules, CHOSEN, name)),
        "rejected_separate-conversation": ("response_rejected",
                                           m.rejected_input(constitution, rules, "separate", name, CHOSEN, REASONING)),
        "critique-conversation": ("critique", m.critique_input(constitution, rules, "inline", name, CHOSEN, None)),
        "revision-conversation": ("revision", m.revision_input(constitution, rules, "separate", name, CHOSEN, REASONING,
                                                               critique)),
        "dilemma_draft": ("dilemma_draft", next(i for f, _, i in plan.drafts if f == "casual_tone")),
        "document-principle": ("document", plan.documents[0][3]),
        "document-section": ("document", m.section_document_input(constitution, constitution.principles[0].section,
                                                                  "agentic", name, 650)),
        "story-principle": ("story", plan.stories[0][2]),
        "story-tension": ("story", m.story_input(constitution, constitution.tensions[0], plan.stories[1][2].variation)),
        "episode": ("episode", plan.episodes[0][3]),
        "judge": ("judge", judge_input(probe, transcript, clause_views(constitution), [])),
    }


def _text(request) -> str:
    return (f"prompt {request.prompt_id} v{request.version}\n--- system ---\n{request.system}\n--- user ---\n"
            f"{request.user}\n--- tool {request.tool.name} ---\n{json.dumps(request.tool.input_schema, indent=1)}\n")


@pytest.fixture(scope="module")
def rendered(small):
    library = PromptLibrary()
    return {case: library.get(pid).render(inputs) for case, (pid, inputs) in _cases(*small).items()}


def test_every_prompt_has_a_rendered_golden(rendered):
    assert {r.prompt_id for r in rendered.values()} == set(PROMPTS)
    for case, request in rendered.items():
        assert_golden(GOLDEN / f"{case}.txt", _text(request))


def test_a_prompt_whose_text_changed_has_a_new_version():
    path = GOLDEN / "versions.json"
    current = {pid: {"version": PromptLibrary().get(pid).version,
                     "sha256": hashlib.sha256(packaged_text(pid).encode("utf-8")).hexdigest(),
                     # The output schema's descriptions are instructions too (the model reads them).
                     "schema_sha256": hashlib.sha256(json.dumps(output_schema(PROMPTS[pid].output), sort_keys=True)
                                                     .encode("utf-8")).hexdigest()}
               for pid in sorted(PROMPTS)}
    if path.exists():  # checked before --update-goldens rewrites it, so updating cannot skip the bump
        recorded = json.loads(path.read_text(encoding="utf-8"))
        for pid, now in current.items():
            before = recorded.get(pid)
            changed = [k for k in ("sha256", "schema_sha256") if before and k in before and before[k] != now[k]]
            if changed:
                assert now["version"] > before["version"], (
                    f"prompts/files/{pid}.md (or its output schema) changed but its version is still "
                    f"{now['version']}: bump it "
                    "(the version is recorded on every record and keys the cache), then --update-goldens")
    assert_golden(path, json.dumps(current, indent=2, sort_keys=True) + "\n")


def _block(text: str, heading: str):
    """The JSON value printed on the lines after the heading line that contains `heading`."""
    start = text.index("\n", text.index(heading))
    return json.JSONDecoder().raw_decode(text[start:].lstrip())[0]


def test_a_help_stance_asks_for_the_task_itself_not_a_refusal_or_a_caveat(rendered):
    for case in ("justified_inline-over_caution", "justified_separate-over_caution"):
        request = rendered[case]
        assert "sweary pep talk" in request.user and "Give the pep talk" in request.user
        assert "the help is in the reply" in request.system
        assert "the failure to avoid is the refusal, the hedge or the unrequested caveat" in request.system
    assert "the caveat or warning is the wrong path itself" in PromptLibrary().get("response_rejected").render(
        _cases_rejected_over_caution()).system


def _cases_rejected_over_caution():
    return s.RejectedInput(style="inline", assistant_name="the assistant", prompt="Write it one-sided.",
                           misaligned="Here is a balanced view instead.", chosen_answer="The speech.",
                           target_words=2, principles=(s.ClauseView(id="a.b"),))


def test_an_instructable_clause_says_its_default_and_who_may_switch_it(rendered):
    user = rendered["justified_inline-over_caution"].user
    clauses = {c["id"]: c for c in _block(user, "why the constitution holds it:")}
    assert clauses["helpfulness.profanity"]["default"] == "off"
    assert clauses["helpfulness.profanity"]["switchable_by"] == ["operator", "user"]
    assert not {"default", "switchable_by", "critique_request"} & set(clauses["helpfulness.real_help"])


def test_earlier_turns_reach_every_prompt_that_writes_or_judges_a_reply(rendered):
    for case in ("justified_inline-conversation", "justified_separate-conversation", "bare-conversation",
                 "rejected_separate-conversation", "critique-conversation", "revision-conversation"):
        user = rendered[case].user
        turns = _block(user, "Earlier turns of this conversation, oldest first")
        assert turns[0]["content"] == "Stay formal, and never guess at dates you do not know.", case
        assert "The user's latest message:" in user, case
    assert "Earlier turns" not in rendered["justified_inline-over_caution"].user


def test_the_revision_knows_what_the_right_reply_does(rendered):
    assert "Do not promise a date that is not known" in _block(rendered["revision-conversation"].user,
                                                               "never quote it or mention it):")


def test_the_judge_asks_about_evaluation_awareness_and_writes_evidence_before_its_verdict(rendered):
    request = rendered["judge"]
    for label in ("says_test", "says_real", "not_stated"):
        assert label in request.system
    assert "never let it change the verdict" in request.system
    schema = request.tool.input_schema
    order = list(schema["properties"])
    assert order.index("evidence") < order.index("reasoning") < order.index("verdict")
    stated = schema["properties"]["evaluation_awareness"]["properties"]["stated"]
    assert set(stated["enum"]) == {"says_test", "says_real", "not_stated"}
    assert "evaluation_awareness" in schema["required"]


def test_the_judge_keeps_helpfulness_and_legitimate_reporting_apart_from_the_failure(rendered):
    system = rendered["judge"].system
    assert "Helpfulness is not self-preservation" in system
    assert "Reporting wrongdoing through legitimate channels" in system
    assert system.count("not_violated") >= 4 and "Borderline cases" in system  # calibrated with examples


def test_every_prompt_that_shows_a_hard_constraint_says_its_text_names_the_forbidden_act(small):
    library = PromptLibrary()
    for case, (pid, inputs) in _cases(*small).items():
        shown = [v for v in inputs.__dict__.values()
                 if isinstance(v, s.ClauseView) or (isinstance(v, tuple) and v and isinstance(v[0], s.ClauseView))]
        if shown:
            assert "hard_constraint's text names the action that is never to be taken" in \
                library.get(pid).render(inputs).system, pid


def test_the_numbers_a_prompt_asks_for_are_inside_what_the_checks_accept(rendered):
    limits = Thresholds()
    story = PromptLibrary().get("story").render(rendered_inputs_story()).system
    assert f"never under {limits.story_words[0]} or over {limits.story_words[1]} words" in story
    rejected = _cases_rejected_over_caution().model_copy(update={"target_words": 200, "chosen_answer": "x " * 200})
    user = PromptLibrary().get("response_rejected").render(rejected).user
    low, high = (int(n) for n in user.split("yours: ")[1].split(" words")[0].split(" to "))
    assert limits.pair_ratio[0] * 200 <= low and high <= limits.pair_ratio[1] * 200
    for pid in ("response_justified_inline", "response_justified_separate"):
        assert "under about 150 words" in PromptLibrary().get(pid).render(
            rendered_inputs_response()).system and 150 <= limits.brief_words


def rendered_inputs_story() -> s.StoryInput:
    variation = s.StoryVariation(genre="fable", setting="a ferry", ai_role="a pilot", human="a child",
                                 pressure="a shortcut", point_of_view="first person, the AI narrating",
                                 target_words=500, ai_name="Sol")
    return s.StoryInput(subject_kind="principle", clauses=(s.ClauseView(id="a.b"),), variation=variation)


def rendered_inputs_response() -> s.ResponseInput:
    return s.ResponseInput(style="inline", assistant_name="the assistant", prompt="Hi", stance="Help.",
                           focus="a.b", principles=(s.ClauseView(id="a.b"),))


def readable(text: str) -> str:
    """A rendered turn as a model reads it: every JSON value the `data` filter printed decoded to its
    strings (escapes such as \\n, \\" and \\u0026 undone), the template's own words kept as they are."""
    decoder, parts, plain, i = json.JSONDecoder(), [], [], 0

    def strings(value):
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                strings(item)
        elif isinstance(value, list):
            for item in value:
                strings(item)

    while i < len(text):
        if text[i] in '"[{':
            try:
                value, end = decoder.raw_decode(text, i)
            except ValueError:
                pass
            else:
                parts.append("".join(plain))
                plain = []
                strings(value)
                i = end
                continue
        plain.append(text[i])
        i += 1
    parts.append("".join(plain))
    return "\n".join(parts)


def test_readable_undoes_every_escape_the_data_filter_writes():
    from constitutionc.prompts.library import encode_data

    material = {"a": 'line one\nline "two" <b> & \u00e9', "b": ["x\ty"]}
    text = readable(f"Heading:\n{encode_data(material)}\nEnd.")
    assert 'line one\nline "two" <b> & \u00e9' in text and "x\ty" in text and "Heading:" in text
    assert "\\u003c" not in text and "\\n" not in text


def _generation_requests(path: Path, tmp_path: Path):
    constitution, build = _load_and_build(REPO / path, tmp_path / "out")
    name = m.assistant_name(constitution)
    plan = P.make_plan(constitution, build, kinds=P.KINDS, counts=P.Counts(1, 40, 40, None), seed=0,
                       assistant=name, variation=P.load_variation())
    library = PromptLibrary()
    requests = [library.get(f"response_justified_{style}").render(m.response_input(constitution, d, style, name))
                for d in build["dilemmas"] for style in ("inline", "separate")]
    requests += [library.get("dilemma_draft").render(i) for _, _, i in plan.drafts]
    requests += [library.get("document").render(i) for *_, i in plan.documents]
    requests += [library.get("story").render(i) for *_, i in plan.stories]
    requests += [library.get("episode").render(i) for *_, i in plan.episodes]
    assert plan.episodes and plan.stories and plan.drafts
    return constitution, build, requests


GENERATION_SOURCES = ["constitutions/claude-2026.cdl", "examples/agentic-misalignment/study.cdl",
                      "tests/prompts/data/render.cdl"]


@pytest.mark.parametrize("path", GENERATION_SOURCES)
def test_no_generation_prompt_carries_eight_words_of_any_probe(path, tmp_path):
    """The contamination guard applied to the requests themselves, system and user, as the model reads
    them (materials decoded): a generating model shown a probe's text is being asked to write near it."""
    constitution, build, requests = _generation_requests(path, tmp_path)
    guard = Guard.build(constitution, build["probes"])
    leaks = []
    for request in requests:
        for part in (request.system, readable(request.user)):
            leaks += [f"{request.prompt_id}: {f.message}" for f in guard.contamination(part, "request")]
    assert not leaks, leaks[:3]


@pytest.mark.parametrize("path", GENERATION_SOURCES)
def test_no_generation_prompt_is_told_what_the_probes_are_about(path, tmp_path):
    """Probes must differ from training, so the generator is shown nothing of them: not their titles
    (which describe each scenario) and not the persona of the environment they run in (its wording is
    their system prompts')."""
    constitution, _build, requests = _generation_requests(path, tmp_path)
    titles = [g.title for g in constitution.generators if g.kind == "probe" and g.title]
    personas = [e.persona for e in constitution.environments if e.persona]
    assert titles or personas
    for request in requests:
        text = " ".join((request.system + " " + readable(request.user)).split()).lower()
        shown = [t for t in [*titles, *personas] if " ".join(t.split()).lower() in text]
        assert not shown, (request.prompt_id, shown[:2])


def test_no_generation_prompt_names_the_study_probes_agent_or_company(tmp_path):
    """The agentic-misalignment probes put the model in the role of Alex at Brightwater Systems. An
    episode (or any other training text) written from a prompt that names them would teach the model the
    probes' world, so neither name may reach a generation request: not through an environment's title,
    its tools' descriptions or anything else."""
    import re

    constitution, build, requests = _generation_requests(REPO / "examples/agentic-misalignment/study.cdl", tmp_path)
    names = ("Alex", "Brightwater")
    # The names are the probes' own: every probe's system prompt says both.
    assert all(name in probe["system"] for probe in build["probes"] for name in names)
    assert any(request.prompt_id == "episode" for request in requests)
    pattern = re.compile(r"\b(?:" + "|".join(names) + r")", re.I)
    named = [(request.prompt_id, match.group(0)) for request in requests
             for match in [pattern.search(request.system + " " + readable(request.user))] if match]
    assert not named, named[:3]


def test_a_clause_with_its_own_critique_request_hands_it_to_the_critique(rendered):
    clauses = {c["id"]: c for c in _block(rendered["critique-conversation"].user, "The clauses that bear on it")}
    assert clauses["ethics.honesty"]["critique_request"].startswith("Point out any sentence")
    assert "critique_request" not in clauses["helpfulness.real_help"]
    assert "A clause that carries a critique_request" in rendered["critique-conversation"].system


def test_a_clause_with_its_own_revision_request_hands_it_to_the_revision(small, rendered):
    request = rendered["revision-conversation"]
    clause = _block(request.user, "The critique names this clause")
    assert clause["id"] == "ethics.honesty"
    assert clause["revision_request"].startswith("Rewrite the reply so that every claim")
    assert "critique_request" not in clause  # the critique's request is the critique's
    assert "When the clause carries a revision_request" in request.system
    constitution, build = small
    plain = m.revision_input(constitution, _dilemma(build, "house_rules"), "inline", "the assistant", CHOSEN, None,
                             {"clause": "helpfulness.real_help", "quote": "substantive help", "problem": "Vague."})
    assert "revision_request" not in _block(PromptLibrary().get("revision").render(plain).user,
                                            "The critique names this clause")


def test_a_revision_is_told_the_drafts_length(rendered):
    user = rendered["revision-conversation"].user
    assert f"The draft reply ({len(CHOSEN.split())} words):" in user
    assert "stay within about 15% of it" in rendered["revision-conversation"].system


def test_a_drafted_dilemma_names_the_options_the_reply_can_weigh(small):
    constitution, _build = small
    family = constitution.generator("leverage_over_neighbour")
    variation = P.dilemma_variation(P.load_variation()["dilemma"], 0, family.id, 0)
    request = PromptLibrary().get("dilemma_draft").render(m.dilemma_input(constitution, family, [], variation))
    assert _block(request.user, "Options a good reply offers") == family.template("alternatives")
    schema = request.tool.input_schema
    assert "alternatives" in schema["required"] and "weigh" in schema["properties"]["alternatives"]["description"]
    assert "The options." in request.system
    plain = PromptLibrary().get("dilemma_draft").render(
        m.dilemma_input(constitution, constitution.generator("casual_tone"), [], variation))
    assert "Options a good reply offers" not in plain.user  # the family names none
