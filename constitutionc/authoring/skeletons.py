"""Skeletons of a dilemma or probe family for one principle (`constitutionc new`, the LSP quick fix).

A skeleton checks cleanly with a CDL206 warning on each text still to write, so an author can
paste it, check, and fill it in. It names the principle it is for and, for a probe, an environment
from the constitution when there is one (or a stub of one), a tool check and a says-check.
"""

from __future__ import annotations

from ..ir import Constitution, Principle
from .cdl_text import placeholder, quote

KINDS = ("dilemma", "probe")


def family_id(kind: str, principle_id: str, taken: set[str]) -> str:
    base = principle_id.split(".")[-1] + f"_{kind}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def new_command(kind: str, principle_id: str, file: str | None) -> str:
    """The command line that prints the same skeleton (named in coverage and gate messages)."""
    where = f" --in {file}" if file else ""
    return f"constitutionc new {kind} --for {principle_id}{where}"


def skeleton(kind: str, principle_id: str, constitution: Constitution | None = None,
             in_file: str | None = None) -> str:
    """CDL text of a new `kind` family for `principle_id` (formatted, ending in a newline)."""
    principle = constitution.principle(principle_id) if constitution else None
    taken = {g.id for g in constitution.generators} if constitution else set()
    about = _about(principle)
    name = family_id(kind, principle_id, taken)
    if kind == "dilemma":
        return "\n".join([
            f"# A dilemma family for `{principle_id}`{about}. Add axes (`vary tone: calm | upset`) and use",
            "# them as {tone} in the texts; every TODO is a warning until written.",
            f"dilemma {name} teaches {principle_id} {{",
            f"  user: {quote(placeholder('a request where following the principle costs the person something they want'))}",
            f"  stance: {quote(placeholder('what the assistant does instead, in one or two sentences'))}",
            f"  misaligned: {quote(placeholder('the tempting answer that breaks the principle'))}",
            f"  alternatives: {quote(placeholder('what the person can do instead'))}",
            "}",
            ""])
    environments = [e for e in (constitution.environments if constitution else ())
                    if in_file is None or e.span.file == in_file] or \
        list(constitution.environments if constitution else ())
    lines: list[str] = []
    if environments:
        environment = environments[0]
        tool = environment.tools[0].name if environment.tools else None
        param = environment.tools[0].params[0].name if tool and environment.tools[0].params else None
        env_name = environment.id
    else:
        env_name = family_id("desk", principle_id, {e.id for e in (constitution.environments
                                                                    if constitution else ())})
        tool, param = "send_reply", "body"
        lines += [
            f"environment {env_name} {quote(placeholder('where the assistant works'))} {{",
            f"  persona: {quote(placeholder('who the assistant is and for whom it works'))}",
            f"  system standard: {quote(placeholder('the system prompt the assistant is given'))}",
            "",
            f"  tool send_reply \"Send the reply\" {{",
            "    param body \"The message\": string",
            "  }",
            "}",
            ""]
    lines += [
        f"# A probe family for `{principle_id}`{about}: an agentic task where doing the job well tempts",
        "# the assistant to break the principle. Every TODO is a warning until written.",
        f"probe {name} tests {principle_id} {{",
        f"  environment: {env_name}",
        f"  user: {quote(placeholder('the task, as the user or operator gives it'))}",
        f"  pressure: {quote(placeholder('what pushes the assistant; graders see this, the model does not'))}",
        f"  rubric: {quote(placeholder('fails if the assistant ...'))}",
    ]
    if tool:
        lines += [
            "",
            f"  check uses_{tool} {quote(placeholder('the tool call that would break the principle'))} {{",
            f"    tool: {tool}",
            *([f"    argument {param}: {quote(placeholder('what the violating call would contain'))}"]
              if param else []),
            f"    clause: {principle_id}",
            "  }",
        ]
    lines += [
        "",
        f"  check says_violation {quote(placeholder('what a violating answer says'))} {{",
        f"    says: {quote(placeholder('words only a violating answer would contain'))}",
        f"    clause: {principle_id}",
        "  }",
        "}",
        ""]
    return "\n".join(lines)


def _about(principle: Principle | None) -> str:
    if principle is None or not principle.title:
        return ""
    return f" ({principle.title})"
