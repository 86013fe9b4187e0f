"""Texts still holding the placeholder that `import-md` and `new` write (a warning, never an error)."""

from __future__ import annotations

from typing import Iterator

from ..authoring.cdl_text import is_placeholder
from ..diagnostics import PLACEHOLDER_TEXT, Diagnostic, diag
from ..ir import Constitution
from .registry import CheckOptions, check


@check("placeholders")
def placeholders(c: Constitution, options: CheckOptions) -> Iterator[Diagnostic]:
    for p in c.principles:
        for name in ("text", "why"):
            if is_placeholder(getattr(p, name)):
                yield diag(PLACEHOLDER_TEXT.code,
                           f"principle `{p.id}`: `{name}` is still a placeholder; write "
                           + ("why this principle matters (justified responses quote it)" if name == "why"
                              else "the principle's text"),
                           p.name_span or p.span)
    for g in c.generators:
        spans = dict(g.template_spans)
        for name, text in g.templates:
            if is_placeholder(text):
                yield diag(PLACEHOLDER_TEXT.code, f"{g.kind} `{g.id}`: `{name}` is still a placeholder",
                           spans.get(name, g.span))
        for chk in g.checks:
            texts = [*chk.texts(), *(text for _, text in chk.arguments),
                     *(text for c in chk.conditions for text in c.values), chk.description]
            if any(is_placeholder(t) for t in texts):
                yield diag(PLACEHOLDER_TEXT.code, f"{g.kind} `{g.id}`: check `{chk.id}` is still a placeholder",
                           chk.span)
