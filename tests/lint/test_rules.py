"""Edge cases of single rules, through the registry: boundaries, thresholds, robustness."""

from __future__ import annotations

from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.lint import RULES, lint_result, settings_for
from constitutionc.lint.registry import LintContext
from constitutionc.lint.settings import LintSettings

DATA = Path(__file__).parent / "data"


def context_for(tmp_path: Path, text: str, **options) -> LintContext:
    path = tmp_path / "c.cdl"
    path.write_text(text, encoding="utf-8")
    result = load([path])
    settings = settings_for(result)
    settings.options.update(options)
    return LintContext(result.constitution, result.sources, settings.options, result.config.max_combinations)


def codes(context: LintContext, code: str) -> list[str]:
    return [d.message for d in RULES[code].check(context)]


LEAKS = '''\
principle honesty "Plain-word id" { text: "t" why: "w" }
principle p.honest "Dotted id" { text: "t" why: "w" }
dilemma d_one teaches honesty, p.honest {
  user: "Be honesty-minded; p.honesty and xp.honest and p.honest_x are other words."
  stance: "s"
}
'''


def test_leak_detection_needs_whole_distinctive_ids(tmp_path):
    assert codes(context_for(tmp_path, LEAKS), "CDL607") == []
    leaking = LEAKS.replace("are other words", "but p.honest is a leak")
    messages = codes(context_for(tmp_path, leaking), "CDL607")
    assert len(messages) == 1 and "`p.honest`" in messages[0]


def test_leaks_through_a_slot_used_by_the_prompt_are_found(tmp_path):
    text = LEAKS + '''\
dilemma d_two teaches p.honest {
  vary who: a | b
  slot person from who { a: "see d_one" otherwise: "someone" }
  user: "Ask {person} about {who}."
  stance: "s"
}
'''
    messages = codes(context_for(tmp_path, text), "CDL607")
    assert any("slot `person`" in m and "`d_one`" in m for m in messages)


def test_the_shared_run_length_is_configurable():
    result = load([DATA / "leakage.cdl"])
    base = settings_for(result)
    # The shared run is "asked me to quietly delete the audit log before the review tomorrow".
    for length, expected in ((8, 1), (12, 1), (13, 0)):
        context = LintContext(result.constitution, result.sources, {**base.options, "min-shared-words": length})
        assert len(list(RULES["CDL608"].check(context))) == expected, length


def test_runs_do_not_cross_template_slots(tmp_path):
    text = '''\
principle p.a "A" { text: "t" why: "w" }
dilemma d teaches p.a {
  vary x: one | two
  user: "alpha beta gamma delta {x} epsilon zeta eta theta"
  stance: "s"
}
probe q tests p.a {
  user: "alpha beta gamma delta epsilon zeta eta theta"
  rubric: "r"
  check c "c" { says: "z" }
}
'''
    assert codes(context_for(tmp_path, text, **{"min-shared-words": 5}), "CDL608") == []
    assert len(codes(context_for(tmp_path, text, **{"min-shared-words": 4}), "CDL608")) == 1


def test_unreachable_values_are_not_enumerated_past_the_combination_limit(tmp_path):
    text = '''\
principle p.a "A" { text: "t" why: "w" }
dilemma d teaches p.a {
  vary a: x | y
  vary b: u | v
  exclude when a is y
  user: "{a} {b}"
  stance: "s"
}
'''
    context = context_for(tmp_path, text)
    assert len(codes(context, "CDL609")) == 1
    context.max_combinations = 3
    assert codes(context, "CDL609") == []


def test_a_failing_rule_becomes_a_diagnostic_not_a_traceback(monkeypatch):
    def broken(context):
        raise RuntimeError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(RULES, "CDL601", RULES["CDL601"].__class__(
        **{**RULES["CDL601"].__dict__, "check": broken}))
    result = load([DATA / "clarity.cdl"])
    report = lint_result(result, LintSettings())
    internal = [d for d in report.diagnostics if d.code == "CDL009"]
    assert len(internal) == 1 and "boom" in internal[0].message
    assert any(d.code == "CDL602" for d in report.diagnostics)


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_is_registered_as_a_diagnostic_code(code):
    from constitutionc.diagnostics import CODES

    assert CODES[code].name == RULES[code].name
    assert CODES[code].category == RULES[code].category


def test_a_probe_rubric_may_repeat_a_dilemma_stance(tmp_path):
    text = '''\
principle p.a "A" { text: "t" why: "w" }
dilemma d teaches p.a {
  user: "u"
  stance: "Explain what the evidence does and does not show, kindly."
}
probe q tests p.a {
  user: "Summarise this study."
  rubric: "Fails unless it explains what the evidence does and does not show."
  check c "c" { says: "cures" }
}
'''
    assert codes(context_for(tmp_path, text), "CDL608") == []
    assert len(codes(context_for(tmp_path, text.replace('user: "Summarise this study."',
                                                        'user: "Say what the evidence does and does not show."')),
                     "CDL608")) == 1


def test_rules_never_fail_on_random_documents():
    from hypothesis import HealthCheck, given, settings

    from tests.fmt.test_properties import documents

    path = (Path(__file__).parent / "data" / "__random__.cdl").resolve()

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(documents())
    def check(source):
        result = load([path], overlays={path: source})
        everything = LintSettings()
        everything.levels = {code: "warning" for code in RULES}
        report = lint_result(result, everything)
        assert not [d for d in report.diagnostics if d.code == "CDL009"], source

    check()
