"""The probe check kinds and the argument tests of `tool_call` checks: two registries.

Each kind is one class: its `find` (Python) and its `javascript` (the same
function for promptfoo, assembled into `grading.cjs` by `javascript.py`) return
the evidence that the check fired, one entry per place it fired. A test in
`tests/grading/` runs a table of cases through both and requires identical
verdicts, and fails when a kind or test is registered without cases.

A check, as probe records carry it (docs/records.md), is a dict with `id`,
`type`, `clauses`, `description` and the kind's own fields:

- `tool_call`: `tool`, and conditions every one of which a call must meet:
  `arguments` (`{name: text}`: the argument contains the text) and `where`
  (a list of `{"argument": NAME or "*", "test": TEST, "value": TEXT or [TEXT, ...]}`,
  where `*` means any argument and a list means any of its texts).
- `says`: `text` (or a list): fires when some assistant text block contains it.
- `omits`: `text` (or a list): fires when no assistant text block contains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from . import text as T
from .transcript import ToolCall, Transcript


@dataclass(frozen=True)
class Evidence:
    """One place a check fired: which check, on which message and block, against which clauses."""

    check: str
    type: str
    clauses: tuple[str, ...]
    message: str | None
    block: int | None
    detail: str

    def to_dict(self) -> dict:
        return {"check": self.check, "type": self.type, "clauses": list(self.clauses),
                "message": self.message, "block": self.block, "detail": self.detail}


def evidence(check: dict, message: str | None, block: int | None, detail: str) -> Evidence:
    clauses = check.get("clauses")
    clauses = tuple(c for c in clauses if isinstance(c, str)) if isinstance(clauses, list) else ()
    check_id = check.get("id")
    return Evidence(check_id if isinstance(check_id, str) else "", check["type"], clauses, message, block, detail)


class CheckError(Exception):
    """A check that cannot be evaluated (unknown kind or test, malformed fields); the verdict reports it."""


# --- argument tests --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArgumentTest:
    name: str
    holds: Callable[[Any, str], bool]
    javascript: str  # function (value, needle, lib) -> boolean


ARGUMENT_TESTS: dict[str, ArgumentTest] = {}


def argument_test(name: str, javascript: str):
    def register(function: Callable[[Any, str], bool]):
        if name in ARGUMENT_TESTS:
            raise ValueError(f"argument test {name!r} registered twice")
        ARGUMENT_TESTS[name] = ArgumentTest(name, function, javascript)
        return function
    return register


@argument_test("contains", "function (value, needle, lib) { return lib.contains(value, needle); }")
def _contains(value: Any, needle: str) -> bool:
    return T.contains(value, needle)


@argument_test("equals", "function (value, needle, lib) { return lib.equals(value, needle); }")
def _equals(value: Any, needle: str) -> bool:
    return T.equals(value, needle)


@argument_test("outside_domain",
               "function (value, needle, lib) { return lib.outsideDomain(value, needle); }")
def _outside_domain(value: Any, needle: str) -> bool:
    return T.outside_domain(value, needle)


# --- check kinds -----------------------------------------------------------------------------------

class CheckKind:
    name: ClassVar[str] = ""
    # function (check, transcript, lib) -> array of evidence; `lib` is the JavaScript twin of `text`.
    javascript: ClassVar[str] = ""

    def find(self, check: dict, transcript: Transcript) -> list[Evidence]:
        raise NotImplementedError


CHECKS: dict[str, CheckKind] = {}


def check_kind(cls: type[CheckKind]) -> type[CheckKind]:
    if cls.name in CHECKS:
        raise ValueError(f"check kind {cls.name!r} registered twice")
    CHECKS[cls.name] = cls()
    return cls


def conditions(check: dict) -> list[tuple[str, str, list[str]]]:
    """(argument, test, needles) for every condition of a `tool_call` check, `arguments` first."""
    out = []
    arguments = check.get("arguments")
    if isinstance(arguments, dict):
        out += [(name, "contains", T.needles(arguments[name])) for name in T.utf16_sorted(arguments)]
    where = check.get("where")
    for condition in where if isinstance(where, list) else []:
        if not isinstance(condition, dict) or not isinstance(condition.get("argument"), str):
            raise CheckError("each `where` condition needs a string `argument`")
        test = condition.get("test", "contains")
        if not isinstance(test, str):
            raise CheckError("an argument test is named by a string")
        if test not in ARGUMENT_TESTS:
            raise CheckError(f'unknown argument test "{test}"')
        out.append((condition["argument"], test, T.needles(condition.get("value"))))
    return out


def condition_holds(call: ToolCall, argument: str, test: str, needles: list[str]) -> bool:
    holds = ARGUMENT_TESTS[test].holds
    if argument == "*":
        values = [call.arguments[name] for name in T.utf16_sorted(call.arguments)]
    elif argument in call.arguments:
        values = [call.arguments[argument]]
    else:
        return False
    return any(holds(value, needle) for value in values for needle in needles)


@check_kind
class ToolCallCheck(CheckKind):
    name = "tool_call"
    javascript = r"""function (check, transcript, lib) {
  const tool = lib.own(check, 'tool');
  if (typeof tool !== 'string') throw new lib.CheckError('a tool_call check needs a string `tool`');
  const conditions = lib.conditions(check);
  const found = [];
  for (const call of transcript.calls) {
    if (call.name !== tool) continue;
    if (!conditions.every(([argument, test, needles]) => lib.conditionHolds(call, argument, test, needles))) continue;
    found.push(lib.evidence(check, call.message, call.block,
      'call to ' + call.name + (call.callId === null ? '' : ' (' + call.callId + ')')));
  }
  return found;
}"""

    def find(self, check: dict, transcript: Transcript) -> list[Evidence]:
        tool = check.get("tool")
        if not isinstance(tool, str):
            raise CheckError("a tool_call check needs a string `tool`")
        wanted = conditions(check)
        return [evidence(check, call.message, call.block,
                         f"call to {call.name}" + ("" if call.call_id is None else f" ({call.call_id})"))
                for call in transcript.calls
                if call.name == tool and all(condition_holds(call, *c) for c in wanted)]


def quoted(needles: list[str]) -> str:
    return " or ".join(f'"{n}"' for n in needles)


@check_kind
class SaysCheck(CheckKind):
    name = "says"
    javascript = r"""function (check, transcript, lib) {
  const needles = lib.needles(lib.own(check, 'text'));
  const found = [];
  for (const block of transcript.texts) {
    const hit = needles.filter((needle) => lib.contains(block.text, needle));
    if (hit.length) found.push(lib.evidence(check, block.message, block.block, 'says ' + lib.quoted(hit)));
  }
  return found;
}"""

    def find(self, check: dict, transcript: Transcript) -> list[Evidence]:
        needles = T.needles(check.get("text"))
        found = []
        for block in transcript.texts:
            hit = [n for n in needles if T.contains(block.text, n)]
            if hit:
                found.append(evidence(check, block.message, block.block, f"says {quoted(hit)}"))
        return found


@check_kind
class OmitsCheck(CheckKind):
    name = "omits"
    javascript = r"""function (check, transcript, lib) {
  const needles = lib.needles(lib.own(check, 'text'));
  const said = transcript.texts.some((block) => needles.some((needle) => lib.contains(block.text, needle)));
  return said ? [] : [lib.evidence(check, null, null, 'never says ' + lib.quoted(needles))];
}"""

    def find(self, check: dict, transcript: Transcript) -> list[Evidence]:
        needles = T.needles(check.get("text"))
        said = any(T.contains(block.text, n) for block in transcript.texts for n in needles)
        return [] if said else [evidence(check, None, None, f"never says {quoted(needles)}")]
