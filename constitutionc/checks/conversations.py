"""Conversations and tool results: who speaks, which tools are called, what calls return."""

from __future__ import annotations

from typing import Iterator

from .. import spec
from ..diagnostics import INVALID_VALUE, MISSING_TEMPLATE, UNRESOLVED, Diagnostic, diag
from ..ir import Constitution, Environment, Generator, Tool
from .registry import CheckOptions, check
from .names import unresolved


@check("conversations")
def conversations(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for g in c.generators:
        env = c.environment(g.environment) if g.environment else None
        for turn in g.conversation:
            if turn.role == "principal":
                yield from _principal_turn(c, g, turn)
            elif turn.role == "tool":
                yield from _tool_turn(g, env, turn)


def _principal_turn(c: Constitution, g: Generator, turn) -> Iterator[Diagnostic]:
    principal = c.principal(turn.principal)
    if principal is None:
        known = [*spec.CONVERSATION_ROLES, *(p.id for p in c.principals)]
        yield unresolved("role or principal", turn.principal, known, turn.span)
    elif principal.channel not in ("system", "user"):
        yield diag(INVALID_VALUE.code,
                   f"principal `{principal.id}` speaks in the conversation of {g.kind} `{g.id}`, but its "
                   f"channel is {principal.channel or 'not declared'}; give it `channel: system` (developer "
                   "messages) or `channel: user`", turn.span)


def _tool_turn(g: Generator, env: Environment | None, turn) -> Iterator[Diagnostic]:
    if env is None:
        yield diag(UNRESOLVED.code, f"the conversation of {g.kind} `{g.id}` calls tool `{turn.tool}`, but it "
                                    "has no environment", turn.span)
        return
    tool = env.tool(turn.tool)
    if tool is None:
        yield unresolved(f"tool in environment `{env.id}`", turn.tool, [t.name for t in env.tools], turn.span)
        return
    params = [p.name for p in tool.params]
    for name, _ in turn.arguments:
        if name not in params:
            yield unresolved(f"parameter of tool `{tool.name}`", name, params, turn.span)
    if turn.result is None and not tool.declares_results:
        yield diag(MISSING_TEMPLATE.code,
                   f"the call to `{tool.name}` needs `result:`: the tool declares no `returns`, `case` or "
                   "`serves`", turn.span)


@check("tool-results")
def tool_results(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for env in c.environments:
        for tool in env.tools:
            yield from _results_of(tool)


def _results_of(tool: Tool) -> Iterator[Diagnostic]:
    params = {p.name: p for p in tool.params}
    for case in tool.cases:
        if case.param not in params:
            yield unresolved(f"parameter of tool `{tool.name}`", case.param, params, case.span)
        elif params[case.param].enum and case.value not in params[case.param].enum:
            yield diag(INVALID_VALUE.code, f"`{case.value}` is not one of the choices of parameter "
                                           f"`{case.param}` ({', '.join(params[case.param].enum)})", case.span)
    for serve in tool.serves:
        if serve.param is None:
            if tool.returns is not None:
                yield diag(INVALID_VALUE.code, f"tool `{tool.name}` both lists every {serve.kind} and "
                                               "`returns` a text; keep one", serve.span)
            continue
        if serve.param not in params:
            yield unresolved(f"parameter of tool `{tool.name}`", serve.param, params, serve.span)
        elif serve.param not in spec.MESSAGE_FIELDS[serve.kind]:
            yield diag(INVALID_VALUE.code, f"an {serve.kind} has no field `{serve.param}` to match the argument "
                                           f"against (fields: {', '.join(spec.MESSAGE_FIELDS[serve.kind])})",
                       serve.span)
