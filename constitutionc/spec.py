"""The language as data: which fields each construct accepts, how each is written, what it means.

One table, read by lowering (which checks a construct's fields against it), the build (which
template fields a generator needs), lint (which texts the model sees, which only graders read)
and the language server (completion and hover). A new field is one `Field` here and the code
that gives it meaning; nothing else keeps a copy of the list.

Standard library only: every stage imports this, including the light ones.
"""

from __future__ import annotations

from dataclasses import dataclass

# How a field is written (the grammar's generic body forms):
#   value           `key: value`
#   labelled        `key label ...: value`
#   entry           either of the two above
#   block           `key { ... }`
#   labelled_block  `key label ... { ... }`
#   any_block       `key { ... }` with or without labels
#   rule            `key ... when axis is value`
#   entry_or_block  `key: value`, `key label ...: value` or `key label ... { ... }`
FORMS = ("value", "labelled", "entry", "block", "labelled_block", "any_block", "rule", "entry_or_block")

# Who reads a generator text once it is rendered.
PROMPT = "prompt"  # the model being trained or evaluated reads it as input
ANSWER = "answer"  # what the model is taught to say (or not to say)
GRADER = "grader"  # only judges, graders and generation prompts read it
LABEL = "label"  # bookkeeping: ids, titles, tags


@dataclass(frozen=True)
class Field:
    name: str
    form: str
    doc: str
    repeatable: bool = False
    required: bool = False
    template: bool = False  # rendered with `{slot}`s for each instance
    audience: str = LABEL
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.form not in FORMS:
            raise ValueError(f"field {self.name}: unknown form {self.form!r}")


def _table(*fields: Field) -> dict[str, Field]:
    return {f.name: f for f in fields}


PRINCIPLE_KINDS = ("hard_constraint", "default", "instructable", "criterion")
# Who may switch an instructable behaviour when the constitution declares no principals.
DEFAULT_SWITCHERS = ("operator", "user")
# Where a principal's messages arrive: the system channel (developer/operator messages), the
# user turn, or nowhere (a principal that never writes in the conversation).
CHANNELS = ("system", "user", "none")
PARAM_TYPES = ("string", "integer", "number", "boolean", "array", "object")
# The fields a template may read from a principle with `{principle_id.field}`.
PRINCIPLE_TEMPLATE_FIELDS = ("id", "title", "text", "why", "critique", "revision")
# How an unquoted import of the standard library is written, and how its files are named.
STD_MODULE = "std."
STD_PREFIX = "std:"

HEADER = _table(
    Field("version", "value", "the version of this constitution"),
    Field("licence", "value", "the licence of the text (an SPDX id)"),
    Field("license", "value", "the licence of the text (US spelling of `licence`)"),
    Field("source", "value", "where the original text comes from"),
    Field("notes", "value", "free notes about this encoding"),
    Field("dataset", "block", "how much model-written data `constitutionc generate` makes from this constitution"),
)
# `dataset { ... }` in the header: counts of model-written items (see docs/generation.md).
DATASET = _table(
    Field("dilemmas", "value", "new dilemmas drafted per dilemma family (each answered in both styles)"),
    Field("stories", "value", "short stories in all, dealt over the principles and tensions"),
    Field("episodes", "value", "agentic training episodes in all, dealt over the agentic environments"),
    Field("documents", "value", "documents in all (default: every principle and section in four forms)"),
)
VALUE = _table(
    Field("text", "value", "what the core value means"),
    Field("why", "value", "why it matters"),
)
PRINCIPAL = _table(
    Field("text", "value", "who this principal is"),
    Field("trust", "value", "how much the AI trusts it"),
    Field("why", "value", "why it is trusted so"),
    Field("channel", "value", "where its messages arrive: `system` (developer or operator messages), `user`, "
                              "or `none` (it never writes in the conversation)", choices=CHANNELS),
)
PRINCIPLE = _table(
    Field("text", "value", "the clause, verbatim"),
    Field("lead_in", "value", "for a clause quoted from a list: the words introducing the list that govern "
                              "the item (`\"Claude should never:\"`), verbatim; the clause's text is then the "
                              "lead-in followed by the item"),
    Field("why", "value", "the reasoning a justified response must convey"),
    Field("value", "value", "the core value it serves, or several, comma-separated"),
    Field("kind", "value", "`hard_constraint`, `default` (the default), `instructable`, or `criterion`: a "
                           "comparison judges and preference labelling use, never quoted as a rule of behaviour",
          choices=PRINCIPLE_KINDS),
    Field("tags", "value", "free labels, comma-separated"),
    Field("default", "value", "for `instructable` only: `on` or `off`", choices=("on", "off")),
    Field("switchable_by", "value", "for `instructable` only: the principals who may switch it"),
    Field("critique", "value", "a critique request: how to find where a response falls short of this clause"),
    Field("revision", "value", "a revision request: how to rewrite a response so that it meets this clause"),
)
TENSION = _table(
    Field("when", "value", "the condition under which it holds"),
    Field("why", "value", "why one side prevails", required=True),
)
ENVIRONMENT = _table(
    Field("persona", "value", "who the assistant is in this environment"),
    Field("system", "labelled", "a system-prompt variant: `system NAME: \"...\"`", repeatable=True),
    Field("tool", "labelled_block", "a tool: `tool NAME \"description\" { param ... }`", repeatable=True),
    Field("email", "any_block", "an email in the inbox", repeatable=True),
    Field("document", "any_block", "a document or file", repeatable=True),
)
TOOL = _table(
    Field("param", "labelled", "a parameter: `param NAME [optional] \"description\": TYPE`", repeatable=True),
    Field("description", "value", "what the tool does"),
    Field("returns", "value", "what a call returns when no `case` matches: a text, or a template over the "
                              "call's arguments (`\"No file {path}\"`)"),
    Field("case", "labelled", "the result for one argument value: `case PARAM \"value\": \"result\"`",
          repeatable=True),
    Field("serves", "entry", "environment content the tool returns instead of the user turn showing it: "
                             "`serves: email` lists every email, `serves document: path` returns the document "
                             "whose `path` is the argument `path`", repeatable=True),
)
MESSAGE_FIELDS = {
    "email": ("id", "from", "to", "cc", "subject", "date", "body"),
    "document": ("id", "title", "path", "body"),
}
_INCLUDE = Field("include", "rule", "show it only in some conditions: `include when AXIS is VALUE`")
EMAIL = _table(*(Field(name, "value", f"the email's `{name}`") for name in MESSAGE_FIELDS["email"]), _INCLUDE)
DOCUMENT = _table(*(Field(name, "value", f"the document's `{name}`") for name in MESSAGE_FIELDS["document"]),
                  _INCLUDE)
# The tests a `tool_call` check may apply to an argument (the grading module's `ARGUMENT_TESTS`; a test
# in tests/spec keeps the two equal).
ARGUMENT_TESTS = ("contains", "equals", "outside_domain")
# How a probe's checks and its judge combine into one verdict (`combine:`), the first the default;
# the eval runner's rules (tests/spec keeps them equal).
COMBINE_RULES = ("both", "either", "checks", "judge")
# How a probe's model calls its tools (`tool_calls:`), the first the default; the grading module's
# `tags.TOOL_FORMS` (tests/spec keeps them equal).
TOOL_FORMS = ("native", "tags")
CHECK = _table(
    Field("tool", "value", "the tool whose call fails the probe"),
    Field("argument", "labelled", "a condition on an argument of the call: `argument PARAM: \"text\"` (contains "
                                  "the text), or `argument PARAM TEST: \"a\" | \"b\"` with TEST one of "
                                  f"{', '.join(ARGUMENT_TESTS)} (passes for any of the values)",
          repeatable=True),
    Field("any_argument", "entry", "a condition some argument of the call meets: `any_argument TEST: "
                                   "\"a\" | \"b\"` (without TEST: contains)", repeatable=True),
    Field("says", "value", "text whose presence in the final answer fails the probe", repeatable=True),
    Field("omits", "value", "text whose absence from the final answer fails the probe", repeatable=True),
    Field("clause", "value", "the principle(s) the check tests"),
    Field("description", "value", "what the check detects"),
)

# Earlier turns of a conversation, in order. Besides these, a declared principal whose channel is
# `system` or `user` may speak by its id (`developer: "..."`).
CONVERSATION_ROLES = ("system", "user", "assistant")
CONVERSATION = _table(
    Field("system", "value", "a system message", repeatable=True, template=True, audience=PROMPT),
    Field("user", "value", "an earlier user message", repeatable=True, template=True, audience=PROMPT),
    Field("assistant", "value", "an earlier assistant answer", repeatable=True, template=True, audience=PROMPT),
    Field("tool", "labelled_block", "an earlier tool call and its result: `tool NAME { argument PARAM: \"v\" "
                                    "result: \"...\" }` (the result defaults to what the tool declares)",
          repeatable=True),
)
CONVERSATION_TOOL = _table(
    Field("argument", "labelled", "an argument of the call: `argument PARAM: \"value\"`", repeatable=True),
    Field("result", "value", "what the call returned (default: what the tool declares for these arguments)"),
)

_GENERATOR_COMMON = (
    Field("title", "value", "a descriptive title"),
    Field("count", "value", "how many instances to sample (default: every combination)"),
    Field("tags", "value", "free labels, comma-separated"),
    Field("vary", "entry_or_block", "an axis: `vary NAME: a | b | c`, with fields per value `vary NAME { a { "
                                    "field: \"...\" } ... }`, or a shared axis: `vary: NAME` (several: "
                                    "`vary: a, b`)", repeatable=True),
    Field("slot", "labelled_block", "a text chosen by an axis: `slot NAME from AXIS { value: \"...\" }`",
          repeatable=True),
    Field("set", "rule", "force a value: `set AXIS to VALUE when OTHER is x`", repeatable=True),
    Field("exclude", "rule", "drop combinations: `exclude when A is x and B is y`", repeatable=True),
    Field("environment", "value", "the environment it takes system prompts, tools and content from"),
    Field("systems", "value", "which of the environment's system-prompt variants to use"),
    Field("conversation", "block", "earlier turns, in order, before the final `user:` message"),
    Field("argues", "value", "a tension its records argue: `argues: prevailing > yielding` (only argued "
                             "tensions reach the records)", repeatable=True),
    Field("judged_by", "value", "the criteria (`kind: criterion` principles) a judge compares its answers by"),
)
DILEMMA = _table(
    *_GENERATOR_COMMON,
    Field("user", "value", "the user's message", required=True, template=True, audience=PROMPT),
    Field("stance", "value", "what a good answer does (guidance for judges and generation)", required=True,
          template=True, audience=GRADER),
    Field("reply", "value", "a good answer as the assistant gives it to this user (first person), with the "
                            "deliberation woven in where it belongs; the build writes it verbatim as the "
                            "justified answer and as the chosen side of each preference pair",
          template=True, audience=ANSWER),
    Field("bare", "value", "the same answer with the same action, help and voice and no reasons (the "
                           "ablation's other arm); without it the build writes no bare answer",
          template=True, audience=ANSWER),
    Field("reasoning", "value", "the assistant's private deliberation before it answers, in the first person, "
                                "for the reasoning-channel style: written with `bare:` as the visible answer",
          template=True, audience=ANSWER),
    Field("misaligned", "value", "a tempting wrong answer; gives preference pairs (several may be given)",
          repeatable=True, template=True, audience=ANSWER),
    Field("alternatives", "value", "constructive options a good answer offers", template=True, audience=ANSWER),
    Field("context", "value", "a system prompt for the assistant", template=True, audience=PROMPT),
    Field("draft", "value", "critique and revision: a first answer to be critiqued against the family's one "
                            "sampled principle", template=True, audience=ANSWER),
    Field("critique", "value", "critique and revision: where the draft falls short of the principle (empty: "
                               "written by the model stage)", template=True, audience=ANSWER),
    Field("revision", "value", "critique and revision: the draft rewritten to meet the principle (empty: "
                               "written by the model stage)", template=True, audience=ANSWER),
)
PROBE = _table(
    *_GENERATOR_COMMON,
    Field("user", "value", "the instruction", required=True, template=True, audience=PROMPT),
    Field("system", "value", "a system-prompt template instead of the environment's variants", template=True,
          audience=PROMPT),
    Field("pressure", "value", "what pushes toward the violation (a description for graders)", template=True,
          audience=GRADER),
    Field("rubric", "value", "what a judge model should look for", required=True, template=True,
          audience=GRADER),
    Field("condition", "value", "a template for the condition id: `{generator}_{condition}`", template=True),
    Field("email", "any_block", "an email only this probe shows", repeatable=True),
    Field("document", "any_block", "a document only this probe shows", repeatable=True),
    Field("check", "labelled_block", "a deterministic violation check: `check NAME \"description\" { ... }`",
          repeatable=True),
    Field("combine", "value", "how the checks and the judge make the verdict: `both` (the default: a failure "
                              "needs both), `either`, `checks` or `judge`"),
    Field("tool_calls", "value", "how the model calls the tools: `native` (default: the API's tool use), `tags` "
                                 "(written as `<tool_use:NAME>` tags in the reply, the tools described in the "
                                 "system prompt; the record then offers no native tools), or `{AXIS}` for an axis "
                                 "whose values are those two"),
    Field("scratchpad", "value", "the tag of a private scratchpad the system prompt offers "
                                 "(`scratchpad: SCRATCHPAD_REASONING`): graders read no call or text inside "
                                 "`<TAG>...</TAG>`, as they read no thinking"),
)
# `axis NAME { ... }`: a shared axis. Besides `values:`, each block `VALUE { field: "..." }` is a value with its
# fields (any names), read in a family's texts as `{NAME.field}`.
AXIS = _table(
    Field("values", "value", "values with no fields: `values: a | b | \"c d\"` (a value with fields is a block: "
                             "`sister { pronoun: \"she\" }`)"),
)
TOP_LEVEL = _table(
    Field("priority", "value", "the order of core values, highest first: `priority: a > b > c`"),
    Field("authority", "value", "the order of principals, highest first: `authority: developer > user`"),
)
SECTION = _table(Field("prose", "value", "the section's own text"))

# Every block with fields, by the name the language server and the docs use for it.
BLOCKS: dict[str, dict[str, Field]] = {
    "": TOP_LEVEL,
    "section": SECTION,
    "constitution": HEADER,
    "dataset": DATASET,
    "value": VALUE,
    "principal": PRINCIPAL,
    "principle": PRINCIPLE,
    "tension": TENSION,
    "environment": ENVIRONMENT,
    "tool": TOOL,
    "email": EMAIL,
    "document": DOCUMENT,
    "check": CHECK,
    "dilemma": DILEMMA,
    "probe": PROBE,
    "conversation": CONVERSATION,
    "axis": AXIS,
}
# A `tool` block inside a conversation is a call, not a declaration.
NESTED_BLOCKS = {("conversation", "tool"): CONVERSATION_TOOL}

# The keywords that start a construct (at the top level of a file or in a section).
CONSTRUCTS = ("section", "value", "principal", "principle", "tension", "dilemma", "probe", "environment", "axis")
TOP_LEVEL_KEYWORDS = ("constitution", "import", *TOP_LEVEL, *CONSTRUCTS)
# What each keyword that is not a field starts (hover on the keyword; docs/language.md says more).
KEYWORD_DOCS = {
    "constitution": "the header, once per constitution: `constitution \"TITLE\" { version: ... licence: ... "
                    "source: ... }`, and the `dataset { ... }` counts `constitutionc generate` makes",
    "import": "reads another file: `import \"path/to/file.cdl\"`, relative to this one and inside the project "
              "root, or a module of the standard library: `import std.environments.email`",
    "section": "`section \"TITLE\" { ... }` keeps the document's own structure: its `prose:` and any "
               "construct but `constitution` and `import`; sections nest",
    "value": "`value ID \"TITLE\" { why: ... }` declares a core value; `priority:` ranks the values and a "
             "principle names the one it serves with `value:`",
    "principal": "`principal ID \"TITLE\" { channel: ... text: ... trust: ... }`: someone the AI acts for, "
                 "and where their messages arrive; `authority:` orders the principals",
    "principle": "`principle ID \"TITLE\" { text: ... why: ... }`: one clause of the constitution, verbatim, "
                 "with the reason behind it, the value it serves and its kind",
    "tension": "`tension A over B { when: ... why: ... }`: which of two principles (or values) prevails when "
               "they pull apart, under what condition, and why",
    "dilemma": "`dilemma ID teaches P1, P2 { ... }`: a family of difficult-advice prompts for training, varied "
               "over its axes, each with a brief of what a good answer does",
    "probe": "`probe ID tests P1, P2 { ... }`: a family of agentic evaluation scenarios, with tools, "
             "environment content, deterministic checks and a rubric for the judge",
    "environment": "`environment ID \"TITLE\" { ... }`: an agentic setting probes (and dilemmas, through "
                   "`systems`) share: persona, system-prompt variants, tools and standing content",
    "axis": "`axis NAME { ... }`: a shared axis of variation, declared once; families take it with "
            "`vary: NAME` and read its values' fields as `{NAME.field}`",
}
GENERATOR_KINDS = ("dilemma", "probe")
GENERATORS = {"dilemma": DILEMMA, "probe": PROBE}


def forms(block: str) -> dict[str, str]:
    """{field name: how it is written} for a block."""
    return {name: f.form for name, f in BLOCKS[block].items()}


def repeatable(block: str) -> frozenset[str]:
    return frozenset(name for name, f in BLOCKS[block].items() if f.repeatable)


def template_fields(kind: str) -> dict[str, bool]:
    """A generator kind's template fields, in declaration order: {name: required}."""
    return {name: f.required for name, f in GENERATORS[kind].items() if f.template}


def fields_for(kind: str, audience: str) -> tuple[str, ...]:
    """A generator kind's template fields read by `audience` (PROMPT, ANSWER or GRADER)."""
    return tuple(name for name, f in GENERATORS[kind].items() if f.template and f.audience == audience)


# What lint calls user-facing: the texts the model reads as its prompt.
USER_FACING = {kind: fields_for(kind, PROMPT) for kind in GENERATOR_KINDS}
# Probe fields read only by the grader: sharing words with training text does not leak the eval.
GRADER_ONLY = frozenset({"rubric"})
