"""Quick fixes: replace a misspelt name with the suggestion the diagnostic carries, silence a warning
with a suppression comment (on the line above, or after a text block's end), or, on a principle that
is taught but never tested (or the other way round), append the skeleton `constitutionc new` prints."""

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


# The families a coverage finding on a principle lacks: a skeleton of each is offered.
MISSING_FAMILIES = {"CDL603": ("probe",), "CDL604": ("dilemma",), "CDL605": ("dilemma", "probe")}


def skeletons(server: "ConstitutionServer", uri: str, diagnostics: list[types.Diagnostic],
              source: SourceLines) -> list[types.CodeAction]:
    """For each finding that a principle lacks a dilemma or probe family, an edit appending the skeleton of
    one to the document (the text `constitutionc new KIND --for ID --in FILE` prints for it)."""
    wanted = [d for d in diagnostics if isinstance(d.code, str) and d.code in MISSING_FAMILIES]
    if not wanted:
        return []
    from ...api import load
    from ...authoring.skeletons import skeleton

    path = server.path_of(uri)
    # The constitution as the editor has it, so a skeleton's name is free and its environment is one that exists.
    constitution = load([path], overlays=server.project.overlays()).constitution
    last = len(source.lines) - 1
    end = types.Position(line=last, character=source.codec.client_num_units(source.lines[last]))
    # As `constitutionc new --append` separates it from what is there.
    text = source.text
    lead = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    out = []
    for diagnostic in wanted:
        start = source.location_of(diagnostic.range.start)
        stop = source.location_of(diagnostic.range.end)
        principle_id = text[source.offset(*start):source.offset(*stop)]
        principle = constitution.principle(principle_id)
        if principle is None:
            continue  # the range is not a principle's name (the text moved on since the check)
        for kind in MISSING_FAMILIES[diagnostic.code]:
            family = skeleton(kind, principle_id, constitution, principle.span.file)
            edit = types.TextEdit(range=types.Range(start=end, end=end), new_text=lead + family)
            out.append(types.CodeAction(title=f"Add a {kind} skeleton for `{principle_id}`",
                                        kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic],
                                        edit=types.WorkspaceEdit(changes={uri: [edit]})))
    return out


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    @guarded(server, default=[])
    def code_actions(params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        source = server.lines(uri)
        out = []
        ours = [d for d in params.context.diagnostics if d.source == SOURCE]
        for diagnostic in ours:
            for action in (replacement(uri, diagnostic), suppression(uri, diagnostic, source)):
                if action is not None:
                    out.append(action)
        out.extend(skeletons(server, uri, ours, source))
        return out
