"""A progress bar (done/total, spend so far, ETA) on a terminal; silent anywhere else."""

from __future__ import annotations

import os
import sys
import threading


def interactive(stream) -> bool:
    return stream.isatty() and os.environ.get("CI", "").lower() not in ("1", "true", "yes")


class Progress:
    def __init__(self, enabled: bool, description: str = "model calls", stream=None):
        self.enabled = enabled
        self.description = description
        self.stream = stream or sys.stderr
        self.done = 0
        self.total: int | None = None
        self._bar = None
        self._task = None
        self._lock = threading.Lock()

    @classmethod
    def for_terminal(cls, description: str = "model calls", stream=None) -> "Progress":
        stream = stream or sys.stderr
        return cls(interactive(stream), description, stream)

    def start(self, total: int) -> None:
        """(Re)start counting towards `total` more results (each agent turn or batch round calls this)."""
        with self._lock:
            self.total = (self.total or 0) + total
            if not self.enabled:
                return
            if self._bar is None:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
                from rich.progress import Progress as Bar

                self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("${task.fields[spent]:.4f}"), TimeRemainingColumn(),
                                console=Console(file=self.stream), transient=True)
                self._bar.start()
                self._task = self._bar.add_task(self.description, total=self.total, spent=0.0)
            else:
                self._bar.update(self._task, total=self.total)

    def advance(self, spent_usd: float, count: int = 1) -> None:
        with self._lock:
            self.done += count
            if self._bar is not None:
                self._bar.update(self._task, advance=count, spent=spent_usd)

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
