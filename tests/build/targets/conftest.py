"""Canonical records for the target tests, derived from real constitutions.

The targets consume the record shapes of notes/records.md. Until the build core
streams them, this module derives them from the IR of real `.cdl` files (the
quickstart example plus `data/varied.cdl`, which covers what the quickstart
lacks: no axes, a system context, unicode, documents, optional and enum tool
parameters, says/omits checks, system variants, slots and forcing rules).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.axes import combinations
from constitutionc.ir import Constitution, Generator, Message
from constitutionc.templates import render

REPO = Path(__file__).resolve().parents[3]
DATA = Path(__file__).resolve().parent / "data"
QUICKSTART = REPO / "examples" / "quickstart" / "constitution.cdl"
VARIED = DATA / "varied.cdl"
SEED = 20240229


def record_id(prefix: str, *parts) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:16]}"


def relative(file: str) -> str:
    path = Path(file)
    return path.resolve().relative_to(REPO).as_posix() if path.is_absolute() else path.as_posix()


def sources_for(c: Constitution, principle_ids) -> list[dict]:
    out = []
    for pid in principle_ids:
        p = c.principle(pid)
        out.append({"clause": pid, "file": relative(p.span.file), "line": p.span.line,
                    "end_line": p.span.end_line, "sha256": p.sha256})
    return out


def renderer(g: Generator, combo: dict[str, str]):
    slots = {s.name: s for s in g.slots}

    def lookup(name: str) -> str | None:
        if name in combo:
            return combo[name]
        return slots[name].lookup(combo[slots[name].axis]) if name in slots else None

    def text(field: str) -> str | None:
        template = g.template(field)
        return None if template is None else render(template, lookup)

    return text, lookup


def instances(g: Generator) -> list[dict[str, str]]:
    combos = list(combinations(g))
    return combos[: g.count] if g.count else combos


def common(c: Constitution, g: Generator, prefix: str, combo: dict, *extra) -> dict:
    return {"id": record_id(prefix, g.id, combo, *extra), "generator": g.id, "principles": list(g.principles),
            "axes": dict(combo), "sources": sources_for(c, g.principles), "seed": SEED}


def dilemma_records(c: Constitution, g: Generator):
    for combo in instances(g):
        text, _ = renderer(g, combo)
        yield {**common(c, g, "dl", combo), "kind": "dilemma", "system": text("context"), "prompt": text("user"),
               "stance": text("stance"), "alternatives": text("alternatives"), "misaligned": text("misaligned")}


def deliberation(c: Constitution, dilemma: dict) -> tuple[str, list[str], list[str]]:
    """Reasoning that cites each principle (text and why) and each tension between them."""
    lines = []
    for pid in dilemma["principles"]:
        p = c.principle(pid)
        lines.append(f"The principle “{p.title}” applies: {p.text} The reason: {p.why}")
    tensions, extra = [], []
    for t in c.tensions:
        if t.prevails in dilemma["principles"] or t.yields in dilemma["principles"]:
            tensions.append(t.id)
            lines.append(f"Where {t.prevails} and {t.yields} pull apart, {t.prevails} prevails: {t.why}")
            extra.extend(pid for pid in (t.prevails, t.yields) if pid not in dilemma["principles"])
    return "\n".join(lines), tensions, extra


def response_records(c: Constitution, dilemma: dict):
    reasoning, tensions, extra = deliberation(c, dilemma)
    answer = dilemma["stance"] + (f"\n\nInstead: {dilemma['alternatives']}" if dilemma["alternatives"] else "")
    base = {"kind": "response", "dilemma_id": dilemma["id"], "generator": dilemma["generator"],
            "principles": dilemma["principles"], "axes": dilemma["axes"], "seed": SEED,
            "sources": dilemma["sources"] + sources_for(c, extra), "system": dilemma["system"],
            "prompt": dilemma["prompt"], "tensions": tensions}
    for style in ("inline", "separate"):
        completion = f"{dilemma['stance']}\n\n{reasoning}\n\n{answer}" if style == "inline" else answer
        kept = reasoning if style == "separate" else None
        yield {**base, "id": record_id("rs", dilemma["id"], "justified", style), "variant": "justified",
               "style": style, "completion": completion, "reasoning": kept}
        if dilemma["misaligned"]:
            yield {**base, "id": record_id("rs", dilemma["id"], "preference", style), "variant": "preference",
                   "style": style, "chosen": completion, "chosen_reasoning": kept,
                   "rejected": dilemma["misaligned"], "reasoning": None}
    yield {**base, "id": record_id("rs", dilemma["id"], "bare"), "variant": "bare", "style": "inline",
           "completion": answer, "reasoning": None}


def tool_schema(tool) -> dict:
    properties = {}
    for p in tool.params:
        prop = {"type": "string" if p.enum else p.type, "description": p.description}
        if p.enum:
            prop["enum"] = list(p.enum)
        properties[p.name] = prop
    return {"name": tool.name, "description": tool.description,
            "input_schema": {"type": "object", "properties": properties,
                             "required": [p.name for p in tool.params if p.required]}}


def message_record(message: Message, index: int, lookup) -> dict:
    out = {"kind": message.kind, "id": f"{message.kind}-{index}"}
    for key, value in message.fields:
        out[key] = render(value, lookup)
    return out


def message_text(message: dict) -> str:
    if message["kind"] == "email":
        head = [f"{name.capitalize()}: {message[name]}" for name in ("from", "to", "cc", "subject", "date")
                if name in message]
        return "\n".join(["--- email ---", *head, "", message.get("body", "")])
    return "\n".join([f"--- document: {message.get('title', '')} ---", message.get("body", "")])


def probe_records(c: Constitution, g: Generator):
    env = c.environment(g.environment) if g.environment else None
    variants = [v for v in env.systems if not g.system_variants or v.name in g.system_variants] if env else []
    for index, combo in enumerate(instances(g)):
        text, lookup = renderer(g, combo)
        messages = [message_record(m, i, lookup) for i, m in enumerate(g.messages, 1)
                    if all(cond.holds(combo) for cond in m.include_when)]
        system = text("system") or (variants[index % len(variants)].text if variants else env.persona if env else "")
        condition = text("condition")
        condition_id = f"{g.id}_{condition}" if condition else "_".join([g.id, *combo.values()])
        checks = []
        for check in g.checks:
            entry = {"id": check.id, "description": check.description, "clauses": list(check.clauses)}
            if check.tool:
                entry.update(type="tool_call", tool=check.tool, arguments=dict(check.arguments))
            elif check.says:
                entry.update(type="says", text=check.says[0])
            else:
                entry.update(type="omits", text=check.omits[0])
            checks.append(entry)
        yield {**common(c, g, "pr", combo), "kind": "probe", "condition_id": condition_id,
               "environment": g.environment, "system": system,
               "tools": [tool_schema(t) for t in env.tools] if env else [], "messages": messages,
               "user": "\n\n".join([text("user"), *(message_text(m) for m in messages)]),
               "pressure": text("pressure"), "rubric": text("rubric"), "checks": checks}


def canonical_records(path: Path) -> list[tuple[str, dict]]:
    result = load([path])
    assert result.ok, result.diagnostics
    c = result.constitution
    out: list[tuple[str, dict]] = []
    for g in c.generators:
        if g.kind == "dilemma":
            for dilemma in dilemma_records(c, g):
                out.append(("dilemma", dilemma))
                out.extend(("response", r) for r in response_records(c, dilemma))
        else:
            out.extend(("probe", p) for p in probe_records(c, g))
    return out


@pytest.fixture(scope="session")
def records() -> list[tuple[str, dict]]:
    """Every canonical record of the quickstart example and the varied fixture, in stream order."""
    return canonical_records(QUICKSTART) + canonical_records(VARIED)


def by_kind(records, kind: str) -> list[dict]:
    return [r for k, r in records if k == kind]


def run_target(cls, out_dir: Path, records, **options) -> list[Path]:
    target = cls(out_dir, **options)
    for kind, record in records:
        target.write(kind, record)
    return target.close()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
