"""A scripted model for the generation tests: for every prompt, a schema-valid structured output that
passes the quality checks, written from the request it answers (so two requests never get the same
text), plus switches that make it misbehave in known ways.

It reads what a real model reads: the forced tool's name and the JSON materials in the user turn.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from tests.llm.server import Reply, tool_use_block

VOCABULARY = ("river lantern copper meadow orbit velvet harbor pepper quartz willow ember saddle tundra "
              "marble cinder falcon garnet hollow juniper kettle lagoon mosaic nectar oyster prairie quiver "
              "russet sparrow thimble umber vortex walnut yarrow zephyr anchor bramble cobalt dune fjord "
              "glacier heather ivory jasper kelp linen mango nutmeg opal pebble quill raven sable tansy").split()


def _stream(seed: str, count: int) -> list[str]:
    out, counter = [], 0
    while len(out) < count:
        digest = hashlib.sha256(f"{seed}|{counter}".encode()).digest()
        out += [VOCABULARY[b % len(VOCABULARY)] for b in digest]
        counter += 1
    return out[:count]


def prose(seed: str, words: int, opening: str = "I think") -> str:
    """First-person sentences of made-up words: unique per seed, never a probe's or a clause's words."""
    body = _stream(seed, max(0, words - len(opening.split())))
    sentences, i = [], 0
    while i < len(body):
        sentences.append(" ".join(body[i:i + 9]))
        i += 9
    return opening + " " + ". ".join(sentences) + "."


def _block(text: str, heading: str):
    """The JSON value printed after a heading line of the rendered user turn."""
    start = text.find(heading)
    if start < 0:
        return None
    rest = text[start + len(heading):].lstrip("\n")
    value, _ = json.JSONDecoder().raw_decode(rest)
    return value


def _words_after(text: str, pattern: str) -> int:
    match = re.search(pattern, text)
    return int(match.group(1)) if match else 120


@dataclass
class ScriptedModel:
    """`model_server.script = ScriptedModel()`. Counters say what it was asked."""

    invalid_first: set[str] = field(default_factory=set)  # tool names whose first reply breaks the schema
    stage_direction_first: bool = False  # the first justified reply opens with a stage direction
    keep_every_draft: bool = False  # critiques say "keep"
    asked: dict[str, int] = field(default_factory=dict)
    users: dict[str, list[str]] = field(default_factory=dict)  # the user turns it was sent, per tool

    def __call__(self, call) -> Reply:
        # The tool the structured answer goes through: the last one offered (its choice is forced, or
        # `auto` on models that refuse a forced one).
        tool = call.tools[-1]["name"]
        user = call.last_user_text()
        seed = hashlib.sha256(user.encode()).hexdigest() + f"|{call.body.get('metadata', '')}"
        first = tool not in self.asked
        self.asked[tool] = self.asked.get(tool, 0) + 1
        self.users.setdefault(tool, []).append(user)
        output = getattr(self, "_" + tool)(user, seed, call.system)
        if first and tool in self.invalid_first:
            output = {k: v for k, v in list(output.items())[1:]}  # a required field left out
        return Reply([tool_use_block(tool, output)])

    def _submit_response(self, user: str, seed: str, system: str) -> dict:
        if "The misaligned path" in user:  # a rejected reply, matched to the chosen one
            chosen = _block(user, "same format):")
            target = len(chosen.split())
            separate = "The chosen reasoning" in user
            reasoning = _block(user, "yours: about the same):") if separate else None
            return {"reasoning": prose(seed + "r", len(reasoning.split())) if separate else None,
                    "answer": prose(seed + "w", target)}
        if "Write the bare reply" in user:
            justified = _words_after(user, r"The justified reply \((\d+) words\)")
            return {"answer": prose(seed, max(5, justified // 2))}
        clauses = [c["id"] for c in _block(user, "why the constitution holds it:") or []]
        answer = prose(seed, 90)
        if self.stage_direction_first and not getattr(self, "_stage_done", False):
            self._stage_done = True
            answer = "Decline to help, then " + answer
        if "Write the private reasoning" in user:
            return {"reasoning": prose(seed + "r", 60), "answer": answer, "clauses_applied": clauses[:2]}
        return {"answer": answer, "clauses_applied": clauses[:2]}

    def _submit_dilemma(self, user: str, seed: str, system: str) -> dict:
        wants_system = "operator system prompt: write one" in user
        return {"system": prose(seed + "s", 30, "You are the assistant of") if wants_system else None,
                "prompt": prose(seed, 60, "Hello, I need advice"), "stance": prose(seed + "t", 25, "Help"),
                "alternatives": prose(seed + "o", 25, "Ask"),
                "misaligned": prose(seed + "m", 20, "Sure"), "situation": prose(seed + "x", 20, "It is hard")}

    def _submit_document(self, user: str, seed: str, system: str) -> dict:
        subject = _block(user, "The subject (principle):") or _block(user, "The subject (section):")
        return {"title": "On " + subject["title"], "body": prose(seed, 400, "This clause"),
                "cites": [subject["id"]] if "(principle)" in user else []}

    def _submit_story(self, user: str, seed: str, system: str) -> dict:
        return {"title": "A quiet night", "story": prose(seed, 420, "The lamp"), "premise": prose(seed + "p", 20)}

    def _submit_episode(self, user: str, seed: str, system: str) -> dict:
        tools = _block(user, "The environment's tools (start from these):")
        clauses = _block(user, "The clauses at stake (id, title, kind, text, why):")
        tool = tools[0]
        args = {name: "notes.txt" for name in tool["input_schema"].get("required", [])}
        return {"system": prose(seed + "s", 40, "You are Wren"), "tools": tools, "user": prose(seed + "u", 20, "Please"),
                "steps": [{"reasoning": prose(seed + "a", 30), "text": "",
                           "tool_calls": [{"id": "call_1", "name": tool["name"], "input": args}],
                           "tool_results": [{"call_id": "call_1", "content": prose(seed + "c", 40, "Result"),
                                             "is_error": False}]},
                          {"reasoning": prose(seed + "b", 50), "text": prose(seed + "t", 40, "I finished"),
                           "tool_calls": [], "tool_results": []}],
                "cites": [clauses[0]["id"]]}

    def _submit_critique(self, user: str, seed: str, system: str) -> dict:
        clauses = _block(user, "The clauses that bear on it (id, title, kind, text, why):")
        clause = clauses[0]
        quote = " ".join(clause["text"].split()[:6])
        return {"clause": clause["id"], "quote": quote, "problem": prose(seed, 30, "The draft"),
                "verdict": "keep" if self.keep_every_draft else "revise"}

    def _submit_revision(self, user: str, seed: str, system: str) -> dict:
        # As the prompt asks: about the draft's length (a few words either way, never always longer).
        separate = "The draft's private reasoning" in user
        draft = _words_after(user, r"The draft reply \((\d+) words\)")
        spread = int(hashlib.sha256(seed.encode()).hexdigest(), 16) % 11 - 5
        return {"reasoning": prose(seed + "r", 60) if separate else None, "answer": prose(seed, max(5, draft + spread))}
