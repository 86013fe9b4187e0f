"""`import-md`: a Markdown policy document as a first constitution.

Headings become sections; every paragraph and list item under them becomes a principle whose
`text` is the item's words exactly as the reader sees them (emphasis and link markup dropped,
line breaks read as spaces). A bold lead-in (`**Truthful**: ...`) becomes the principle's title
and its id; other principles are numbered within their section. Ids are namespaced by the
top-level heading and the nearest heading (`## Title {#id}` gives a heading its own id), and
de-duplicated in document order, so the same document always gives the same ids.

A paragraph labelled `Why:` (or `Rationale:`) gives the preceding principle its `why`; every
other principle gets a placeholder `why` that `check` warns about (CDL206) until it is written.
Comparison blocks, labelled paragraphs or fenced blocks `GOOD:` / `BAD:` (optionally after a
`User:` or `Prompt:` one), become dilemma skeletons teaching the principle just before them, with
the good answer as `stance` and the bad one as `misaligned`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from markdown_it import MarkdownIt

from .cdl_text import comment_block, is_name, placeholder, quote, slug, text_value

HEADING_ID = re.compile(r"\s*\{#([^}\s]+)\}\s*$")
LABEL = re.compile(r"^(?:[✅❌✔✘✗]\s*)?(good|bad|user|prompt|request|why|rationale)"
                   r"(?:\s+(?:example|response|answer|reply))?\s*[:：]\s*", re.IGNORECASE)
LEAD_END = re.compile(r"^\s*[:.—–-]\s*")
WHY_LABELS = ("why", "rationale")
PROMPT_LABELS = ("user", "prompt", "request")


@dataclass
class Section:
    title: str
    local: str
    namespace: str
    line: int
    children: list = field(default_factory=list)  # Block | Section, in document order
    parent: "Section | None" = None


@dataclass
class Block:
    """One paragraph, list item paragraph or fenced block, as plain text with its label if any."""

    text: str
    line: int
    label: str | None = None
    lead: str | None = None  # a bold lead-in, when the block starts with one


@dataclass
class Principle:
    id: str
    title: str
    text: str
    line: int
    why: str | None = None


@dataclass
class Example:
    id: str
    teaches: str | None
    line: int
    user: str | None = None
    good: str | None = None
    bad: str | None = None


def _plain(children) -> tuple[str, str | None]:
    """(the visible text of an inline token's children, the bold lead-in it starts with or None)."""
    parts: list[str] = []
    lead = None
    depth = 0
    lead_open = False
    children = [c for c in children if not (c.type == "text" and not c.content)]
    for index, child in enumerate(children):
        kind = child.type
        if kind == "strong_open" and index == 0:
            lead_open = True
        elif kind == "strong_close" and lead_open and depth == 0:
            lead, lead_open = "".join(parts), False
            parts = []
        elif kind in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "image":
            parts.append(child.content)
        elif kind.endswith("_open") and lead_open:
            depth += 1
        elif kind.endswith("_close") and lead_open:
            depth -= 1
    raw = "".join(parts)
    text = " ".join(raw.split())
    if lead is not None:
        lead = " ".join(lead.split())
        if not text:  # the whole paragraph is bold: it has no lead-in, only text
            return lead, None
        rest = LEAD_END.sub("", text, count=1)
        if rest == text and not lead.endswith((".", ":")):
            # `**Never** do X` is emphasis inside a sentence, not a lead-in.
            return " ".join((lead + raw).split()), None
        text = rest
        lead = lead.rstrip(".:").strip()
    return text, lead


def parse_markdown(source: str, file_stem: str) -> tuple[str, Section]:
    """(the document's title, its root section holding blocks and sub-sections)."""
    tokens = MarkdownIt("commonmark").parse(source)
    headings = [t for t in tokens if t.type == "heading_open"]
    h1s = [t for t in headings if t.tag == "h1"]
    title_from_h1 = len(h1s) == 1 and headings and headings[0].tag == "h1"
    root = Section(title="", local="", namespace=slug(file_stem, fallback="doc"), line=1)
    stack: list[tuple[int, Section]] = [(0, root)]
    title = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            level = int(token.tag[1])
            raw = tokens[index + 1].content
            found = HEADING_ID.search(raw)
            text, _ = _plain(tokens[index + 1].children or [])
            text = HEADING_ID.sub("", text).strip() or raw.strip()
            own_id = found.group(1).replace("-", "_") if found else None
            if own_id is not None and not is_name(own_id):
                own_id = None
            line = (token.map or [0])[0] + 1
            if title_from_h1 and level == 1:
                title = text
            while stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1]
            local = own_id or slug(text, fallback="section")
            top = stack[1][1] if len(stack) > 1 else None
            namespace = local if top is None else f"{top.local}.{local}"
            section = Section(title=text, local=local, namespace=namespace, line=line, parent=parent)
            parent.children.append(section)
            # The title heading's own text is a section beside the others, not around them.
            stack.append((7 if title_from_h1 and level == 1 else level, section))
            index += 3
            continue
        current = stack[-1][1]
        if token.type == "inline" and index > 0 and tokens[index - 1].type == "paragraph_open":
            text, lead = _plain(token.children or [])
            if text or lead:
                current.children.append(_labelled(Block(text, (token.map or [0])[0] + 1, lead=lead)))
        elif token.type == "fence":
            label = token.info.strip().lower()
            if label in ("good", "bad", *PROMPT_LABELS):
                current.children.append(Block(token.content.rstrip("\n"), (token.map or [0])[0] + 1,
                                              label=label))
        index += 1
    return title or file_stem, root


def _labelled(block: Block) -> Block:
    """Read a leading `GOOD:`, `User:` or `Why:` label off a block (bold or plain)."""
    whole = f"{block.lead}: {block.text}" if block.lead is not None else block.text
    match = LABEL.match(whole)
    if match is None:
        return block
    return Block(whole[match.end():], block.line, label=match.group(1).lower())


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.used:
            n += 1
            candidate = f"{wanted}_{n}"
        self.used.add(candidate)
        return candidate


def _principles_and_examples(section: Section, ids: _Ids, examples: _Ids) -> tuple[list, list]:
    """The section's own items: principles and examples in order (sub-sections are handled apart)."""
    items: list = []
    number = 0
    pending: Example | None = None
    last: Principle | None = None
    for child in section.children:
        if isinstance(child, Section):
            continue
        if child.label in WHY_LABELS and last is not None and last.why is None:
            last.why = child.text
            continue
        if child.label in ("good", "bad", *PROMPT_LABELS):
            if pending is None or getattr(pending, child.label if child.label in ("good", "bad") else "user"):
                pending = Example(examples.take(f"{section.local or section.namespace}_example"),
                                  last.id if last else None, child.line)
                items.append(pending)
            if child.label in ("good", "bad"):
                setattr(pending, child.label, child.text)
            else:
                pending.user = child.text
            continue
        pending = None
        if child.lead:
            local = slug(child.lead, words=4, fallback="item")
        else:
            number += 1
            local = f"p{number}"
        last = Principle(ids.take(f"{section.namespace}.{local}"), child.lead or "", child.text, child.line)
        items.append(last)
    # An example before any principle teaches the first principle after it.
    principles = [item for item in items if isinstance(item, Principle)]
    for item in items:
        if isinstance(item, Example) and item.teaches is None and principles:
            item.teaches = next((p.id for p in principles if p.line > item.line), principles[0].id)
    return items, principles


def import_markdown(source: str, file_name: str) -> str:
    """CDL text (not yet formatted) for a Markdown document."""
    stem = PurePath(file_name).stem
    title, root = parse_markdown(source, stem)
    ids, example_ids = _Ids(), _Ids()
    out = [comment_block(f"Imported from {PurePath(file_name).name} by `constitutionc import-md`. Texts are the "
                         "document's own words. Every `why` marked TODO is still to be written: `check` warns "
                         "about each (CDL206) until it is."),
           "",
           f"constitution {quote(title)} {{",
           f"  source: {quote(PurePath(file_name).name)}",
           "}",
           ""]
    _emit_section_body(root, ids, example_ids, out, "")
    return "\n".join(out).rstrip() + "\n"


def _emit_section_body(section: Section, ids: _Ids, example_ids: _Ids, out: list[str], indent: str) -> None:
    items, _ = _principles_and_examples(section, ids, example_ids)
    # Keep document order: a section's own items come where they appear relative to its sub-sections.
    queue = list(items)
    for child in section.children:
        if isinstance(child, Section):
            while queue and queue[0].line < child.line:
                _emit_item(queue.pop(0), out, indent)
            _emit_section(child, ids, example_ids, out, indent)
    while queue:
        _emit_item(queue.pop(0), out, indent)


def _emit_section(section: Section, ids: _Ids, example_ids: _Ids, out: list[str], indent: str) -> None:
    if not section.children and section.parent is not None and section.parent.parent is None \
            and section.parent.children and section.parent.children[0] is section:
        return  # the document's title heading with nothing under it: the header already has the title
    out.append(f"{indent}section {section.local} {quote(section.title)} {{")
    before = len(out)
    _emit_section_body(section, ids, example_ids, out, indent + "  ")
    if len(out) == before:
        out.append(f"{indent}  prose: {quote(placeholder('what this part of the document says'))}")
    if out[-1] == "":
        out.pop()
    out.append(f"{indent}}}")
    out.append("")


def _emit_item(item, out: list[str], indent: str) -> None:
    inner = indent + "  "
    if isinstance(item, Principle):
        head = f"{indent}principle {item.id}" + (f" {quote(item.title)}" if item.title else "") + " {"
        why = item.why or placeholder("why this matters, in the document's words")
        out += [head, f"{inner}text: {text_value(item.text, inner)}", f"{inner}why: {text_value(why, inner)}",
                f"{indent}}}", ""]
        return
    if item.teaches is None:
        out += [f"{indent}# The example at line {item.line} has no principle to teach; it was left out.", ""]
        return
    user = item.user or placeholder("the request this example answers")
    stance = item.good or placeholder("the good answer")
    out += [f"{indent}dilemma {item.id} teaches {item.teaches} {{",
            f"{inner}user: {text_value(user, inner)}",
            f"{inner}stance: {text_value(stance, inner)}"]
    if item.bad:
        out.append(f"{inner}misaligned: {text_value(item.bad, inner)}")
    out += [f"{indent}}}", ""]
