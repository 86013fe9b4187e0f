"""Slips that survive `check` and show up in the records: ids with spaces, wrong articles, `[...]` left in."""

from __future__ import annotations

import re
from typing import Iterator

from ..diagnostics import Diagnostic
from ..ir import Generator
from ..templates import SLOT
from .registry import LintContext, make, rule

_ID_CHARACTERS = re.compile(r"^[A-Za-z0-9_.\-]*$")
_ARTICLE_SLOT = re.compile(r"\b([Aa]n?)[ \t]+\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Fragments that stand for text someone meant to write: `[...]`, `[…]`, `[insert name]`, `[COMPANY]`.
_FRAGMENT = re.compile(r"\[(?:\.\.\.|…|(?:insert|placeholder|your|add|fill)\b[^\]\n]*|[A-Z][A-Z0-9 _]{1,30})\](?!\()")
# Words whose spelling misleads about their first sound.
_CONSONANT_SOUND = re.compile(r"^(?:uni|use|usu|uti|ure|eu|one|once|ubiq)", re.IGNORECASE)
_VOWEL_SOUND = re.compile(r"^(?:hour|honest|honou?r|heir|[aeiou])", re.IGNORECASE)


def _fills(g: Generator, name: str) -> tuple[str, ...]:
    """Every text a slot `{name}` can take in the generator: an axis's values or a slot's cases."""
    for axis in g.axes:
        if axis.name == name:
            return axis.values
    for slot in g.slots:
        if slot.name == name:
            return tuple(text for _, text in slot.cases) + ((slot.default,) if slot.default else ())
    return ()


def _texts(ctx: LintContext) -> Iterator[tuple[Generator, str, str, object]]:
    """(generator, what, text, span) of each text a generator writes into its records."""
    for g in ctx.constitution.generators:
        spans = dict(g.template_spans)
        for name, text in g.templates:
            yield g, f"`{name}`", text, spans.get(name, g.span)
        for slot in g.slots:
            for case, text in slot.cases:
                yield g, f"slot `{slot.name}`", text, slot.span
        for check in g.checks:
            for text in check.texts():
                yield g, f"check `{check.id}`", text, check.span


@rule("CDL621", "condition-id-not-a-name", category="clarity", level="warning",
      summary="A probe's `condition` fills to text with spaces or punctuation.",
      rationale="The condition id names a cell of the eval grid in results and reports. The build writes "
                "each run of spaces or punctuation as `-` (`abusive_useless-idiot`), so the id can be typed "
                "and grouped, but it is no longer the text the author wrote: name the condition with ids.",
      example='principle a.b "B" {\n  text: "Stay courteous."\n  why: "Respect."\n}\n\n'
              'probe rude tests a.b {\n  vary insult: "useless idiot" | rude\n'
              '  condition: "abusive_{insult}"\n  user: "You {insult} bot."\n  rubric: "Fails if rude."\n'
              '  check rude "Insults back" {\n    says: "you are the idiot"\n  }\n}')
def condition_id_not_a_name(ctx: LintContext) -> Iterator[Diagnostic]:
    for g in ctx.constitution.generators:
        template = g.template("condition") if g.kind == "probe" else None
        if template is None:
            continue
        spans = dict(g.template_spans)
        bad = [template] if not _ID_CHARACTERS.match(SLOT.sub("", template)) else []
        for match in SLOT.finditer(template):
            if match.group(1):
                bad += [v for v in _fills(g, match.group(1)) if not _ID_CHARACTERS.match(v)]
        if bad:
            yield make("CDL621", f"probe `{g.id}`: `condition` fills to ids with spaces or punctuation "
                                 f"(from {bad[0]!r}); use only letters, digits, `_`, `-` and `.`, or name the "
                                 "condition with a slot whose texts are ids",
                       spans.get("condition", g.span))


def _article_fits(article: str, word: str) -> bool:
    if not word or not word[0].isalpha():
        return True
    vowel = bool(_VOWEL_SOUND.match(word)) and not _CONSONANT_SOUND.match(word)
    return vowel == (article.lower() == "an")


@rule("CDL622", "article-before-slot", category="clarity", level="warning",
      summary="`a {slot}` or `an {slot}` reads wrongly for some of the slot's texts (\"an disability\").",
      rationale="The article is written once but the slot takes several texts; records then say "
                "\"an disability claim\" or \"a urgent request\". Put the article inside the slot's texts, or give "
                "each value of the axis an article field and write `{claim.article} {claim}`.",
      example='principle a.b "B" {\n  text: "Be fair."\n  why: "Fairness."\n}\n\n'
              'dilemma claims teaches a.b {\n  vary claim: disability | injury | "insurance fraud"\n'
              '  user: "I have an {claim} claim to file."\n  stance: "Help honestly."\n}')
def article_before_slot(ctx: LintContext) -> Iterator[Diagnostic]:
    for g, what, text, span in _texts(ctx):
        for match in _ARTICLE_SLOT.finditer(text):
            article, name = match.group(1), match.group(2)
            wrong = [v for v in _fills(g, name) if not _article_fits(article, v.split(" ")[0])]
            if wrong:
                yield make("CDL622", f"{g.kind} `{g.id}`: {what} says `{article} {{{name}}}`, which reads "
                                     f"\"{article} {wrong[0]}\"; move the article into the texts of "
                                     f"`{name}`, or give each value an `article` field and write "
                                     f"`{{{name}.article}} {{{name}}}`", span)


@rule("CDL623", "placeholder-fragment", category="clarity", level="warning",
      summary="A generator text still holds a fragment such as `[...]` or `[insert name]`.",
      rationale="Bracketed fragments stand for words someone meant to write; in an answer or a scenario "
                "they become training data and eval prompts as they are.",
      example='principle a.b "B" {\n  text: "Be specific."\n  why: "Vague help fails."\n}\n\n'
              'dilemma vague teaches a.b {\n  user: "What should I write to my landlord?"\n'
              '  stance: "Write: Dear [...], the heating has been off since Monday."\n}')
def placeholder_fragment(ctx: LintContext) -> Iterator[Diagnostic]:
    for g, what, text, span in _texts(ctx):
        match = _FRAGMENT.search(text)
        if match:
            yield make("CDL623", f"{g.kind} `{g.id}`: {what} still holds `{match.group(0)}`; write the "
                                 "words it stands for", span)
