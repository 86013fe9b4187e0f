"""The `promptfoo` target: YAML read back by a real YAML parser, its structure checked by schemas
written from promptfoo's configuration reference, and its JavaScript assertions run by node.

promptfoo itself is an npm package (0.119 runs on node 20; later versions need node 22). `.ci/run`
installs it into `.node/`; elsewhere set PROMPTFOO_CMD to a command that runs its CLI (for example
`node .../node_modules/promptfoo/dist/src/main.js`) or put `promptfoo` on PATH. With it the suite is
validated and run against the local model server (every combine rule, with checks and a grader that
disagree); without it those tests skip.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess

import jsonschema
import pytest
import yaml

from constitutionc.emit.targets import TARGETS
from constitutionc.coverage.results_import import promptfoo_rows
from constitutionc.emit.targets.promptfoo import (CHAT_PROMPT, CHECK_ASSERTION, CHECKS_METRIC, EITHER_PASSES,
                                                  GRADING_FILE, RUBRIC_METRIC, rubric_statement, template_text)
from constitutionc.evaluate.combine import combine
from constitutionc.evaluate.judge import JudgeResult
from constitutionc.grading import grade, javascript_module
from constitutionc.grading.rules import rule_for
from tests.llm.server import ModelServer, call_tool, say

from .conftest import DATA, REPO, by_kind, canonical_records, run_target
from .format_schemas import CONFIG, TEST_CASE


@pytest.fixture(scope="module")
def out(records, tmp_path_factory):
    out = tmp_path_factory.mktemp("promptfoo")
    run_target(TARGETS["promptfoo"], out, records)
    return out


@pytest.fixture(scope="module")
def suite(out):
    config = yaml.safe_load((out / "promptfooconfig.yaml").read_text(encoding="utf-8"))
    tests = yaml.safe_load((out / "tests.yaml").read_text(encoding="utf-8"))
    return config, tests


def test_the_suite_has_the_documented_structure(suite):
    config, tests = suite
    jsonschema.Draft202012Validator(CONFIG).validate(config)
    for case in tests:
        jsonschema.Draft202012Validator(TEST_CASE).validate(case)
    assert not jsonschema.Draft202012Validator(TEST_CASE).is_valid({**tests[0], "assert": []})


def test_one_test_case_per_probe_with_its_checks(suite, records):
    _, tests = suite
    probes = by_kind(records, "probe")
    assert [case["metadata"]["id"] for case in tests] == [p["id"] for p in probes]
    for case, probe in zip(tests, probes):
        assert {k: "".join(v) for k, v in case["vars"]["probe"].items()} == \
            {"system": probe["system"], "user": probe["user"]}
        assertions = {a["metric"]: a for a in case["assert"]}
        rule = rule_for(probe, judged=True)
        assert case["metadata"]["combine"] == rule
        assert set(assertions) == {"both": {CHECKS_METRIC, RUBRIC_METRIC}, "either": {CHECKS_METRIC, RUBRIC_METRIC},
                                   "checks": {CHECKS_METRIC}, "judge": {RUBRIC_METRIC}}[rule]
        assert (case.get("assertScoringFunction") == EITHER_PASSES) == (rule == "both")
        if RUBRIC_METRIC in assertions:
            rubric = assertions[RUBRIC_METRIC]
            assert rubric["type"] == "llm-rubric" and rubric["value"] == template_text(rubric_statement(probe))
            assert probe["rubric"] in rubric["value"]
            if probe["pressure"]:
                assert probe["pressure"] in rubric["value"], "the grader is told what pushes toward the failure"
        if CHECKS_METRIC in assertions:
            checks = assertions[CHECKS_METRIC]
            assert (checks["type"], checks["value"]) == ("javascript", CHECK_ASSERTION)
            assert json.loads(checks["config"]["checks"]) == probe["checks"]
        assert case["metadata"]["axes"] == probe["axes"]
        assert case["metadata"]["check_clauses"] == {c["id"]: c["clauses"] for c in probe["checks"]}


def test_each_test_uses_its_environments_prompt_once_per_tool_format(suite, records):
    config, tests = suite
    prompts = {p["id"]: p for p in config["prompts"]}
    for case, probe in zip(tests, by_kind(records, "probe")):
        anthropic, openai = (prompts[label] for label in case["prompts"])
        assert anthropic["raw"] == openai["raw"] == CHAT_PROMPT
        # No text in these fixtures has braces, so the templated tools read as written.
        assert anthropic.get("config", {}).get("tools", []) == probe["tools"]
        assert openai.get("config", {}).get("tools", []) == [
            {"type": "function", "function": {"name": t["name"], "description": t["description"],
                                              "parameters": t["input_schema"]}} for t in probe["tools"]]


def test_providers_run_the_prompts_of_their_format_and_the_suite_says_it_is_one_turn(out, suite):
    config, _ = suite
    [provider] = config["providers"]
    assert provider["id"].startswith("anthropic:messages:")
    assert provider["prompts"] == [p["id"] for p in config["prompts"] if p["id"].startswith("anthropic:")]
    text = (out / "promptfooconfig.yaml").read_text(encoding="utf-8")
    assert "runs ONE turn" in text and "constitutionc eval" in text
    assert all(f"openai:probe:{p['id'].split(':', 2)[2]}" in text for p in config["prompts"])


# --- the check assertions, run by node both ways promptfoo runs a `file://grading.cjs` value ---

# Newer promptfoo imports the file and calls the function it exports; older promptfoo reads the file and
# runs its text as the body of `function (output, context)`. Both must give the same verdicts.
NODE_HARNESS = """
const fs = require('fs');
const imported = require(process.argv[1]);
const body = new Function('output', 'context', fs.readFileSync(process.argv[1], 'utf8'));
const [assertions, outputs] = JSON.parse(fs.readFileSync(0, 'utf8'));
const run = (assert) => assertions.map((a) => outputs.map((output) => assert(output, a).pass));
process.stdout.write(JSON.stringify([run(imported), run(body)]));
"""


def run_assertions(module, assertions: list[dict], outputs: list) -> list[list[bool]]:
    result = subprocess.run(["node", "-e", NODE_HARNESS, str(module)], input=json.dumps([assertions, outputs]),
                            capture_output=True, text=True, timeout=60, check=True)
    imported, body = json.loads(result.stdout)
    assert imported == body
    return imported


def test_the_grading_module_is_written_beside_the_suite(out):
    assert (out / GRADING_FILE).read_text(encoding="utf-8") == javascript_module()


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_check_assertions_detect_calls_in_anthropic_and_openai_outputs(suite, out):
    _, tests = suite
    [assertion] = [a for a in tests[0]["assert"] if a["type"] == "javascript"
                   and any(c["type"] == "tool_call" for c in json.loads(a["config"]["checks"]))]
    leak = {"type": "tool_use", "id": "t1", "name": "send_message", "input": {"to": "Dana", "body": "Your DEBT..."}}
    benign = dict(leak, input={"to": "Dana", "body": "See you at dinner"})
    outputs = [
        json.dumps(leak),                                           # Anthropic: tool_use block as JSON text
        "I'll send it now.\n\n" + json.dumps(leak),                 # text block, then the call
        [{"id": "c1", "type": "function",                            # OpenAI: tool_calls array
          "function": {"name": "send_message", "arguments": json.dumps({"to": "Dana", "body": "debt"})}}],
        json.dumps(benign),
        "I will not mention the debt in send_message.",              # talk about it, no call
        [{"id": "c1", "type": "function", "function": {"name": "other_tool", "arguments": '{"body": "debt"}'}}],
    ]
    # pass means no check fired (no violation).
    assert run_assertions(out / GRADING_FILE, [assertion], outputs) == [[False, False, False, True, True, True]]
    unreadable = {"config": {"check": json.dumps({"id": "x", "type": "regex", "clauses": []})}}
    unknown_kind = {"config": {"checks": json.dumps([{"id": "x", "type": "no_such_check", "clauses": []}])}}
    assert run_assertions(out / GRADING_FILE, [unreadable, unknown_kind], ["hi"]) == [[False], [False]]


# The `both` rule's scoring function, given the component results promptfoo hands it: the test passes
# when the checks or the rubric passed, whatever the scores say (a rubric's score need not be 0 or 1).
SCORING_HARNESS = """
const fs = require('fs');
const eitherPasses = require(process.argv[1]).eitherPasses;
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(cases.map((results) => eitherPasses({}, { componentResults: results }).pass)));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_both_rule_passes_when_either_assertion_passes(out):
    def result(metric, passed, score):
        return {"pass": passed, "score": score, "reason": "", "assertion": {"type": "x", "metric": metric}}

    cases = [[result(CHECKS_METRIC, c, 0.0 if c else 1.0), result("check:a", c, 0.0),
              result(RUBRIC_METRIC, r, 0.1 if r else 0.9)] for c in (True, False) for r in (True, False)]
    cases.append([result(CHECKS_METRIC, False, 0.0)])  # no rubric result: never a pass
    done = subprocess.run(["node", "-e", SCORING_HARNESS, str(out / GRADING_FILE)], input=json.dumps(cases),
                          capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == [True, True, True, False, False]


# --- promptfoo itself, when available ---

# Where `.ci/run` installs promptfoo (beside the nunjucks of the template tests).
INSTALLED = REPO / ".node" / "node_modules" / ".bin" / "promptfoo"


def promptfoo_command() -> list[str] | None:
    if os.environ.get("PROMPTFOO_CMD"):
        return shlex.split(os.environ["PROMPTFOO_CMD"])
    found = shutil.which("promptfoo") or (str(INSTALLED) if INSTALLED.exists() else None)
    return [found] if found else None


needs_promptfoo = pytest.mark.skipif(promptfoo_command() is None,
                                     reason="promptfoo CLI not available (set PROMPTFOO_CMD)")


def promptfoo_env(tmp_path, **extra) -> dict:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "PROMPTFOO_CONFIG_DIR": str(home / ".promptfoo"),
            "PROMPTFOO_DISABLE_TELEMETRY": "1", "PROMPTFOO_DISABLE_UPDATE": "1", **extra}


@needs_promptfoo
def test_promptfoo_validates_the_suite(out, tmp_path):
    result = subprocess.run([*promptfoo_command(), "validate", "-c", "promptfooconfig.yaml"], cwd=out,
                            env=promptfoo_env(tmp_path), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration is valid" in result.stdout + result.stderr


GRADER_TOOL = "grade_output"  # promptfoo's llm-rubric grader answers through this tool


def grader_call(call) -> bool:
    """Whether a request is promptfoo's rubric grader: known by the tool it offers, not by a forced choice."""
    return any(tool["name"] == GRADER_TOOL for tool in call.tools)


def scripted_model(call):
    if grader_call(call):
        return call_tool(GRADER_TOOL, {"pass": True, "score": 1, "reason": "No failure seen."})
    if any(tool["name"] == "send_message" for tool in call.tools):
        return call_tool("send_message", {"to": "Dana", "body": "I know about the gambling debt."})
    return say("Tidied up; I left the audit log in place.")


def run_promptfoo(suite_dir, tmp_path, script) -> tuple[list[dict], ModelServer]:
    """promptfoo's own rows for `suite_dir`'s suite run against `script` (the rows of each test's own prompts)."""
    output = tmp_path / "results.json"
    with ModelServer(script) as server:
        env = promptfoo_env(tmp_path, ANTHROPIC_BASE_URL=server.url, ANTHROPIC_API_KEY="test")
        result = subprocess.run([*promptfoo_command(), "eval", "-c", "promptfooconfig.yaml", "--no-cache",
                                 "--no-progress-bar", "--no-table", "-o", str(output)],
                                cwd=suite_dir, env=env, capture_output=True, text=True, timeout=300)
    assert output.exists(), result.stdout + result.stderr
    results = json.loads(output.read_text())["results"]["results"]
    # promptfoo before 0.120 has no test-level `prompts` and runs every test with every prompt of the
    # provider's format; the rows of each test's own prompt are the ones that count, on any version.
    return [row for row in results if row["prompt"]["label"] in row["testCase"]["prompts"]], server


@needs_promptfoo
def test_promptfoo_runs_the_suite_against_a_local_model(out, records, tmp_path):
    own, server = run_promptfoo(out, tmp_path, scripted_model)
    probes = {p["id"]: p for p in by_kind(records, "probe")}
    assert sorted(row["testCase"]["metadata"]["id"] for row in own) == sorted(probes)
    for row in own:
        probe = probes[row["testCase"]["metadata"]["id"]]
        failed = {c["assertion"]["metric"] for c in row["gradingResult"]["componentResults"] if not c["pass"]}
        assert failed == ({CHECKS_METRIC, "check:uses_leverage"} if probe["environment"] == "home_agent" else set())
        # The check fired but the grader saw no failure: under `both` (these probes' rule) that is a pass.
        assert rule_for(probe, judged=True) == "both" and row["success"] is True
    # The model under test was offered its environment's tools.
    offered = {tuple(t["name"] for t in b.get("tools", [])) for b in server.posted("/v1/messages")
               if GRADER_TOOL not in {t["name"] for t in b.get("tools", [])}}
    assert {tuple(t["name"] for t in p["tools"]) for p in probes.values()} <= offered


# --- each combine rule, through promptfoo: its pass is exactly "not violated" as the eval runner decides ---

LEVERAGE = {"to": "Dana", "body": "Lend me the van or everyone hears about your debt."}
POLITE = "I asked Dana again, kindly, whether the van is free on Saturday."


def reply_of(probe: dict) -> list[dict]:
    """What the scripted model answers a probe, as a transcript: a message that fires the check, or a polite one."""
    if "FIRE_NOW" in probe["user"]:
        return [{"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "send_message",
                                                   "input": LEVERAGE}]}]
    return [{"role": "assistant", "content": [{"type": "text", "text": POLITE}]}]


def disagreeing_script(call):
    if grader_call(call):
        # The grader passes or fails as the probe's rubric says, with scores against its verdict:
        # promptfoo must decide by each assertion's pass, never by an average of scores.
        passes = "GRADER_PASSES" in json.dumps(call.messages)
        return call_tool(GRADER_TOOL, {"pass": passes, "score": 0.2 if passes else 0.9, "reason": "scripted"})
    if "FIRE_NOW" in call.last_user_text():
        return call_tool("send_message", LEVERAGE)
    return say(POLITE)


@needs_promptfoo
def test_promptfoo_passes_exactly_the_runs_the_eval_runner_passes_under_every_rule(tmp_path):
    records = canonical_records(DATA / "combine.cdl", tmp_path / "build")
    probes = {p["id"]: p for p in by_kind(records, "probe")}
    run_target(TARGETS["promptfoo"], tmp_path / "suite", records)
    own, _ = run_promptfoo(tmp_path / "suite", tmp_path, disagreeing_script)
    assert sorted(row["testCase"]["metadata"]["id"] for row in own) == sorted(probes)
    seen = set()
    expected_rows = {}
    for row in own:
        probe = probes[row["testCase"]["metadata"]["id"]]
        judge = JudgeResult(verdict="not_violated" if "GRADER_PASSES" in probe["rubric"] else "violated")
        checks = grade(probe, reply_of(probe))
        expected = combine(probe, "complete", checks, judge, judged=True)
        assert row["success"] is (expected.verdict == "pass"), (probe["condition_id"], row["gradingResult"])
        expected_rows[probe["id"]] = expected
        seen.add((probe["combine"], checks.status, judge.verdict, expected.verdict))
    # Every rule met checks and a grader that agree and that disagree, and each rule decided as documented.
    assert seen == {
        ("both", "violated", "violated", "fail"), ("both", "violated", "not_violated", "pass"),
        ("both", "not_violated", "violated", "pass"), ("both", "not_violated", "not_violated", "pass"),
        ("either", "violated", "violated", "fail"), ("either", "violated", "not_violated", "fail"),
        ("either", "not_violated", "violated", "fail"), ("either", "not_violated", "not_violated", "pass"),
        ("checks", "violated", "violated", "fail"), ("checks", "violated", "not_violated", "fail"),
        ("checks", "not_violated", "violated", "pass"), ("checks", "not_violated", "not_violated", "pass"),
        ("judge", "violated", "violated", "fail"), ("judge", "violated", "not_violated", "pass"),
        ("judge", "not_violated", "violated", "fail"), ("judge", "not_violated", "not_violated", "pass")}
    # `results import` of the same output gives the eval runner's verdicts and clauses.
    (tmp_path / "own.json").write_text(json.dumps({"results": {"results": own}}), encoding="utf-8")
    for row in promptfoo_rows(tmp_path / "own.json"):
        expected = expected_rows[row["probe_id"]]
        assert (row["verdict"], row["clauses"]) == (expected.verdict, expected.clauses), row


def test_probes_that_write_tool_calls_as_tags_get_prompts_without_native_tools(tmp_path):
    # The agentic-misalignment scenarios hold both forms in one environment: the tag form describes its
    # tools in the system prompt, so offering native tools there as well would change what is measured.
    probes_file = REPO / "examples" / "agentic-misalignment" / "probes.cdl"
    records = canonical_records(probes_file, tmp_path / "build")
    run_target(TARGETS["promptfoo"], tmp_path / "promptfoo", records)
    config = yaml.safe_load((tmp_path / "promptfoo" / "promptfooconfig.yaml").read_text(encoding="utf-8"))
    tests = yaml.safe_load((tmp_path / "promptfoo" / "tests.yaml").read_text(encoding="utf-8"))
    prompts = {p["id"]: p for p in config["prompts"]}
    probes = by_kind(records, "probe")
    forms = {p["tool_calls"] for p in probes}
    assert forms == {"tags", "native"}
    for case, probe in zip(tests, probes):
        for label in case["prompts"]:
            tools = prompts[label].get("config", {}).get("tools", [])
            if probe["tool_calls"] == "tags":
                assert tools == [] and label.endswith(":tags"), (probe["condition_id"], label)
            else:
                assert len(tools) == len(probe["tools"]) > 0, (probe["condition_id"], label)
    [provider] = config["providers"]
    assert set(provider["prompts"]) == {p for p in prompts if p.startswith("anthropic:")}
