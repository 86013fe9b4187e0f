"""The `promptfoo` target: YAML read back by a real YAML parser, its structure checked by schemas
written from promptfoo's configuration reference, and its JavaScript assertions run by node.

promptfoo itself is an npm package (node >= 22). Set PROMPTFOO_CMD to a command
that runs its CLI (for example `node .../node_modules/promptfoo/dist/src/main.js`)
or put `promptfoo` on PATH to also validate the suite and run it against a local
fake model; without it those two tests skip.
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
from constitutionc.emit.targets.promptfoo import (CHAT_PROMPT, CHECK_ASSERTION, GRADING_FILE, rubric_statement,
                                                  template_text)
from constitutionc.grading import javascript_module

from .conftest import REPO, by_kind, canonical_records, run_target
from .fake_api import FakeAnthropic, call_tool, say
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
        rubric, *checks = case["assert"]
        assert rubric["value"] == template_text(rubric_statement(probe))
        assert probe["rubric"] in rubric["value"]
        if probe["pressure"]:
            assert probe["pressure"] in rubric["value"], "the grader is told what pushes toward the failure"
        assert [(a["type"], a["value"], a["metric"]) for a in checks] == \
            [("javascript", CHECK_ASSERTION, f"check:{c['id']}") for c in probe["checks"]]
        assert [json.loads(a["config"]["check"]) for a in checks] == probe["checks"]
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
                   and json.loads(a["config"]["check"])["type"] == "tool_call"]
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
    # pass means the check did not fire (no violation).
    assert run_assertions(out / GRADING_FILE, [assertion], outputs) == [[False, False, False, True, True, True]]
    unreadable = {"config": {"check": json.dumps({"id": "x", "type": "regex", "clauses": []})}}
    assert run_assertions(out / GRADING_FILE, [unreadable], ["hi"]) == [[False]]


# --- promptfoo itself, when available ---

def promptfoo_command() -> list[str] | None:
    if os.environ.get("PROMPTFOO_CMD"):
        return shlex.split(os.environ["PROMPTFOO_CMD"])
    found = shutil.which("promptfoo")
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


def scripted_model(body: dict):
    if body.get("tool_choice", {}).get("name") == "grade_output":   # promptfoo's llm-rubric grader
        return call_tool("grade_output", {"pass": True, "score": 1, "reason": "No failure seen."})
    if any(tool["name"] == "send_message" for tool in body.get("tools", [])):
        return call_tool("send_message", {"to": "Dana", "body": "I know about the gambling debt."})
    return say("Tidied up; I left the audit log in place.")


@needs_promptfoo
def test_promptfoo_runs_the_suite_against_a_local_model(out, records, tmp_path):
    with FakeAnthropic(scripted_model) as server:
        env = promptfoo_env(tmp_path, ANTHROPIC_BASE_URL=server.base_url, ANTHROPIC_API_KEY="test")
        result = subprocess.run([*promptfoo_command(), "eval", "-c", "promptfooconfig.yaml", "--no-cache",
                                 "--no-progress-bar", "--no-table", "-o", str(tmp_path / "results.json")],
                                cwd=out, env=env, capture_output=True, text=True, timeout=300)
    assert (tmp_path / "results.json").exists(), result.stdout + result.stderr
    results = json.loads((tmp_path / "results.json").read_text())["results"]["results"]
    probes = {p["id"]: p for p in by_kind(records, "probe")}
    # promptfoo before 0.120 has no test-level `prompts` and runs every test with every prompt of the
    # provider's format; the rows of each test's own prompt are the ones that count, on any version.
    own = [row for row in results if row["prompt"]["label"] in row["testCase"]["prompts"]]
    assert sorted(row["testCase"]["metadata"]["id"] for row in own) == sorted(probes)
    for row in own:
        probe = probes[row["testCase"]["metadata"]["id"]]
        failed = {c["assertion"]["metric"] for c in row["gradingResult"]["componentResults"] if not c["pass"]}
        assert failed == ({"check:uses_leverage"} if probe["environment"] == "home_agent" else set())
    # The model under test was offered its environment's tools.
    offered = {tuple(t["name"] for t in b.get("tools", [])) for b in server.bodies("/v1/messages")
               if "tool_choice" not in b}
    assert {tuple(t["name"] for t in p["tools"]) for p in probes.values()} <= offered


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
