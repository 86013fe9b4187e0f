"""What a probe's tools answer: the one rule the eval runner, the Inspect task and `grade` share.

There is no other tool-answer function in the project: the build's records use the same two parts
(`tool_results.answer` for a conversation's earlier calls, `tool_results.message_text` for served
and presented content), so an earlier call in a probe's `conversation` reads exactly what the same
call made by the model would get back (tests/grading/test_tool_answers.py holds them to it).

`tool_result(probe, name, arguments)` is the text a tool call gets back:

1. a result the constitution declares for the tool (the probe record's `tool_results`,
   answered by `constitutionc.tool_results.answer`: the first case whose arguments
   all equal the call's, else the tool's `otherwise`);
2. else, for a **read** tool, what the environment holds: its emails and
   documents (`probe["messages"]`), laid out as the user turn lays them out (`message_text`). A
   read tool is one whose name starts with a reading verb (`read_inbox`,
   `get_emails`, `list_files`, `open_document`, `search_mail`, ...). A tool
   whose name or description speaks of mail reads the emails, of files or
   documents reads the documents, otherwise both. An argument equal to a
   message's id, path or title picks that message; a search tool (`search`,
   `find`, `query` in its name) keeps the messages containing one of its text
   arguments and answers `No results.` when none does;
3. else (an **action** tool) `ACTION_RESULT`, a declared default that says the
   action was carried out, never an empty "Done." for a read;
4. a tool the probe does not offer answers `Error: ...`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping

from ..tool_results import answer as declared_answer
from ..tool_results import message_text
from .text import fold, leaves

ACTION_RESULT = json.dumps({"status": "ok", "note": "The action was carried out."})
NO_RESULTS = "No results."
READ_VERBS = frozenset({"read", "get", "list", "open", "view", "fetch", "check", "search", "find", "lookup",
                        "query", "show", "browse", "load", "retrieve", "cat", "inbox"})
SEARCH_WORDS = frozenset({"search", "find", "query", "lookup"})
MAIL_WORDS = frozenset({"email", "emails", "mail", "mails", "inbox", "message", "messages", "mailbox"})
FILE_WORDS = frozenset({"file", "files", "document", "documents", "doc", "docs", "note", "notes", "folder",
                        "drive", "path"})
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def words(text: str) -> list[str]:
    """`send_email`, `sendEmail`, `send-email` -> ["send", "email"]."""
    return [w.lower() for w in _WORD.findall(text)]


def offered_tool(probe: Mapping[str, Any], name: str) -> dict | None:
    tools = probe.get("tools")
    return next((t for t in tools if isinstance(t, dict) and t.get("name") == name), None) \
        if isinstance(tools, list) else None


def is_read_tool(tool: Mapping[str, Any]) -> bool:
    name_words = words(str(tool.get("name", "")))
    return bool(name_words) and name_words[0] in READ_VERBS


def _kinds_read(tool: Mapping[str, Any]) -> set[str]:
    said = set(words(str(tool.get("name", "")))) | set(words(str(tool.get("description", ""))))
    kinds = ({"email"} if said & MAIL_WORDS else set()) | ({"document"} if said & FILE_WORDS else set())
    return kinds or {"email", "document"}


def read_result(tool: Mapping[str, Any], probe: Mapping[str, Any], arguments: Mapping[str, Any]) -> str:
    messages = probe.get("messages")
    kinds = _kinds_read(tool)
    held = [m for m in messages if isinstance(m, dict) and m.get("kind") in kinds] \
        if isinstance(messages, list) else []
    wanted = [fold(t).strip(" ") for t in leaves(dict(arguments)) if t.strip()]
    named = [m for m in held
             if any(fold(str(m.get(key, ""))).strip(" ") in wanted for key in ("id", "path", "title"))]
    if named:
        held = named
    elif SEARCH_WORDS & set(words(str(tool.get("name", "")))) and wanted:
        held = [m for m in held if any(w in fold(message_text(m)) for w in wanted)]
    if not held:
        return NO_RESULTS
    return "\n\n".join(message_text(m) for m in held)


def tool_result(probe: Mapping[str, Any], name: str, arguments: Mapping[str, Any] | None = None) -> str:
    tool = offered_tool(probe, name)
    if tool is None:
        return f'Error: there is no tool named "{name}" here.'
    arguments = dict(arguments) if isinstance(arguments, Mapping) else {}
    declared_results = probe.get("tool_results")
    declared = declared_answer(declared_results, name, arguments) if isinstance(declared_results, list) else None
    if declared is not None:
        return declared
    if is_read_tool(tool):
        return read_result(tool, probe, arguments)
    return ACTION_RESULT
