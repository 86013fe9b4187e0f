"""`constitutionc generate`: the model stage that turns a planned build into model-written records.

- `plan`: counts per kind, the variation dealt to each item, the first wave.
- `materials`: prompt inputs from the IR and the build's records (pure).
- `steps`: per prompt, the checks a reply must pass, the records it keeps and the items that follow.
- `run`: the waves through an `llm.Session`, rejected replies, the atomic output and its manifest.
- `synthetic`: placeholder replies that size the dry run's later waves.
- `schema`: the generated record kinds.

Importing this package imports no model SDK; the session a caller passes in does.
"""

from .plan import KINDS, Counts, PlanError, default_counts
from .run import DEFAULT_MODEL, GenerateError, GenerateOptions, GenerateResult, estimate, generate

__all__ = ["DEFAULT_MODEL", "KINDS", "Counts", "GenerateError", "GenerateOptions", "GenerateResult", "PlanError",
           "default_counts", "estimate", "generate"]
