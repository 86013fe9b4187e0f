"""Read any build's files into one shape: what a training tool or a model under test would see.

The audit does not trust file names: each JSON line is recognised by its shape
(chat messages, preference pairs in the HF or OpenAI layout, Anthropic request
parameters, canonical records by `kind`). A shape is a registered reader, so a
new format is one function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import orjson

from ..textmeasures import probe_texts

TRAINING, PROBE, PROMPT, OTHER, UNREADABLE = "training", "probe", "prompt", "other", "unreadable"


@dataclass(slots=True)
class Row:
    file: str
    line: int
    role: str = OTHER  # training (has an answer), probe, prompt (a request with no answer), other
    id: str | None = None
    family: str | None = None
    kind: str | None = None
    variant: str | None = None
    clauses: tuple[str, ...] = ()
    system: str | None = None
    tools: tuple[str, ...] | None = None
    prompt: str = ""
    assistant: list[str] = field(default_factory=list)
    chosen: str | None = None
    rejected: str | None = None
    probe_texts: tuple[str, ...] = ()  # everything a model under test or its grader reads


def text_of(content: Any) -> str:
    """The text of a message content: a string, or Anthropic/OpenAI content blocks."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict):
                if isinstance(block.get("text"), str):
                    parts.append(block["text"])
                elif block.get("type") == "tool_result":
                    parts.append(text_of(block.get("content")))
        return "\n".join(p for p in parts if p)
    if isinstance(content, dict):
        return text_of(content.get("text") or content.get("content"))
    return ""


def tool_names(tools: Any) -> tuple[str, ...] | None:
    if not isinstance(tools, list) or not tools:
        return None
    names = []
    for tool in tools:
        if isinstance(tool, dict):
            name = tool.get("name") or (tool.get("function") or {}).get("name")
            if isinstance(name, str):
                names.append(name)
    return tuple(sorted(names)) or None


def _apply_messages(row: Row, messages: list, system: Any = None) -> None:
    """System and developer messages make the system prompt; the assistant messages after the last
    user or tool message are the answer; every earlier turn (an earlier assistant answer included) is
    the prompt, so a conversation reads the same from every target's rendering of it."""
    systems = [text_of(system)] if system else []
    turns: list[str] = []
    answer_from = 0  # the turns after the last user or tool message
    for message in messages:
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        text = message.get("content")
        if not isinstance(text, str):  # content blocks (most messages hold a plain string)
            text = text_of(text)
        if role in ("system", "developer"):
            systems.append(text)
        elif role in ("user", "tool", "assistant"):
            turns.append(text)
            if role != "assistant":
                answer_from = len(turns)
    # Joined as the targets join them into one system message (hf's rows, Anthropic's `system`). Most rows
    # have one system message and one prompt turn: those need no join.
    if len(systems) == 1:
        row.system = systems[0] or None
    elif systems:
        row.system = "\n\n".join([s for s in systems if s]) or None
    row.prompt = turns[0] if answer_from == 1 else "\n".join([text for text in turns[:answer_from] if text])
    row.assistant.extend([text for text in turns[answer_from:] if text])


def _canonical_turns(row: Row, record: dict) -> None:
    """A canonical record's earlier turns and final prompt, read as a chat target renders them."""
    _apply_messages(row, [*record["conversation"], {"role": "user", "content": record["prompt"]}],
                    record.get("system") if isinstance(record.get("system"), str) else None)


def _last_answer(value: Any) -> str:
    if isinstance(value, list):
        answers = [text_of(m.get("content")) for m in value if isinstance(m, dict) and m.get("role") == "assistant"]
        return answers[-1] if answers else text_of(value)
    return text_of(value)


def _common(row: Row, record: dict) -> None:
    get = record.get
    value = get("id")
    if isinstance(value, str):
        row.id = value
    value = get("generator")
    if isinstance(value, str):
        row.family = value
    value = get("kind")
    if isinstance(value, str):
        row.kind = value
    value = get("variant")
    if isinstance(value, str):
        row.variant = value
    principles = get("principles")
    if isinstance(principles, list):
        row.clauses = tuple([p for p in principles if isinstance(p, str)])
    elif isinstance(record.get("sources"), list):
        row.clauses = tuple(s["clause"] for s in record["sources"] if isinstance(s, dict)
                            and isinstance(s.get("clause"), str))
    tools = get("tools")
    if tools:
        row.tools = tool_names(tools)


Reader = Callable[[dict, Row], bool]  # fills the row and returns True when the shape is its own; a reader
# decides before it changes the row, so one that returns False leaves it as it was for the next
READERS: list[tuple[str, Reader]] = []


def reader(name: str):
    def register(fn: Reader) -> Reader:
        READERS.append((name, fn))
        return fn

    return register


@reader("preference")
def _preference(record: dict, row: Row) -> bool:
    chosen = record["chosen"] if "chosen" in record else record.get("preferred_output")
    if chosen is None:  # most rows: no pair
        return False
    rejected = record["rejected"] if "rejected" in record else record.get("non_preferred_output")
    if rejected is None:
        return False
    _common(row, record)
    prompt = record.get("prompt", record.get("input"))
    if isinstance(prompt, dict):
        _apply_messages(row, prompt.get("messages") or [], prompt.get("system"))
        row.tools = row.tools or tool_names(prompt.get("tools"))
    elif isinstance(prompt, list):
        _apply_messages(row, prompt)
    elif isinstance(prompt, str) and isinstance(record.get("conversation"), list):
        _canonical_turns(row, record)
    elif isinstance(prompt, str):
        row.prompt = prompt
    elif isinstance(chosen, list):
        _apply_messages(row, [m for m in chosen if isinstance(m, dict) and m.get("role") != "assistant"])
    if row.system is None and isinstance(record.get("system"), str):
        row.system = record["system"]
    row.assistant = []
    row.chosen, row.rejected = _last_answer(chosen), _last_answer(rejected)
    row.role = TRAINING
    return True


@reader("probe")
def _probe(record: dict, row: Row) -> bool:
    if record.get("kind") != "probe":
        return False
    _common(row, record)
    row.role = PROBE
    row.system = record.get("system") if isinstance(record.get("system"), str) else None
    row.prompt = text_of(record.get("user"))
    row.probe_texts = tuple(probe_texts(record))
    return True


@reader("canonical")
def _canonical(record: dict, row: Row) -> bool:
    if not isinstance(record.get("kind"), str):
        return False
    _common(row, record)
    if isinstance(record.get("messages"), list) and record["messages"] and "role" in record["messages"][0]:
        _apply_messages(row, record["messages"], record.get("system"))
    elif isinstance(record.get("conversation"), list) and isinstance(record.get("prompt"), str):
        _canonical_turns(row, record)
    else:
        row.system = record.get("system") if isinstance(record.get("system"), str) else None
        row.prompt = text_of(record.get("prompt") or record.get("user"))
    answer = record.get("completion", record.get("response"))
    if isinstance(answer, str) and answer:
        row.assistant.append(answer)
    row.role = TRAINING if row.assistant else (PROMPT if row.prompt else OTHER)
    return True


@reader("anthropic-request")
def _anthropic_request(record: dict, row: Row) -> bool:
    params = record["params"] if isinstance(record.get("params"), dict) else record
    if not isinstance(params.get("messages"), list) or not ("max_tokens" in params or "model" in params):
        return False
    row.id = record.get("custom_id") if isinstance(record.get("custom_id"), str) else None
    _apply_messages(row, params["messages"], params.get("system"))
    row.tools = tool_names(params.get("tools"))
    row.role = TRAINING if row.assistant else PROMPT
    return True


@reader("chat")
def _chat(record: dict, row: Row) -> bool:
    messages = record.get("messages")
    if not isinstance(messages, list):
        return False
    _common(row, record)
    _apply_messages(row, messages, record.get("system"))
    row.role = TRAINING if row.assistant else PROMPT
    return True


@reader("inspect-sample")
def _inspect_sample(record: dict, row: Row) -> bool:
    if "input" not in record:
        return False
    value = record["input"]
    if isinstance(value, list):
        _apply_messages(row, value)
    else:
        row.prompt = text_of(value)
    row.id = record.get("id") if isinstance(record.get("id"), str) else None
    row.role = PROMPT
    return True


def read_row(record: Any, file: str, line: int) -> Row:
    row = Row(file, line)
    if isinstance(record, dict):
        for _, fn in READERS:
            if fn(record, row):
                return row
    return row


def data_files(out_dir: Path) -> list[Path]:
    """The build's JSON-lines files: those its manifest lists, or every one under OUT when there is no list."""
    manifest = out_dir / "manifest.json"
    listed: list[Path] = []
    if manifest.is_file():
        try:
            outputs = orjson.loads(manifest.read_bytes()).get("outputs") or []
            listed = [out_dir / o["path"] for o in outputs if isinstance(o, dict) and str(o.get("path", "")).endswith(".jsonl")]
        except (orjson.JSONDecodeError, AttributeError, TypeError):
            listed = []
    if listed:
        # The manifest says what the build wrote; anything else here (eval results, a user's notes) is not
        # the build's data and must not be counted as training text. A file listed twice is read once.
        unique: dict[Path, Path] = {}
        for path in listed:
            if path.is_file():
                unique.setdefault(path.resolve(), path)
        return list(unique.values())
    found = sorted(p for p in out_dir.rglob("*.jsonl") if p.is_file())
    seen = {p.resolve() for p in listed}
    return [p for p in listed if p.is_file()] + [p for p in found if p.resolve() not in seen]
