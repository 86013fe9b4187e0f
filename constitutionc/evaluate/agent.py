"""The agent loop: each probe sample is a conversation the model runs, turn by turn, with tools.

All conversations advance one turn per round, so a round is one `Session.run` (one set of batches in
batch mode). A probe's earlier turns (its `conversation`: system and developer messages, user turns,
the assistant's earlier turns and tool calls with their results) are replayed as the Messages API takes
them (`emit.targets.base.anthropic_turns`, what the anthropic target writes): system and developer
messages join the system prompt, the rest come before the probe's user turn, marked `replayed` in the
transcript so the checks grade only what the model under test wrote. Message ids are stable: one id per
message in order, `m1` first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..emit.targets.base import anthropic_turns
from ..llm import Request, Session
from ..grading.environment import tool_result


@dataclass
class Conversation:
    probe: dict
    sample: int
    system: str | None = None
    messages: list[dict] = field(default_factory=list)
    status: str = "running"  # running | complete | max_turns | refused | error | budget
    error: str | None = None
    error_kind: str | None = None
    turns: int = 0
    usage: dict = field(default_factory=lambda: {"input_tokens": 0, "output_tokens": 0,
                                                 "cache_creation_input_tokens": 0,
                                                 "cache_read_input_tokens": 0})

    def add(self, role: str, content, replayed: bool = False) -> None:
        message = {"id": f"m{len(self.messages) + 1}", "role": role, "content": content}
        if replayed:
            message["replayed"] = True
        self.messages.append(message)

    def wire_messages(self) -> list[dict]:
        return [{"role": m["role"], "content": m["content"]} for m in self.messages]

    def transcript(self, model: str) -> dict:
        return {"probe_id": self.probe["id"], "sample": self.sample, "model": model,
                "system": self.system, "status": self.status, "error": self.error,
                "error_kind": self.error_kind, "turns": self.turns, "usage": self.usage,
                "messages": self.messages}


def run_label(probe_id: str, sample: int) -> str:
    """The run a request belongs to, in its key (`Request.run`): every run is its own draw, so two runs
    whose requests are byte-identical (two probes of one scenario with different focus clauses, two
    samples with the same transcript) get an answer each, from the model and from the judge."""
    return f"{probe_id}#{sample}"


def first_turn(probe: dict, sample: int) -> Conversation:
    system, earlier = anthropic_turns(probe)
    conversation = Conversation(probe, sample, system)
    for message in earlier:
        conversation.add(message["role"], message["content"], replayed=True)
    conversation.add("user", probe.get("user", ""))
    return conversation


def request_for(conversation: Conversation, model: str, max_tokens: int, params: dict) -> Request:
    probe = conversation.probe
    return Request(model=model, system=conversation.system, messages=conversation.wire_messages(),
                   tools=probe.get("tools") or [], max_tokens=max_tokens, params=params,
                   sample=conversation.sample, run=run_label(probe["id"], conversation.sample))


def run_conversations(session: Session, conversations: list[Conversation], *, model: str, max_turns: int,
                      max_tokens: int = 4096, params: dict | None = None, batch: bool = False) -> None:
    params = params or {}
    for _ in range(max_turns):
        active = [c for c in conversations if c.status == "running"]
        if not active:
            return
        session.progress.start(len(active))
        outcomes = session.run([request_for(c, model, max_tokens, params) for c in active], batch=batch)
        for conversation, outcome in zip(active, outcomes):
            conversation.turns += 1
            if not outcome.ok:
                conversation.status = "budget" if outcome.failure.kind == "budget" else "error"
                conversation.error_kind = outcome.failure.kind
                conversation.error = outcome.failure.message
                continue
            response = outcome.response
            for name, value in response.usage.model_dump().items():
                conversation.usage[name] += value
            conversation.add("assistant", response.content)
            if response.refused:
                conversation.status = "refused"
            elif response.tool_uses and response.stop_reason == "tool_use":
                conversation.add("user", [{"type": "tool_result", "tool_use_id": call.get("id", ""),
                                           "content": tool_result(conversation.probe, call.get("name", ""),
                                                              call.get("input") or {})}
                                          for call in response.tool_uses])
            else:
                conversation.status = "complete"
    for conversation in conversations:
        if conversation.status == "running":
            conversation.status = "max_turns"
