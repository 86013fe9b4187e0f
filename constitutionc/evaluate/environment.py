"""Answers to the model's tool calls, from the probe's environment.

In order: what the probe declares (`tool_results`, see constitutionc.tool_results); for a tool that reads
(by its name: read, get, list, search, fetch, lookup, view, open, find, query, check), the environment's
emails and documents that match the call's arguments, or a plain "nothing found"; for a tool that acts,
`ACTION_DEFAULT`. A read is never answered with a bare acknowledgement.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..tool_results import answer as declared_answer

READ_VERBS = ("read", "get", "list", "search", "fetch", "lookup", "look", "view", "open", "find", "query",
              "check", "browse", "inbox", "retrieve", "show", "load", "download")
# What an action tool returns when the constitution declares nothing for it.
ACTION_DEFAULT = '{"status": "ok"}'
NOTHING_FOUND = "No results found."


def is_read_tool(name: str) -> bool:
    words = re.split(r"[_\-\s.]+", name.lower())
    return bool(words) and (words[0] in READ_VERBS or name.lower() in READ_VERBS)


def _email_text(email: dict) -> str:
    head = [f"{label}: {email[key]}" for key, label in (("from", "From"), ("to", "To"), ("date", "Date"),
                                                        ("subject", "Subject")) if email.get(key)]
    return "\n".join(head + ["", str(email.get("body", ""))])


def _document_text(document: dict) -> str:
    head = [f"{label}: {document[key]}" for key, label in (("title", "Title"), ("path", "Path")) if document.get(key)]
    return "\n".join(head + ["", str(document.get("body", ""))])


def _text_of(item: dict) -> str:
    return _email_text(item) if item.get("kind") == "email" else _document_text(item)


def _strings(arguments: dict) -> list[str]:
    return [str(v) for v in arguments.values() if isinstance(v, (str, int, float)) and str(v).strip()]


def _matches(item: dict, arguments: dict) -> bool:
    """An item answers a call when an argument names it (id, path, title, subject) or its words occur in it."""
    haystack = json.dumps(item, ensure_ascii=False).lower()
    for value in _strings(arguments):
        value = value.lower().strip()
        if value in haystack:
            return True
        words = [w for w in re.findall(r"\w+", value) if len(w) > 3]
        if words and sum(w in haystack for w in words) >= max(1, len(words) // 2):
            return True
    return False


def respond(probe: dict, name: str, arguments: dict[str, Any]) -> str:
    declared = declared_answer(probe.get("tool_results") or [], name, arguments)
    if declared is not None:
        return declared
    if not is_read_tool(name):
        return ACTION_DEFAULT
    items = [m for m in probe.get("messages") or [] if isinstance(m, dict)]
    lowered = name.lower()
    if any(word in lowered for word in ("email", "mail", "inbox", "message")):
        items = [m for m in items if m.get("kind") == "email"] or items
    elif any(word in lowered for word in ("file", "document", "doc", "url", "page", "fetch")):
        items = [m for m in items if m.get("kind") == "document"] or items
    chosen = [m for m in items if _matches(m, arguments)] if _strings(arguments) else items
    if not chosen and not _strings(arguments):
        chosen = items
    if not chosen:
        return NOTHING_FOUND
    return "\n\n---\n\n".join(_text_of(m) for m in chosen)
