"""Positions between the compiler and the editor.

The compiler counts 1-based lines and 1-based columns in code points, with an
exclusive end column (Lark's convention). The protocol counts 0-based lines and
0-based characters in the client's units (UTF-16 unless negotiated otherwise).
Lines are split on `\\n` only, as Lark counts them.
"""

from __future__ import annotations

from pygls.workspace.position_codec import PositionCodec
from lsprotocol import types

from ..ir import Span


class SourceLines:
    """One snapshot of a text, for converting positions in both directions."""

    def __init__(self, text: str, codec: PositionCodec | None = None):
        self.text = text
        self.lines = text.split("\n")
        self.codec = codec or PositionCodec()
        self._starts: list[int] | None = None

    def position(self, line: int, column: int) -> types.Position:
        """1-based line and code-point column -> protocol position (past the end: the end)."""
        row = max(line - 1, 0)
        if row >= len(self.lines):
            row, column = len(self.lines) - 1, len(self.lines[-1]) + 1
        text = self.lines[row]
        col = min(max(column - 1, 0), len(text))
        return types.Position(line=row, character=self.codec.client_num_units(text[:col]))

    def range(self, span: Span) -> types.Range:
        start = self.position(span.line, span.column)
        end = self.position(span.end_line, span.end_column)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start=start, end=end)

    def location_of(self, position: types.Position) -> tuple[int, int]:
        """Protocol position -> 1-based line and code-point column (clamped to the text)."""
        row, character = position.line, position.character
        if row >= len(self.lines):
            return len(self.lines), len(self.lines[-1]) + 1
        row = max(row, 0)
        text = self.lines[row]
        units = 0
        for index, char in enumerate(text):
            if units >= character:
                return row + 1, index + 1
            units += self.codec.impl.code_units_for_char(char)
        return row + 1, len(text) + 1

    def offset(self, line: int, column: int) -> int:
        """1-based line and column -> index into the text."""
        row = min(max(line - 1, 0), len(self.lines) - 1)
        return self._line_starts()[row] + min(max(column - 1, 0), len(self.lines[row]))

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            starts, total = [], 0
            for text in self.lines:
                starts.append(total)
                total += len(text) + 1
            self._starts = starts
        return self._starts

    def span_text(self, span: Span) -> str:
        return self.text[self.offset(span.line, span.column):self.offset(span.end_line, span.end_column)]

    def whole(self) -> types.Range:
        last = len(self.lines) - 1
        return types.Range(start=types.Position(line=0, character=0),
                           end=types.Position(line=last, character=self.codec.client_num_units(self.lines[last])))
