"""Prompt files: loading, overriding and rendering them into provider-neutral requests.

A prompt file is TOML front matter between `+++` lines, then a `--- system ---`
section and a `--- user ---` section, each a Jinja2 template:

    +++
    id = "response_justified_inline"
    version = 1
    description = "..."
    max_tokens = 2000
    temperature = 1.0
    +++
    --- system ---
    You write ...
    --- user ---
    The user's message: {{ prompt | data }}

Templates run in Jinja2's sandbox with StrictUndefined (a misspelt variable is an
error, never an empty string). Only parameters (finite, program-chosen values)
may be printed as they are; every text that comes from the constitution, the
build or a model is printed through `| data`, which writes it as JSON with `<`,
`>` and `&` escaped. Anything else printed is an error. So a clause can contain
braces, quotes, fake section markers or "ignore the above" and still arrive as
one quoted value inside the user message: its text is never template source
and never splits, ends or adds a message.

`PromptLibrary(override_dir)` reads `<id>.md` from the override directory when it
is there, else the packaged file; an override directory holding a file that is
no known prompt is refused (a misspelt override would silently not apply).
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_origin

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ValidationError

from .registry import PROMPTS, PromptKind

FRONT = "+++"
SECTION = re.compile(r"^--- (system|user) ---[ \t]*$", re.MULTILINE)
ID = re.compile(r"^[a-z][a-z0-9_]*$")
SUFFIX = ".md"


class PromptError(Exception):
    """A prompt file or its inputs are unusable; `str()` is one line for the user."""


class Param(str):
    """A program-chosen value the template may print as it is."""


class Data(str):
    """Text already encoded by the `data` filter."""


def encode_data(value: Any) -> Data:
    """Materials as JSON: strings quoted, structures indented; markup characters escaped."""
    value = _plain(value)
    text = json.dumps(value, ensure_ascii=False, indent=2 if isinstance(value, (dict, list, tuple)) else None)
    return Data(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _plain(value: Any) -> Any:
    if isinstance(value, _Nested):  # a nested model printed whole: its own serialisation, as in a list
        value = value.model
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _finalize(value: Any) -> Any:
    if isinstance(value, (Param, Data)) or (type(value) in (int, float)):
        return value
    raise PromptError(f"a template printed {type(value).__name__} {str(value)[:40]!r} without `| data`: "
                      "texts from the constitution or a model must go through the data filter")


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False, finalize=_finalize,
                               keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
    env.filters["data"] = encode_data
    env.filters["words"] = lambda text: len(str(text).split())
    return env


ENV = _environment()


@dataclass(frozen=True)
class ToolSpec:
    """The one tool the model is forced to call; its input schema is the output model's."""

    name: str
    description: str
    input_schema: dict


@dataclass(frozen=True)
class PromptRequest:
    """A rendered request, provider-neutral: the client layer maps it to Messages or chat completions.

    `system` is the same for every request of a prompt version (no materials in it), so it is the
    shared prefix that prompt caching keeps; the materials are all in `user`.
    """

    prompt_id: str
    version: int
    prompt_sha256: str
    system: str
    user: str
    tool: ToolSpec
    max_tokens: int
    temperature: float

    def provenance(self) -> dict:
        return {"id": self.prompt_id, "version": self.version, "sha256": self.prompt_sha256}


@dataclass(frozen=True)
class Prompt:
    id: str
    version: int
    description: str
    max_tokens: int
    temperature: float
    expected_output_tokens: int  # what a typical reply costs: the dry run's estimate
    kind: PromptKind
    path: str  # where it was read from, for messages
    sha256: str
    system_template: jinja2.Template
    user_template: jinja2.Template

    def render(self, inputs: BaseModel | dict) -> PromptRequest:
        model = self.kind.input
        try:
            # Validated again even when it is already the input model: `model_construct` skips validation.
            validated = model.model_validate(dict(inputs.__dict__) if isinstance(inputs, BaseModel) else inputs)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "inputs"
            raise PromptError(f"prompt {self.id}: input {where}: {first['msg']}") from None
        context = _context(validated)
        try:
            system = self.system_template.render(context).strip()
            user = self.user_template.render(context).strip()
        except jinja2.UndefinedError as error:
            raise PromptError(f"prompt {self.id} ({self.path}): {error.message}") from None
        except jinja2.TemplateError as error:
            raise PromptError(f"prompt {self.id} ({self.path}): {error}") from None
        return PromptRequest(self.id, self.version, self.sha256, system, user, tool_spec(self.kind),
                             self.max_tokens, self.temperature)

    def provenance(self) -> dict:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def _context(inputs: BaseModel) -> dict:
    """Top-level fields, with program-chosen strings marked printable. Nested values stay data."""
    context: dict[str, Any] = {}
    for name, field in type(inputs).model_fields.items():
        value = getattr(inputs, name)
        if isinstance(value, str) and _is_parameter(field.annotation):
            value = Param(value)
        elif isinstance(value, BaseModel):
            value = _Nested(value)
        context[name] = value
    return context


def _is_parameter(annotation) -> bool:
    return get_origin(annotation) is Literal


class _Nested(dict):
    """A nested model: attribute access for templates (`variation.persona`); printing still needs `| data`,
    except its Literal, int and bool fields, which are parameters."""

    def __init__(self, model: BaseModel):
        super().__init__()
        self.model = model
        for name, field in type(model).model_fields.items():
            value = getattr(model, name)
            if isinstance(value, str) and _is_parameter(field.annotation):
                value = Param(value)
            self[name] = value

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@functools.lru_cache(maxsize=None)
def tool_spec(kind: PromptKind) -> ToolSpec:
    """Made once per prompt kind: pydantic's schema generation costs more than rendering a prompt."""
    return ToolSpec(kind.tool_name, kind.tool_description, output_schema(kind.output))


def output_schema(model: type[BaseModel]) -> dict:
    """The output model's JSON Schema with every `$ref` inlined (some providers refuse `$defs`)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[-1]
                return inline(dict(defs[name]))
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return inline(schema)


# --- files --------------------------------------------------------------------------------------

def parse_prompt(text: str, path: str) -> Prompt:
    if not text.startswith(FRONT + "\n"):
        raise PromptError(f"{path}: a prompt file starts with `+++`, its TOML front matter, and `+++`")
    end = text.find("\n" + FRONT + "\n", len(FRONT))
    if end < 0:
        raise PromptError(f"{path}: the front matter is not closed with a `+++` line")
    try:
        front = tomllib.loads(text[len(FRONT) + 1:end])
    except tomllib.TOMLDecodeError as error:
        raise PromptError(f"{path}: front matter: {error}") from None
    body = text[end + len(FRONT) + 2:]
    pid, version = front.get("id"), front.get("version")
    if not isinstance(pid, str) or not ID.match(pid):
        raise PromptError(f"{path}: front matter needs `id`, a lowercase name")
    if pid not in PROMPTS:
        raise PromptError(f"{path}: `{pid}` is not a prompt constitutionc knows ({', '.join(sorted(PROMPTS))})")
    if type(version) is not int or version < 1:
        raise PromptError(f"{path}: front matter needs `version`, a whole number from 1")
    unknown = set(front) - {"id", "version", "description", "max_tokens", "temperature", "expected_output_tokens"}
    if unknown:
        raise PromptError(f"{path}: unknown front matter key(s): {', '.join(sorted(unknown))}")
    sections = _sections(body, path)
    try:
        system = ENV.from_string(sections["system"])
        user = ENV.from_string(sections["user"])
    except jinja2.TemplateSyntaxError as error:
        raise PromptError(f"{path}:{error.lineno}: template: {error.message}") from None
    max_tokens, temperature = front.get("max_tokens", 4096), front.get("temperature", 1.0)
    if type(max_tokens) is not int or max_tokens < 1:
        raise PromptError(f"{path}: `max_tokens` must be a positive whole number")
    if type(temperature) not in (int, float) or not 0 <= temperature <= 2:
        raise PromptError(f"{path}: `temperature` must be a number from 0 to 2")
    expected = front.get("expected_output_tokens", max_tokens // 3)
    if type(expected) is not int or not 0 < expected <= max_tokens:
        raise PromptError(f"{path}: `expected_output_tokens` must be a whole number from 1 to max_tokens")
    return Prompt(pid, version, str(front.get("description", "")), max_tokens, float(temperature), expected,
                  PROMPTS[pid], path, hashlib.sha256(text.encode("utf-8")).hexdigest(), system, user)


def _sections(body: str, path: str) -> dict[str, str]:
    marks = list(SECTION.finditer(body))
    names = [m.group(1) for m in marks]
    if names != ["system", "user"]:
        raise PromptError(f"{path}: expected a `--- system ---` section then a `--- user ---` section")
    if body[:marks[0].start()].strip():
        raise PromptError(f"{path}: text between the front matter and `--- system ---`")
    return {"system": body[marks[0].end():marks[1].start()], "user": body[marks[1].end():]}


class PromptLibrary:
    """The packaged prompts, each replaced by `<id>.md` from `override_dir` when that file exists."""

    def __init__(self, override_dir: Path | str | None = None):
        self.override_dir = Path(override_dir) if override_dir is not None else None
        self._cache: dict[str, Prompt] = {}
        if self.override_dir is not None:
            if not self.override_dir.is_dir():
                raise PromptError(f"--prompts {self.override_dir}: not a directory")
            strays = sorted(p.name for p in self.override_dir.glob(f"*{SUFFIX}") if p.stem not in PROMPTS)
            if strays:
                raise PromptError(f"--prompts {self.override_dir}: {', '.join(strays)} is no known prompt "
                                  f"(known: {', '.join(sorted(PROMPTS))})")

    def get(self, pid: str) -> Prompt:
        if pid not in self._cache:
            self._cache[pid] = self._load(pid)
        return self._cache[pid]

    def all(self) -> list[Prompt]:
        return [self.get(pid) for pid in sorted(PROMPTS)]

    def _load(self, pid: str) -> Prompt:
        if pid not in PROMPTS:
            raise PromptError(f"no prompt named {pid!r}")
        if self.override_dir is not None:
            path = self.override_dir / f"{pid}{SUFFIX}"
            if path.is_file():
                try:
                    text = path.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    raise PromptError(f"{path}: cannot read: {error}") from None
                prompt = parse_prompt(text, str(path))
                if prompt.id != pid:
                    raise PromptError(f"{path}: its id is {prompt.id!r}; the file name says {pid!r}")
                return prompt
        text = packaged_text(pid)
        prompt = parse_prompt(text, f"constitutionc/prompts/files/{pid}{SUFFIX}")
        if prompt.id != pid:
            raise PromptError(f"packaged prompt {pid}: its id is {prompt.id!r}")
        return prompt


def packaged_text(pid: str) -> str:
    return resources.files("constitutionc.prompts").joinpath("files", f"{pid}{SUFFIX}").read_text(encoding="utf-8")
