"""Whole-document formatting with the project's formatter (`constitutionc fmt`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from ..server import ConstitutionServer


def register(server: "ConstitutionServer") -> None:
    from ..server import guarded

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    @guarded(server)
    def formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        from ...fmt import format_text

        uri = params.text_document.uri
        lines = server.lines(uri)
        result = format_text(lines.text, str(server.path_of(uri)))
        if result.text is None:
            # Formatting text that does not parse could lose what the author wrote.
            server.log(f"constitutionc: not formatting {uri}: it has {len(result.diagnostics)} syntax error(s)",
                       types.MessageType.Info)
            return None
        if result.text == lines.text:
            return []
        return [types.TextEdit(range=lines.whole(), new_text=result.text)]
