"""Hover, go to definition, find references and rename."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ... import spec
from ...templates import FOCUS, SLOT
from ..context import cursor_context
from ..index import ID_PATTERN, VALUE_FIELD, Reference, Symbol
from ..project import Identity, Located, uri_of_path
from . import location, node_at, span_of

if TYPE_CHECKING:
    from ..server import ConstitutionServer

# Axis and slot names appear inside `{...}` template slots, which allow no dots or dashes.
SLOT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_RULES = {"axis": SLOT_NAME, "slot": SLOT_NAME, "shared_axis": SLOT_NAME}


# --- hover text, one function per kind -------------------------------------------

def _principle(symbol: Symbol) -> list[str]:
    facts = [symbol.field("kind", "default")]
    if symbol.field("value"):
        facts.append(f"value: `{symbol.field('value')}`")
    if symbol.field("default"):
        facts.append(f"default: {symbol.field('default')}")
    out = [f"*{' · '.join(facts)}*"]
    if symbol.field("text"):
        out.append(symbol.field("text"))
    if symbol.field("why"):
        out.append(f"**Why:** {symbol.field('why')}")
    return out


def _text_and_why(symbol: Symbol) -> list[str]:
    out = [f"*channel: {symbol.field('channel')}*"] if symbol.field("channel") else []
    for key, label in (("text", ""), ("trust", "**Trust:** "), ("why", "**Why:** "), ("when", "**When:** ")):
        if symbol.field(key):
            out.append(label + symbol.field(key))
    return out


def _environment(symbol: Symbol) -> list[str]:
    out = []
    if symbol.field("persona"):
        out.append(symbol.field("persona"))
    tools = [c.name for c in symbol.children if c.kind == "tool"]
    systems = [c.name for c in symbol.children if c.kind == "system"]
    if tools:
        out.append("Tools: " + ", ".join(f"`{t}`" for t in tools))
    if systems:
        out.append("System prompts: " + ", ".join(f"`{s}`" for s in systems))
    return out


def _tool(symbol: Symbol) -> list[str]:
    out = [symbol.title] if symbol.title else []
    for param in symbol.children:
        out.append(f"- `{param.name}`: {param.field('type')}" + (f" — {param.title}" if param.title else ""))
    return out


def _generator(symbol: Symbol) -> list[str]:
    out = []
    axes = [c for c in symbol.children if c.kind == "axis"]
    for axis in axes:
        out.append(f"- vary `{axis.name}`: {axis.field('values')}")
    if symbol.field("environment"):
        out.append(f"Environment: `{symbol.field('environment')}`")
    return out


def _fields(symbol: Symbol) -> list[str]:
    fields = symbol.field("fields")
    return [f"Fields of each value: {', '.join(f'`{{{symbol.name}.{f.strip()}}}`' for f in fields.split(','))}"] \
        if fields else []


HOVER_BODIES = {
    "principle": _principle,
    "value": _text_and_why,
    "principal": _text_and_why,
    "tension": _text_and_why,
    "environment": _environment,
    "tool": _tool,
    "generator": _generator,
    "axis": lambda s: [f"Values: {s.field('values')}"] + _fields(s),
    "shared_axis": lambda s: [f"Values: {s.field('values')}"] + _fields(s)
                             + [f"A shared axis: a family uses it with `vary: {s.name}`"],
    "slot": lambda s: [f"Chosen by axis `{s.field('axis')}`"] if s.field("axis") else [],
    "param": lambda s: [f"Type: {s.field('type')}"] + ([s.title] if s.title else []),
    "system": lambda s: [s.field("text")],
    "check": lambda s: [s.title] if s.title else [],
}


def hover_markdown(server: "ConstitutionServer", found: Located) -> str:
    symbol = found.node
    assert isinstance(symbol, Symbol)
    heading = f"**{symbol.keyword}** `{symbol.name}`"
    if symbol.title and symbol.kind not in ("tool", "param", "check"):
        heading += f" — {symbol.title}"
    parts = [heading]
    parts.extend(p for p in HOVER_BODIES.get(symbol.kind, lambda s: [])(symbol) if p)
    parts.append(f"Defined in `{server.project.display(found.path)}:{symbol.name_span.line}`")
    return "\n\n".join(parts)


SUPPRESSION = re.compile(r"#\s*constitutionc:\s*ignore\[([^\]]*)\]")
CODE_WORD = re.compile(r"[A-Za-z0-9_\-]+")


def suppression_hover(lines, line: int, column: int) -> tuple[str, types.Range] | None:
    """What a code named in `# constitutionc: ignore[...]` under the cursor means."""
    from ...diagnostics import CODES

    text = lines.lines[line - 1] if line <= len(lines.lines) else ""
    match = SUPPRESSION.search(text)
    if match is None:
        return None
    names = {entry.name: code for code, entry in CODES.items()}
    for word in CODE_WORD.finditer(text, match.start(1), match.end(1)):
        if word.start() < column <= word.end() + 1:
            code = word.group(0) if word.group(0) in CODES else names.get(word.group(0))
            if code is None:
                return f"`{word.group(0)}` is not a diagnostic code", _word_range(lines, line, word)
            entry = CODES[code]
            return (f"**{code}** `{entry.name}` ({entry.severity.value}, {entry.category})\n\n{entry.summary}",
                    _word_range(lines, line, word))
    return None


FIELD_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def field_hover(lines, line: int, column: int) -> tuple[str, types.Range] | None:
    """On the key of a field (`reply:`, `tool read_file {` in a conversation, ...): what the language
    spec says it means, for the block it is written in."""
    text = lines.lines[line - 1]
    for word in FIELD_KEY.finditer(text):
        before = text[:word.start()].rstrip()
        if not word.start() <= column - 1 <= word.end() or (before and not before.endswith("{")):
            continue
        context = cursor_context(lines.text, lines.offset(line, word.start() + 1))
        frames = [frame.keyword for frame in context.frames]
        block = frames[-1] if frames else ""
        table = spec.NESTED_BLOCKS.get(tuple(frames[-2:]), spec.BLOCKS.get(block, {}))
        field = table.get(word.group(0))
        if field is None:
            about = keyword_hover(word.group(0), block)
            return (about, _word_range(lines, line, word)) if about else None
        where = f"`{block}`" if block else "the top level"
        return f"**{field.name}** (field of {where})\n\n{field.doc}", _word_range(lines, line, word)
    return None


# Where a construct's keyword may stand: the top level of a file, and (all but two) inside a section.
KEYWORD_PLACES = {"": spec.KEYWORD_DOCS, "section": {k: spec.KEYWORD_DOCS[k] for k in spec.CONSTRUCTS}}


def keyword_hover(word: str, block: str) -> str | None:
    """On the keyword that starts a construct (`principle`, `dilemma`, `import`, ...) where one may stand."""
    doc = KEYWORD_PLACES.get(block, {}).get(word)
    return None if doc is None else f"**{word}** (construct)\n\n{doc}"


# What `{owner.FIELD}` reads of a principle: the spec's words for the fields a principle declares, and
# these for the two every principle has.
PRINCIPLE_FIELD_DOCS = {"id": "the principle's id", "title": "its title (its id when it has none)"}


def principle_field_doc(field: str) -> str | None:
    if field in PRINCIPLE_FIELD_DOCS:
        return PRINCIPLE_FIELD_DOCS[field]
    declared = spec.PRINCIPLE.get(field)
    return declared.doc if declared is not None and field in spec.PRINCIPLE_TEMPLATE_FIELDS else None


def slot_field_hover(server: "ConstitutionServer", path: Path, lines, line: int,
                     column: int) -> tuple[str, types.Range] | None:
    """On FIELD in a dotted slot `{owner.FIELD}`: what the field is (a field of an axis's values, with what
    each value gives; or a principle's field, with the spec's words for it and, for a named principle, its
    text)."""
    text = lines.lines[line - 1] if line <= len(lines.lines) else ""
    for match in SLOT.finditer(text):
        name = match.group(1)
        if not name or "." not in name:
            continue
        owner, _, field = name.rpartition(".")
        start = match.start(1) + len(owner) + 1  # 0-based start of FIELD in the line
        if not start < column <= start + len(field):
            continue
        where = types.Range(start=lines.position(line, start + 1), end=lines.position(line, start + len(field) + 1))
        slot = f"`{{{name}}}`"
        if owner == FOCUS:
            doc = principle_field_doc(field)
            return (f"{slot}: field `{field}` of the instance's focus principle" + (f"\n\n{doc}" if doc else ""),
                    where) if doc else None
        reference = server.project.node_at(path, line, match.start(1) + 1)
        found = definitions_of(server, path, reference) if isinstance(reference, Reference) else []
        if not found:
            return None
        symbol = found[0].node
        if symbol.kind in ("axis", "shared_axis") and symbol.field(VALUE_FIELD + field, None) is not None:
            values = symbol.field(VALUE_FIELD + field).split(" | ")
            return (f"{slot}: field `{field}` of each value of axis `{owner}`\n\n"
                    + "\n".join(f"- {value}" for value in values), where)
        doc = principle_field_doc(field)
        if doc is None:
            return None
        if symbol.kind == "principle":
            said = symbol.title if field == "title" else symbol.name if field == "id" else symbol.field(field)
            return (f"{slot}: field `{field}` of principle `{owner}`\n\n{doc}"
                    + (f"\n\n> {said}" if said else ""), where)
        return f"{slot}: field `{field}` of the principle axis `{owner}` draws\n\n{doc}", where
    return None


def _word_range(lines, line: int, word: re.Match) -> types.Range:
    return types.Range(start=lines.position(line, word.start() + 1), end=lines.position(line, word.end() + 1))


def definitions_of(server: "ConstitutionServer", path: Path, node: Symbol | Reference) -> list[Located]:
    if isinstance(node, Symbol):
        return [Located(path, node)]
    if node.kinds == ("file",):
        return []
    return server.project.resolve(path, node)[1]


def _occurrences(server: "ConstitutionServer", path: Path, node: Symbol | Reference,
                 include_declaration: bool) -> list[Located]:
    if isinstance(node, Reference) and node.kinds == ("file",):
        target = server.project.import_target(path, node)
        return server.project.import_occurrences(target) if target else []
    identity = server.project.identity(path, node)
    if identity is None:
        return []
    return server.project.occurrences(identity, include_definitions=include_declaration)


def _markdown(text: str, where: types.Range) -> types.Hover:
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=where)


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @guarded(server)
    def hover(params: types.HoverParams) -> types.Hover | None:
        path, node = node_at(server, params.text_document.uri, params.position)
        lines = server.lines(params.text_document.uri)
        if node is None:
            found_code = suppression_hover(lines, *lines.location_of(params.position))
            if found_code is None:
                found_code = slot_field_hover(server, path, lines, *lines.location_of(params.position))
            if found_code is None:
                found_code = field_hover(lines, *lines.location_of(params.position))
            return _markdown(*found_code) if found_code else None
        if isinstance(node, Reference) and node.kinds == ("file",):
            target = server.project.import_target(path, node)
            text = f"**import** `{server.project.display(target)}`" if target else "**import**: file not found"
            return _markdown(text, lines.range(node.span))
        found = definitions_of(server, path, node)
        if not found:
            return None
        return _markdown("\n\n---\n\n".join(hover_markdown(server, f) for f in found), lines.range(span_of(node)))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    @guarded(server, default=[])
    def definition(params: types.DefinitionParams) -> list[types.Location]:
        path, node = node_at(server, params.text_document.uri, params.position)
        if node is None:
            return []
        if isinstance(node, Reference) and node.kinds == ("file",):
            target = server.project.import_target(path, node)
            start = types.Position(line=0, character=0)
            return [types.Location(uri=uri_of_path(target), range=types.Range(start=start, end=start))] \
                if target else []
        return [loc for loc in (location(server, f) for f in definitions_of(server, path, node)) if loc]

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    @guarded(server, default=[])
    def document_links(params: types.DocumentLinkParams) -> list[types.DocumentLink]:
        """Make each import's file name a link to the file it names."""
        uri = params.text_document.uri
        path = server.path_of(uri)
        lines = server.lines(uri)
        links = []
        for ref in server.project.index(path).imports:
            target = server.project.import_target(path, ref)
            if target is not None:
                links.append(types.DocumentLink(range=lines.range(ref.span), target=uri_of_path(target),
                                                tooltip=server.project.display(target)))
        return links

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    @guarded(server, default=[])
    def references(params: types.ReferenceParams) -> list[types.Location]:
        path, node = node_at(server, params.text_document.uri, params.position)
        if node is None:
            return []
        found = _occurrences(server, path, node, params.context.include_declaration)
        return [loc for loc in (location(server, f) for f in found) if loc]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    @guarded(server)
    def prepare_rename(params: types.PrepareRenameParams):
        path, node = node_at(server, params.text_document.uri, params.position)
        if node is None or (isinstance(node, Reference) and node.kinds == ("file",)) \
                or (isinstance(node, Symbol) and not node.renameable):
            return None
        lines = server.lines(params.text_document.uri)
        return types.PrepareRenamePlaceholder(range=lines.range(span_of(node)), placeholder=node.name)

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(params: types.RenameParams) -> types.WorkspaceEdit | None:
        # Not guarded: a refused name must reach the user as an error, not as silence.
        path, node = node_at(server, params.text_document.uri, params.position)
        if node is None:
            return None
        identity = server.project.identity(path, node)
        if identity is None or (isinstance(node, Symbol) and not node.renameable):
            return None
        rule = NAME_RULES.get(identity.kind, ID_PATTERN)
        if not rule.fullmatch(params.new_name):
            raise JsonRpcInvalidParams(f"`{params.new_name}` is not a valid {identity.kind} name")
        taken = Identity(identity.kind, identity.scope, params.new_name)
        if params.new_name != identity.name and any(
                isinstance(found.node, Symbol) for found in server.project.occurrences(taken)):
            raise JsonRpcInvalidParams(f"a {identity.kind} named `{params.new_name}` already exists")
        return rename_edit(server, identity, params.new_name)


def rename_edit(server: "ConstitutionServer", identity: Identity, new_name: str) -> types.WorkspaceEdit:
    edits: dict[str, list[types.TextEdit]] = defaultdict(list)
    seen = set()
    for found in server.project.occurrences(identity):
        span = span_of(found.node)
        key = (found.path, span.line, span.column)
        lines = server.lines_of_path(found.path)
        if key in seen or lines is None:
            continue
        seen.add(key)
        edits[uri_of_path(found.path)].append(types.TextEdit(range=lines.range(span), new_text=new_name))
    return types.WorkspaceEdit(changes=dict(edits))
