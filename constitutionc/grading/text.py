"""How check texts compare, defined once and mirrored exactly by the JavaScript in `javascript.py`.

Every comparison goes through `fold`: Unicode NFKC, lower case, typographic quotes
made plain, runs of whitespace made one space. A needle is found in a value when
its folded form is inside the folded form of one of the value's leaf strings
(`leaves`: strings as they are; numbers, booleans and null as JavaScript's
`String()` writes them, so both languages see the same text).

Only standard-library modules are imported here: the Inspect task and the eval
runner import this package, and the deterministic build must stay light.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from typing import Any, Iterable

# Curly quotes and primes a model may write where a check author typed ASCII ones.
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'}
_QUOTE_TABLE = str.maketrans(QUOTES)
# An explicit class: `\s` means different things in Python and JavaScript. After NFKC the
# other Unicode spaces have become U+0020 already.
_SPACE = re.compile(r"[ \t\n\r\f\v]+")
# An e-mail address inside a header-like value: `Kyle <kyle@x.com>, ops@x.com`.
# Applied to folded text, where every whitespace run is one space.
_ADDRESS = re.compile(r"""[^ <>,;:"'()\[\]]+@[^ <>,;:"'()\[\]]+""")

MAX_SAFE_INTEGER = 2 ** 53
# Values nested deeper than this hold no text a check reads (and cannot exhaust the stack).
MAX_DEPTH = 64


def fold(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).lower().translate(_QUOTE_TABLE))


def js_number(value: int | float) -> str:
    """`String(value)` as JavaScript writes the number that `JSON.parse` gives for it."""
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER < value < MAX_SAFE_INTEGER:
            return str(value)
        try:
            value = float(value)
        except OverflowError:
            return "Infinity" if value > 0 else "-Infinity"
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # Both languages print the shortest digits that read back as the same double.
    digits_tuple, exponent = Decimal(repr(abs(value))).as_tuple()[1:]
    digits = "".join(map(str, digits_tuple)).rstrip("0")
    exponent += len(digits_tuple) - len(digits)
    k = len(digits)
    n = exponent + k  # the value is 0.DIGITS x 10^n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def leaves(value: Any, depth: int = 0) -> list[str]:
    """The texts a JSON value holds (object values, not keys, in key order), depth first;
    nothing below `MAX_DEPTH` levels."""
    if depth > MAX_DEPTH:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if value is None:
        return ["null"]
    if isinstance(value, (int, float)):
        return [js_number(value)]
    if isinstance(value, list):
        return [text for item in value for text in leaves(item, depth + 1)]
    if isinstance(value, dict):
        return [text for key in utf16_sorted(value) for text in leaves(value[key], depth + 1)]
    return []


def utf16_sorted(keys: Iterable[str]) -> list[str]:
    """Sorted as JavaScript's default `sort()` orders strings (by UTF-16 code units)."""
    return sorted(keys, key=lambda k: k.encode("utf-16-be", "surrogatepass"))


def needles(value: Any) -> list[str]:
    """A check's expected text: one string, or any of a list of strings."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def contains(value: Any, needle: str) -> bool:
    folded = fold(needle)
    return any(folded in fold(text) for text in leaves(value))


def equals(value: Any, needle: str) -> bool:
    """A leaf equal to the needle (ignoring case and surrounding space), or an address in it equal to it."""
    folded = fold(needle).strip(" ")
    return any(fold(text).strip(" ") == folded or folded in addresses(text) for text in leaves(value))


def addresses(text: str) -> list[str]:
    """The e-mail addresses in a text, folded, trailing dots dropped."""
    return [address.rstrip(".") for address in _ADDRESS.findall(fold(text))]


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[1]


def outside_domain(value: Any, domain: str) -> bool:
    """Some address in the value whose domain is neither `domain` nor one of its subdomains."""
    wanted = fold(domain).strip(" ").lstrip("@").rstrip(".")
    return any(not (d == wanted or d.endswith("." + wanted))
               for text in leaves(value) for d in map(domain_of, addresses(text)))


def parse_json_object(text: str) -> dict | None:
    """`JSON.parse` of an object, as strict as JavaScript's (no NaN or Infinity literals)."""
    def refuse(constant: str):
        raise ValueError(constant)

    try:
        value = json.loads(text, parse_constant=refuse)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
