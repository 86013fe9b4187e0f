"""Each step of generation: what it checks in a reply, the records it keeps, and the steps that follow.

A step is one prompt applied to one item. `check` returns the quality findings that reject a reply;
`accept` writes the records of a reply that passed and returns the items that depend on it (a bare
reply and a rejected reply follow a justified one; a drafted dilemma is followed by its justified
replies; with `--critique`, a justified reply is kept only after its critique, or replaced by the
revision). Steps are a registry (`STEPS`), not an if-chain.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel

from ..emit.records import clause_sources
from ..emit.writer import canonical_json
from ..ir import Constitution
from ..prompts import quality as q
from ..prompts import schemas as s
from ..prompts.quality import Finding, Guard
from ..textmeasures import NearDuplicateIndex, words
from . import materials as m


@dataclass
class Item:
    step: str
    key: str  # stable and unique: what is asked for, e.g. "justified:inline:dl-0123..."
    group: str  # the kind it counts toward in summaries: responses, dilemmas, documents, stories, episodes
    inputs: BaseModel
    data: dict = field(default_factory=dict)
    sample: int = 0

    def again(self) -> "Item":
        return Item(self.step, self.key, self.group, self.inputs, self.data, self.sample + 1)


@dataclass(frozen=True)
class Reply:
    """Where a kept output came from: becomes the record's provenance."""

    provider: str
    model: str
    prompt: dict
    request: str
    sample: int
    usage: dict

    def provenance(self) -> dict:
        return {"provider": self.provider, "model": self.model, "prompt": self.prompt, "request": self.request,
                "sample": self.sample, "usage": self.usage}


@dataclass
class Context:
    constitution: Constitution
    guard: Guard
    seen: NearDuplicateIndex  # every prompt in the build, drafts as they are kept
    assistant: str
    seed: int
    kinds: tuple[str, ...]
    critique: bool
    emit: Callable[[str, dict], None]  # (record kind, record)

    def sources(self, ids) -> list[dict]:
        return clause_sources(self.constitution, ids)


def make_id(prefix: str, *parts: Any) -> str:
    digest = hashlib.sha256(canonical_json(list(parts)).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:16]}"


def _names(ctx: Context, system: str | None, *more: str) -> tuple[str, ...]:
    return (ctx.assistant, *m.persona_names(system), *more)


def _common(ctx: Context, principles, reply: Reply, parents: list[str], extra_sources=()) -> dict:
    principles = list(principles)
    return {"principles": principles, "sources": ctx.sources([*principles, *extra_sources]), "seed": ctx.seed,
            "provenance": reply.provenance(), "parents": parents}


# --- dilemmas and their responses ---------------------------------------------------------------

def _tensions(ctx: Context, dilemma: dict):
    return m.tensions_at_stake(ctx.constitution, dilemma["principles"])


def _allowed(ctx: Context, dilemma: dict) -> set[str]:
    return set(dilemma["principles"]) | {side for t in _tensions(ctx, dilemma) for side in (t.prevails, t.yields)}


def justified_items(ctx: Context, dilemma: dict) -> list[Item]:
    if "responses" not in ctx.kinds:
        return []
    return [Item("justified", f"justified:{style}:{dilemma['id']}", "responses",
                 m.response_input(ctx.constitution, dilemma, style, ctx.assistant), {"dilemma": dilemma, "style": style})
            for style in ("inline", "separate")]


def _answer_findings(ctx: Context, dilemma: dict, answer: str, reasoning: str | None, style: str,
                     misaligned: bool = True) -> list[Finding]:
    names = _names(ctx, dilemma.get("system"))
    findings = ctx.guard.answer(answer, prompt=dilemma["prompt"], system=dilemma.get("system"),
                                misaligned=dilemma.get("misaligned") if misaligned else None, names=names)
    if style == "separate":
        findings += ctx.guard.reasoning(reasoning or "", names=names)
    elif reasoning:
        findings.append(Finding("pair_shape", "an inline reply has separate reasoning"))
    return findings


def check_justified(ctx: Context, item: Item, out) -> list[Finding]:
    dilemma, style = item.data["dilemma"], item.data["style"]
    return (_answer_findings(ctx, dilemma, out.answer, getattr(out, "reasoning", None), style)
            + q.unknown_clauses(out.clauses_applied, _allowed(ctx, dilemma), "clauses_applied"))


def accept_justified(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    dilemma, style = item.data["dilemma"], item.data["style"]
    draft = {"answer": out.answer, "reasoning": getattr(out, "reasoning", None),
             "clauses_applied": list(out.clauses_applied), "reply": reply}
    if ctx.critique:
        inputs = m.critique_input(ctx.constitution, dilemma, style, ctx.assistant, draft["answer"], draft["reasoning"])
        return [Item("critique", f"critique:{style}:{dilemma['id']}", "responses", inputs,
                     {"dilemma": dilemma, "style": style, "draft": draft})]
    return keep_justified(ctx, dilemma, style, draft)


def _response(ctx: Context, dilemma: dict, style: str, variant: str, reply: Reply, parents: list[str],
              clauses_applied: list[str], **fields) -> dict:
    tensions = _tensions(ctx, dilemma) if variant != "bare" else []
    record = {"kind": "model_response", "generator": dilemma["generator"], "dilemma_id": dilemma["id"],
              "style": style, "variant": variant, "axes": {k: str(v) for k, v in (dilemma.get("axes") or {}).items()},
              "system": dilemma.get("system"), "prompt": dilemma["prompt"],
              "tensions": [t.id for t in tensions], "clauses_applied": clauses_applied, **fields,
              **_common(ctx, dilemma["principles"], reply, parents,
                        [side for t in tensions for side in (t.prevails, t.yields)])}
    texts = [fields.get(k) for k in ("completion", "reasoning", "chosen", "chosen_reasoning", "rejected",
                                     "rejected_reasoning")]
    record["id"] = make_id("mr", dilemma["id"], variant, style, texts)
    ctx.emit("model_response", record)
    return record


def keep_justified(ctx: Context, dilemma: dict, style: str, draft: dict, parents_extra=()) -> list[Item]:
    record = _response(ctx, dilemma, style, "justified", draft["reply"], [dilemma["id"], *parents_extra],
                       draft["clauses_applied"], completion=draft["answer"], reasoning=draft["reasoning"])
    follow: list[Item] = []
    if style == "inline":
        follow.append(Item("bare", f"bare:{dilemma['id']}", "responses",
                           m.bare_input(dilemma, draft["answer"], ctx.assistant),
                           {"dilemma": dilemma, "justified": record}))
    if dilemma.get("misaligned"):
        follow.append(Item("rejected", f"rejected:{style}:{dilemma['id']}", "responses",
                           m.rejected_input(ctx.constitution, dilemma, style, ctx.assistant, draft["answer"],
                                            draft["reasoning"]),
                           {"dilemma": dilemma, "style": style, "justified": record}))
    return follow


def authored_draft_items(ctx: Context, dilemma: dict) -> list[Item]:
    """A dilemma whose author wrote a `draft:` and left its critique or revision for the model stage:
    the critique (against the dilemma's one principle), or with an authored critique the revision."""
    if "responses" not in ctx.kinds or dilemma.get("draft") is None:
        return []
    if dilemma.get("critique") is not None and dilemma.get("revision") is not None:
        return []  # both written by the author: the build already made revision > draft
    pid = dilemma["principles"][0]
    draft = {"answer": dilemma["draft"], "reasoning": None, "clauses_applied": [pid], "reply": None}
    data = {"dilemma": dilemma, "style": "inline", "draft": draft, "authored": True}
    if dilemma.get("critique") is None:
        inputs = m.critique_input(ctx.constitution, {**dilemma, "principles": [pid]}, "inline", ctx.assistant,
                                  dilemma["draft"], None)
        return [Item("critique", f"critique:authored:{dilemma['id']}", "responses", inputs, data)]
    view = m.clause_view(ctx.constitution, pid)
    critique = {"clause": pid, "quote": view.text, "problem": dilemma["critique"], "verdict": "revise"}
    return [revision_item(ctx, data, critique)]


def revision_item(ctx: Context, data: dict, critique: dict) -> Item:
    dilemma, style, draft = data["dilemma"], data["style"], data["draft"]
    inputs = m.revision_input(ctx.constitution, dilemma, style, ctx.assistant, draft["answer"], draft["reasoning"],
                              critique)
    which = "authored" if data.get("authored") else style
    return Item("revision", f"revision:{which}:{dilemma['id']}", "responses", inputs, {**data, "critique": critique})


def check_critique(ctx: Context, item: Item, out) -> list[Finding]:
    clauses = {c.id: (c.text, c.why) for c in item.inputs.clauses}
    return q.critique(out.clause, out.quote, clauses)


def accept_critique(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    dilemma, style, draft = item.data["dilemma"], item.data["style"], item.data["draft"]
    if out.verdict == "keep":
        # An authored draft the critique finds sound makes no pair: there is nothing better to prefer.
        return [] if item.data.get("authored") else keep_justified(ctx, dilemma, style, draft)
    return [revision_item(ctx, item.data, out.model_dump())]


def check_revision(ctx: Context, item: Item, out) -> list[Finding]:
    return _answer_findings(ctx, item.data["dilemma"], out.answer, out.reasoning, item.data["style"])


def accept_revision(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    dilemma, style, draft, critique = (item.data[k] for k in ("dilemma", "style", "draft", "critique"))
    revised = {"answer": out.answer, "reasoning": out.reasoning if style == "separate" else None,
               "clauses_applied": draft["clauses_applied"], "reply": reply}
    # The model's own draft, revised, is kept as its justified reply (and gets its bare and rejected
    # twins); an author's draft, revised, is only the pair.
    follow = [] if item.data.get("authored") else keep_justified(ctx, dilemma, style, revised)
    record = {"kind": "revision", "generator": dilemma["generator"], "dilemma_id": dilemma["id"], "style": style,
              "system": dilemma.get("system"), "prompt": dilemma["prompt"], "critique": critique,
              "chosen": revised["answer"], "chosen_reasoning": revised["reasoning"], "rejected": draft["answer"],
              "rejected_reasoning": draft["reasoning"],
              **_common(ctx, dilemma["principles"], reply, [dilemma["id"]], [critique["clause"]])}
    record["id"] = make_id("rv", dilemma["id"], style, record["chosen"], record["rejected"])
    ctx.emit("revision", record)
    return follow


def check_bare(ctx: Context, item: Item, out) -> list[Finding]:
    dilemma, justified = item.data["dilemma"], item.data["justified"]
    findings = _answer_findings(ctx, dilemma, out.answer, None, "inline")
    if len(words(out.answer)) >= len(words(justified["completion"])):
        findings.append(Finding("bare_not_shorter", "the bare reply is not shorter than the justified one, "
                                                    "so it kept its reasons or added something"))
    return findings


def accept_bare(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    dilemma, justified = item.data["dilemma"], item.data["justified"]
    bare = _response(ctx, dilemma, "inline", "bare", reply, [dilemma["id"], justified["id"]], [],
                     completion=out.answer, reasoning=None)
    record = {"kind": "ablation", "generator": dilemma["generator"], "dilemma_id": dilemma["id"],
              "system": dilemma.get("system"), "prompt": dilemma["prompt"], "chosen": justified["completion"],
              "rejected": out.answer,
              **_common(ctx, dilemma["principles"], reply, [dilemma["id"], justified["id"], bare["id"]])}
    record["id"] = make_id("ab", dilemma["id"], record["chosen"], record["rejected"])
    ctx.emit("ablation", record)
    return []


def check_rejected(ctx: Context, item: Item, out) -> list[Finding]:
    dilemma, style, justified = item.data["dilemma"], item.data["style"], item.data["justified"]
    findings = _answer_findings(ctx, dilemma, out.answer, out.reasoning, style, misaligned=False)
    return findings + q.pair(justified["completion"], out.answer, chosen_reasoning=justified["reasoning"],
                             rejected_reasoning=out.reasoning if style == "separate" else None,
                             thresholds=ctx.guard.thresholds)


def accept_rejected(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    dilemma, style, justified = item.data["dilemma"], item.data["style"], item.data["justified"]
    _response(ctx, dilemma, style, "preference", reply, [dilemma["id"], justified["id"]],
              justified["clauses_applied"], chosen=justified["completion"],
              chosen_reasoning=justified["reasoning"], rejected=out.answer,
              rejected_reasoning=out.reasoning if style == "separate" else None)
    return []


# --- drafted dilemmas ---------------------------------------------------------------------------

def check_draft(ctx: Context, item: Item, out) -> list[Finding]:
    findings = ctx.guard.drafted_prompt(out.prompt, out.system, ctx.seen)
    wants_system = item.inputs.variation.with_system_prompt
    if wants_system and not (out.system or "").strip():
        findings.append(Finding("variation", "the variation asked for an operator system prompt and none came"))
    if not wants_system and out.system:
        findings.append(Finding("variation", "the variation asked for no system prompt"))
    if not out.alternatives.strip():
        findings.append(Finding("alternatives", "no options named: the reply would have nothing to weigh"))
    return findings


def accept_draft(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    family, index = item.data["family"], item.data["index"]
    generator = ctx.constitution.generator(family)
    principles = list(generator.principles)
    variation = item.inputs.variation.model_dump()
    record = {"kind": "drafted_dilemma", "generator": family, "axes": {k: str(v) for k, v in variation.items()},
              "sample": index, "focus": principles[index % len(principles)] if principles else None,
              "system": out.system or None, "prompt": out.prompt, "stance": out.stance,
              "alternatives": out.alternatives.strip() or None,
              "misaligned": out.misaligned or None, "situation": out.situation,
              **_common(ctx, principles, reply, [])}
    record["id"] = make_id("dd", family, index, record["system"], record["prompt"])
    ctx.seen.add(out.prompt, record["id"])
    ctx.emit("drafted_dilemma", record)
    return justified_items(ctx, record)


# --- documents, stories, episodes ---------------------------------------------------------------

def check_document(ctx: Context, item: Item, out) -> list[Finding]:
    given = item.inputs
    allowed = {given.subject.id, *(c.id for c in given.clauses),
               *(side for t in given.tensions for side in (t.prevails, t.yields))}
    return ctx.guard.document(out.body, out.cites, allowed)


def accept_document(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    given = item.inputs
    cited = list(dict.fromkeys([given.subject.id] * (given.subject_kind == "principle") + list(out.cites)))
    record = {"kind": "document", "subject": given.subject.id, "subject_kind": given.subject_kind,
              "form": given.form, "title": out.title, "body": out.body, **_common(ctx, cited, reply, [])}
    if not record["sources"]:  # a section document citing nothing: cite the section's clauses
        record["sources"] = ctx.sources(c.id for c in given.clauses)
    record["id"] = make_id("dc", given.subject.id, given.form, out.title, out.body)
    ctx.emit("document", record)
    return []


def check_story(ctx: Context, item: Item, out) -> list[Finding]:
    return ctx.guard.story(out.story)


def accept_story(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    given = item.inputs
    record = {"kind": "story", "subject": item.data["subject"], "subject_kind": given.subject_kind,
              "axes": given.variation.model_dump(mode="json") | {"target_words": str(given.variation.target_words)},
              "sample": item.data["index"], "title": out.title, "story": out.story, "premise": out.premise,
              **_common(ctx, [c.id for c in given.clauses], reply, [])}
    record["axes"] = {k: str(v) for k, v in record["axes"].items()}
    record["id"] = make_id("st", item.data["subject"], item.data["index"], out.story)
    ctx.emit("story", record)
    return []


def check_episode(ctx: Context, item: Item, out) -> list[Finding]:
    return ctx.guard.episode(out.model_dump(mode="json"), allowed=item.data["clauses"],
                             names=(item.inputs.variation.persona_name,))


def episode_messages(episode: s.Episode) -> list[dict]:
    messages: list[dict] = [{"role": "user", "content": [{"type": "text", "text": episode.user}]}]
    for step in episode.steps:
        content: list[dict] = [{"type": "text", "text": step.text}] if step.text else []
        content += [{"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in step.tool_calls]
        messages.append({"role": "assistant", "reasoning": step.reasoning, "content": content})
        if step.tool_results:
            messages.append({"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": r.call_id, "content": r.content,
                 **({"is_error": True} if r.is_error else {})} for r in step.tool_results]})
    return messages


def accept_episode(ctx: Context, item: Item, out, reply: Reply) -> list[Item]:
    cited = list(dict.fromkeys([*item.data["clauses"][:1], *out.cites]))
    record = {"kind": "episode", "environment": item.data["environment"],
              "axes": item.inputs.variation.model_dump(mode="json"), "sample": item.data["index"],
              "system": out.system, "tools": [t.model_dump(mode="json") for t in out.tools],
              "messages": episode_messages(out), **_common(ctx, cited, reply, [])}
    record["id"] = make_id("ep", item.data["environment"], item.data["index"], record["system"], record["messages"])
    ctx.emit("episode", record)
    return []


@dataclass(frozen=True)
class Step:
    prompt: str  # prompt id, or a function of the item for steps with two prompts
    check: Callable
    accept: Callable

    def prompt_for(self, item: Item) -> str:
        return self.prompt.format(style=item.data.get("style", ""))


STEPS: dict[str, Step] = {
    "justified": Step("response_justified_{style}", check_justified, accept_justified),
    "critique": Step("critique", check_critique, accept_critique),
    "revision": Step("revision", check_revision, accept_revision),
    "bare": Step("response_bare", check_bare, accept_bare),
    "rejected": Step("response_rejected", check_rejected, accept_rejected),
    "draft": Step("dilemma_draft", check_draft, accept_draft),
    "document": Step("document", check_document, accept_document),
    "story": Step("story", check_story, accept_story),
    "episode": Step("episode", check_episode, accept_episode),
}
