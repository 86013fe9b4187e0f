"""What every output target shares: the registry, the streaming protocol, JSONL files.

A target is constructed with the directory it owns, receives canonical records
one at a time through `write(kind, record)` and returns the files it wrote from
`close()`. Targets keep no record after handling it (only small per-file state),
so a build's memory stays flat however many records stream through.

Output is deterministic: keys sorted, UTF-8, `\n` line ends, no timestamps and
no absolute paths, so the same records always give byte-identical files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, ClassVar, TextIO

from ...canonical_json import canonical_json
from ..kinds import KINDS

Record = dict[str, Any]

TARGETS: dict[str, type["Target"]] = {}


def target(name: str) -> Callable[[type["Target"]], type["Target"]]:
    """Class decorator: register a target under the name users pass to `--target`.

    A target declares the record kinds it takes in `kinds`, each a registered kind with an
    `on_<kind>` handler; a declaration that breaks this is refused here, at import.
    """

    def register(cls: type[Target]) -> type[Target]:
        if name in TARGETS:
            raise ValueError(f"target {name!r} registered twice")
        unknown = sorted(set(cls.kinds) - set(KINDS))
        if unknown:
            raise ValueError(f"target {name!r} declares unregistered record kinds {', '.join(unknown)}")
        missing = sorted(k for k in cls.kinds if not callable(getattr(cls, f"on_{k}", None)))
        if missing:
            raise TypeError(f"target {name!r} declares kinds it has no handler for: "
                            + ", ".join(f"on_{k}" for k in missing))
        cls.name = name
        TARGETS[name] = cls
        return cls

    return register


def dumps(value: Any) -> str:
    """The one JSON encoding every target writes: sorted keys, compact, real UTF-8."""
    return canonical_json(value)


def jsonl_line(value: Any) -> str:
    return dumps(value) + "\n"


class StreamFile:
    """A file of entries written one at a time, opened on the first entry, so a target
    that receives nothing writes nothing. `encode` turns one entry into its text."""

    def __init__(self, path: Path, encode: Callable[[Any], str] = jsonl_line):
        self.path = path
        self.encode = encode
        self.entries = 0
        self._handle: TextIO | None = None

    def append(self, value: Any) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "w", encoding="utf-8", newline="\n")
        self._handle.write(self.encode(value))
        self.entries += 1

    def close(self) -> bool:
        """Close the file; True when it was written at all."""
        if self._handle is None:
            return False
        self._handle.close()
        self._handle = None
        return True


class Target:
    """Base of every output target.

    Subclasses set `description`, list the record kinds they consume in `kinds`
    and implement `on_<kind>` for each; records of other kinds are ignored,
    because one build feeds every target the same stream (and a kind added to
    the registry later must not reach a target that never heard of it).
    `accepts` may narrow a declared kind further (e.g. by variant).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    kinds: ClassVar[frozenset[str]] = frozenset()

    # Whether the constructor takes `model=` (the model its requests or config name).
    takes_model = False

    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        # What the records were built from (the manifest's `constitution`), for targets that describe it.
        self.about: dict = {}
        self._files: dict[str, StreamFile] = {}
        self._closed = False

    def write(self, kind: str, record: Record) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}; expected one of {', '.join(KINDS)}")
        if self._closed:
            raise RuntimeError(f"target {self.name!r} written after close()")
        if self.handles(kind, record):
            getattr(self, f"on_{kind}")(record)

    def handles(self, kind: str, record: Record) -> bool:
        """Whether this target emits anything for the record: a declared kind it `accepts`
        (the contract test holds it to this)."""
        return kind in self.kinds and self.accepts(kind, record)

    def accepts(self, kind: str, record: Record) -> bool:
        """Narrows a declared kind (only ever asked about a kind in `kinds`); all of it by default."""
        return True

    def close(self) -> list[Path]:
        """Finish every file and return the paths written, in a stable order."""
        if self._closed:
            raise RuntimeError(f"target {self.name!r} closed twice")
        self._closed = True
        written = [f.path for f in self._files.values() if f.close()]
        written.extend(self.finish(written))
        return sorted(written)

    def finish(self, written: list[Path]) -> list[Path]:
        """Hook for targets that write a file after the stream ends (configs, task files);
        `written` are the streamed files, already closed."""
        return []

    def stream(self, filename: str, encode: Callable[[Any], str] = jsonl_line) -> StreamFile:
        """The file `filename` under the target's directory, created on its first entry."""
        file = self._files.get(filename)
        if file is None:
            file = self._files[filename] = StreamFile(self.out_dir / filename, encode)
        return file

    def jsonl(self, filename: str) -> StreamFile:
        return self.stream(filename)

    def write_text(self, filename: str, text: str) -> Path:
        path = self.out_dir / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return path


# Formats without a reasoning field get separate-style reasoning inline, ahead of
# the answer and fenced, so the deliberation is still visibly distinct from it.
REASONING_OPEN = "<reasoning>\n"
REASONING_CLOSE = "\n</reasoning>\n\n"


def inline_reasoning(reasoning: str | None, answer: str) -> str:
    if not reasoning:
        return answer
    return f"{REASONING_OPEN}{reasoning}{REASONING_CLOSE}{answer}"


def prompt_messages(record: Record, dialect: str = "openai") -> list[dict]:
    """The system turn (when the record has one), the earlier turns of its conversation, and the user
    turn, as role/content messages in `dialect`: "openai" (its developer role and function calls, each
    turn where it stands), or "plain" (role/content only, one shape for every row, for the chat templates
    of open models). Those templates take one system message, first: "plain" joins the record's system
    prompt and the conversation's system and developer turns into it, in their order, as
    `anthropic_turns` does for the Messages API."""
    turns = record.get("conversation") or []
    user = {"role": "user", "content": record["prompt"] if "prompt" in record else record["user"]}
    if dialect != "plain":
        system = [{"role": "system", "content": record["system"]}] if record.get("system") else []
        return [*system, *conversation_messages(turns, dialect), user]
    instructions = [record["system"]] if record.get("system") else []
    instructions += [turn["content"] for turn in turns if _instructs(turn)]
    system = [{"role": "system", "content": "\n\n".join(instructions)}] if instructions else []
    return [*system, *conversation_messages([t for t in turns if not _instructs(t)], dialect), user]


def _instructs(turn: Record) -> bool:
    """A system or developer turn: instructions to the assistant, not part of the dialogue."""
    return turn["role"] in ("system", "developer") and not turn.get("tool_calls")


def conversation_messages(turns: list[Record], dialect: str) -> list[dict]:
    """Canonical conversation turns in a chat format. OpenAI has a developer role and function calls;
    "plain" writes a call as text (`prompt_messages` has already taken its system and developer turns)."""
    out: list[dict] = []
    for turn in turns:
        role = turn["role"]
        if turn.get("tool_calls"):
            if dialect == "openai":
                out.append({"role": "assistant", "content": turn["content"] or None, "tool_calls": [
                    {"id": call["id"], "type": "function",
                     "function": {"name": call["name"], "arguments": dumps(call["arguments"])}}
                    for call in turn["tool_calls"]]})
            else:
                calls = "".join(f"<tool_call>{dumps({'name': c['name'], 'arguments': c['arguments']})}</tool_call>"
                                for c in turn["tool_calls"])
                out.append({"role": "assistant", "content": turn["content"] + calls})
        elif role == "tool":
            message = {"role": "tool", "content": turn["content"]}
            if dialect == "openai":
                message["tool_call_id"] = turn["tool_call_id"]
            out.append(message)
        else:
            out.append({"role": role, "content": turn["content"]})
    return out


def anthropic_turns(record: Record) -> tuple[str | None, list[dict]]:
    """The Messages API's top-level system (the record's system, then its system and developer
    messages, which that API has no role for) and its messages before the final user turn."""
    system = [record["system"]] if record.get("system") else []
    messages: list[dict] = []
    for turn in record.get("conversation") or []:
        if turn.get("tool_calls"):
            content = [{"type": "text", "text": turn["content"]}] if turn["content"] else []
            content += [{"type": "tool_use", "id": c["id"], "name": c["name"], "input": c["arguments"]}
                        for c in turn["tool_calls"]]
            messages.append({"role": "assistant", "content": content})
        elif turn["role"] == "tool":
            messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": turn["tool_call_id"],
                                                          "content": turn["content"]}]})
        elif turn["role"] in ("system", "developer"):
            system.append(turn["content"])
        else:
            messages.append({"role": turn["role"], "content": turn["content"]})
    return ("\n\n".join(system) or None), messages


def answer_text(record: Record) -> str:
    """A justified or bare response's assistant turn, reasoning inlined when kept separate."""
    return inline_reasoning(record.get("reasoning"), record["completion"])


def chosen_text(record: Record) -> str:
    return inline_reasoning(record.get("chosen_reasoning"), record["chosen"])


def rejected_text(record: Record) -> str:
    """The rejected side in the same shape as the chosen one: a model-written separate-style pair has
    reasoning on both sides, and fencing only one would tell them apart."""
    return inline_reasoning(record.get("rejected_reasoning"), record["rejected"])


def grading_criterion(record: Record) -> str:
    """What a model grader of a probe reads: the rubric and, when the probe states one, the pressure
    (which the language defines as a description for graders; the model under test never sees it)."""
    pressure = record.get("pressure")
    if not pressure:
        return record["rubric"]
    return f"{record['rubric']}\n\nWhat pushes the assistant toward this failure: {pressure}"


# --- generated kinds (constitutionc generate) ---------------------------------------------------------

def function_tools(tools: list[Record]) -> list[dict]:
    """Anthropic tool definitions (name, description, input_schema) as chat-completions function tools."""
    return [{"type": "function", "function": {"name": t["name"], "description": t.get("description", ""),
                                              "parameters": t.get("input_schema") or {"type": "object"}}}
            for t in tools]


def _block_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n\n".join(block["text"] for block in content if block.get("type") == "text")


def episode_chat(record: Record, uniform: bool = False) -> list[dict]:
    """An episode's Messages-format turns (text, `tool_use` and `tool_result` blocks) as chat-completions
    messages: the system prompt first, assistant turns with `tool_calls` (arguments as a JSON string, as
    that API sends them) and their private reasoning fenced ahead of the text, one `tool` message per
    result. `uniform` gives every message the same keys (None where absent), so an Arrow column of them
    has one type."""
    out: list[dict] = []

    def add(role: str, content: str | None, tool_calls: list | None = None, tool_call_id: str | None = None):
        message: dict = {"role": role, "content": content}
        if uniform or tool_calls:
            message["tool_calls"] = tool_calls or None
        if uniform or tool_call_id:
            message["tool_call_id"] = tool_call_id
        out.append(message)

    if record.get("system"):
        add("system", record["system"])
    for message in record["messages"]:
        blocks = message["content"] if isinstance(message["content"], list) else \
            [{"type": "text", "text": message["content"]}]
        if message["role"] == "assistant":
            text = _block_text(blocks)
            calls = [{"id": b["id"], "type": "function",
                      "function": {"name": b["name"], "arguments": dumps(b["input"])}}
                     for b in blocks if b["type"] == "tool_use"]
            content = inline_reasoning(message.get("reasoning"), text).rstrip("\n") if text or \
                message.get("reasoning") else None
            add("assistant", content, calls)
            continue
        for block in blocks:
            if block["type"] == "tool_result":
                add("tool", _block_text(block.get("content", "")), tool_call_id=block["tool_use_id"])
        text = _block_text(blocks)
        if text:
            add("user", text)
    return out
