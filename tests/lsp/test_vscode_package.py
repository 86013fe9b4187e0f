"""The VS Code package: its manifest points at real files, and the TextMate grammar's
regexes compile and pick out the constructs of a real .cdl file.

Python's `re` stands in for Oniguruma here: the grammar uses only syntax both share.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION = REPO / "editors" / "vscode"
QUICKSTART = Path(__file__).resolve().parent / "data" / "constitution.cdl"


def grammar() -> dict:
    return json.loads((EXTENSION / "syntaxes" / "cdl.tmLanguage.json").read_text(encoding="utf-8"))


def regexes(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("match", "begin", "end") and isinstance(value, str):
                yield value
            else:
                yield from regexes(value)
    elif isinstance(node, list):
        for value in node:
            yield from regexes(value)


def test_manifest_refers_to_files_that_exist():
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    [language] = manifest["contributes"]["languages"]
    assert language["id"] == "cdl" and language["extensions"] == [".cdl"]
    assert (EXTENSION / language["configuration"]).is_file()
    [entry] = manifest["contributes"]["grammars"]
    assert entry["scopeName"] == grammar()["scopeName"] == "source.cdl"
    assert (EXTENSION / entry["path"]).is_file()
    assert (EXTENSION / manifest["main"]).is_file()
    assert "onLanguage:cdl" in manifest["activationEvents"]
    assert manifest["contributes"]["configuration"]["properties"]["cdl.server.path"]["default"] == "constitutionc"


def test_language_configuration():
    config = json.loads((EXTENSION / "language-configuration.json").read_text(encoding="utf-8"))
    assert config["comments"]["lineComment"] == "#"
    assert ["{", "}"] in config["brackets"]
    assert {"open": '"', "close": '"', "notIn": ["string", "comment"]} in config["autoClosingPairs"]
    word = re.compile(config["wordPattern"])
    assert word.fullmatch("safety.no_coercion") and word.fullmatch("team-lead")


def test_every_regex_compiles_and_every_include_resolves():
    data = grammar()
    patterns = list(regexes(data))
    assert len(patterns) > 20
    for pattern in patterns:
        re.compile(pattern)
    includes = re.findall(r'"include": "#([^"]+)"', json.dumps(data))
    assert set(includes) <= set(data["repository"])


def rule(name: str, index: int | None = None) -> re.Pattern:
    node = grammar()["repository"][name]
    if index is not None:
        node = node["patterns"][index]
    return re.compile(node["match"], re.M)


@pytest.mark.parametrize("name, index, text, groups", [
    ("definitions", 0, "principle safety.no_coercion \"Never coerce\" {", ("principle", "safety.no_coercion")),
    ("definitions", 1, "probe pause_notice tests safety.a, safety.b {", ("probe", "pause_notice", "tests")),
    ("definitions", 2, "tension ethics.honesty over helpfulness.real_help {",
     ("tension", "ethics.honesty", "over", "helpfulness.real_help")),
    ("statements", 0, "  vary relation: neighbour | landlord", ("vary", "relation")),
    ("statements", 1, "  slot goal from goal_value {", ("slot", "goal", "from", "goal_value")),
    ("fields", None, "    switchable_by: operator, user", ("switchable_by", ":")),
])
def test_rules_capture_the_parts_of_real_lines(name, index, text, groups):
    match = rule(name, index).search(text)
    assert match is not None and tuple(g for g in match.groups() if g is not None) == groups


def test_template_slots_and_escapes_inside_strings():
    template = grammar()["repository"]["template"]["patterns"]
    escape, slot = (re.compile(p["match"]) for p in template)
    text = QUICKSTART.read_text(encoding="utf-8")
    assert {m.group(2) for m in slot.finditer(text)} == {"relation", "secret", "urgency"}
    assert escape.findall("literal {{braces}}") == ["{{", "}}"]


def test_comments_and_suppressions():
    comment = grammar()["repository"]["comment"]
    assert comment["begin"] == "#" and comment["end"] == "$"
    directive = re.compile(comment["patterns"][0]["match"])
    assert directive.search("# constitutionc: ignore[CDL302, unused-axis]").group(5) == "CDL302, unused-axis"


def test_strings_single_and_triple():
    repository = grammar()["repository"]
    assert repository["long-string"]["begin"] == repository["long-string"]["end"] == '"""'
    # A one-line string ends at its closing quote or, unterminated, at the end of the line.
    end = re.compile(repository["string"]["end"], re.M)
    assert end.search('abc"').start() == 3 and end.search("abc").start() == 3
