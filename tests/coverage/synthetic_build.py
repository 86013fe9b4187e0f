"""Write build output (dilemmas/responses/probes JSONL) from real IR, following notes/records.md.

This stands in for `constitutionc build` in the coverage tests and the benchmark
until the build exists: it expands every generator's axis combinations, emits
one dilemma per combination and its responses (justified, bare, and a
preference pair when the family has `misaligned`), and one probe per probe
combination. Texts are rendered from the generator's templates; the point is
the record shape and the provenance fields, which coverage reads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Iterable, Iterator

from constitutionc.axes import combinations
from constitutionc.ir import Constitution, Generator
from constitutionc.templates import render


def record_id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return f"{prefix}-{digest[:16]}"


def sources_for(constitution: Constitution, clause_ids: Iterable[str]) -> list[dict]:
    out = []
    for clause in clause_ids:
        principle = constitution.principle(clause)
        span = principle.span
        out.append({"clause": clause, "file": span.file, "line": span.line, "end_line": span.end_line,
                    "sha256": principle.sha256})
    return out


def _fill(generator: Generator, combo: dict[str, str], name: str) -> str | None:
    text = generator.template(name)
    if text is None:
        return None

    def lookup(key: str) -> str | None:
        if key in combo:
            return combo[key]
        for slot in generator.slots:
            if slot.name == key:
                return slot.lookup(combo.get(slot.axis, ""))
        return None

    return render(text, lookup)


def tensions_discussed(constitution: Constitution, generator: Generator) -> list:
    """The synthetic rule: a response discusses the tensions that involve a principle its family teaches."""
    taught = set(generator.principles)
    return [t for t in constitution.tensions if t.prevails in taught or t.yields in taught]


def dilemma_records(constitution: Constitution, generator: Generator, copy: int = 0) -> Iterator[tuple[dict, list[dict]]]:
    """Yield (dilemma, responses) for each axis combination."""
    base_sources = sources_for(constitution, generator.principles)
    tensions = tensions_discussed(constitution, generator)
    extra = [c for t in tensions for c in (t.prevails, t.yields) if c not in generator.principles]
    response_sources = base_sources + sources_for(constitution, dict.fromkeys(extra))
    for index, combo in enumerate(combinations(generator)):
        seed = copy * 1_000_003 + index
        prompt = _fill(generator, combo, "user") or ""
        dilemma = {
            "id": record_id("dl", generator.id, combo, copy), "kind": "dilemma", "generator": generator.id,
            "principles": list(generator.principles), "axes": dict(combo), "sources": base_sources, "seed": seed,
            "system": _fill(generator, combo, "context"), "prompt": prompt,
            "stance": _fill(generator, combo, "stance") or "",
            "alternatives": _fill(generator, combo, "alternatives"),
            "misaligned": _fill(generator, combo, "misaligned"),
        }
        responses = []
        common = {"kind": "response", "generator": generator.id, "principles": list(generator.principles),
                  "axes": dict(combo), "seed": seed, "dilemma_id": dilemma["id"], "system": dilemma["system"],
                  "prompt": prompt, "style": "inline", "reasoning": None}
        justified = f"{dilemma['stance']} {dilemma['alternatives'] or ''}".strip()
        responses.append({**common, "id": record_id("rs", dilemma["id"], "justified"), "variant": "justified",
                          "completion": justified, "sources": response_sources,
                          "tensions": [t.id for t in tensions]})
        responses.append({**common, "id": record_id("rs", dilemma["id"], "bare"), "variant": "bare",
                          "completion": dilemma["stance"], "sources": base_sources, "tensions": []})
        if dilemma["misaligned"]:
            responses.append({**common, "id": record_id("rs", dilemma["id"], "preference"),
                              "variant": "preference", "chosen": justified, "chosen_reasoning": None,
                              "rejected": dilemma["misaligned"], "sources": response_sources,
                              "tensions": [t.id for t in tensions]})
        yield dilemma, responses


def probe_records(constitution: Constitution, generator: Generator, copy: int = 0) -> Iterator[dict]:
    environment = constitution.environment(generator.environment) if generator.environment else None
    tools = []
    for tool in environment.tools if environment else ():
        properties = {p.name: {"type": p.type, "description": p.description} for p in tool.params}
        tools.append({"name": tool.name, "description": tool.description,
                      "input_schema": {"type": "object", "properties": properties,
                                       "required": [p.name for p in tool.params if p.required]}})
    sources = sources_for(constitution, generator.principles)
    for index, combo in enumerate(combinations(generator)):
        condition = "_".join([generator.id, *combo.values()])
        messages = []
        for position, message in enumerate(generator.messages):
            if not all(c.holds(combo) for c in message.include_when):
                continue
            fields = {key: render(value, lambda k: combo.get(k)) for key, value in message.fields}
            messages.append({"kind": message.kind, "id": fields.pop("id", f"m{position + 1}"), **fields})
        yield {
            "id": record_id("pr", generator.id, combo, copy), "kind": "probe", "generator": generator.id,
            "principles": list(generator.principles), "axes": dict(combo), "sources": sources,
            "seed": copy * 1_000_003 + index, "condition_id": condition, "environment": generator.environment,
            "system": environment.systems[0].text if environment and environment.systems else "",
            "tools": tools, "messages": messages, "user": _fill(generator, combo, "user") or "",
            "pressure": _fill(generator, combo, "pressure"), "rubric": _fill(generator, combo, "rubric") or "",
            "checks": [{"id": c.id, "description": c.description, "type": "tool_call", "tool": c.tool,
                        "arguments": dict(c.arguments), "clauses": list(c.clauses)}
                       for c in generator.checks if c.tool],
        }


def dump(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_build(constitution: Constitution, out: Path, copies: int = 1) -> dict[str, int]:
    """Write the three JSONL files; returns how many records of each kind were written."""
    out.mkdir(parents=True, exist_ok=True)
    counts = {"dilemma": 0, "response": 0, "probe": 0}
    with (out / "dilemmas.jsonl").open("w", encoding="utf-8", newline="\n") as dilemmas, \
         (out / "responses.jsonl").open("w", encoding="utf-8", newline="\n") as responses, \
         (out / "probes.jsonl").open("w", encoding="utf-8", newline="\n") as probes:
        for copy in range(copies):
            for generator in constitution.generators:
                if generator.kind == "dilemma":
                    for dilemma, replies in dilemma_records(constitution, generator, copy):
                        dilemmas.write(dump(dilemma))
                        counts["dilemma"] += 1
                        for reply in replies:
                            responses.write(dump(reply))
                            counts["response"] += 1
                else:
                    for probe in probe_records(constitution, generator, copy):
                        probes.write(dump(probe))
                        counts["probe"] += 1
    (out / "manifest.json").write_text(json.dumps({"counts": counts}, sort_keys=True) + "\n", encoding="utf-8")
    return counts
