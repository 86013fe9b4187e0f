"""Canonical records (see docs/records.md): one instance in, plain dicts out.

Everything that does not change between a generator's instances is prepared
once in `GeneratorContext` (compiled templates, the clause sources, the digest
of the clauses at stake, tool schemas); per instance only the templates are filled.
No record's assistant text is ever made here: answers are the author's (`reply:`,
`bare:`, `reasoning:`, `misaligned:`) or a model's (`constitutionc generate`).
Records are plain dicts, never models: this is the hot path of the build.
"""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

from .. import provenance
from ..ir import Constitution, Environment, Generator, Principle, Span, Tension
from ..spec import template_fields
from ..templates import SLOT
from ..tool_results import answer as answer_tool_call
from ..tool_results import escape as escape_result
from ..tool_results import message_text
from .expand import Instance
from .kinds import KINDS
from .writer import canonical_json

Record = dict[str, Any]
# The answers an author may write for a dilemma, each carried (and hashed) by the dilemma record when given.
AUTHORED_ANSWERS = ("reply", "bare", "reasoning")


def record_id(kind: str, content: list) -> str:
    """`<prefix>-<16 hex>` from the record's content (never from line numbers or the seed).

    Each piece is length-prefixed, so no two different contents give the same hashed text.
    """
    pieces = []
    for value in content:
        if value is None:
            pieces.append("n")
        elif type(value) is str:
            pieces.append(f"s{len(value)}:{value}")
        elif type(value) is int:
            pieces.append(f"i{value}")
        elif type(value) is tuple:  # of strings: axis values, principle ids
            pieces.append("t" + "".join(f"{len(v)}:{v}" for v in value))
        else:
            text = canonical_json(value)
            pieces.append(f"j{len(text)}:{text}")
    digest = hashlib.sha256(f"{kind}|{'|'.join(pieces)}".encode("utf-8")).hexdigest()
    return f"{KINDS[kind].prefix}-{digest[:16]}"


# --- templates ----------------------------------------------------------------------------------

class BuildInputError(Exception):
    """The constitution passed the checker but cannot be built; the build stops, writing nothing.
    `str()` is one line for the user."""


class GeneratorError(BuildInputError):
    """A generator cannot be built (the checker's error about it was suppressed)."""

    def __init__(self, generator: Generator, problem: str):
        super().__init__(generator.id, problem)
        self.generator, self.problem = generator, problem

    def __str__(self) -> str:
        span = self.generator.span
        return f"{span.file}:{span.line}: {self.generator.kind} `{self.generator.id}` {self.problem}"


class UnboundSlotError(BuildInputError):
    """A template names a slot with no value for this instance; the build stops, writing nothing."""

    def __init__(self, name: str, where: str, span: Span | None):
        super().__init__(name, where)
        self.name, self.where, self.span = name, where, span
        self.generator: str = ""
        self.axes: dict[str, str] = {}

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.axes.items()) or "no axes"
        place = f"{self.span.file}:{self.span.line}: " if self.span else ""
        return f"{place}`{{{self.name}}}` in {self.where} of `{self.generator}` has no value (for {shown})"


class Template:
    """A `{slot}` template split once into literal parts and slot names, so filling it is a join."""

    __slots__ = ("parts", "names", "constant", "where", "span")

    def __init__(self, text: str, where: str, span: Span | None = None):
        self.where, self.span = where, span
        parts: list[str] = []
        names: list[str] = []
        literal: list[str] = []
        last = 0
        for match in SLOT.finditer(text):
            literal.append(text[last:match.start()])
            last = match.end()
            if match.group(1) is None:
                literal.append(match.group(0)[0])
                continue
            parts.append("".join(literal))
            literal = []
            names.append(match.group(1))
        literal.append(text[last:])
        parts.append("".join(literal))
        self.parts, self.names = parts, names
        self.constant = parts[0] if not names else None

    def fill_result(self, env: dict[str, str | None], params: set[str]) -> str:
        """A tool result: the call's parameters stay `{param}` for the eval runner, everything else is
        filled now, and every literal brace is doubled (see tool_results.py)."""
        out = [escape_result(self.parts[0])]
        for i, name in enumerate(self.names):
            if name in params:
                out.append("{" + name + "}")
            else:
                value = env.get(name)
                if value is None:
                    raise UnboundSlotError(name, self.where, self.span)
                out.append(escape_result(value))
            out.append(escape_result(self.parts[i + 1]))
        return "".join(out)

    def fill(self, env: dict[str, str | None]) -> str:
        if self.constant is not None:
            return self.constant
        parts = self.parts
        out = [parts[0]]
        for i, name in enumerate(self.names):
            value = env.get(name)
            if value is None:
                raise UnboundSlotError(name, self.where, self.span)
            out.append(value)
            out.append(parts[i + 1])
        return "".join(out)


def _maybe(text: str | None, where: str, span: Span) -> Template | None:
    return Template(text, where, span) if text is not None else None


# --- per-generator preparation ------------------------------------------------------------------

def clause_source(constitution: Constitution, principle: Principle) -> Record:
    span = principle.span
    return {"clause": principle.id, "file": constitution.project_path(span.file), "line": span.line, "end_line": span.end_line,
            "sha256": principle.sha256}


def clause_sources(constitution: Constitution, clause_ids, start: list[Record] = ()) -> list[Record]:
    """`start`, then the source of each further clause the ids name, once, in order of first mention
    (ids the constitution does not define are passed over)."""
    sources = list(start)
    seen = {s["clause"] for s in sources}
    for pid in clause_ids:
        principle = constitution.principle(pid)
        if principle is not None and pid not in seen:
            seen.add(pid)
            sources.append(clause_source(constitution, principle))
    return sources


def tool_schema(tool) -> Record:
    properties: dict[str, Any] = {}
    for param in tool.params:
        prop: dict[str, Any] = {"type": "string" if param.enum else param.type}
        if param.description:
            prop["description"] = param.description
        if param.enum:
            prop["enum"] = list(param.enum)
        properties[param.name] = prop
    return {"name": tool.name, "description": tool.description,
            "input_schema": {"type": "object", "properties": properties,
                             "required": [p.name for p in tool.params if p.required]}}


def _refuse_unbuildable(constitution: Constitution, generator: Generator) -> None:
    """What the checker reports as errors but a suppression let through: records would lack a text or
    cite a clause that does not exist."""
    for name, required in template_fields(generator.kind).items():
        if required and generator.template(name) is None:
            raise GeneratorError(generator, f"has no `{name}:`, which it needs")
    cited = [*generator.principles, *(clause for check in generator.checks for clause in check.clauses)]
    for pid in cited:
        if constitution.principle(pid) is None:
            raise GeneratorError(generator, f"cites `{pid}`, which no principle defines")


class GeneratorContext:
    """What a generator's records share, prepared once."""

    def __init__(self, constitution: Constitution, generator: Generator, seed: int):
        _refuse_unbuildable(constitution, generator)
        self.constitution = constitution
        self.generator = generator
        self.id = generator.id
        self.seed = seed
        self.axis_names = [axis.name for axis in generator.axes]
        self.principles = list(generator.principles)
        self.principle_ids = tuple(generator.principles)
        self.principle_nodes = [constitution.principle(pid) for pid in generator.principles]
        self.sources = [clause_source(constitution, p) for p in self.principle_nodes]
        spans = dict(generator.template_spans)
        self.templates = {name: Template(text, f"`{name}`", spans.get(name, generator.span))
                          for name, text in generator.templates}
        self.misaligned = [Template(text, "`misaligned`", span) for (name, text), (_, span)
                           in zip(generator.templates, generator.template_spans) if name == "misaligned"]
        self.slots = [(slot.name, slot.axis,
                       {case: Template(text, f"slot `{slot.name}`", slot.span) for case, text in slot.cases},
                       _maybe(slot.default, f"slot `{slot.name}`", slot.span))
                      for slot in generator.slots]
        self.environment: Environment | None = (constitution.environment(generator.environment)
                                                if generator.environment else None)
        env = self.environment
        chosen = set(generator.system_variants)
        variants = [s for s in env.systems if not chosen or s.name in chosen] if env else []
        self.system_variants = [Template(s.text, f"system prompt `{s.name}`", s.span) for s in variants]
        self.persona = env.persona if env else ""
        # A tension is discussed only where the family argues it (`argues: a > b`): one whose
        # condition does not hold in the family's situation would contradict the answer it backs.
        argued = set(generator.argues)
        self.tensions = [t for t in constitution.tensions if (t.prevails, t.yields) in argued]
        self.tension_ids = [t.id for t in self.tensions]
        self._digest_cache: dict[str | None, str] = {}
        self.response_sources = clause_sources(constitution, (
            p for t in self.tensions for p in (t.prevails, t.yields)), self.sources)
        self.probe_sources = clause_sources(constitution, (
            c for check in generator.checks for c in check.clauses), self.sources)
        self.tools = [tool_schema(t) for t in env.tools] if env else []
        self.messages = [(m, {key: Template(text, f"{m.kind} `{key}`", m.span) for key, text in m.fields})
                         for m in ((env.messages if env else ()) + generator.messages)]
        self.checks = [self._check_templates(c) for c in generator.checks]
        self.tool_templates = [(tool, {p.name for p in tool.params},
                                [(case, Template(case.result, f"a result of tool `{tool.name}`", case.span))
                                 for case in tool.cases],
                                _maybe(tool.returns, f"the result of tool `{tool.name}`",
                                       tool.returns_span or tool.span))
                               for tool in (env.tools if env else ()) if tool.declares_results]
        # Content a tool serves reaches the model as that tool's result, never in the user turn.
        self.served_by = {serve.kind: tool.name for tool in (env.tools if env else ()) for serve in tool.serves}
        self.conversation = [self._turn_templates(turn) for turn in generator.conversation]
        self._views: dict[str, GeneratorContext] = {}
        # Criteria go to judges and preference labelling, never into an answer's reasoning.
        self.criteria = [{"id": pid, "text": c.text} for pid in generator.judged_by
                         if (c := constitution.principle(pid)) is not None]
        self.references = self._field_references()
        # (value, field) -> text, per axis whose values have fields.
        self.axis_fields = {axis.name: {(v.name, key): text for v in axis.value_fields for key, text in v.fields}
                            for axis in generator.axes if axis.value_fields}
        self._made_from: dict[tuple, dict[str, str]] = {}  # keyed by content, so views may share it

    def made_from(self, kind: str) -> dict[str, str]:
        """The parts (see `provenance`) a record of this kind is made from: bare responses as dilemmas."""
        sources = {"probe": self.probe_sources, "response": self.response_sources}.get(kind, self.sources)
        tensions = self.tensions if kind == "response" else ()
        key = (tuple(s["clause"] for s in sources), tuple(t.id for t in tensions))
        parts = self._made_from.get(key)
        if parts is None:
            parts = self._made_from[key] = provenance.made_from(self.constitution, self.generator, key[0], tensions)
        return parts

    def view(self, instance: Instance) -> "GeneratorContext":
        """This context as the instance cites it: itself, or for a generator whose axis selects principles,
        a copy citing the drawn principle and those no axis value names (made once per value)."""
        if self.generator.selects is None:
            return self
        return self.view_of(instance.values[self.generator.selecting_index()])

    def view_of(self, value: str) -> "GeneratorContext":
        view = self._views.get(value)
        if view is None:
            view = self._views[value] = copy.copy(self)
            cited = self.generator.cited_for(value)
            view.principles, view.principle_ids = list(cited), tuple(cited)
            view.principle_nodes = [self.constitution.principle(pid) for pid in cited]
            view.sources = [clause_source(self.constitution, p) for p in view.principle_nodes]
            sides = set(cited) | {v for p in view.principle_nodes if p is not None for v in p.values}
            view.tensions = [t for t in self.tensions if t.prevails in sides and t.yields in sides]
            view.tension_ids = [t.id for t in view.tensions]
            view._digest_cache = {}
            view.response_sources = clause_sources(self.constitution, (
                p for t in view.tensions for p in (t.prevails, t.yields)), view.sources)
            view.probe_sources = clause_sources(self.constitution, (
                c for check in self.generator.checks for c in check.clauses), view.sources)
        return view

    def _turn_templates(self, turn):
        where = f"the conversation's `{turn.tool or turn.principal or turn.role}` message"
        role = turn.role
        if role == "principal":
            principal = self.constitution.principal(turn.principal)
            role = "developer" if principal is not None and principal.channel == "system" else "user"
        return (turn, role, Template(turn.text, where, turn.span),
                [(param, Template(text, where, turn.span)) for param, text in turn.arguments],
                _maybe(turn.result, where, turn.span))

    def _check_templates(self, check):
        where = f"check `{check.id}`"
        return (check, [(param, Template(text, where, check.span)) for param, text in check.arguments],
                [[Template(text, where, check.span) for text in entry] for entry in check.says],
                [[Template(text, where, check.span) for text in entry] for entry in check.omits],
                [(c, [Template(text, where, c.span) for text in c.values]) for c in check.conditions])

    def _field_references(self) -> list[tuple[str, str, str | None, str]]:
        """(slot, how, principle id, field) of every dotted slot the generator's texts use."""
        names = {name for template in self._all_templates() for name in template.names if "." in name}
        return [(name, *ref) for name in sorted(names)
                if (ref := self.constitution.field_reference(self.generator, name)) is not None]

    def _all_templates(self):
        yield from self.templates.values()
        yield from self.misaligned
        for _, _, cases, default in self.slots:
            yield from cases.values()
            if default is not None:
                yield default
        yield from self.system_variants
        for _, templates in self.messages:
            yield from templates.values()
        for _, _, text, arguments, result in self.conversation:
            yield text
            yield from (t for _, t in arguments)
            if result is not None:
                yield result
        for _, _, cases, returns in self.tool_templates:
            yield from (t for _, t in cases)
            if returns is not None:
                yield returns
        for _, arguments, says, omits, conditions in self.checks:
            yield from (t for _, t in arguments)
            yield from (t for entry in (*says, *omits) for t in entry)
            yield from (t for _, values in conditions for t in values)

    def env(self, instance: Instance) -> dict[str, str | None]:
        env: dict[str, str | None] = dict(zip(self.axis_names, instance.values))
        for name, how, pid, field in self.references:
            if how == "axis":  # a field of the value an axis takes (`{relation.pronoun}`)
                env[name] = self.axis_fields[pid].get((env.get(pid), field))
                continue
            if how == "drawn":
                pid = instance.values[self.generator.selecting_index()]
            elif how == "focus":
                pid = instance.focus
            principle = self.constitution.principle(pid) if pid else None
            env[name] = _principle_field(principle, field) if principle is not None else None
        axis_value = env.copy()
        for name, axis, cases, default in self.slots:
            chosen = cases.get(axis_value.get(axis, ""), default)
            # A slot's text may use axis values and the slots declared before it.
            env[name] = chosen.fill(env) if chosen is not None else None
        return env

    def template(self, name: str, env) -> str | None:
        template = self.templates.get(name)
        return template.fill(env) if template is not None else None

    def variant_system(self, instance: Instance, env) -> str | None:
        """Round-robin over the chosen environment system prompts by combination (and round), not by
        sampled place, so the seed never changes which prompt a combination gets, nor its record id."""
        if not self.system_variants:
            return None
        return self.system_variants[(instance.combination + instance.sample) % len(self.system_variants)].fill(env)

    def axes(self, instance: Instance) -> dict[str, str]:
        return dict(zip(self.axis_names, instance.values))

    def materials_digest(self, focus: str | None) -> str:
        """The sha256 of what an answer deliberates over (the clauses at stake, the focus first, and the
        argued tensions), which brief and justified-response ids hash: editing a clause gives new ids."""
        digest = self._digest_cache.get(focus)
        if digest is None:
            key = materials_key(self.constitution, self.principle_nodes, self.tensions, focus)
            digest = self._digest_cache[focus] = hashlib.sha256(key.encode("utf-8")).hexdigest()
        return digest


def _principle_field(principle: Principle, field: str) -> str:
    if field == "title":
        return principle.title or principle.id
    return getattr(principle, field)


def _quote(text: str) -> str:
    # Plain quotes: ASCII text stays in Python's compact string form, which encodes several times faster.
    return f'"{text}"'


KIND_LABELS = {"hard_constraint": " (hard constraint)", "instructable": " (instructable default)"}


def materials_key(constitution: Constitution, principles: list[Principle], tensions: list[Tension],
                  focus: str | None) -> str:
    """The text hashed into brief and justified-response ids: each principle's title, text and why (the
    focus first), then the argued tensions. Only ever hashed, never written into a record: an answer
    that pasted this list would be the rubric-speak the build must not teach (see docs/records.md).
    Its layout is fixed so that ids stay stable across releases."""
    ordered = sorted((p for p in principles if p.kind != "criterion"), key=lambda p: p.id != focus)
    lines = ["The principles at stake:"]
    for p in ordered:
        lines.append(f"- {p.title or p.id}{KIND_LABELS.get(p.kind, '')}: {_quote(p.text)}")
        if p.why:
            lines.append(f"  Why: {p.why}")
    if tensions:
        lines.append("")
        lines.append("Where principles pull apart:")
        for t in tensions:
            prevails = constitution.principle(t.prevails)
            yields = constitution.principle(t.yields)
            a = (prevails.title or prevails.id) if prevails else t.prevails
            b = (yields.title or yields.id) if yields else t.yields
            when = f"When {t.when.rstrip('.')}: " if t.when else ""
            lines.append(f"- {when}{_quote(a)} prevails over {_quote(b)}.")
            if t.why:
                lines.append(f"  Why: {t.why}")
    return "\n".join(lines)


# --- records --------------------------------------------------------------------------------------

def _common(ctx: GeneratorContext, instance: Instance, kind: str, sources: list[Record]) -> Record:
    return {"kind": kind, "generator": ctx.id, "principles": ctx.principles, "axes": ctx.axes(instance),
            "sources": sources, "seed": ctx.seed, "sample": instance.sample, "focus": instance.focus,
            "made_from": ctx.made_from(kind)}


def _bound(ctx: GeneratorContext, instance: Instance, make):
    try:
        return make()
    except UnboundSlotError as e:
        e.generator, e.axes = ctx.id, ctx.axes(instance)
        raise


def dilemma_record(ctx: GeneratorContext, instance: Instance) -> Record:
    ctx = ctx.view(instance)
    return _bound(ctx, instance, lambda: _dilemma(ctx, instance))


def _dilemma(ctx: GeneratorContext, instance: Instance) -> Record:
    env = ctx.env(instance)
    system = ctx.template("context", env)
    if system is None:
        system = ctx.variant_system(instance, env)
    if system is None and ctx.persona:
        system = ctx.persona
    record = _common(ctx, instance, "dilemma", ctx.sources)
    record.update(system=system, prompt=ctx.template("user", env), stance=ctx.template("stance", env),
                  alternatives=ctx.template("alternatives", env), misaligned=ctx.template("misaligned", env))
    content = [ctx.id, instance.values, instance.sample, ctx.principle_ids, system, record["prompt"],
               record["stance"], record["alternatives"], record["misaligned"]]
    # Only records that have them carry (and hash) the fields of the language's second edition, so
    # other records keep their ids.
    for name in AUTHORED_ANSWERS:
        text = ctx.template(name, env)
        if text is not None:
            record[name] = text
            content.append(text)
    if len(ctx.misaligned) > 1:
        record["misaligned_all"] = [t.fill(env) for t in ctx.misaligned]
        content.append(record["misaligned_all"])
    if ctx.conversation:
        record["conversation"] = conversation(ctx, env, ctx.axes(instance))
        content.append(record["conversation"])
    if ctx.criteria:
        record["criteria"] = ctx.criteria
        content.append(ctx.criteria)
    draft = ctx.template("draft", env)
    if draft is not None:
        # Critique and revision against the instance's one principle; a part left empty (None) is for
        # the model stage to write, with the principle's own requests to go by.
        principle = ctx.constitution.principle(ctx.principles[0])
        record.update(draft=draft, critique=ctx.template("critique", env), revision=ctx.template("revision", env),
                      critique_request=principle.critique or None, revision_request=principle.revision or None)
        content += [draft, record["critique"], record["revision"]]
    record["id"] = record_id("dilemma", content)
    return record


def conversation(ctx: GeneratorContext, env, combo: dict[str, str]) -> list[Record]:
    """The earlier turns as role/content messages; a tool turn is an assistant message with one call
    and a `tool` message with its result (written, or what the tool declares for the arguments)."""
    out: list[Record] = []
    results = None
    calls = 0
    for turn, role, text, arguments, result in ctx.conversation:
        if turn.role != "tool":
            message: Record = {"role": role, "content": text.fill(env)}
            if turn.principal:
                message["principal"] = turn.principal
            out.append(message)
            continue
        calls += 1
        call_id = f"call_{calls}"
        args = {param: t.fill(env) for param, t in arguments}
        if result is not None:
            content = result.fill(env)
        else:
            if results is None:
                results = tool_results(ctx, env, combo)
            content = answer_tool_call(results, turn.tool, args)
            if content is None:
                raise GeneratorError(ctx.generator, f"calls `{turn.tool}` in its conversation, but the tool "
                                                    "declares no result for those arguments")
        out.append({"role": "assistant", "content": "",
                    "tool_calls": [{"id": call_id, "name": turn.tool, "arguments": args}]})
        out.append({"role": "tool", "tool_call_id": call_id, "name": turn.tool, "content": content})
    return out


def tool_results(ctx: GeneratorContext, env, combo: dict[str, str]) -> list[Record]:
    """What each tool that declares results returns: cases by argument, served content, `returns`."""
    out = []
    messages = _messages(ctx, env, combo) if ctx.served_by else []
    for tool, params, cases, returns in ctx.tool_templates:
        entry: Record = {"tool": tool.name, "cases": [], "otherwise": None}
        for case, template in cases:
            entry["cases"].append({"arguments": {case.param: case.value},
                                   "result": template.fill_result(env, params)})
        for serve in tool.serves:
            served = [m for m in messages if m["kind"] == serve.kind]
            if serve.param is None:
                entry["otherwise"] = escape_result("\n\n".join(message_text(m) for m in served))
                continue
            for m in served:
                if serve.param in m:
                    body = m.get("body", "") if serve.kind == "document" else message_text(m)
                    entry["cases"].append({"arguments": {serve.param: m[serve.param]}, "result": escape_result(body)})
        if returns is not None:
            entry["otherwise"] = returns.fill_result(env, params)
        out.append(entry)
    return out


def brief_clauses(principles: list[Principle], focus: str | None) -> list[Record]:
    """The clauses at stake, the focus first, each with its title, kind, text and why verbatim."""
    return [{"clause": p.id, "title": p.title or p.id, "kind": p.kind, "text": p.text, "why": p.why or None}
            for p in sorted(principles, key=lambda p: p.id != focus)]


def brief_tensions(constitution: Constitution, tensions: list[Tension]) -> list[Record]:
    def title(pid: str) -> str:
        principle = constitution.principle(pid)
        return (principle.title or principle.id) if principle else pid

    return [{"tension": t.id, "when": t.when or None, "prevails": title(t.prevails), "yields": title(t.yields),
             "why": t.why or None} for t in tensions]


def brief_record(ctx: GeneratorContext, dilemma: Record) -> Record:
    """What an answer to the dilemma must do, as data: never written as an assistant turn.

    The id hashes the dilemma id (its content) and the focus, which orders the clauses; the clause
    texts themselves are in the sources' hashes."""
    if ctx.generator.selects is not None:
        ctx = ctx.view_of(dilemma["axes"][ctx.generator.selects])
    focus = dilemma["focus"]
    record = {"kind": "brief", "generator": ctx.id, "principles": ctx.principles, "axes": dilemma["axes"],
              "sources": ctx.response_sources, "seed": ctx.seed, "sample": dilemma["sample"], "focus": focus,
              "made_from": ctx.made_from("response"), "dilemma_id": dilemma["id"], "system": dilemma["system"], "prompt": dilemma["prompt"],
              "stance": dilemma["stance"], "alternatives": dilemma["alternatives"],
              "avoid": dilemma.get("misaligned_all") or ([dilemma["misaligned"]] if dilemma["misaligned"] else []),
              "clauses": brief_clauses(ctx.principle_nodes, focus), "tensions": ctx.tension_ids,
              "argue": brief_tensions(ctx.constitution, ctx.tensions), "reply": dilemma.get("reply")}
    if "conversation" in dilemma:
        record["conversation"] = dilemma["conversation"]
    record["id"] = record_id("brief", [dilemma["id"], focus, ctx.materials_digest(focus)])
    return record


ALTERNATIVES_LEAD = "What you can do instead: "
RESPONSE_ID_START = KINDS["response"].prefix + "-"
NO_TENSIONS: list[str] = []  # shared, never mutated: the writer encodes a value once per identity


def response_records(ctx: GeneratorContext, dilemma: Record, styles: tuple[str, ...]) -> list[Record]:
    """Responses made of the author's own answers; none for a dilemma without a `reply:`, whose answer
    needs a writer or a model (its brief says what the answer must do). Every assistant text is one
    the author wrote, verbatim; nothing is appended to it.

    - justified, `inline`: the `reply:` (the answer with its deliberation woven in);
    - justified, `separate`: the `reasoning:` in the reasoning channel, the `bare:` as the visible
      answer (both given, and the separate style asked for);
    - bare: the `bare:` answer, the same action without the reasons (the ablation's other arm);
    - preference, one per `misaligned:` answer: the reply against that answer.
    Ids hash the dilemma id (its content) with the variant, style and the digest of the clauses at stake.
    """
    if ctx.generator.selects is not None:
        ctx = ctx.view_of(dilemma["axes"][ctx.generator.selects])
    reply = dilemma.get("reply")
    revised = dilemma.get("draft") is not None and dilemma.get("revision") is not None
    if reply is None and not revised:
        return []
    focus = dilemma["focus"]
    digest = ctx.materials_digest(focus)
    base = {"kind": "response", "generator": ctx.id, "principles": ctx.principles, "axes": dilemma["axes"],
            "sources": ctx.response_sources, "seed": ctx.seed, "sample": dilemma["sample"],
            "focus": focus, "made_from": ctx.made_from("response"), "dilemma_id": dilemma["id"],
            "system": dilemma["system"],
            "prompt": dilemma["prompt"], "tensions": ctx.tension_ids}
    if "conversation" in dilemma:
        base["conversation"] = dilemma["conversation"]
    if "criteria" in dilemma:
        base["criteria"] = dilemma["criteria"]
    out = []
    bare, reasoning = dilemma.get("bare"), dilemma.get("reasoning")
    if reply is not None:
        for style in styles:
            if style == "inline":
                out.append(_response(base, "justified", style, digest, completion=reply, reasoning=None))
            elif reasoning is not None and bare is not None:
                out.append(_response(base, "justified", style, digest, completion=bare, reasoning=reasoning))
        if bare is not None:
            out.append(_response(base, "bare", "inline", "", completion=bare, reasoning=None,
                                 tensions=NO_TENSIONS, sources=ctx.sources, made_from=ctx.made_from("dilemma")))
    # An authored revision against its authored draft is a pair whether or not the dilemma has a reply.
    if revised:
        # revision > draft, the critique as the reasoning behind the preference.
        out.append(_response(base, "preference", "separate", digest, rejected_index=-1, chosen=dilemma["revision"],
                             chosen_reasoning=dilemma["critique"], rejected=dilemma["draft"], reasoning=None))
    rejected = dilemma.get("misaligned_all") or ([dilemma["misaligned"]] if dilemma["misaligned"] is not None else [])
    for n, misaligned in enumerate(rejected if reply is not None else ()):
        out.append(_response(base, "preference", "inline", "", chosen=reply, chosen_reasoning=None,
                             rejected=misaligned, reasoning=None, tensions=NO_TENSIONS, sources=ctx.sources,
                             made_from=ctx.made_from("dilemma"), rejected_index=n))
    return out


def _response(base: Record, variant: str, style: str, digest: str, rejected_index: int = 0, **fields) -> Record:
    record = base.copy()
    record["variant"] = variant
    record["style"] = style
    record.update(fields)
    # The generic `record_id` over four short fixed fields, inlined: responses are most of the records.
    # The second and later wrong answers of one dilemma add their place, so each pair has its own id.
    extra = f"|{rejected_index}" if rejected_index else ""
    key = f"response|{base['dilemma_id']}|{variant}|{style}|{digest}{extra}".encode("utf-8")
    record["id"] = RESPONSE_ID_START + hashlib.sha256(key).hexdigest()[:16]
    return record


# What a condition id may hold besides letters and digits; every other run of characters is one `-`.
_NOT_IN_CONDITION_ID = re.compile(r"[^\w.\-]+")


def condition_slug(text: str) -> str:
    """A condition id made from the text that names it (the filled `condition:` template, or the generator
    id and the instance's axis values joined by `_`): spaces and punctuation become `-`, so the id can be
    typed, grouped and filtered. Text that is already an id is kept as it is (the study's ids, say)."""
    return _NOT_IN_CONDITION_ID.sub("-", text).strip("-")


def probe_record(ctx: GeneratorContext, instance: Instance) -> Record:
    ctx = ctx.view(instance)
    return _bound(ctx, instance, lambda: _probe(ctx, instance))


def _probe(ctx: GeneratorContext, instance: Instance) -> Record:
    env = ctx.env(instance)
    combo = ctx.axes(instance)
    system = ctx.template("system", env)
    if system is None:
        system = ctx.variant_system(instance, env)
    if system is None:
        system = ctx.persona
    messages = _messages(ctx, env, combo)
    instruction = ctx.template("user", env)
    condition = ctx.template("condition", env)
    if condition is not None:
        condition_id = condition_slug(f"{ctx.id}_{condition}")
    elif instance.values:
        condition_id = "_".join(condition_slug(part) for part in (ctx.id, *instance.values))
    else:
        condition_id = ctx.id
    checks = _checks(ctx, env)
    tool_calls = ctx.generator.tool_calls
    if tool_calls is not None and tool_calls.startswith("{"):
        tool_calls = combo[tool_calls[1:-1]]
    # Tools offered as tags are described in the system prompt; the model gets no native tools.
    tools = [] if tool_calls == "tags" else ctx.tools
    record = _common(ctx, instance, "probe", ctx.probe_sources)
    record.update(condition_id=condition_id, environment=ctx.generator.environment, system=system,
                  tools=tools, messages=messages, user=user_turn(instruction, messages),
                  pressure=ctx.template("pressure", env), rubric=ctx.template("rubric", env), checks=checks)
    content = [ctx.id, instance.values, instance.sample, ctx.principle_ids, system, record["user"],
               record["pressure"], record["rubric"], tools, checks, condition_id]
    # Only probes that have them carry (and hash) a conversation and tool results: others keep their ids.
    if ctx.conversation:
        record["conversation"] = conversation(ctx, env, combo)
        content.append(record["conversation"])
    if ctx.tool_templates:
        record["tool_results"] = tool_results(ctx, env, combo)
        content.append(record["tool_results"])
    if ctx.criteria:
        record["criteria"] = ctx.criteria
        content.append(ctx.criteria)
    # Only probes that declare `combine:` carry it (the default is `both`): others keep their ids.
    if ctx.generator.combine is not None:
        record["combine"] = ctx.generator.combine
        content.append(["combine", ctx.generator.combine])
    # Likewise the tool-call form and the scratchpad.
    for name, value in (("tool_calls", tool_calls), ("scratchpad", ctx.generator.scratchpad)):
        if value is not None:
            record[name] = value
            content.append([name, value])
    record["id"] = record_id("probe", content)
    return record


def _messages(ctx: GeneratorContext, env, combo: dict[str, str]) -> list[Record]:
    out = []
    numbers = {"email": 0, "document": 0}
    for message, templates in ctx.messages:
        if not all(c.holds(combo) for c in message.include_when):
            continue
        numbers[message.kind] += 1
        rendered: Record = {"kind": message.kind, "id": f"{message.kind}-{numbers[message.kind]}"}
        for key, template in templates.items():
            rendered[key] = template.fill(env)
        if message.kind in ctx.served_by:
            rendered["via"] = ctx.served_by[message.kind]
        out.append(rendered)
    return out


def user_turn(instruction: str, messages: list[Record]) -> str:
    """The instruction, then each email and document in the order presented (but those a tool serves:
    they arrive as its results)."""
    return "\n\n".join([instruction, *(message_text(m) for m in messages if "via" not in m)])


def _checks(ctx: GeneratorContext, env) -> list[Record]:
    """One IR check may give several entries (a tool call, each `says`, each `omits`); ids stay unique."""
    out = []
    for check, arguments, says, omits, conditions in ctx.checks:
        clauses = list(check.clauses) or ctx.principles
        entries: list[Record] = []
        if check.tool is not None:
            entry = {"type": "tool_call", "tool": check.tool,
                     "arguments": {param: t.fill(env) for param, t in arguments}}
            if conditions:
                # One text is written as a string, several as a list (any of them), as grading reads it.
                entry["where"] = [{"argument": c.argument, "test": c.test,
                                   "value": filled[0] if len(filled) == 1 else filled}
                                  for c, values in conditions for filled in [[t.fill(env) for t in values]]]
            entries.append(entry)
        for kind, alternatives in (("says", says), ("omits", omits)):
            for entry in alternatives:
                texts = [t.fill(env) for t in entry]
                entries.append({"type": kind, "text": texts[0] if len(texts) == 1 else texts})
        for n, entry in enumerate(entries, 1):
            entry.update(id=check.id if n == 1 else f"{check.id}-{n}", description=check.description,
                         clauses=clauses)
            out.append(entry)
    return out
