"""JSON Schemas of the target formats that have no Python consumer here, written from their documentation.

OpenAI fine-tuning files (chat: `{"messages": [...]}`; preference/DPO: `{"input":
{"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}`,
no other keys) and promptfoo suites (configuration reference: `prompts`,
`providers`, `tests`; test cases with `description`, `vars`, `assert`, `metadata`).
"""

from __future__ import annotations


def turn(*roles: str) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["role", "content"],
            "properties": {"role": {"enum": list(roles)}, "content": {"type": "string", "minLength": 1}}}


ASSISTANT_ONLY = {"type": "array", "minItems": 1, "maxItems": 1, "items": turn("assistant")}
PROMPT = {"type": "array", "minItems": 1, "items": turn("system", "user"),
          "contains": turn("user")}

CHAT_LINE = {
    "type": "object", "additionalProperties": False, "required": ["messages"],
    "properties": {"messages": {
        "type": "array", "minItems": 2,
        "prefixItems": [turn("system", "user")],
        "items": turn("system", "user", "assistant"),
        "contains": turn("assistant"), "minContains": 1, "maxContains": 1,
    }},
}
PREFERENCE_LINE = {
    "type": "object", "additionalProperties": False,
    "required": ["input", "preferred_output", "non_preferred_output"],
    "properties": {
        "input": {"type": "object", "additionalProperties": False, "required": ["messages"],
                  "properties": {"messages": PROMPT}},
        "preferred_output": ASSISTANT_ONLY,
        "non_preferred_output": ASSISTANT_ONLY,
    },
}
LINEAGE_LINE = {
    "type": "object", "additionalProperties": False, "required": ["file", "line", "id", "sources"],
    "properties": {"file": {"type": "string"}, "line": {"type": "integer", "minimum": 1},
                   "id": {"type": "string", "pattern": "^rs-[0-9a-f]{16}$"},
                   "sources": {"type": "array", "minItems": 1}},
}


# --- promptfoo ---

STRING = {"type": "string", "minLength": 1}
PARTS = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string"}}
ASSERTION = {
    "type": "object", "additionalProperties": False, "required": ["type", "value", "metric"],
    "properties": {"type": {"enum": ["llm-rubric", "javascript"]},
                   "value": STRING, "metric": {"enum": ["checks", "rubric"]},
                   "config": {"type": "object", "additionalProperties": False, "required": ["checks"],
                              "properties": {"checks": STRING, "reading": STRING}}},
}
TEST_CASE = {
    "type": "object", "additionalProperties": False,
    "required": ["description", "vars", "prompts", "assert", "metadata"],
    "properties": {
        "description": STRING,
        "vars": {"type": "object", "additionalProperties": False, "required": ["probe"], "properties": {
            "probe": {"type": "object", "additionalProperties": False, "required": ["system", "user"],
                      "properties": {"system": PARTS, "user": PARTS}}}},
        "prompts": {"type": "array", "minItems": 2, "maxItems": 2, "items": STRING},
        # promptfoo's assertion list: one or two assertions (the checks, the rubric), as the probe's rule says.
        "assert": {"type": "array", "minItems": 1, "maxItems": 2, "items": ASSERTION},
        # A test-level scoring function (promptfoo's `assertScoringFunction`: a file and an exported function).
        "assertScoringFunction": {"type": "string", "pattern": "^file://[^:]+\\.cjs:[A-Za-z_][A-Za-z0-9_]*$"},
        "metadata": {"type": "object",
                     "required": ["id", "condition_id", "generator", "principles", "axes", "combine", "clauses",
                                  "check_clauses"],
                     "properties": {"combine": {"enum": ["both", "either", "checks", "judge"]}}},
    },
}
SCHEMA = {"type": "object", "required": ["type", "properties"]}
ANTHROPIC_TOOL = {"type": "object", "additionalProperties": False, "required": ["name", "description", "input_schema"],
                  "properties": {"name": STRING, "description": {"type": "string"}, "input_schema": SCHEMA}}
OPENAI_TOOL = {"type": "object", "additionalProperties": False, "required": ["type", "function"], "properties": {
    "type": {"const": "function"},
    "function": {"type": "object", "additionalProperties": False, "required": ["name", "description", "parameters"],
                 "properties": {"name": STRING, "description": {"type": "string"}, "parameters": SCHEMA}}}}
CONFIG = {
    "type": "object", "additionalProperties": False, "required": ["description", "prompts", "providers", "tests"],
    "properties": {
        "description": STRING,
        "prompts": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "label", "raw"],
            "properties": {"id": STRING, "label": STRING, "raw": STRING,
                           "config": {"type": "object", "additionalProperties": False, "required": ["tools"],
                                      "properties": {"tools": {"type": "array", "items": {
                                          "oneOf": [ANTHROPIC_TOOL, OPENAI_TOOL]}}}}}}},
        "providers": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["id", "prompts"]}},
        "tests": {"const": "file://tests.yaml"},
    },
}
