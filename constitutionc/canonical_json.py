"""The one canonical JSON encoding: what every record line, record id and target file is made of.

Canonical means the bytes of `json.dumps(value, sort_keys=True, ensure_ascii=False,
separators=(",", ":"))` encoded as UTF-8: keys sorted by code point, no spaces, real UTF-8
for every character but `"`, `\\` and the control characters U+0000-U+001F (escaped as
`\\n`, `\\t`, `\\u001b`, ...). orjson makes those bytes about fifteen times faster, and the
two agree on every value of the kinds the compiler writes (exact `str`, `int`, `bool`,
`None`, `list`, `tuple`, `dict` with `str` keys, tested on every shipped build). Where they
would not agree, the standard library's encoder is used instead, so the bytes never depend on
which encoder ran:

- floats: orjson writes `1e16` and `1e-7` where Python writes `1e+16` and `1e-07`, and writes
  NaN and infinities as `null`; values holding a float take the standard-library path, which
  refuses NaN and infinities (they are not JSON).
- integers beyond 64 bits, keys that are not strings: orjson refuses them.
- anything that is not exactly one of the kinds above (a `str` or `int` subclass, an enum,
  a dataclass): orjson would accept some that the standard library refuses.
- lone surrogates (U+D800-U+DFFF not in a pair): UTF-8 cannot hold them, so both encoders
  fail; they are written as `\\udXXX` escapes, which read back as the same string.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_OPTIONS = orjson.OPT_SORT_KEYS
_LINE_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
_SURROGATE = re.compile("[\ud800-\udfff]")


def _orjson_agrees(value: Any) -> bool:
    """True when `value` holds only the kinds on which orjson writes the reference bytes."""
    kind = type(value)
    if kind is dict:
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return kind is str or kind is int or kind is bool or value is None
    for item in items:
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if (kind is dict or kind is list or kind is tuple) and _orjson_agrees(item):
            continue
        return False
    return True


def reference_json(value: Any) -> str:
    """The canonical text by the standard library: the definition the fast path is tested against."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _reference_bytes(value: Any) -> bytes:
    text = reference_json(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode("utf-8")


def canonical_bytes(value: Any) -> bytes:
    """The canonical JSON of `value`, as UTF-8 bytes."""
    if _orjson_agrees(value):
        try:
            return orjson.dumps(value, option=_OPTIONS)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits, a lone surrogate, a key not a string
            pass
    return _reference_bytes(value)


def canonical_line(value: Any) -> bytes:
    """One JSON line: the canonical bytes and a newline."""
    if _orjson_agrees(value):
        try:
            return orjson.dumps(value, option=_LINE_OPTIONS)
        except orjson.JSONEncodeError:
            pass
    return _reference_bytes(value) + b"\n"


def canonical_json(value: Any) -> str:
    """The canonical JSON of `value`, as text (for hashing into ids and for targets' files)."""
    return canonical_bytes(value).decode("utf-8")
