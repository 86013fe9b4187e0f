"""Principals: who may switch behaviours and the authority order, checked against the declarations.

A constitution that declares no principal keeps the built-in pair, operator and user; one that
declares its own (root, developer, user, ...) names only those in `switchable_by` and `authority`.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import (AUTHORITY_REPEATS, INVALID_VALUE, SWITCH_SKIPS_AUTHORITY, Diagnostic, diag)
from ..ir import MISSING_NAME, Constitution
from .registry import CheckOptions, check
from .names import order_repeats, unresolved


@check("principals")
def principals(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    declared = {p.id for p in c.principals}
    yield from order_repeats(AUTHORITY_REPEATS.code, c.authority, "authority", c.authority_span)
    for name in c.authority:
        if name not in declared and name != MISSING_NAME:
            yield unresolved("principal", name, declared, c.authority_span)
    rank = {name: i for i, name in enumerate(dict.fromkeys(c.authority))}
    for p in c.principles:
        span = p.switchable_by_span or p.span
        for who in p.switchable_by:
            if not declared and who not in c.switchers():
                yield diag(INVALID_VALUE.code,
                           f"`switchable_by` names `{who}`; only operator and user may switch behaviours unless "
                           "the constitution declares its principals", span)
            elif declared and who not in declared:
                yield unresolved("principal", who, declared, span)
        allowed = {who for who in p.switchable_by if who in rank}
        if not allowed:
            continue
        lowest = max(allowed, key=rank.__getitem__)
        skipped = [name for name in rank if rank[name] < rank[lowest] and name not in allowed
                   and (c.principal(name) is None or c.principal(name).channel != "none")]
        if skipped:
            yield diag(SWITCH_SKIPS_AUTHORITY.code,
                       f"`{lowest}` may switch `{p.id}` but `{skipped[0]}`, above it in the authority order, may "
                       f"not; add `{skipped[0]}` to `switchable_by` if it may", span)
