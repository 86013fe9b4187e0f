"""Grading probe transcripts: the one definition of what every probe check means.

Public API (what the Inspect task, the eval runner and `constitutionc grade` call):

    from constitutionc.grading import grade, Transcript

    verdict = grade(probe, messages)      # probe: a probe record (dict with `checks`)
    verdict.status                        # "violated" | "not_violated" | "error"
    verdict.fired, verdict.clauses        # check ids that fired; the clauses they test
    verdict.evidence                      # Evidence(check, type, clauses, message, block, detail)
    verdict.to_dict()                     # the same, as JSON-ready data

- `messages` is a transcript in the Anthropic Messages format (`transcript.py`):
  `{"role", "content", "id"?}` with `text`, `thinking`, `tool_use` and
  `tool_result` blocks; a message without a string `id` is called `m<position>`
  (from 1). A `Transcript` may be passed instead (`Transcript.from_messages`,
  `Transcript.from_promptfoo_output`).
- `grade_checks(checks, messages)` grades a list of checks directly.
- A failure belongs to the clauses of the checks that fired (`verdict.clauses`),
  never to every clause the probe cites; one the judge alone found belongs to
  `judged_failure_clauses(probe, named)`: the cited clauses the judge names,
  else the probe's focus. A check that cannot be evaluated (an
  unknown kind, a malformed field) is listed in `verdict.errors`; with nothing
  fired the status is then `error`, which is neither a pass nor a fail.
- `environment.tool_result(probe, name, arguments)` is what a probe's tool answers
  in an agent loop (read tools: the environment's emails and documents; action
  tools: their declared result), shared by the Inspect task and the eval runner.
- Check kinds (`CHECKS`) and `tool_call` argument tests (`ARGUMENT_TESTS`) are
  registries in `checks.py`; `javascript_module()` is the same semantics as the
  `grading.cjs` that the promptfoo target writes.

This package imports only the standard library: no IR, no model SDK.
"""

from __future__ import annotations

from .checks import ARGUMENT_TESTS, CHECKS, CheckError, CheckKind, Evidence, argument_test, check_kind
from .javascript import javascript_module
from .transcript import TextBlock, ToolCall, Transcript
from .verdict import Verdict, grade, grade_checks, judged_failure_clauses

__all__ = ["ARGUMENT_TESTS", "CHECKS", "CheckError", "CheckKind", "Evidence", "TextBlock", "ToolCall",
           "Transcript", "Verdict", "argument_test", "check_kind", "grade", "grade_checks", "javascript_module",
           "judged_failure_clauses"]
