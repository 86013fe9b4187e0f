"""Completion: keywords and field names for the enclosing block, ids where an id goes,
and axis names inside a template's `{...}` slot."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from lsprotocol import types

from ... import spec
from ..context import Frame, block_text, cursor_context
from ..project import std_root

if TYPE_CHECKING:
    from ..server import ConstitutionServer

K = types.CompletionItemKind
# `license` is accepted as a spelling of `licence`; offering both would only be noise.
_NOT_OFFERED = {("constitution", "license")}


def fields_of(block: str) -> dict[str, spec.Field]:
    """The fields completion offers in a block (the language spec's, less alternative spellings)."""
    table = spec.BLOCKS.get(block, {})
    return {name: f for name, f in table.items() if (block, name) not in _NOT_OFFERED}


KEYWORDS_BY_BLOCK = {"": spec.TOP_LEVEL_KEYWORDS, "section": ("prose", *spec.CONSTRUCTS)}
FIXED_VALUES = {name: list(f.choices) for name, f in spec.PRINCIPLE.items() if f.choices}

TEMPLATE_SLOT = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)?$")
# `{relation.` : a field of the value an axis takes.
TEMPLATE_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)?$")
SUPPRESSION_CODES = re.compile(r"#\s*constitutionc:\s*ignore\[(?:[^\]]*,)?\s*([A-Za-z0-9_\-]*)$")
IMPORT_STRING = re.compile(r'^\s*import\s+"([^"]*)$')
NAME = r"[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*"


class Request:
    """One completion request: the text, the cursor and what surrounds it."""

    def __init__(self, server: "ConstitutionServer", uri: str, position: types.Position):
        self.server = server
        self.path = server.path_of(uri)
        self.lines = server.lines(uri)
        line, column = self.lines.location_of(position)
        self.offset = self.lines.offset(line, column)
        self.line_prefix = self.lines.lines[line - 1][:column - 1]
        self.position = position
        self.context = cursor_context(self.lines.text, self.offset)

    def generator_frame(self) -> Frame | None:
        return self.context.enclosing("dilemma", "probe")

    def generator_text(self) -> str:
        frame = self.generator_frame()
        return block_text(self.lines.text, frame) if frame else ""

    def axes(self) -> list[str]:
        """The family's axes: its own (`vary tone: ...`, `vary tone { ... }`) and the shared ones it uses
        (`vary: relation, role`)."""
        text = self.generator_text()
        own = re.findall(r"^\s*vary\s+([A-Za-z_][A-Za-z0-9_]*)", text, re.M)
        shared = [name for line in re.findall(r"^\s*vary\s*:([^\n#]*)", text, re.M)
                  for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", line)]
        return own + shared

    def shared_axis(self, name: str):
        found = self.server.project.definitions(self.path, "shared_axis", name)
        return found[0].node if found else None

    def axis_symbol(self, name: str):
        """The definition an axis name of this family has: its own `vary` (in the index), else a shared axis."""
        frame = self.generator_frame()
        generator = frame.words[1] if frame and len(frame.words) > 1 else None
        own = self.server.project.index(self.path).definitions_named("axis", name, generator)
        return own[0] if own else self.shared_axis(name)

    def slots(self) -> list[str]:
        return re.findall(r"^\s*slot\s+([A-Za-z_][A-Za-z0-9_]*)", self.generator_text(), re.M)

    def axis_values(self, axis: str) -> list[str]:
        match = re.search(rf"^\s*vary\s+{re.escape(axis)}\s*:(.*)$", self.generator_text(), re.M)
        if not match:
            symbol = self.axis_symbol(axis)
            listed = symbol.field("values") if symbol is not None else ""
            return [v.strip() for v in listed.split("|") if v.strip()]
        return [v.strip().strip('"') for v in match.group(1).split("|") if v.strip()]

    def environment(self) -> str | None:
        match = re.search(rf"^\s*environment\s*:\s*({NAME})", self.generator_text(), re.M)
        return match.group(1) if match else None

    def replace_range(self, typed: str) -> types.Range:
        width = self.lines.codec.client_num_units(typed)
        start = types.Position(line=self.position.line, character=max(self.position.character - width, 0))
        return types.Range(start=start, end=self.position)

    def item(self, label: str, kind: K, detail: str = "", doc: str = "", typed: str | None = None,
             insert: str | None = None) -> types.CompletionItem:
        typed = self.context.partial if typed is None else typed
        return types.CompletionItem(
            label=label, kind=kind, detail=detail or None,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc) if doc else None,
            text_edit=types.TextEdit(range=self.replace_range(typed), new_text=insert or label))

    # --- sources of names -------------------------------------------------------
    def defined(self, kind: str, item_kind: K, scope: str | None = None) -> list[types.CompletionItem]:
        out = []
        for found in self.server.project.all_definitions(self.path, kind, scope):
            symbol = found.node
            doc = symbol.field("text") or symbol.field("persona") or symbol.title
            out.append(self.item(symbol.name, item_kind, symbol.title or symbol.keyword, doc))
        return out

    def principles(self) -> list[types.CompletionItem]:
        return self.defined("principle", K.Constant)

    def values(self) -> list[types.CompletionItem]:
        return self.defined("value", K.EnumMember)

    def words(self, words, kind: K = K.Keyword, detail: str = "") -> list[types.CompletionItem]:
        return [self.item(w, kind, detail) for w in words]


def _keys(request: Request) -> list[types.CompletionItem]:
    block = request.context.block
    if block == "slot":
        frame = request.context.frames[-1]
        axis = frame.words[3] if len(frame.words) >= 4 and frame.words[2] == "from" else ""
        return request.words(request.axis_values(axis), K.EnumMember, f"a value of `{axis}`") + \
            request.words(["otherwise"])
    if block in KEYWORDS_BY_BLOCK:
        return request.words(KEYWORDS_BY_BLOCK[block], K.Keyword)
    frames = [frame.keyword for frame in request.context.frames]
    nested = spec.NESTED_BLOCKS.get(tuple(frames[-2:]))
    if nested is not None:
        return [request.item(name, K.Field, f"{block} field", f.doc) for name, f in nested.items()]
    if block == "conversation":
        # Besides the roles, the declared principals speak by their ids.
        return ([request.item(name, K.Field, "conversation turn", f.doc) for name, f in fields_of(block).items()]
                + request.defined("principal", K.Field))
    return [request.item(name, K.Field, f"{block} field", f.doc) for name, f in fields_of(block).items()]


def _value_of_key(request: Request, key: str) -> list[types.CompletionItem]:
    block = request.context.block
    if key == "switchable_by" and block == "principle":
        declared = request.defined("principal", K.EnumMember)
        return declared or request.words(spec.DEFAULT_SWITCHERS, K.EnumMember)
    if key == "authority" and block in ("", "section"):
        return request.defined("principal", K.EnumMember)
    if key == "channel" and block == "principal":
        return request.words(spec.CHANNELS, K.EnumMember)
    if key in FIXED_VALUES and block == "principle":
        return request.words(FIXED_VALUES[key], K.EnumMember)
    if key == "value" and block == "principle" or key == "priority" and block in ("", "section"):
        return request.values()
    if key == "vary" and block in ("dilemma", "probe"):
        return [request.item(found.node.name, K.Enum, found.node.title or "shared axis",
                             f"Values: {found.node.field('values')}")
                for found in request.server.project.all_definitions(request.path, "shared_axis")]
    if key in ("judged_by", "argues") and block in ("dilemma", "probe"):
        return request.principles()
    if key == "environment" and block in ("dilemma", "probe"):
        return request.defined("environment", K.Module)
    if key == "systems" and block in ("dilemma", "probe"):
        return request.defined("system", K.Text, request.environment())
    if key == "tool" and block == "check":
        return request.defined("tool", K.Function, request.environment())
    if key == "clause" and block == "check":
        return request.principles()
    if key == "param" and block == "tool":
        return request.words(spec.PARAM_TYPES, K.TypeParameter)
    return []


def _statement(request: Request) -> list[types.CompletionItem]:
    words = request.context.line_words
    if not words:
        return _keys(request)
    line = " ".join(words)
    if ":" in line:
        return _value_of_key(request, words[0].rstrip(":"))
    handler = STATEMENTS.get(words[0])
    return handler(request, words) if handler else []


def _generator_header(request: Request, words: list[str]) -> list[types.CompletionItem]:
    relation = "teaches" if words[0] == "dilemma" else "tests"
    if len(words) == 2:
        return request.words([relation])
    if relation in words:
        return request.principles()
    return []


def _tension(request: Request, words: list[str]) -> list[types.CompletionItem]:
    if len(words) == 2:
        return request.words(["over"])
    if len(words) in (1, 3):
        return request.principles() + request.values()
    return []


def _rule(request: Request, words: list[str]) -> list[types.CompletionItem]:
    last = words[-1]
    axes = request.axes()
    if words[0] == "set" and len(words) == 1 or last in ("when", "and"):
        return request.words(axes, K.Variable)
    if words[0] == "set" and len(words) == 2:
        return request.words(["to"])
    if words[0] == "set" and len(words) == 3:
        return request.words(request.axis_values(words[1]), K.EnumMember)
    if last in ("is", "not", "or"):
        axis = next((w for w in reversed(words[:-1]) if w in axes), None)
        return request.words(request.axis_values(axis), K.EnumMember) if axis else []
    return request.words(["when"] if "when" not in words else ["and"])


def _slot(request: Request, words: list[str]) -> list[types.CompletionItem]:
    if len(words) == 2:
        return request.words(["from"])
    if len(words) == 3 and words[2] == "from":
        return request.words(request.axes(), K.Variable)
    return []


def _import(request: Request, words: list[str]) -> list[types.CompletionItem]:
    root = std_root()
    modules = sorted(spec.STD_MODULE + p.relative_to(root).with_suffix("").as_posix().replace("/", ".")
                     for p in root.rglob("*.cdl"))
    return request.words(modules, K.Module, "standard library")


STATEMENTS: dict[str, Callable[[Request, list[str]], list[types.CompletionItem]]] = {
    "dilemma": _generator_header, "probe": _generator_header, "tension": _tension,
    "set": _rule, "exclude": _rule, "include": _rule, "slot": _slot, "import": _import,
}


def _in_string(request: Request) -> list[types.CompletionItem]:
    prefix = request.context.string_prefix or ""
    match = IMPORT_STRING.match(request.line_prefix)
    if match:
        return _import_files(request, match.group(1))
    field = TEMPLATE_FIELD.search(prefix)
    if field is not None and request.generator_frame() is not None and field.group(1) in request.axes():
        symbol = request.axis_symbol(field.group(1))
        fields = [f.strip() for f in (symbol.field("fields") if symbol is not None else "").split(",") if f.strip()]
        return [request.item(name, K.Field, f"a field of each value of `{field.group(1)}`", typed=field.group(2) or "")
                for name in fields]
    slot = TEMPLATE_SLOT.search(prefix)
    if slot is None or request.generator_frame() is None:
        return []
    typed = slot.group(1) or ""
    names = dict.fromkeys(request.slots() + request.axes())
    return [request.item(name, K.Variable, "template slot", typed=typed) for name in names]


def _import_files(request: Request, typed: str) -> list[types.CompletionItem]:
    here = request.path.parent
    out = []
    for path in sorted(here.rglob("*.cdl"))[:500]:
        if path.resolve() == request.path:
            continue
        relative = path.relative_to(here).as_posix()
        out.append(request.item(relative, K.File, typed=typed))
    return out


def _suppression_codes(request: Request) -> list[types.CompletionItem]:
    """Inside `# constitutionc: ignore[...]`: the diagnostic codes, with what each means."""
    from ...diagnostics import CODES

    match = SUPPRESSION_CODES.search(request.line_prefix)
    if match is None:
        return []
    typed = match.group(1)
    return [request.item(code, K.Constant, entry.name, entry.summary, typed=typed) for code, entry in CODES.items()]


def complete(request: Request) -> list[types.CompletionItem]:
    if request.context.in_comment:
        return _suppression_codes(request)
    if request.context.string_prefix is not None:
        return _in_string(request)
    return _statement(request)


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    # Not space: it would pop the field list up at every indentation keystroke.
    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=["{", ":", ",", '"', "|", ">", "["]))
    @guarded(server)
    def completion(params: types.CompletionParams) -> types.CompletionList | None:
        request = Request(server, params.text_document.uri, params.position)
        return types.CompletionList(is_incomplete=False, items=complete(request))
