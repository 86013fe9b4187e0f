"""Model names: the one default model, and what a model's name says about the requests it takes.

Standard library only, so the build (the anthropic and promptfoo targets write the default into their
files), the command-line help and `llm/` read the same name without importing a model SDK.

The default is `claude-sonnet-5-5`: the current Sonnet, the tier this project's work needs (long
structured answers, judging transcripts against clauses) at a Sonnet price ($2 / $10 per million input /
output tokens in `llm/prices.toml`, below the $3 / $15 of Sonnet 4.5), so `generate` and `eval` cost
less by default than with the older model. It rejects a forced tool choice; `llm/providers/anthropic.py`
asks for its structured answers with an automatic choice instead (`rejects_forced_tool_choice`).
"""

from __future__ import annotations

import re

DEFAULT_MODEL = "claude-sonnet-5-5"

# Claude 5 families whose point releases from the given one on answer a forced tool choice
# (`{"type": "tool", ...}` or `{"type": "any"}`) with a 400 invalid_request_error, as inspect-ai's
# Anthropic provider records them (`rejects_forced_tool_choice` in its provider utilities): Fable and
# Mythos from 5.1, Opus and Sonnet from 5.5. Haiku 5.5 still accepts a forced choice.
FORCED_CHOICE_REJECTED_FROM = {"fable": 1, "mythos": 1, "opus": 5, "sonnet": 5}

# `claude-FAMILY-5-N` (or `5.N`) with N a point release of one or two digits, then nothing or a
# separator: a date suffix (`claude-sonnet-5-5-20260101`) or a provider prefix (`anthropic/`) keeps the
# family; the base release (`-5`, `-5-0`), a date straight after the 5 (`-5-20260922`) and a suffix
# glued to the number (`-5-5m`) are not point releases.
CLAUDE_5_POINT_RELEASE = re.compile(r"claude-([a-z]+)-5[-.]([1-9][0-9]|[0-9])(?![0-9A-Za-z])")


def rejects_forced_tool_choice(model: str) -> bool:
    """Whether the Messages API refuses a forced tool choice for `model`."""
    for match in CLAUDE_5_POINT_RELEASE.finditer(model):
        first = FORCED_CHOICE_REJECTED_FROM.get(match.group(1))
        if first is not None and int(match.group(2)) >= first:
            return True
    return False


def answer_instruction(choice: dict) -> str:
    """What a model asked for a structured answer without a forced tool choice is told instead (the eval
    runner's and generate's requests through `llm/providers/anthropic.py`, the Inspect task's judge)."""
    if choice.get("type") == "tool":
        return (f"Give your answer only by calling the `{choice.get('name')}` tool, exactly once, with its "
                "input as your whole answer; write nothing outside the call.")
    return "Give your answer only by calling one of the tools; write nothing outside the call."
