"""Clarity rules: reasons that add something, and principles that say different things."""

from __future__ import annotations

import difflib
from typing import Iterator

from ..diagnostics import Diagnostic
from .registry import LintContext, RuleOption, make, rule
from .text import BREAK, containment, words


@rule("CDL601", "why-restates-text", category="clarity", level="warning",
      summary="A principle's `why` repeats its `text` instead of giving a reason.",
      rationale="Justified responses teach the reasoning behind a principle. A `why` made of the same words "
                "as the text gives the model nothing to generalise from. (A missing `why` is already the "
                "error CDL202.)",
      example='principle honesty.no_lies "No lies" {\n'
              '  text: "Never tell the user a lie."\n'
              '  why: "Because you should never tell the user a lie."\n'
              '}',
      options=[RuleOption("why-overlap", 0.8,
                          "share of the why's content words found in the text at or above which it restates")])
def why_restates_text(ctx: LintContext) -> Iterator[Diagnostic]:
    threshold = ctx.option("why-overlap")
    for p in ctx.constitution.principles:
        if not p.why.strip() or not p.text.strip():
            continue
        share = containment(p.why, p.text)
        if share >= threshold:
            yield make("CDL601", f"the `why` of principle `{p.id}` restates its text ({share:.0%} of its words "
                                 "are in the text); say why the principle matters", p.name_span or p.span)


def _word_masks(texts: list[list[str]]) -> list[int]:
    """Each text as a bit set of (word, occurrence number) pairs, so that the popcount of two
    masks ANDed is the size of their multiset intersection: SequenceMatcher's quick_ratio bound."""
    index: dict[tuple[str, int], int] = {}
    masks = []
    for text in texts:
        seen: dict[str, int] = {}
        mask = 0
        for word in text:
            seen[word] = seen.get(word, 0) + 1
            mask |= 1 << index.setdefault((word, seen[word]), len(index))
        masks.append(mask)
    return masks


@rule("CDL602", "near-duplicate-principles", category="clarity", level="warning",
      summary="Two principles have almost the same text.",
      rationale="Near-duplicates split the records that cite one idea between two ids, so coverage and "
                "provenance undercount both; merge them or make the difference explicit.",
      example='principle privacy.a "Privacy" {\n'
              '  text: "Do not reveal private information about the people you talk to."\n'
              '  why: "Exposure harms people in ways that are hard to undo."\n}\n\n'
              'principle privacy.b "Privacy again" {\n'
              '  text: "Do not reveal private information about the people you speak to."\n'
              '  why: "Private details give power over people."\n}',
      options=[RuleOption("duplicate-similarity", 0.85,
                          "word-sequence similarity (0 to 1) at or above which two principle texts are "
                          "near-duplicates")])
def near_duplicate_principles(ctx: LintContext) -> Iterator[Diagnostic]:
    threshold = ctx.option("duplicate-similarity")
    principles = [p for p in ctx.constitution.principles if p.text.strip()]
    tokens = [[w for w in words(p.text) if w != BREAK] for p in principles]
    masks = _word_masks(tokens)
    for j, later in enumerate(principles):
        for i in range(j):
            earlier = principles[i]
            if earlier.id == later.id:
                continue  # a duplicate id is the error CDL101, not a lint matter
            total = len(tokens[i]) + len(tokens[j])
            if not total or 2 * (masks[i] & masks[j]).bit_count() < threshold * total:
                continue  # even the best alignment of these words could not reach the threshold
            score = difflib.SequenceMatcher(None, tokens[i], tokens[j], autojunk=False).ratio()
            if score >= threshold:
                yield make("CDL602", f"principle `{later.id}` says nearly the same as `{earlier.id}` "
                                     f"({score:.0%} similar)", later.name_span or later.span,
                           notes=[f"`{earlier.id}` is at {earlier.span.file}:{earlier.span.line}"])
                break
