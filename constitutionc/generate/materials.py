"""What each prompt is given, made from the constitution and the deterministic build's records.

Pure: IR and record dicts in, `prompts.schemas` input models out. The planner decides
*which* items to ask for; this module decides *what each request contains*.
"""

from __future__ import annotations

import re
from collections import Counter

from ..emit.records import tool_schema
from ..ir import Constitution, Environment, Generator, Principle, Section, Tension
from ..prompts import schemas as s

KIND = {"hard_constraint": "hard_constraint", "default": "default", "instructable": "instructable"}


def clause_view(constitution: Constitution, pid: str) -> s.ClauseView:
    principle = constitution.principle(pid)
    if principle is not None:
        return _principle_view(principle)
    value = next((v for v in constitution.values if v.id == pid), None)
    if value is not None:
        return s.ClauseView(id=value.id, title=value.title, kind="value", text=value.text, why=value.why)
    raise KeyError(pid)


def _principle_view(principle: Principle) -> s.ClauseView:
    default = None if principle.default_on is None else ("on" if principle.default_on else "off")
    return s.ClauseView(id=principle.id, title=principle.title, kind=KIND[principle.kind], text=principle.text,
                        why=principle.why, default=default, switchable_by=tuple(principle.switchable_by))


def critique_view(constitution: Constitution, pid: str) -> s.ClauseView:
    """A clause for the critique prompt: with the clause's own critique request, when it states one."""
    view, principle = clause_view(constitution, pid), constitution.principle(pid)
    return view.model_copy(update={"critique_request": principle.critique}) if principle and principle.critique \
        else view


def revision_view(constitution: Constitution, pid: str) -> s.ClauseView:
    """A clause for the revision prompt: with the clause's own revision request, when it states one."""
    view, principle = clause_view(constitution, pid), constitution.principle(pid)
    return view.model_copy(update={"revision_request": principle.revision}) if principle and principle.revision \
        else view


def tension_view(tension: Tension) -> s.TensionView:
    return s.TensionView(prevails=tension.prevails, yields=tension.yields, when=tension.when, why=tension.why)


def tensions_at_stake(constitution: Constitution, principle_ids: list[str] | tuple[str, ...]) -> list[Tension]:
    """As the build decides: both sides at stake (a principle, or the core value another one serves),
    at least one of them a principle of the item."""
    ids = set(principle_ids)
    at_stake = ids | {p.value for pid in ids if (p := constitution.principle(pid)) is not None and p.value}
    return [t for t in constitution.tensions
            if t.prevails in at_stake and t.yields in at_stake and (t.prevails in ids or t.yields in ids)]


def focus_first(principles: list[str] | tuple[str, ...], focus: str | None) -> list[str]:
    ordered = list(principles)
    if focus in ordered:
        ordered.remove(focus)
        ordered.insert(0, focus)
    return ordered


SUBJECT = re.compile(r"\b([A-Z][a-z]+)(?:\u2019s|'s)?\s+(?:should|is|must|can|will|has|cares|tries|might|may)\b")


def assistant_name(constitution: Constitution) -> str:
    """The name the constitution gives its assistant: the capitalised word its clauses most often
    make the subject of "should", "is", "must"... ("Claude should..."), else "the assistant"."""
    counts: Counter[str] = Counter()
    for principle in constitution.principles:
        for match in SUBJECT.finditer(f"{principle.text} {principle.why}"):
            counts[match.group(1)] += 1
    for word in ("This", "It", "That", "There", "Here", "What", "When", "If", "We", "They", "He", "She", "Anthropic"):
        counts.pop(word, None)
    if counts:
        name, seen = counts.most_common(1)[0]
        if seen >= 3:
            return name
    return "the assistant"


def persona_names(system: str | None) -> list[str]:
    """Names an operator gives the assistant ("You are Skye, ..."), which it must not use in the third person."""
    if not system:
        return []
    return re.findall(r"\bYou are ([A-Z][a-z]+)\b", system) + re.findall(r"^([A-Z][a-z]+)\.", system)


# --- responses ----------------------------------------------------------------------------------

def _turns(dilemma: dict) -> tuple[dict, ...]:
    """The turns before the user's message (a dilemma's `conversation`): the reply must follow from them."""
    return tuple(dilemma.get("conversation") or ())


def response_input(constitution: Constitution, dilemma: dict, style: str, name: str) -> s.ResponseInput:
    ordered = focus_first(dilemma["principles"], dilemma.get("focus"))
    return s.ResponseInput(
        style=style, assistant_name=name, system=dilemma.get("system"), conversation=_turns(dilemma),
        prompt=dilemma["prompt"], stance=dilemma["stance"], alternatives=dilemma.get("alternatives"), situation=dilemma.get("situation"),
        focus=ordered[0], principles=tuple(clause_view(constitution, pid) for pid in ordered),
        tensions=tuple(tension_view(t) for t in tensions_at_stake(constitution, ordered)))


def bare_input(dilemma: dict, justified_answer: str, name: str) -> s.BareInput:
    return s.BareInput(assistant_name=name, system=dilemma.get("system"), conversation=_turns(dilemma),
                       prompt=dilemma["prompt"],
                       stance=dilemma["stance"], justified_answer=justified_answer,
                       target_words=len(justified_answer.split()))


def rejected_input(constitution: Constitution, dilemma: dict, style: str, name: str, chosen_answer: str,
                   chosen_reasoning: str | None) -> s.RejectedInput:
    return s.RejectedInput(
        style=style, assistant_name=name, system=dilemma.get("system"), conversation=_turns(dilemma),
        prompt=dilemma["prompt"], misaligned=dilemma["misaligned"], chosen_answer=chosen_answer,
        chosen_reasoning=chosen_reasoning if style == "separate" else None,
        target_words=len(chosen_answer.split()),
        target_reasoning_words=len(chosen_reasoning.split()) if chosen_reasoning and style == "separate" else 0,
        principles=tuple(clause_view(constitution, pid) for pid in dilemma["principles"]))


def critique_input(constitution: Constitution, dilemma: dict, style: str, name: str, answer: str,
                   reasoning: str | None) -> s.CritiqueInput:
    return s.CritiqueInput(style=style, assistant_name=name, system=dilemma.get("system"),
                           conversation=_turns(dilemma), prompt=dilemma["prompt"], stance=dilemma["stance"], draft_answer=answer,
                           draft_reasoning=reasoning,
                           clauses=tuple(critique_view(constitution, pid) for pid in dilemma["principles"]))


def revision_input(constitution: Constitution, dilemma: dict, style: str, name: str, answer: str,
                   reasoning: str | None, critique: dict) -> s.RevisionInput:
    return s.RevisionInput(style=style, assistant_name=name, system=dilemma.get("system"),
                           conversation=_turns(dilemma), prompt=dilemma["prompt"], stance=dilemma["stance"],
                           draft_answer=answer, draft_reasoning=reasoning, draft_words=len(answer.split()),
                           clause=revision_view(constitution, critique["clause"]), quote=critique["quote"],
                           problem=critique["problem"])


# --- drafted dilemmas ---------------------------------------------------------------------------

def dilemma_input(constitution: Constitution, generator: Generator, examples: list[str],
                  variation: s.DilemmaVariation) -> s.DilemmaInput:
    return s.DilemmaInput(
        family_title=generator.title or generator.id, stance=generator.template("stance") or "",
        alternatives=generator.template("alternatives"), misaligned=generator.template("misaligned"),
        principles=tuple(clause_view(constitution, pid) for pid in generator.principles),
        tensions=tuple(tension_view(t) for t in tensions_at_stake(constitution, generator.principles)),
        examples=tuple(examples), variation=variation)


# --- documents ----------------------------------------------------------------------------------

def section_of(constitution: Constitution, sid: str | None) -> Section | None:
    return next((sec for sec in constitution.sections if sec.id == sid), None) if sid else None


def principle_document_input(constitution: Constitution, pid: str, form: str, name: str,
                             target_words: int) -> s.DocumentInput:
    principle = constitution.principle(pid)
    section = section_of(constitution, principle.section)
    neighbours = [p for p in constitution.principles if p.section == principle.section and p.id != pid][:6]
    return s.DocumentInput(
        form=form, subject_kind="principle", assistant_name=name, subject=_principle_view(principle),
        section_title=section.title if section else "",
        clauses=tuple(_principle_view(p) for p in neighbours),
        tensions=tuple(tension_view(t) for t in constitution.tensions if pid in (t.prevails, t.yields)),
        target_words=target_words)


def section_document_input(constitution: Constitution, sid: str, form: str, name: str,
                           target_words: int) -> s.DocumentInput:
    section = section_of(constitution, sid)
    inside = section_ids_under(constitution, sid)
    members = [p for p in constitution.principles if p.section in inside]
    ids = {p.id for p in members}
    parent = section_of(constitution, section.parent)
    return s.DocumentInput(
        form=form, subject_kind="section", assistant_name=name,
        subject=s.ClauseView(id=section.id, title=section.title, kind="section", text=section.prose),
        section_title=parent.title if parent else "",
        clauses=tuple(_principle_view(p) for p in members[:24]),
        tensions=tuple(tension_view(t) for t in constitution.tensions if t.prevails in ids or t.yields in ids),
        target_words=target_words)


def section_ids_under(constitution: Constitution, sid: str) -> set[str]:
    inside, grew = {sid}, True
    while grew:
        grew = False
        for sec in constitution.sections:
            if sec.parent in inside and sec.id not in inside:
                inside.add(sec.id)
                grew = True
    return inside


# --- stories and episodes -----------------------------------------------------------------------

def story_input(constitution: Constitution, subject: str | Tension, variation: s.StoryVariation) -> s.StoryInput:
    if isinstance(subject, Tension):
        return s.StoryInput(subject_kind="tension",
                            clauses=tuple(clause_view(constitution, c) for c in (subject.prevails, subject.yields)),
                            tension=tension_view(subject), variation=variation)
    return s.StoryInput(subject_kind="principle", clauses=(clause_view(constitution, subject),), variation=variation)


def tool_view(tool) -> s.ToolView:
    schema = tool_schema(tool)
    return s.ToolView(name=schema["name"], description=schema["description"], input_schema=schema["input_schema"])


def episode_input(constitution: Constitution, environment: Environment, principle_ids: list[str],
                  variation: s.EpisodeVariation) -> s.EpisodeInput:
    return s.EpisodeInput(
        environment_title=environment.title or environment.id,
        tools=tuple(tool_view(t) for t in environment.tools),
        clauses=tuple(clause_view(constitution, pid) for pid in principle_ids),
        tensions=tuple(tension_view(t) for t in tensions_at_stake(constitution, principle_ids)),
        variation=variation)
