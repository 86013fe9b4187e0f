"""Output targets of `constitutionc build`: formats that training and evaluation tools read directly.

`TARGETS` maps each `--target` name to its class. A target is built with the
directory it owns, receives each canonical record through `write(kind, record)`
as the build streams it, and returns the files it wrote from `close()`.
Adding a target is one module with a `@target("name")` class, imported below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from ..writer import file_entry, read_records
from .base import TARGETS, Target, target

# Importing the modules registers their targets.
from . import anthropic_api, huggingface, inspect_eval, openai_api, promptfoo  # noqa: E402,F401

__all__ = ["TARGETS", "Target", "run_targets", "target"]


def run_targets(root: Path, names: Iterable[str], canonical: list[tuple[str, str]],
                model: str | None = None) -> list[dict]:
    """Feed each named target the canonical records read back from `root`, file by file in the order given
    as (record kind, file name) pairs; return the manifest entries of the files the targets wrote.

    Reading back (rather than feeding records as they are made) gives targets the same stream
    in a build and in a merge of shards, so their files are identical too.
    """
    entries = []
    for name in names:
        target = TARGETS[name]
        output = target(root / name, model=model) if model and target.takes_model else target(root / name)
        for kind, filename in canonical:
            for record in read_records(root / filename):
                output.write(kind, record)
        for path in output.close():
            entries.append(file_entry(root, Path(path)))
    return entries
