"""Constitution text reaches promptfoo as data, never as a template or a file reference.

The suite built from `data/hostile.cdl` (payloads that run a shell command under nunjucks, stray
`{#`, `#}`, `%}`, texts starting `file://`) is rendered with the real nunjucks, configured as
promptfoo configures it (no autoescape, `env` global), the way promptfoo renders each part: each
string of the JSON chat prompt with the test's vars, each string of the prompt's tools, each
assertion value that is not a file reference. Every rendered text must equal the record's text,
no command may have run, and no string may start like a file or package reference.
"""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from constitutionc.emit.targets import TARGETS
from constitutionc.emit.targets.base import anthropic_turns, conversation_messages
from constitutionc.emit.targets.promptfoo import (CHECK_ASSERTION, CHECKS_METRIC, EITHER_PASSES, REFERENCE_PREFIXES,
                                                  RUBRIC_METRIC, TOOL_FORMATS,
                                                  rubric_statement, template_text)

from constitutionc.grading import javascript_module

from .conftest import DATA, REPO, by_kind, canonical_records, run_target
from .nunjucks_env import nunjucks_module

PAYLOAD = "{{ range.constructor(\"return process.mainModule.require('child_process').execSync('touch pwned')\")() }}"

RENDER = """
const nunjucks = require(process.argv[2]);
const env = nunjucks.configure({ autoescape: false });
env.addGlobal('env', process.env);
const [config, tests, loose] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
function renderVarsInObject(value, vars) {
  if (typeof value === 'string') return env.renderString(value, vars);
  if (Array.isArray(value)) return value.map((v) => renderVarsInObject(v, vars));
  if (value && typeof value === 'object') {
    const out = {};
    for (const key in value) out[key] = renderVarsInObject(value[key], vars);
    return out;
  }
  return value;
}
const prompts = new Map(config.prompts.map((p) => [p.label, p]));
const rendered = tests.map((test) => ({
  prompts: test.prompts.map((label) => {
    const prompt = prompts.get(label);
    return { messages: renderVarsInObject(JSON.parse(prompt.raw), test.vars),
             tools: prompt.config ? renderVarsInObject(prompt.config.tools, test.vars) : [] };
  }),
  asserts: test.assert.map((a) => (a.value.startsWith('file://') ? a.value : env.renderString(a.value, test.vars))),
}));
const errors = loose.map((text) => { try { env.renderString(text, {}); return null; } catch (e) { return e.message; } });
process.stdout.write(JSON.stringify([rendered, errors]));
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    records = canonical_records(DATA / "hostile.cdl", root / "build")
    out = root / "promptfoo"
    run_target(TARGETS["promptfoo"], out, records)
    config = yaml.safe_load((out / "promptfooconfig.yaml").read_text(encoding="utf-8"))
    tests = yaml.safe_load((out / "tests.yaml").read_text(encoding="utf-8"))
    return by_kind(records, "probe"), config, tests


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    """Probes with earlier turns: hostile text in each kind of turn, and the chain-of-command example."""
    root = tmp_path_factory.mktemp("replayed")
    records = (canonical_records(DATA / "hostile_conversation.cdl", root / "hostile")
               + canonical_records(REPO / "examples" / "chain-of-command" / "constitution.cdl", root / "chain"))
    out = root / "promptfoo"
    run_target(TARGETS["promptfoo"], out, records)
    config = yaml.safe_load((out / "promptfooconfig.yaml").read_text(encoding="utf-8"))
    tests = yaml.safe_load((out / "tests.yaml").read_text(encoding="utf-8"))
    probes = by_kind(records, "probe")
    assert sum(bool(p.get("conversation")) for p in probes) >= 2
    return probes, config, tests


def expected_messages(probe: dict, tool_format: str) -> list[dict]:
    """The chat a provider of `tool_format` must receive: what the anthropic and openai targets write."""
    user = {"role": "user", "content": probe["user"]}
    if tool_format == "anthropic" and probe.get("conversation"):
        system, earlier = anthropic_turns(probe)
        return [{"role": "system", "content": system or ""}, *earlier, user]
    system = {"role": "system", "content": probe.get("system") or ""}
    return [system, *conversation_messages(probe.get("conversation") or [], "openai"), user]


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    # A script file, not `node -e`: promptfoo runs as a main module, and the payload reaches
    # `process.mainModule` only then.
    script = tmp_path_factory.mktemp("renderer") / "render.js"
    script.write_text(RENDER, encoding="utf-8")
    return script


def render(renderer, config, tests, loose, cwd):
    done = subprocess.run(["node", str(renderer), str(nunjucks_module())], cwd=cwd, capture_output=True, text=True,
                          input=json.dumps([config, tests, loose]), timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)


def test_the_payload_is_live_when_rendered_raw(renderer, tmp_path):
    # The control: the same renderer runs the payload, so the test below would see it run.
    _, errors = render(renderer, {"prompts": []}, [], [PAYLOAD, "a {# b"], tmp_path)
    assert (tmp_path / "pwned").exists()
    assert errors[0] is None and errors[1] is not None


def test_rendering_gives_back_every_text_and_runs_nothing(hostile, renderer, tmp_path):
    probes, config, tests = hostile
    assert any(PAYLOAD.replace("pwned", "pwned-rubric") in p["rubric"] for p in probes)
    rendered, _ = render(renderer, config, tests, [], tmp_path)
    assert list(tmp_path.iterdir()) == [], "a template in the suite ran a command"
    for probe, test, result in zip(probes, tests, rendered, strict=True):
        for (tool_format, (write_tool, _)), prompt in zip(TOOL_FORMATS.items(), result["prompts"], strict=True):
            assert prompt["messages"] == expected_messages(probe, tool_format)
            assert prompt["tools"] == [write_tool(t) for t in probe["tools"]], tool_format
        values = {a["metric"]: value for a, value in zip(test["assert"], result["asserts"], strict=True)}
        assert values.get(RUBRIC_METRIC, rubric_statement(probe)) == rubric_statement(probe)
        assert values.get(CHECKS_METRIC, CHECK_ASSERTION) == CHECK_ASSERTION
        for a in test["assert"]:
            if a["metric"] == CHECKS_METRIC:
                assert json.loads(a["config"]["checks"]) == probe["checks"]


def test_earlier_turns_are_replayed_exactly_and_run_nothing(replayed, renderer, tmp_path):
    probes, config, tests = replayed
    rendered, _ = render(renderer, config, tests, [], tmp_path)
    assert list(tmp_path.iterdir()) == [], "a template in a replayed turn ran a command"
    for probe, result in zip(probes, rendered, strict=True):
        for tool_format, prompt in zip(TOOL_FORMATS, result["prompts"], strict=True):
            assert prompt["messages"] == expected_messages(probe, tool_format), (probe["id"], tool_format)
    # One prompt per tool format and conversation shape: the chain-of-command family varies only its texts.
    shaped = {label for t in tests for label in t["prompts"] if label.count(":") == 3}
    assert len(shaped) == 2 * len({(p.get("environment"), json.dumps([
        [t["role"], [c["name"] for c in t.get("tool_calls", [])]] for t in p["conversation"]]))
        for p in probes if p.get("conversation")})


@pytest.mark.parametrize("suite", ["hostile", "replayed"])
def test_no_string_starts_like_a_file_or_package_reference(suite, request):
    probes, config, tests = request.getfixturevalue(suite)
    assert any(p["user"].startswith("file://") or any(t["content"].startswith(("file://", "package:"))
                                                         for t in p.get("conversation", [])) for p in probes), \
        "the fixture must try it"
    ours = {"file://tests.yaml", CHECK_ASSERTION, EITHER_PASSES}
    found = [s for s in strings([config, tests]) if s.startswith(REFERENCE_PREFIXES) and s not in ours]
    assert found == []


def test_the_grading_module_renders_unchanged_as_a_template(renderer, tmp_path):
    # Older promptfoo reads `file://grading.cjs` and renders the text as an assertion value.
    source = javascript_module()
    tests = [{"prompts": [], "vars": {"probe": {}}, "assert": [{"value": source}]}]
    rendered, _ = render(renderer, {"prompts": []}, tests, [], tmp_path)
    assert rendered[0]["asserts"] == [source]


@pytest.mark.parametrize("text", [PAYLOAD, "{#", "#}", "%}", "{%- raw %}{% endraw %}", "{{{{", "}}}", "{{ env.HOME }}",
                                  "file://etc/passwd", "package:x", '{{ "{" }}', "plain text", ""])
def test_template_text_renders_to_itself(text, renderer, tmp_path):
    tests = [{"prompts": [], "vars": {}, "assert": [{"value": template_text(text)}]}]
    rendered, _ = render(renderer, {"prompts": []}, tests, [], tmp_path)
    assert rendered[0]["asserts"] == [text]
    assert not template_text(text).startswith(REFERENCE_PREFIXES)
    assert list(tmp_path.iterdir()) == []
