"""The registry of semantic checks: `@check` adds a function IR -> diagnostics; `run_checks` runs them all.

Kept apart from the package's `__init__` so that the check modules import it without importing the
package that imports them (no cycle).
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
