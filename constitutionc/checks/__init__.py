"""Semantic checks over the resolved IR: a registry of functions IR -> diagnostics.

A new check is one function decorated with `@check`; it receives the whole
constitution and the options, and yields diagnostics. Checks never raise on
bad input: anything odd in the IR is a diagnostic, not an exception.
A check module imports `check` from `.registry`, never from this package, which
imports it (tests/test_dependencies.py fails on the cycle).
"""

from __future__ import annotations

from .registry import CHECKS, CheckFn, CheckOptions, check, run_checks

__all__ = ["CHECKS", "CheckFn", "CheckOptions", "check", "run_checks"]

# Importing the modules registers their checks.
from . import conversations, generators, names, placeholders, principals, principles  # noqa: E402,F401
