"""The document outline: sections, principles, values, environments and their tools,
generators and their axes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..convert import SourceLines
from ..index import Symbol

if TYPE_CHECKING:
    from ..server import ConstitutionServer

S = types.SymbolKind
SYMBOL_KINDS = {
    "constitution": S.File,
    "section": S.Namespace,
    "value": S.Enum,
    "principal": S.Interface,
    "principle": S.Constant,
    "tension": S.Operator,
    "environment": S.Module,
    "tool": S.Function,
    "param": S.Variable,
    "system": S.String,
    "generator": S.Class,
    "axis": S.EnumMember,
    "shared_axis": S.Enum,
    "slot": S.Field,
    "check": S.Method,
}


def document_symbol(symbol: Symbol, lines: SourceLines) -> types.DocumentSymbol:
    whole = lines.range(symbol.span)
    selection = lines.range(symbol.name_span)
    # A client rejects a selection outside the whole range; recovered trees can produce one.
    if (selection.start.line, selection.start.character) < (whole.start.line, whole.start.character) or \
            (selection.end.line, selection.end.character) > (whole.end.line, whole.end.character):
        selection = types.Range(start=whole.start, end=whole.start)
    detail = symbol.keyword if symbol.kind == "generator" else (symbol.title or None)
    if symbol.kind == "generator" and symbol.title:
        detail = f"{symbol.keyword}: {symbol.title}"
    return types.DocumentSymbol(
        name=symbol.name or symbol.keyword, detail=detail, kind=SYMBOL_KINDS.get(symbol.kind, S.Object),
        range=whole, selection_range=selection,
        children=[document_symbol(child, lines) for child in symbol.children])


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @guarded(server, default=[])
    def outline(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        uri = params.text_document.uri
        index = server.project.index(server.path_of(uri))
        lines = server.lines(uri)
        return [document_symbol(symbol, lines) for symbol in index.outline]

    @server.feature(types.WORKSPACE_SYMBOL)
    @guarded(server, default=[])
    def workspace_symbols(params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
        from ..project import uri_of_path

        query = params.query.lower()
        out = []
        for path in server.project.workspace_files():
            lines = server.lines_of_path(path)
            if lines is None:
                continue
            for symbol in server.project.index(path).definitions:
                if symbol.kind in ("param", "system", "check", "constitution") or query not in symbol.name.lower():
                    continue
                out.append(types.WorkspaceSymbol(
                    name=symbol.name, kind=SYMBOL_KINDS.get(symbol.kind, S.Object), container_name=symbol.scope,
                    location=types.Location(uri=uri_of_path(path), range=lines.range(symbol.name_span))))
                if len(out) >= 500:
                    return out
        return out
