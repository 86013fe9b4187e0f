"""Parse a large file as independent top-level pieces, so an edit re-parses one piece.

An editor re-checks the whole file on every keystroke, and parsing is most of that
cost. A file is split where a line at brace depth 0 starts in the first column; each
piece is parsed on its own (with the lines before it as blank lines, so positions stay
true) and remembered by its text and first line. Any doubt falls back to parsing the
whole file: a piece that does not parse cleanly, or braces that do not balance. The
result is then exactly what the whole-file parse gives (the tests compare the two).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from .ast import Comment, Module, ModuleItem
from .builder import parse_module

# Below this size a whole-file parse is already fast.
MIN_LINES = 300
_CACHE_LIMIT = 8192

_TOKENS = re.compile(r'"""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}]|\n(?=\S)')

_cache: "OrderedDict[tuple[str, int, str], tuple[tuple[ModuleItem, ...], tuple[Comment, ...]]]" = OrderedDict()
_lock = threading.Lock()


def split_top_level(text: str) -> list[tuple[int, str]] | None:
    """(first line, text) of each top-level piece, or None when the braces do not balance."""
    depth = 0
    starts = [0]
    for match in _TOKENS.finditer(text):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return None
        elif token == "\n" and depth == 0:
            starts.append(match.end())
    if depth != 0:
        return None
    pieces = []
    line = 1
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        piece = text[begin:end]
        if piece:
            pieces.append((line, piece))
        line += piece.count("\n")
    return pieces


def parse_in_pieces(text: str, file: str) -> Module | None:
    """The module of `text` parsed piece by piece, or None if the whole file must be parsed instead."""
    if text.count("\n") < MIN_LINES or "\r" in text:
        return None
    pieces = split_top_level(text)
    if pieces is None:
        return None
    items: list[ModuleItem] = []
    comments: list[Comment] = []
    for first_line, piece in pieces:
        key = (file, first_line, piece)
        with _lock:
            cached = _cache.get(key)
            if cached is not None:
                _cache.move_to_end(key)
        if cached is None:
            module, result = parse_module("\n" * (first_line - 1) + piece, file)
            if module is None or result.diagnostics:
                return None
            cached = (module.items, module.comments)
            with _lock:
                _cache[key] = cached
                while len(_cache) > _CACHE_LIMIT:
                    _cache.popitem(last=False)
        items.extend(cached[0])
        comments.extend(cached[1])
    return Module(file, tuple(items), tuple(comments))
