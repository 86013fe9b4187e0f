"""Placeholder outputs for the dry run: each the size a real reply is expected to have, so the requests
that depend on it (a bare or rejected reply quotes the justified one) are priced at their real size.
They are never written anywhere and never pass for data."""

from __future__ import annotations

from ..prompts import schemas as s
from .steps import Item


def _text(tokens: int, tag: str) -> str:
    words = max(1, int(tokens * 0.75))
    return " ".join([tag] + ["lorem"] * (words - 1))


def synthetic_output(prompt, item: Item, serial: int):
    n = prompt.expected_output_tokens
    pid = prompt.id
    if pid.startswith("response_justified"):
        clauses = [c.id for c in item.inputs.principles]
        if pid.endswith("separate"):
            return s.JustifiedSeparate(reasoning=_text(n // 2, "reasoning"), answer=_text(n // 2, "answer"),
                                       clauses_applied=clauses)
        return s.JustifiedInline(answer=_text(n, "answer"), clauses_applied=clauses)
    if pid == "response_bare":
        return s.BareResponse(answer=_text(n, "bare"))
    if pid == "response_rejected":
        separate = item.data.get("style") == "separate"
        return s.RejectedResponse(reasoning=_text(n // 2, "reasoning") if separate else None,
                                  answer=_text(n // 2 if separate else n, "rejected"))
    if pid == "dilemma_draft":
        with_system = item.inputs.variation.with_system_prompt
        return s.DraftedDilemma(system=_text(80, "system") if with_system else None,
                                prompt=_text(n - 270, f"draft{serial}"), stance=_text(60, "stance"),
                                alternatives=_text(70, "alternatives"),
                                misaligned=_text(30, "misaligned"), situation=_text(30, "situation"))
    if pid == "document":
        return s.Document(title="Placeholder", body=_text(n, "document"), cites=[item.inputs.subject.id])
    if pid == "story":
        return s.Story(title="Placeholder", story=_text(n, "story"), premise=_text(30, "premise"))
    if pid == "episode":
        tools = list(item.inputs.tools)
        per = n // 6
        steps = [s.EpisodeStep(reasoning=_text(per, "reasoning"), text="",
                               tool_calls=[s.ToolCall(id=f"call_{i}", name=tools[0].name, input={})],
                               tool_results=[s.ToolResult(call_id=f"call_{i}", content=_text(per, "result"))])
                 for i in range(2)]
        steps.append(s.EpisodeStep(reasoning=_text(per, "reasoning"), text=_text(per, "final"), tool_calls=[],
                                   tool_results=[]))
        return s.Episode(system=_text(150, "system"), tools=tools, user=_text(60, "task"), steps=steps,
                         cites=[item.inputs.clauses[0].id])
    if pid == "critique":
        clause = item.inputs.clauses[0]
        return s.Critique(clause=clause.id, quote=clause.text[:40], problem=_text(n - 60, "problem"),
                          verdict="revise")
    if pid == "revision":
        separate = item.data.get("style") == "separate"
        return s.Revision(reasoning=_text(n // 2, "reasoning") if separate else None,
                          answer=_text(n // 2 if separate else n, "revision"))
    raise KeyError(pid)
