"""The canonical JSON encoding: orjson's fast path gives exactly the standard library's bytes.

The reference is `json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))`
encoded as UTF-8. Every line of every JSONL file of every shipped constitution's build (all
targets) is compared with it, and so are the values where the two encoders are known to
differ (floats, large integers, lone surrogates, subclasses), and generated values.
"""

from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constitutionc import api
from constitutionc.canonical_json import canonical_bytes, canonical_json, canonical_line, reference_json
from constitutionc.emit.targets import TARGETS
from tests.conftest import REPO

SHIPPED = [REPO / "constitutions/claude-2026.cdl", *sorted(REPO.glob("examples/*/*.cdl"))]


def reference(value) -> bytes:
    return reference_json(value).encode("utf-8")


EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


@pytest.mark.parametrize("value", [
    EVERY_CHARACTER,  # escapes: `"`, `\`, U+0000-U+001F (short forms for \b \f \n \r \t); DEL, U+2028 raw
    {EVERY_CHARACTER[i:i + 300]: i for i in range(0, len(EVERY_CHARACTER), 9973)},  # key order by code point
    {"\uffff": 1, "\U00010000": 2, "é": 3, "e": 4, "": 5, "E": 6},  # UTF-16 order would differ
    {"nested": [{"b": None, "a": [True, False, 0, -1]}, (), {}], "tuple": ("x", 2)},
    [2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**64) - 1, 10**40],  # beyond 64 bits: orjson refuses
    [0.0, -0.0, 1.0, 0.1, 1e-05, 1e-7, 1e16, 1e22, 5e-324, 1.7976931348623157e308, 123456.789],
    {"text": "text", "count": 3.5},
])
def test_the_bytes_are_the_standard_librarys(value):
    assert canonical_bytes(value) == reference(value)
    assert canonical_line(value) == reference(value) + b"\n"
    assert canonical_json(value) == reference_json(value)


def test_subclasses_and_enums_are_encoded_as_the_standard_library_does():
    class Colour(str, enum.Enum):
        RED = "red"

    class Size(enum.IntEnum):
        BIG = 3

    class Name(str):
        pass

    value = {"colour": Colour.RED, "size": Size.BIG, "name": Name("n"), "flag": True}
    assert canonical_bytes(value) == reference(value)

    class Plain(enum.Enum):
        ONE = 1

    for refused in (Plain.ONE, {1, 2}, b"bytes", object()):  # orjson writes some of these; json refuses them
        with pytest.raises(TypeError):
            canonical_bytes({"value": refused})


def test_keys_that_are_not_strings_are_converted_as_the_standard_library_does():
    for value in ({2: "b", 10: "a"}, {None: 1}, {False: 0}, {1.5: "x"}):
        assert canonical_bytes(value) == reference(value)


def test_numbers_json_cannot_hold_are_refused():
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError):
            canonical_bytes({"x": [bad]})


def test_a_lone_surrogate_is_escaped_and_reads_back_the_same():
    value = {"\udc80key": ["a\ud800b", "\udfff"]}
    with pytest.raises(UnicodeEncodeError):
        reference(value)  # UTF-8 cannot hold it: the reference has no bytes to give
    encoded = canonical_bytes(value)
    assert encoded == b'{"\\udc80key":["a\\ud800b","\\udfff"]}'
    assert json.loads(encoded) == value


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=("Cs",))),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_generated_values(value):
    assert canonical_bytes(value) == reference(value)


@pytest.fixture(scope="module")
def shipped_builds(tmp_path_factory):
    outputs = []
    for entry in SHIPPED:
        result = api.load([entry], root=REPO)
        assert result.ok, (entry, result.diagnostics)
        out = tmp_path_factory.mktemp(entry.stem) / "out"
        api.build(result.constitution, out, targets=tuple(TARGETS))
        outputs.append(out)
    return outputs


def test_every_line_of_every_shipped_build_is_the_standard_librarys(shipped_builds):
    checked = 0
    for out in shipped_builds:
        for path in sorted(out.rglob("*.jsonl")):
            for line in path.read_bytes().splitlines(keepends=True):
                assert line == reference(json.loads(line)) + b"\n", (path, line[:200])
                checked += 1
    assert checked > 1000
