"""Semantic checks over the resolved IR: a registry of functions IR -> diagnostics.

A new check is one function decorated with `@check`; it receives the whole
constitution and the options, and yields diagnostics. Checks never raise on
bad input: anything odd in the IR is a diagnostic, not an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from ..config import DEFAULT_MAX_COMBINATIONS
from ..diagnostics import Diagnostic
from ..ir import Constitution


@dataclass(frozen=True)
class CheckOptions:
    max_combinations: int = DEFAULT_MAX_COMBINATIONS


CheckFn = Callable[[Constitution, CheckOptions], Iterable[Diagnostic]]
CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise ValueError(f"check {name} registered twice")
        CHECKS[name] = fn
        return fn

    return register


def run_checks(constitution: Constitution, options: CheckOptions | None = None) -> Iterator[Diagnostic]:
    options = options or CheckOptions()
    for fn in CHECKS.values():
        yield from fn(constitution, options)


# Importing the modules registers their checks.
from . import generators, names, placeholders, principals, principles  # noqa: E402,F401
