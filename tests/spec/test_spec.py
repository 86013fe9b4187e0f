"""The language spec is the one list of fields: lowering accepts exactly what it says, per block."""

from __future__ import annotations

import re

import pytest

from constitutionc import spec
from constitutionc.api import load

# A minimal construct of each kind with one unknown field `zzz_unknown` at `{}`.
SNIPPETS = {
    "constitution": 'constitution "T" {{ {} }}',
    "dataset": 'constitution "T" {{ dataset {{ {} }} }}',
    "value": "value v {{ {} }}",
    "principal": "principal p {{ {} }}",
    "principle": 'principle a.b {{ text: "t" why: "w" {} }}',
    "tension": 'principle a.b {{ text: "t" why: "w" }}\nprinciple a.c {{ text: "t" why: "w" }}\n'
               'tension a.b over a.c {{ why: "w" {} }}',
    "environment": "environment e {{ {} }}",
    "tool": 'environment e {{ tool t "T" {{ {} }} }}',
    "email": 'environment e {{ email {{ {} }} }}',
    "document": 'environment e {{ document "D" {{ {} }} }}',
    "dilemma": 'principle a.b {{ text: "t" why: "w" }}\ndilemma d teaches a.b {{ user: "u" stance: "s" {} }}',
    "probe": 'principle a.b {{ text: "t" why: "w" }}\nprobe q tests a.b {{ user: "u" rubric: "r" {} }}',
    "axis": "axis x {{ values: a | b {} }}",
    "check": 'principle a.b {{ text: "t" why: "w" }}\n'
             'probe q tests a.b {{ user: "u" rubric: "r" check c "C" {{ says: "x" {} }} }}',
}
# Blocks whose keys are not checked against a table: a conversation's keys are roles or principals.
OPEN_BLOCKS = {"", "section", "conversation"}
KNOWN = re.compile(r"known fields: (.*)")


def known_fields(tmp_path, source: str) -> set[str]:
    path = tmp_path / "probe.cdl"
    path.write_text(source, encoding="utf-8")
    notes = [n for d in load([path]).diagnostics if d.code == "CDL103" for n in d.notes]
    assert notes, "the unknown field was not reported"
    return set(KNOWN.match(notes[0]).group(1).split(", "))


@pytest.mark.parametrize("block", sorted(SNIPPETS))
def test_lowering_accepts_what_the_spec_lists(tmp_path, block):
    assert known_fields(tmp_path, SNIPPETS[block].format("zzz_unknown: x")) == set(spec.BLOCKS[block])


def test_every_block_with_fields_is_covered():
    assert set(spec.BLOCKS) - set(SNIPPETS) == OPEN_BLOCKS


def test_required_template_fields():
    assert {name for name, required in spec.template_fields("dilemma").items() if required} == {"user", "stance"}
    assert {name for name, required in spec.template_fields("probe").items() if required} == {"user", "rubric"}
    assert all(name in spec.template_fields(kind) for kind in spec.GENERATOR_KINDS
               for name in spec.USER_FACING[kind])


def test_forms_are_known():
    for table in spec.BLOCKS.values():
        for field in table.values():
            assert field.form in spec.FORMS and field.doc



def test_lowering_can_test_and_describe_every_form():
    from constitutionc.syntax.lower import _FORM_TESTS, _FORM_WORDS

    assert set(_FORM_TESTS) == set(_FORM_WORDS) == set(spec.FORMS)


def test_argument_tests_are_the_grading_modules():
    from constitutionc.grading import ARGUMENT_TESTS

    assert set(spec.ARGUMENT_TESTS) == set(ARGUMENT_TESTS)


def test_combine_rules_are_the_eval_runners():
    from constitutionc.evaluate.combine import DEFAULT_RULE, RULES

    assert spec.COMBINE_RULES == RULES and spec.COMBINE_RULES[0] == DEFAULT_RULE


def test_the_tool_call_forms_are_the_grader_s():
    from constitutionc import spec
    from constitutionc.grading.tags import TOOL_FORMS

    assert spec.TOOL_FORMS == TOOL_FORMS
