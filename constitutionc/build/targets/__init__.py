"""Output targets of `constitutionc build`: formats that training and evaluation tools read directly.

`TARGETS` maps each `--target` name to its class. A target is built with the
directory it owns, receives each canonical record through `write(kind, record)`
as the build streams it, and returns the files it wrote from `close()`.
Adding a target is one module with a `@target("name")` class, imported below.
"""

from __future__ import annotations

from .base import RECORD_KINDS, TARGETS, Target, target

# Importing the modules registers their targets.
from . import anthropic_api, huggingface, inspect_eval, openai_api, promptfoo  # noqa: E402,F401

__all__ = ["RECORD_KINDS", "TARGETS", "Target", "target"]
