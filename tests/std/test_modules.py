"""Each standard-library module checks clean on its own and when imported, and has the promised shape."""

from __future__ import annotations

import yaml
import pytest

from constitutionc.api import load

from .library import MODULES, STD_ROOT, import_line, is_std, module_name

TOOL_VARIANTS = {"formal", "terse", "roleplay", "operator_restricted"}
JSON_TYPES = {"string", "integer", "number", "boolean", "array", "object"}
IDS = [module_name(p) for p in MODULES]


def _shown(diagnostics) -> list[str]:
    return [f"{d.span.file}:{d.span.line}: {d.code} {d.message}" if d.span else f"{d.code} {d.message}"
            for d in diagnostics]


def test_the_library_has_the_promised_modules():
    assert {"environments.email", "environments.devops", "environments.support", "environments.research",
            "personas", "axes"} <= set(IDS)


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_module_checks_clean_on_its_own(path):
    result = load([path])
    assert _shown(result.diagnostics) == []
    c = result.constitution
    assert c.environments or c.axes, "a library module should define something to import"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_module_checks_clean_when_imported(path, tmp_path):
    user = tmp_path / "uses_library.cdl"
    user.write_text(f"{import_line(path)}\n", encoding="utf-8")
    result = load([user])
    assert _shown(result.diagnostics) == []
    c = result.constitution
    files = {node.span.file for node in (*c.environments, *c.axes)}
    assert files == {"std:" + path.relative_to(STD_ROOT).as_posix()}


def test_all_modules_import_together_without_clashes(tmp_path):
    user = tmp_path / "everything.cdl"
    user.write_text("".join(import_line(p) + "\n" for p in MODULES), encoding="utf-8")
    result = load([user])
    assert _shown(result.diagnostics) == []
    assert len(result.constitution.files) == len(MODULES) + 1


def _library_environments():
    for path in MODULES:
        for env in load([path]).constitution.environments:
            assert is_std(env.span.file)
            yield env


def test_every_tool_environment_offers_the_four_system_variants():
    with_tools = [env for env in _library_environments() if env.tools]
    assert {env.id for env in with_tools} == {"email_agent", "devops_agent", "support_agent", "research_agent"}
    for env in with_tools:
        assert {s.name for s in env.systems} == TOOL_VARIANTS, env.id
        assert env.persona.strip(), env.id


def test_personas_are_tool_less_chat_assistants():
    personas = [env for env in load([STD_ROOT / "personas.cdl"]).constitution.environments]
    assert len(personas) >= 3
    for env in personas:
        assert not env.tools and env.persona.strip() and env.systems, env.id


@pytest.mark.parametrize("env_id, tools", [
    ("email_agent", {"send_email", "forward_email", "cancel_alert"}),
    ("devops_agent", {"read_file", "write_file", "run_command"}),
    ("support_agent", {"lookup_order", "issue_refund", "escalate"}),
    ("research_agent", {"web_search", "fetch_url", "run_python"}),
])
def test_environments_have_described_typed_tools(env_id, tools):
    env = next(e for e in _library_environments() if e.id == env_id)
    assert {t.name for t in env.tools} == tools
    for tool in env.tools:
        assert tool.description.strip(), tool.name
        assert any(p.required for p in tool.params), tool.name
        for param in tool.params:
            assert param.description.strip(), f"{tool.name}.{param.name}"
            assert param.type in JSON_TYPES


def test_the_devops_agent_can_see_the_oversight_config_that_governs_it():
    env = next(e for e in _library_environments() if e.id == "devops_agent")
    config = next(m for m in env.messages if m.field("path").endswith("/oversight.yaml"))
    parsed = yaml.safe_load(config.field("body"))
    assert parsed["review"]["enabled"] is True
    assert parsed["audit_log"]["enabled"] is True


def test_the_email_agent_can_cancel_alerts_only_with_an_override_code():
    env = next(e for e in _library_environments() if e.id == "email_agent")
    cancel = env.tool("cancel_alert")
    assert {p.name for p in cancel.params if p.required} >= {"alert_id", "override_code"}


def test_the_documented_std_import_form_resolves(tmp_path):
    user = tmp_path / "documented_form.cdl"
    user.write_text("import std.environments.email\n", encoding="utf-8")
    assert _shown(load([user]).diagnostics) == []


def test_an_unquoted_import_outside_std_is_explained(tmp_path):
    user = tmp_path / "bare.cdl"
    user.write_text("import environments.email\n", encoding="utf-8")
    messages = [d.message for d in load([user]).diagnostics]
    assert len(messages) == 1 and "std.environments.email" in messages[0]


def test_the_shared_axes_give_every_value_the_words_that_refer_to_it(tmp_path):
    """A family using std.axes can write `{relation.object}` or `{role.article} {role}` for any value."""
    user = tmp_path / "uses_axes.cdl"
    user.write_text('import std.axes\nprinciple p.x "X" { text: "t" why: "w" }\n'
                    'dilemma d teaches p.x {\n  vary: relation, role, mood\n'
                    '  user: "My {relation} ({relation.pronoun} {relation.be} {mood}) thinks {relation.possessive} '
                    'boss, {role.article} {role}, dislikes {relation.object}."\n  stance: "s"\n}\n', encoding="utf-8")
    result = load([user])
    assert _shown(result.diagnostics) == []
    axes = {a.id: a for a in result.constitution.axes}
    assert {"relation", "role", "mood"} <= set(axes)
    for value in axes["relation"].value_fields:
        assert {k for k, _ in value.fields} == {"pronoun", "object", "possessive", "be"}, value.name
    # By sound, not by letter: "an HR officer", which no rule on the first letter would give.
    articles = {v.name: v.field("article") for v in axes["role"].value_fields}
    assert articles == {"manager": "a", "intern": "an", "engineer": "an", "accountant": "an", "HR officer": "an",
                        "shift supervisor": "a", "union representative": "a", "hospital administrator": "a"}
