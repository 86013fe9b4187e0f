"""The reference texts measures compare against: the constitution's own words, and what a probe shows.

Both take plain objects (the IR's nodes, a probe record as a dict) and return strings, so the
measures stay functions of text.
"""

from __future__ import annotations


def constitution_texts(constitution) -> list[tuple[str, str]]:
    """(id, text) of every authored sentence a training answer should not paste: principles' and
    values' texts and whys, principals' descriptions, trust and whys, tensions' whys."""
    texts: list[tuple[str, str]] = []
    for node in (*constitution.principles, *constitution.values):
        texts += [(node.id, node.text), (node.id, node.why)]
    for principal in constitution.principals:
        texts += [(principal.id, principal.text), (principal.id, principal.trust), (principal.id, principal.why)]
    for tension in constitution.tensions:
        texts.append((tension.id, tension.why))
    return [(label, text) for label, text in texts if text]


def probe_texts(probe: dict) -> list[str]:
    """What a model under test or its grader reads: system, user turn, messages, rubric, pressure."""
    texts = [probe.get("system") or "", probe.get("user") or "", probe.get("rubric") or "",
             probe.get("pressure") or ""]
    for message in probe.get("messages") or ():
        if isinstance(message, dict):
            texts += [v if isinstance(v, str) else str(v) for k, v in message.items() if k not in ("id", "kind")]
    return [t for t in texts if isinstance(t, str) and t]
