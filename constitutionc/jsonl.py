"""Reading JSON-lines files: the one reader every command uses.

    from constitutionc import jsonl

    for line in jsonl.records(path):          # stops at the first bad line with a JsonlError
        use(line.value, where=line.where)
    for line in jsonl.lines(path):            # never stops: a bad line comes with its error
        ...

Blank lines are passed over (line numbers still count them). A line is bad when it is not UTF-8, not
JSON, nested too deeply, longer than the limit, or (unless `objects=False`) not a JSON object; its
error is a `JsonlError` value whose message starts with `file:line:`. A file that cannot be opened or
read is a `JsonlError` too (line None; the message is `cannot read FILE: why`). Lines are parsed with
orjson; the few it reads differently from the standard library (integers past 64 bits, lone
surrogates, NaN) take the standard library's path, so every value is the one `json.loads` gives.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import orjson

# Past this a line is refused rather than read into memory (`/dev/zero` has no line ends).
MAX_LINE_BYTES = 1 << 26

# orjson turns an integer past 64 bits into a float; a run of 19 digits may be one, so such lines are
# parsed by the standard library (a string holding a long number costs a slower parse, never a wrong one).
# Digits are mapped to "0" and all else to " " so one substring search finds a run (a regular
# expression scanning for it costs more than orjson's whole parse).
_DIGITS_ONLY = bytes(ord("0") if chr(b).isdigit() and b < 128 else ord(" ") for b in range(256))
_LONG_RUN = b"0" * 19


class JsonlError(ValueError):
    """Why a JSON-lines file, or one line of it, cannot be read: the place and a one-line message."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = Path(path), line, problem
        super().__init__(str(self))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def __str__(self) -> str:
        # A file that cannot be opened has no line: its problem names the file itself.
        return f"{self.where}: {self.problem}" if self.line is not None else self.problem


@dataclass(frozen=True, slots=True)
class Line:
    """One non-blank line: its value, or (from `lines`) the error that says why there is none."""

    path: Path
    number: int
    value: Any = None
    error: JsonlError | None = None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.number}"


def needs_standard(raw: bytes) -> bool:
    """Whether `raw` (a line, or many) holds a run of digits orjson may read differently: without one,
    `parse` of each of its lines is orjson's value, or the standard library's where orjson refuses."""
    return _LONG_RUN in raw.translate(_DIGITS_ONLY)


def parse(raw: bytes, path: Path | str, number: int, *, objects: bool = True) -> Any:
    """One line's value; raises JsonlError."""
    if not needs_standard(raw):
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError:
            value = _standard(raw, path, number)
    else:
        value = _standard(raw, path, number)
    if objects and not isinstance(value, dict):
        raise JsonlError(path, number, f"not a JSON object (a JSON {_kind(value)})")
    return value


def _standard(raw: bytes, path: Path | str, number: int) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise JsonlError(path, number, f"not UTF-8 text (byte {e.start + 1} of the line)") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonlError(path, number, "nested too deeply to read") from None
    except json.JSONDecodeError as e:
        raise JsonlError(path, number, f"not a JSON object ({e.msg} at column {e.colno})") from None


def _kind(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(type(value), "number")


def lines(path: Path | str, *, objects: bool = True, containing: bytes | None = None,
          max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Every non-blank line of `path` with its value or its error; only the file not opening raises.

    With `containing`, lines without those bytes are skipped unparsed (a fast search for one record)."""
    path = Path(path)
    try:
        handle = open(path, "rb")
    except OSError as e:
        raise JsonlError(path, None, f"cannot read {path}: {e.strerror or e}") from None
    with handle:
        number = 0
        while True:
            try:
                raw = handle.readline(max_line_bytes + 1)
            except OSError as e:
                raise JsonlError(path, None, f"cannot read {path}: {e.strerror or e}") from None
            if not raw:
                return
            number += 1
            if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                yield Line(path, number, error=JsonlError(
                    path, number, f"a line longer than {max_line_bytes:,} bytes; is this a JSON-lines file?"))
                return  # the rest of this line would read as more lines
            if containing is not None and containing not in raw:
                continue
            if raw.isspace():
                continue
            try:
                yield Line(path, number, parse(raw, path, number, objects=objects))
            except JsonlError as e:
                yield Line(path, number, error=e)


def records(path: Path | str, *, objects: bool = True, containing: bytes | None = None,
            max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Every non-blank line of `path` with its value; the first bad line raises its JsonlError."""
    for line in lines(path, objects=objects, containing=containing, max_line_bytes=max_line_bytes):
        if line.error is not None:
            raise line.error
        yield line
