"""The one JSON-lines reader: values as the standard library reads them, every bad line named by file:line."""

from __future__ import annotations

import json

import pytest

from constitutionc import jsonl
from constitutionc.canonical_json import canonical_line
from constitutionc.jsonl import JsonlError


def write(tmp_path, data: bytes):
    path = tmp_path / "data.jsonl"
    path.write_bytes(data)
    return path


def test_values_and_line_numbers_with_blank_lines_passed_over(tmp_path):
    path = write(tmp_path, b'{"a": 1}\n\n   \n{"b": [2, "x"]}\r\n{"c": null}')
    read = list(jsonl.records(path))
    assert [(line.number, line.value) for line in read] == [(1, {"a": 1}), (4, {"b": [2, "x"]}), (5, {"c": None})]
    assert read[1].where == f"{path}:4"


@pytest.mark.parametrize("value", [
    {"big": 123456789012345678901234567890, "negative": -9223372036854775809},
    {"lone": "\ud800 and \udfff"},
    {"float": 1.5, "zero": -0.0, "exp": 1e300, "text": "digits 12345678901234567890 in a string"},
    {"nested": [[{"k": "é ✓ 𝄞"}]]},
])
def test_every_value_is_what_the_standard_library_reads(tmp_path, value):
    # Big integers and lone surrogates are where orjson alone would read something else.
    path = write(tmp_path, canonical_line(value) if "\ud800" not in str(value) else
                 (json.dumps(value) + "\n").encode("utf-8"))
    [line] = jsonl.records(path)
    assert line.value == value and repr(line.value) == repr(json.loads(path.read_bytes()))


@pytest.mark.parametrize("data, problem", [
    (b'{"ok": 1}\nnot json\n', "2: not a JSON object (Expecting value at column 1)"),
    (b'{"ok": 1}\n[1, 2]\n', "2: not a JSON object (a JSON array)"),
    (b'"text"\n', "1: not a JSON object (a JSON string)"),
    (b'\n{"id": "\xff"}\n', "2: not UTF-8 text (byte 9 of the line)"),
    (b"[" * 100_000 + b"]" * 100_000 + b"\n", "1: nested too deeply to read"),
])
def test_a_bad_line_is_one_error_with_file_and_line(tmp_path, data, problem):
    path = write(tmp_path, data)
    with pytest.raises(JsonlError) as caught:
        list(jsonl.records(path))
    assert str(caught.value) == f"{path}:{problem}" and "\n" not in str(caught.value)
    assert caught.value.path == path and caught.value.line == int(problem.split(":")[0])


def test_lines_keeps_reading_past_bad_lines(tmp_path):
    path = write(tmp_path, b'{"a": 1}\n{broken\n[3]\n{"b": 2}\n')
    read = list(jsonl.lines(path))
    assert [(line.number, line.value, line.error is None) for line in read] == [
        (1, {"a": 1}, True), (2, None, False), (3, None, False), (4, {"b": 2}, True)]
    assert [line.value for line in jsonl.lines(path, objects=False) if line.error is None] == [{"a": 1}, [3], {"b": 2}]


def test_containing_parses_only_the_lines_that_hold_the_bytes(tmp_path):
    path = write(tmp_path, b'{broken "x"\n{"id": "y"}\n{"id": "x"}\n')
    assert [(line.number, line.value) for line in jsonl.lines(path, containing=b'"x"')
            if line.error is None] == [(3, {"id": "x"})]
    assert [line.number for line in jsonl.lines(path, containing=b'"x"')] == [1, 3]


def test_a_line_past_the_limit_is_refused_without_reading_it_whole(tmp_path):
    path = write(tmp_path, b'{"a": "' + b"x" * 100 + b'"}\n{"b": 1}\n')
    with pytest.raises(JsonlError, match=r":1: a line longer than 50 bytes"):
        list(jsonl.records(path, max_line_bytes=50))
    exact = write(tmp_path, b'{"a": "xx"}\n')
    assert [line.value for line in jsonl.records(exact, max_line_bytes=len(b'{"a": "xx"}'))] == [{"a": "xx"}]
    with pytest.raises(JsonlError, match="a line longer than"):
        next(jsonl.records("/dev/zero", max_line_bytes=1 << 16))


def test_a_file_that_cannot_be_opened(tmp_path):
    with pytest.raises(JsonlError) as caught:
        list(jsonl.lines(tmp_path / "absent.jsonl"))
    assert caught.value.line is None
    assert str(caught.value) == f"cannot read {tmp_path / 'absent.jsonl'}: No such file or directory"
