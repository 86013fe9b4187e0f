"""The prompts `generate` and `eval` send, their input and output models, and the quality checks
every generated record passes before it is kept.

- `library`: prompt files (`files/<id>.md`, TOML front matter + Jinja2 sections), `--prompts DIR`
  overrides, rendering into provider-neutral `PromptRequest`s with the output schema as a forced tool.
- `registry`: the prompt ids and their input/output models.
- `schemas`: the pydantic models.
- `quality`: pure checks over generated text (contamination, ids, pasted clauses, voice, pairs), built
  on `constitutionc.textmeasures` (the same measures `audit` reports).

Nothing here calls a model or imports a model SDK.
"""

from .library import Prompt, PromptError, PromptLibrary, PromptRequest, ToolSpec, output_schema
from .registry import PROMPTS, PromptKind

__all__ = ["PROMPTS", "Prompt", "PromptError", "PromptKind", "PromptLibrary", "PromptRequest", "ToolSpec",
           "output_schema"]
