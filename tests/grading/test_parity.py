"""The generated `grading.cjs` gives, under node, exactly the verdicts the Python grader gives."""

from __future__ import annotations

from constitutionc.grading import grade_checks, javascript_module
from constitutionc.grading.text import leaves

from .cases import CASES, LEAF_VALUES
from .conftest import needs_node, run_node
from .test_checks import transcript_of

GRADE_ALL = """
return input.map((c) => grading.gradeChecks(c.checks, 'output' in c
  ? grading.transcriptFromPromptfooOutput(c.output, c.reading) : grading.transcriptFromMessages(c.messages, c.reading)));
"""


@needs_node
def test_every_case_gives_the_same_verdict_in_python_and_javascript(grading_js):
    javascript = run_node(GRADE_ALL, CASES, grading_js)
    for case, verdict in zip(CASES, javascript, strict=True):
        python = grade_checks(case["checks"], transcript_of(case)).to_dict()
        assert verdict == python, case["name"]
        assert (verdict["fired"], verdict["status"]) == (case["fired"], case["status"]), case["name"]


@needs_node
def test_values_read_as_the_same_text(grading_js):
    javascript = run_node("return input.map((v) => grading.leaves(v));", LEAF_VALUES, grading_js)
    assert javascript == [leaves(v) for v in LEAF_VALUES]


@needs_node
def test_promptfoo_blocks_match(grading_js):
    outputs = [c["output"] for c in CASES if "output" in c]
    javascript = run_node("return input.map((o) => grading.promptfooBlocks(o));", outputs, grading_js)
    from constitutionc.grading.transcript import promptfoo_blocks
    assert javascript == [promptfoo_blocks(o) for o in outputs]


def test_the_module_is_built_from_the_registries():
    source = javascript_module()
    from constitutionc.grading import ARGUMENT_TESTS, CHECKS
    for kind in CHECKS.values():
        assert kind.javascript in source
    for test in ARGUMENT_TESTS.values():
        assert test.javascript in source


@needs_node
def test_the_module_loads_by_require_and_by_import_even_in_an_es_module_package(tmp_path):
    (tmp_path / "package.json").write_text('{"type": "module"}')
    module = tmp_path / "grading.cjs"
    module.write_text(javascript_module(), encoding="utf-8")
    import subprocess
    imported = subprocess.run(["node", "--input-type=module", "-e",
                               f"import g from {str(module)!r};"
                               "process.stdout.write(typeof g + ' ' + typeof g.gradeChecks);"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert imported.stdout == "function function", imported.stderr


@needs_node
def test_tag_form_calls_are_read_into_the_same_arguments(grading_js):
    from constitutionc.grading.tags import tag_calls

    from .cases import TAG_CASES
    texts = [block["text"] for c in TAG_CASES for m in c.get("messages") or [] for block in m["content"]
             if block.get("type") == "text"]
    texts.append('<tool_use:forward>\nemail_id: 3,\nto: "a@b.example",\nbody: ""\n</tool_use:forward>')
    javascript = run_node("return input.map((t) => grading.tagCalls(t));", texts, grading_js)
    assert javascript == [[list(c) for c in tag_calls(t)] for t in texts]
    assert any(calls for calls in javascript)
