"""Quick fixes: replace a misspelt name with the suggestion the diagnostic carries,
or silence a warning with a suppression comment on the line above."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ..checking import SOURCE

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


def suppression(uri: str, diagnostic: types.Diagnostic, line_text: str) -> types.CodeAction | None:
    if diagnostic.severity != types.DiagnosticSeverity.Warning or not isinstance(diagnostic.code, str):
        return None
    indent = line_text[: len(line_text) - len(line_text.lstrip())]
    line = diagnostic.range.start.line
    at = types.Position(line=line, character=0)
    edit = types.TextEdit(range=types.Range(start=at, end=at),
                          new_text=f"{indent}# constitutionc: ignore[{diagnostic.code}]\n")
    return types.CodeAction(title=f"Suppress {diagnostic.code} on this line", kind=types.CodeActionKind.QuickFix,
                            diagnostics=[diagnostic], edit=types.WorkspaceEdit(changes={uri: [edit]}))


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @guarded(server, default=[])
    def code_actions(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        lines = server.lines(uri).lines
        out = []
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE:
                continue
            row = diagnostic.range.start.line
            for action in (replacement(uri, diagnostic),
                           suppression(uri, diagnostic, lines[row] if row < len(lines) else "")):
                if action is not None:
                    out.append(action)
        return out
