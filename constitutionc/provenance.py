"""What a record was made from, part by part, as sha256 digests (the record's `made_from`).

A record quotes more than its clauses' text: the principles' `why`, its family's templates,
stance and replies, the tensions it argues and the environment it embeds. The build writes one
digest per part; coverage recomputes them from the constitution as it is now, and a record
whose parts differ is stale, with the part named. Digests cover content only, never positions,
so moving a family within its file changes nothing.

Part keys: `why:<principle>`, `family:<generator>`, `tension:<prevails>><yields>`,
`environment:<environment>`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Iterable

from .ir import Constitution, Generator, Node, Tension

PART_KINDS = ("why", "family", "tension", "environment")


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False,
                                     separators=(",", ":")).encode("utf-8")).hexdigest()


_EMPTY = (None, "", (), [], {})


def _content(value):
    """A node's fields without spans, recursively: what it says, not where it is written. Empty fields are
    left out, so a field the language gains (empty wherever it is not written) leaves every digest as it was."""
    if isinstance(value, dict):
        return {k: _content(v) for k, v in value.items() if not (k == "span" or k.endswith("_span")
                                                               or k.endswith("_spans")) and v not in _EMPTY}
    if isinstance(value, (list, tuple)):
        return [_content(v) for v in value]
    return value


def node_digest(node: Node) -> str:
    # Fields at their defaults are left out, so a field added to the IR leaves every digest (and so
    # every record's staleness) as it was until some construct uses it.
    return _digest(_content(node.model_dump(mode="json", exclude_defaults=True)))


def made_from(constitution: Constitution, generator: Generator, clause_ids: Iterable[str],
              tensions: Iterable[Tension] = ()) -> dict[str, str]:
    """The parts a record of `generator` citing `clause_ids` and arguing `tensions` is made from."""
    parts = {f"family:{generator.id}": node_digest(generator)}
    for pid in clause_ids:
        principle = constitution.principle(pid)
        if principle is not None:
            parts[f"why:{pid}"] = _digest(principle.why)
    for tension in tensions:
        parts[f"tension:{tension.id}"] = node_digest(tension)
    if generator.environment:
        environment = constitution.environment(generator.environment)
        if environment is not None:
            parts[f"environment:{environment.id}"] = node_digest(environment)
    return dict(sorted(parts.items()))


def current_parts(constitution: Constitution) -> dict[str, str]:
    """Every part key the constitution has now, with its digest (what records are compared with)."""
    parts = {f"why:{p.id}": _digest(p.why) for p in constitution.principles}
    parts.update({f"family:{g.id}": node_digest(g) for g in constitution.generators})
    parts.update({f"tension:{t.id}": node_digest(t) for t in constitution.tensions})
    parts.update({f"environment:{e.id}": node_digest(e) for e in constitution.environments})
    return parts
