"""Quick fixes: replace a misspelt name with the suggestion the diagnostic carries,
or silence a warning with a suppression comment (on the line above, or after a text block's end)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..checking import SOURCE
from ..context import cursor_context
from ..convert import SourceLines

if TYPE_CHECKING:
    from ..server import ConstitutionServer


def replacement(uri: str, diagnostic: types.Diagnostic) -> types.CodeAction | None:
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    fix, where = data.get("fix"), data.get("fixRange")
    if not isinstance(fix, str) or not (isinstance(where, list) and len(where) == 4):
        return None
    start_line, start_char, end_line, end_char = (int(n) for n in where)
    edit = types.TextEdit(range=types.Range(start=types.Position(line=start_line, character=start_char),
                                            end=types.Position(line=end_line, character=end_char)),
                          new_text=fix)
    return types.CodeAction(title=f"Replace with `{fix}`", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic], is_preferred=True,
                            edit=types.WorkspaceEdit(changes={uri: [edit]}))


def suppression(uri: str, diagnostic: types.Diagnostic, source: SourceLines) -> types.CodeAction | None:
    """A suppression comment on its own line above the diagnostic's line; or, when that line
    continues a triple-quoted text block (where a comment would become text), at the end of the line if
    the block closes there. None when no comment can reach the line."""
    if diagnostic.severity != types.DiagnosticSeverity.Warning or not isinstance(diagnostic.code, str):
        return None
    row = diagnostic.range.start.line
    if row >= len(source.lines):
        return None
    comment = f"# constitutionc: ignore[{diagnostic.code}]"
    line_text = source.lines[row]
    if cursor_context(source.text, source.offset(row + 1, 1)).string_prefix is None:
        indent = line_text[: len(line_text) - len(line_text.lstrip())]
        at = types.Position(line=row, character=0)
        new_text = f"{indent}{comment}\n"
    else:
        content = line_text.rstrip("\r")
        at_end = cursor_context(source.text, source.offset(row + 1, len(content) + 1))
        if at_end.string_prefix is not None or at_end.in_comment:
            return None  # the block goes on past this line, or a comment already ends it
        at = types.Position(line=row, character=source.codec.client_num_units(content))
        new_text = f"  {comment}"
    edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=new_text)
    return types.CodeAction(title=f"Suppress {diagnostic.code} on this line", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic], edit=types.WorkspaceEdit(changes={uri: [edit]}))


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @guarded(server, default=[])
    def code_actions(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        source = server.lines(uri)
        out = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE:
                continue
            for action in (replacement(uri, diagnostic), suppression(uri, diagnostic, source)):
                if action is not None:
                    out.append(action)
        return out
