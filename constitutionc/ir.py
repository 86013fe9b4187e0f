"""The intermediate representation: immutable pydantic nodes, each with its source span.

Every stage after parsing speaks this shape: checks read it, the build expands
it, coverage joins records back to it. Nodes never point at each other by object;
they refer by id, and the resolve stage guarantees the ids exist.
"""


import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, computed_field

from .spec import DEFAULT_SWITCHERS, PRINCIPLE_TEMPLATE_FIELDS
from .templates import FOCUS, split_reference


def _first_unchecked(cls, **values):
    make = _compile_unchecked(cls)
    cls.unchecked = staticmethod(make)
    return make(**values)


_UNSET = object()


def _compile_unchecked(cls: "type[Node]"):
    """The keyword-only function that builds a `cls` node as pydantic's own construction leaves
    it (`__dict__`, fields set, no extra, private attributes at their defaults)."""
    env = {"_cls": cls, "_new": object.__new__, "_set": object.__setattr__, "_UNSET": _UNSET}
    params, lines, required = [], [], []
    for name, info in cls.model_fields.items():
        if info.is_required():
            params.append(name)
            required.append(name)
            continue
        params.append(f"{name}=_UNSET")
        default = info.default_factory or info.default
        if info.default_factory is not None:
            factory = info.default_factory
            env[f"_default_{name}"] = factory.unchecked if isinstance(factory, type) and issubclass(factory, Node) \
                else factory
            fill = f"_default_{name}()"
        else:
            env[f"_default_{name}"] = default
            fill = f"_default_{name}"
        lines.append(f"    if {name} is _UNSET:\n        {name} = {fill}\n"
                     f"    else:\n        _fields_set.add({name!r})")
    fields = ", ".join(f"{name!r}: {name}" for name in cls.model_fields)
    source = "\n".join([
        f"def unchecked(*, {', '.join(params)}):",
        f"    _fields_set = {{{', '.join(repr(n) for n in required)}}}" if required else "    _fields_set = set()",
        *lines,
        "    _node = _new(_cls)",
        f"    _set(_node, '__dict__', {{{fields}}})",
        "    _set(_node, '__pydantic_fields_set__', _fields_set)",
        "    _set(_node, '__pydantic_extra__', None)",
        "    _set(_node, '__pydantic_private__', None)",
        *(["    _node.model_post_init(None)"] if cls.__pydantic_post_init__ else []),
        "    return _node",
    ])
    exec(compile(source, f"<{cls.__name__}.unchecked>", "exec"), env)
    return env["unchecked"]


class Node(BaseModel):
    # The validating schema is built on first use, not at import: the front end makes its nodes
    # with `unchecked`, so `check` never needs it (building it for every class cost more than the
    # rest of a small file's check). Serializing, `model_validate` and plain construction build it.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # Each class gets its own constructor on first use (an inherited one would make the parent).
        cls.unchecked = classmethod(_first_unchecked)

    @classmethod
    def unchecked(cls, **values):
        """The node `cls(**values)` makes, without validating: for values that already have the
        declared types (the front end's, straight from the parser; `tests/syntax/test_unchecked.py`
        re-validates every node of every shipped constitution). Fields in declaration order, the
        unset ones at their defaults, `model_fields_set` as under validation; an unknown or missing
        field is a TypeError. Validated construction runs in compiled code but needs the schema
        built first; this is a plain function, compiled for each class on its first call."""
        return _first_unchecked(cls, **values)


class Span(Node):
    """A region of a source file. Lines and columns are 1-based; `end_column` is
    the column just after the last character (as in SARIF and Lark)."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, line: int, column: int) -> bool:
        if line < self.line or line > self.end_line:
            return False
        if line == self.line and column < self.column:
            return False
        if line == self.end_line and column >= self.end_column:
            return False
        return True


# The name the parser puts where one was missing, so that recovery can go on. A syntax
# error has already been reported there; later stages must not report it again.
MISSING_NAME = "_missing_"


def clause_hash(text: str) -> str:
    """The hash that ties a record to the exact clause text it was built from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Header(Node):
    title: str = ""
    version: str = ""
    licence: str = ""
    source: str = ""
    notes: str = ""
    # `dataset { stories: 12000 ... }`: counts for `constitutionc generate`, as (name, count) pairs.
    dataset: tuple[tuple[str, int], ...] = ()
    span: Span | None = None


class CoreValue(Node):
    id: str
    title: str = ""
    text: str = ""
    why: str = ""
    span: Span


class Principal(Node):
    id: str
    title: str = ""
    text: str = ""
    trust: str = ""
    why: str = ""
    # Where its messages arrive: "system" (developer/operator messages), "user", "none"; None: not said.
    channel: str | None = None
    span: Span
    name_span: Span | None = None


PrincipleKind = Literal["hard_constraint", "default", "instructable", "criterion"]


class Principle(Node):
    id: str
    title: str = ""
    # The clause as every output quotes it: with a `lead_in`, the lead-in, a space and the `item`.
    text: str = ""
    # A clause quoted from a list: the words introducing the list that govern it, and the item as
    # written. Each is a verbatim quotation; their join (`text`) is not a contiguous one.
    lead_in: str = ""
    item: str = ""
    why: str = ""
    value: str | None = None  # the first of `values`, as before several could be given
    values: tuple[str, ...] = ()
    kind: PrincipleKind = "default"
    tags: tuple[str, ...] = ()
    # Instructable behaviours only: on or off by default, and who may switch them.
    default_on: bool | None = None
    switchable_by: tuple[str, ...] = ()
    switchable_by_span: Span | None = None
    # The Constitutional AI form: a critique request and a revision request for this clause.
    critique: str = ""
    revision: str = ""
    section: str | None = None
    span: Span
    name_span: Span | None = None
    value_span: Span | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sha256(self) -> str:
        return clause_hash(self.text)


class Section(Node):
    id: str
    title: str
    prose: str = ""
    parent: str | None = None
    span: Span


class Tension(Node):
    prevails: str
    yields: str
    when: str = ""
    why: str = ""
    span: Span
    prevails_span: Span | None = None
    yields_span: Span | None = None

    @property
    def id(self) -> str:
        return f"{self.prevails}>{self.yields}"


class Param(Node):
    name: str
    type: str = "string"
    description: str = ""
    required: bool = True
    enum: tuple[str, ...] = ()
    span: Span


class ToolCase(Node):
    """`case PARAM "value": "result"`: what a call with that argument value returns."""

    param: str
    value: str
    result: str
    span: Span


class Serve(Node):
    """`serves: email` (every email, listed) or `serves document: path` (the document whose `path`
    field equals the call's `path` argument)."""

    kind: Literal["email", "document"]
    param: str | None = None
    span: Span


class Tool(Node):
    name: str
    description: str = ""
    params: tuple[Param, ...] = ()
    # What calls return: cases by argument, served environment content, then `returns` (a template
    # over the call's arguments). Without any, a call's result is for the eval runner to invent.
    cases: tuple[ToolCase, ...] = ()
    serves: tuple[Serve, ...] = ()
    returns: str | None = None
    returns_span: Span | None = None
    span: Span

    @property
    def declares_results(self) -> bool:
        return bool(self.cases or self.serves or self.returns is not None)


class SystemVariant(Node):
    name: str
    text: str
    span: Span


class Condition(Node):
    """`axis is [not] v1 or v2`: true when the axis value is (not) one of the values."""

    axis: str
    negated: bool = False
    values: tuple[str, ...]
    span: Span

    def holds(self, combo: dict[str, str]) -> bool:
        return (combo.get(self.axis) in self.values) != self.negated


class Rule(Node):
    """`exclude when ...` drops combinations; `set AXIS to VALUE when ...` forces a value."""

    action: Literal["exclude", "set"]
    axis: str | None = None
    value: str | None = None
    conditions: tuple[Condition, ...]
    span: Span

    def applies(self, combo: dict[str, str]) -> bool:
        return all(c.holds(combo) for c in self.conditions)


class AxisValue(Node):
    """One value of an axis with its fields (`sister { pronoun: "she" }`), read as `{axis.field}`."""

    name: str
    fields: tuple[tuple[str, str], ...] = ()
    span: Span

    def field(self, name: str) -> str | None:
        return next((text for key, text in self.fields if key == name), None)


class Axis(Node):
    name: str
    values: tuple[str, ...]
    # Each value with its fields, in order, when the axis gives values fields (else empty).
    value_fields: tuple[AxisValue, ...] = ()
    # The shared axis (`axis NAME { ... }`) a family's `vary: NAME` takes its values from; until the files
    # are joined its values are empty (syntax/shared_axes.py fills them).
    shared: str | None = None
    span: Span

    def field_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(key for value in self.value_fields for key, _ in value.fields))

    def field_of(self, value: str, name: str) -> str | None:
        return next((v.field(name) for v in self.value_fields if v.name == value), None)


class SharedAxis(Node):
    """`axis NAME "title" { ... }`: values (and their fields) declared once, used by families as `vary: NAME`."""

    id: str
    title: str = ""
    values: tuple[str, ...] = ()
    value_fields: tuple[AxisValue, ...] = ()
    section: str | None = None
    span: Span
    name_span: Span | None = None


class Slot(Node):
    """A named text chosen by one axis's value: `slot goal from goal_value { a: "..." }`."""

    name: str
    axis: str
    cases: tuple[tuple[str, str], ...]
    default: str | None = None
    span: Span

    def lookup(self, value: str) -> str | None:
        for case, text in self.cases:
            if case == value:
                return text
        return self.default


class Message(Node):
    """An email, chat message or document placed in a probe's environment."""

    kind: Literal["email", "document"]
    fields: tuple[tuple[str, str], ...]
    include_when: tuple[Condition, ...] = ()
    span: Span

    def field(self, name: str, default: str = "") -> str:
        for key, value in self.fields:
            if key == name:
                return value
        return default


class Turn(Node):
    """One earlier message of a conversation, in order.

    `role` is system, user or assistant; a message from a declared principal has role `principal`
    until the build reads the principal's channel (system: a developer message; user: a user turn).
    A `tool` turn is an assistant's call and its result (`result` None: what the tool declares).
    """

    role: Literal["system", "user", "assistant", "principal", "tool"]
    principal: str | None = None
    text: str = ""
    tool: str | None = None
    arguments: tuple[tuple[str, str], ...] = ()
    result: str | None = None
    span: Span


class CallCondition(Node):
    """One test a tool call's argument must pass: `argument to equals: "a@x.com" | "b@x.com"` (any of
    the values), or on any argument (`argument` is `*`, written `any_argument TEST: ...`)."""

    argument: str
    test: str
    values: tuple[str, ...]
    span: Span


class Check(Node):
    """A deterministic violation check on a probe transcript.

    The probe is failed (a violation) when the check matches: a call to `tool`
    whose arguments contain the given substrings and pass every condition, and/or
    the final text containing `says`, or lacking `omits`.
    """

    id: str
    description: str = ""
    tool: str | None = None
    arguments: tuple[tuple[str, str], ...] = ()
    conditions: tuple[CallCondition, ...] = ()
    # Each `says:` / `omits:` entry: the texts it looks for (`says: "a" | "b"` is one check on any of them).
    says: tuple[tuple[str, ...], ...] = ()
    omits: tuple[tuple[str, ...], ...] = ()
    clauses: tuple[str, ...] = ()
    span: Span

    def texts(self) -> tuple[str, ...]:
        """Every text its `says:` and `omits:` entries look for."""
        return tuple(text for entry in (*self.says, *self.omits) for text in entry)


GeneratorKind = Literal["dilemma", "probe"]


class Generator(Node):
    kind: GeneratorKind
    id: str
    title: str = ""
    principles: tuple[str, ...] = ()
    principle_spans: tuple[Span, ...] = ()
    axes: tuple[Axis, ...] = ()
    rules: tuple[Rule, ...] = ()
    slots: tuple[Slot, ...] = ()
    count: int | None = None
    # Template fields (user, stance, misaligned, alternatives, system, pressure, rubric, ...)
    templates: tuple[tuple[str, str], ...] = ()
    template_spans: tuple[tuple[str, Span], ...] = ()
    environment: str | None = None
    system_variants: tuple[str, ...] = ()
    messages: tuple[Message, ...] = ()
    checks: tuple[Check, ...] = ()
    # How a probe's checks and its judge make one verdict (`combine:`); None: the default, `both`.
    combine: str | None = None
    # How a probe's model calls tools (`native`, `tags`, or an `{axis}` template; None: native), and the
    # tag of the private scratchpad its system prompt offers.
    tool_calls: str | None = None
    scratchpad: str | None = None
    # The axis whose values are principles it names (`vary principle: a | b`): each instance cites
    # the value it draws (and the principles no axis value names), and is focused on it.
    selects: str | None = None
    # Criteria (`kind: criterion` principles) a judge compares its answers by.
    judged_by: tuple[str, ...] = ()
    # The tensions its records argue, as (prevails, yields) with where each was written.
    argues: tuple[tuple[str, str], ...] = ()
    argues_spans: tuple[Span, ...] = ()
    # Earlier turns before the final `user` message (`conversation { ... }`).
    conversation: tuple[Turn, ...] = ()
    tags: tuple[str, ...] = ()
    section: str | None = None
    span: Span
    name_span: Span | None = None
    environment_span: Span | None = None
    # Where each `key: value` field's value was written, for diagnostics that point at it.
    field_spans: tuple[tuple[str, Span], ...] = ()

    def selecting_index(self) -> int | None:
        return next((i for i, axis in enumerate(self.axes) if axis.name == self.selects), None)

    def cited_for(self, value: str | None) -> tuple[str, ...]:
        """The principles an instance cites when the selecting axis has `value`."""
        if self.selects is None or value is None:
            return self.principles
        chosen = next(axis.values for axis in self.axes if axis.name == self.selects)
        return (value, *(p for p in self.principles if p not in chosen))

    def field_span(self, name: str) -> Span:
        return next((span for key, span in self.field_spans if key == name), self.span)

    def template(self, name: str) -> str | None:
        for key, value in self.templates:
            if key == name:
                return value
        return None

    def templates_named(self, name: str) -> tuple[str, ...]:
        """Every text of a repeatable template field (several `misaligned:`), in order."""
        return tuple(value for key, value in self.templates if key == name)


class Environment(Node):
    id: str
    title: str = ""
    persona: str = ""
    systems: tuple[SystemVariant, ...] = ()
    tools: tuple[Tool, ...] = ()
    messages: tuple[Message, ...] = ()
    span: Span

    def tool(self, name: str) -> Tool | None:
        return next((t for t in self.tools if t.name == name), None)


class SourceFile(Node):
    path: str  # as diagnostics show it: relative to the working directory
    sha256: str
    # Relative to the project root (`std:` for the standard library): what outputs record, so a
    # build from any directory writes the same bytes. Empty when made without a loader.
    project_path: str = ""


class Suppression(Node):
    file: str
    line: int
    codes: tuple[str, ...]
    span: Span


class Constitution(Node):
    header: Header = Field(default_factory=Header)
    files: tuple[SourceFile, ...] = ()
    # The project paths of the files named on the command line (the rest came in by `import`).
    entries: tuple[str, ...] = ()
    values: tuple[CoreValue, ...] = ()
    priority: tuple[str, ...] = ()
    priority_span: Span | None = None
    # The principals in order of authority, highest first (`authority: developer > user`).
    authority: tuple[str, ...] = ()
    authority_span: Span | None = None
    principals: tuple[Principal, ...] = ()
    sections: tuple[Section, ...] = ()
    principles: tuple[Principle, ...] = ()
    tensions: tuple[Tension, ...] = ()
    environments: tuple[Environment, ...] = ()
    generators: tuple[Generator, ...] = ()
    axes: tuple[SharedAxis, ...] = ()
    suppressions: tuple[Suppression, ...] = ()

    def project_path(self, shown: str) -> str:
        """A displayed path (a span's file) as outputs record it: relative to the project root."""
        for f in self.files:
            if f.path == shown:
                return f.project_path or shown
        return shown
    _indexes: dict = PrivateAttr(default_factory=dict)

    def principle(self, pid: str) -> Principle | None:
        return self._index("principles").get(pid)

    def principal(self, pid: str) -> Principal | None:
        return self._index("principals").get(pid)

    def shared_axis(self, name: str) -> SharedAxis | None:
        return self._index("axes").get(name)

    def field_reference(self, generator: "Generator", name: str) -> tuple[str, str | None, str] | None:
        """What a dotted slot `{owner.field}` of `generator` reads: ("axis", axis name, field) for a field of
        the value an axis takes, ("principle", id, field), ("drawn", None, field) for the principle its
        selecting axis draws, ("focus", None, field); None when it reads nothing (not dotted, no such owner,
        or no such field)."""
        parts = split_reference(name)
        if parts is None:
            return None
        owner, field = parts
        axis = next((a for a in generator.axes if a.name == owner), None)
        if axis is not None and field in axis.field_names():
            return "axis", owner, field
        if field not in PRINCIPLE_TEMPLATE_FIELDS:
            return None
        if owner == generator.selects:
            return "drawn", None, field
        if owner == FOCUS:
            return "focus", None, field
        if self.principle(owner) is not None:
            return "principle", owner, field
        return None

    def switchers(self) -> tuple[str, ...]:
        """Who may switch instructable behaviours: the declared principals, else operator and user."""
        return tuple(p.id for p in self.principals) or DEFAULT_SWITCHERS

    def environment(self, eid: str) -> Environment | None:
        return self._index("environments").get(eid)

    def generator(self, gid: str) -> Generator | None:
        return self._index("generators").get(gid)

    def _index(self, attr: str) -> dict:
        index = self._indexes.get(attr)
        if index is None:
            index = self._indexes[attr] = {node.id: node for node in getattr(self, attr)}
        return index
