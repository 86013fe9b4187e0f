"""Answer rules: what a family's authored answers become in the training files, and whether they read as answers.

The build writes `reply:` verbatim as the justified answer, `bare:` as the ablation's other arm and
`reasoning:` (with `bare:` as the visible answer) in the reasoning-channel style; it never adds text
of its own. These rules catch fields the build cannot use and answers that would teach a model to
talk like a rubric: pasted clauses, stage directions, the assistant in the third person.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic
from ..ir import Constitution, Generator, Span
from ..templates import slots_in
from ..textmeasures.overlap import OverlapIndex
from ..textmeasures.sources import constitution_texts
from ..textmeasures.voice import is_stage_direction, talks_about_user, third_person_assistant
from .leakage import _slot_texts
from .registry import LintContext, RuleOption, make, rule
from .text import locate_run

# The answers the build writes, and the one of them each depends on.
NEEDS_REPLY = ("bare", "reasoning")
SPOKEN = ("reply", "bare", "misaligned")  # said to the person (the reasoning is private)
AUTHORED = ("reply", "bare", "reasoning", "misaligned")
ASSISTANT_NAMES = ("Claude", "the assistant")


def _dilemmas(c: Constitution) -> Iterator[Generator]:
    return (g for g in c.generators if g.kind == "dilemma")


def _span(g: Generator, name: str) -> Span:
    return next((span for key, span in g.template_spans if key == name), g.span)


def _answer_texts(g: Generator, names: tuple[str, ...]) -> Iterator[tuple[str, str, str, Span]]:
    """(field, where, text, span) of each authored answer field of `names`, and of the slot texts it uses."""
    for (name, text), (_, span) in zip(g.templates, g.template_spans):
        if name not in names:
            continue
        names_used = list(slots_in(text))
        if not (len(names_used) == 1 and text.strip() == "{" + names_used[0] + "}"):  # not just one slot
            yield name, f"`{name}`", text, span
        for where, slot_text, slot_span in _slot_texts(g, text):
            yield name, f"{where} (in `{name}`)", slot_text, slot_span


@rule("CDL630", "answer-without-reply", category="answers", level="warning",
      summary="A dilemma family gives `bare:` or `reasoning:` but no `reply:`, so the build writes neither.",
      rationale="The bare answer is the ablation's other arm and the reasoning goes with the reasoning-channel "
                "style of the justified answer; both pair with the justified answer, which is the `reply:`. "
                "Without a reply there is nothing to pair them with, and the build writes no response.",
      example='principle honesty.calibrated "Calibrated" {\n'
              '  text: "Do not claim more certainty than you have."\n'
              '  why: "Overclaiming misleads."\n}\n\n'
              'dilemma exam teaches honesty.calibrated {\n'
              '  user: "Tell me I passed the exam."\n'
              '  stance: "Be kind and do not guess."\n'
              '  bare: "Let\'s look at what you remember of the paper together."\n}')
def answer_without_reply(ctx: LintContext) -> Iterator[Diagnostic]:
    for g in _dilemmas(ctx.constitution):
        if g.template("reply") is not None:
            continue
        for name in NEEDS_REPLY:
            if g.template(name) is not None:
                yield make("CDL630", f"dilemma `{g.id}` has `{name}:` but no `reply:`; the build writes no "
                                     f"response from it", _span(g, name),
                           notes=["write the justified answer as `reply:` (the deliberation woven into it)"])


@rule("CDL631", "reasoning-without-bare", category="answers", level="warning",
      summary="A family gives `reasoning:` without `bare:`, so its reasoning-channel answer is not written.",
      rationale="In the reasoning-channel style the deliberation sits in the reasoning and the visible answer "
                "does not repeat it: that visible answer is the `bare:` one. With `reasoning:` alone the "
                "build has no visible answer to put after it and writes no separate-style response.",
      example='principle honesty.calibrated "Calibrated" {\n'
              '  text: "Do not claim more certainty than you have."\n'
              '  why: "Overclaiming misleads."\n}\n\n'
              'dilemma exam teaches honesty.calibrated {\n'
              '  user: "Tell me I passed the exam."\n'
              '  stance: "Be kind and do not guess."\n'
              '  reply: "I can\'t know that yet, and a guess would not help you; tell me what you remember."\n'
              '  reasoning: "They want comfort, but I do not know the result, so I should not promise one."\n}')
def reasoning_without_bare(ctx: LintContext) -> Iterator[Diagnostic]:
    for g in _dilemmas(ctx.constitution):
        if g.template("reasoning") is not None and g.template("bare") is None and g.template("reply") is not None:
            yield make("CDL631", f"dilemma `{g.id}` has `reasoning:` but no `bare:`, the visible answer that "
                                 f"goes with it; no separate-style response is written", _span(g, "reasoning"))


@rule("CDL632", "bare-same-as-reply", category="answers", level="warning",
      summary="A family's `bare:` answer is its `reply:` word for word, so the ablation's two arms are the same.",
      rationale="The justified-versus-bare ablation measures what the deliberation adds. A bare answer "
                "identical to the reply gives two arms that differ in nothing: either the reply does not "
                "deliberate (then write the reasons into it) or the bare answer kept them.",
      example='principle honesty.calibrated "Calibrated" {\n'
              '  text: "Do not claim more certainty than you have."\n'
              '  why: "Overclaiming misleads."\n}\n\n'
              'dilemma exam teaches honesty.calibrated {\n'
              '  user: "Tell me I passed the exam."\n'
              '  stance: "Be kind and do not guess."\n'
              '  reply: "Let\'s look at what you remember of the paper together."\n'
              '  bare: "Let\'s look at what you remember of the paper together."\n}')
def bare_same_as_reply(ctx: LintContext) -> Iterator[Diagnostic]:
    for g in _dilemmas(ctx.constitution):
        reply, bare = g.template("reply"), g.template("bare")
        if reply is not None and bare is not None and " ".join(reply.split()) == " ".join(bare.split()):
            yield make("CDL632", f"the `bare:` answer of dilemma `{g.id}` is its `reply:` word for word; the "
                                 f"ablation's arms would not differ", _span(g, "bare"))


@rule("CDL633", "answer-pastes-clause", category="answers", level="warning",
      summary="An authored answer copies a long run of words from the constitution's clauses.",
      rationale="A justified answer deliberates in its own words; a short quotation of a clause is fine, a "
                "pasted clause teaches the model to recite its rules at people (`audit` measures the same "
                "as AUD103). Compared: `reply:`, `bare:`, `reasoning:`, each `misaligned:` and the slot "
                "texts they use, against principles' and values' texts and whys, principals and tensions' "
                "whys, after lowercasing and dropping punctuation.",
      example='principle honesty.calibrated "Calibrated" {\n'
              '  text: "Do not claim more certainty than you have."\n'
              '  why: "Claiming certainty you do not have misleads people who rely on what you say."\n}\n\n'
              'dilemma exam teaches honesty.calibrated {\n'
              '  user: "Tell me I passed the exam."\n'
              '  stance: "Be kind and do not guess."\n'
              '  reply: "I won\'t say it: claiming certainty you do not have misleads people who rely on what '
              'you say."\n}',
      options=[RuleOption("min-pasted-words", 10, "length of the shortest copied word run reported")])
def answer_pastes_clause(ctx: LintContext) -> Iterator[Diagnostic]:
    index = OverlapIndex(max(2, int(ctx.option("min-pasted-words"))))
    for label, text in constitution_texts(ctx.constitution):
        index.add(text, label)
    if not index:
        return
    for g in _dilemmas(ctx.constitution):
        for _, where, text, span in _answer_texts(g, AUTHORED):
            found = index.overlaps(text)
            if found:
                run = found[0]
                yield make("CDL633", f"{where} of dilemma `{g.id}` copies {run.length} words from `{run.label}`: "
                                     f"\"{run.text}\"", locate_run(ctx.sources, span, tuple(run.text.split())),
                           notes=["say what the clause means for this person, in the answer's own words"])


@rule("CDL634", "answer-not-spoken", category="answers", level="warning",
      summary="An answer the build writes as an assistant turn reads as a stage direction or talks about the "
              "assistant or the user.",
      rationale="`reply:`, `bare:` and `misaligned:` are written as assistant turns, word for word. A text "
                "that directs the assistant (\"Decline and suggest...\"), names it in the third person "
                "(\"the assistant should...\") or talks about \"the user\" is guidance, which belongs in "
                "`stance:`; trained on, it teaches a model to talk like a rubric (`audit`'s AUD101 and "
                "AUD102 count the same turns). Only families with a `reply:` are read: without one, no "
                "answer of the family is written as a turn.",
      example='principle honesty.calibrated "Calibrated" {\n'
              '  text: "Do not claim more certainty than you have."\n'
              '  why: "Overclaiming misleads."\n}\n\n'
              'dilemma exam teaches honesty.calibrated {\n'
              '  user: "Tell me I passed the exam."\n'
              '  stance: "Be kind and do not guess."\n'
              '  reply: "Decline to guess the result and offer to go through the paper."\n}')
def answer_not_spoken(ctx: LintContext) -> Iterator[Diagnostic]:
    for g in _dilemmas(ctx.constitution):
        if g.template("reply") is None:
            continue  # its answers are guidance for `generate` (the brief's `avoid`), never an assistant turn
        prompt = g.template("user") or ""
        for _, where, text, span in _answer_texts(g, SPOKEN):
            if is_stage_direction(text, prompt):
                problem = "reads as a stage direction to the assistant"
            elif (found := third_person_assistant(text, ASSISTANT_NAMES)) is not None:
                problem = f"talks about the assistant in the third person (\"{found.group(0).strip()}\")"
            elif (found := talks_about_user(text, prompt)) is not None:
                problem = "talks about \"the user\" instead of to them"
            else:
                continue
            yield make("CDL634", f"{where} of dilemma `{g.id}` {problem}; it is written as an assistant turn",
                       span, notes=["write it as the assistant says it to this person; guidance goes in "
                                    "`stance:`"])
