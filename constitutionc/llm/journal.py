"""The append-only journal of a run: every answer and every batch id, one fsync'd JSON line each.

A run killed at any point leaves at most a torn last line; reopening drops it and replays the rest, so
every answer received before the kill is reused and every batch created before it is polled again.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .. import jsonl
from .request import Response, canonical_json


@dataclass
class JournalState:
    answers: dict[str, Response] = field(default_factory=dict)
    batches: dict[str, list[str]] = field(default_factory=dict)  # batch id -> keys, in creation order
    ended: set[str] = field(default_factory=set)
    damaged_lines: int = 0

    @property
    def open_batches(self) -> dict[str, list[str]]:
        return {batch: keys for batch, keys in self.batches.items() if batch not in self.ended}


class Journal:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._drop_torn_tail()
        self._handle = open(self.path, "a", encoding="utf-8")

    def _drop_torn_tail(self) -> None:
        """A kill in the middle of a write leaves a line without its newline: cut it off."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as handle:
                handle.truncate(data.rfind(b"\n") + 1)

    def replay(self) -> JournalState:
        state = JournalState()
        for line in jsonl.lines(self.path):
            try:
                if line.error is not None:
                    raise line.error
                event = line.value
                kind = event["event"]
                if kind == "answer":
                    state.answers[event["key"]] = Response.model_validate(event["response"])
                elif kind == "batch":
                    state.batches[event["id"]] = list(event["keys"])
                elif kind == "batch_ended":
                    state.ended.add(event["id"])
            except (ValueError, KeyError, TypeError):
                state.damaged_lines += 1
        return state

    def _append(self, events: list[dict], sync: bool = True) -> None:
        text = "".join(canonical_json(event) + "\n" for event in events)
        with self._lock:
            self._handle.write(text)
            self._handle.flush()
            if sync:
                os.fsync(self._handle.fileno())

    def answer(self, key: str, response: Response) -> None:
        self._append([{"event": "answer", "key": key, "response": response.model_dump(mode="json")}])

    def answers(self, pairs: list[tuple[str, Response]]) -> None:
        """Many answers with one fsync (batch results: they can be fetched again until it is written)."""
        if pairs:
            self._append([{"event": "answer", "key": k, "response": r.model_dump(mode="json")} for k, r in pairs])

    def batch_created(self, batch_id: str, keys: list[str]) -> None:
        self._append([{"event": "batch", "id": batch_id, "keys": keys}])

    def batch_ended(self, batch_id: str) -> None:
        self._append([{"event": "batch_ended", "id": batch_id}])

    def close(self) -> None:
        with self._lock:
            self._handle.close()
