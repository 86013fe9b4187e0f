"""What the formatter must preserve: the meaning (IR apart from positions) and the comments."""

from __future__ import annotations

from pathlib import Path

from constitutionc.syntax.builder import build_module
from constitutionc.syntax.parser import parse_text
from constitutionc.syntax.resolve import compile_text

REPO = Path(__file__).resolve().parents[2]
# Where .cdl files ship; other parts of the project add files here, so the list is found at run time.
SHIPPED_GLOBS = ("examples/**/*.cdl", "constitutions/**/*.cdl", "constitutionc/std/**/*.cdl",
                 "tests/**/data/**/*.cdl")

# Keys that record where something was written rather than what it means.
POSITION_KEYS = {"line"}


def shipped_cdl_files() -> list[Path]:
    found = {p for pattern in SHIPPED_GLOBS for p in REPO.glob(pattern) if p.is_file()}
    return sorted(found)


def _without_positions(data):
    if isinstance(data, dict):
        return {k: _without_positions(v) for k, v in data.items()
                if not (k == "span" or k.endswith("_span") or k.endswith("_spans") or k in POSITION_KEYS)}
    if isinstance(data, (list, tuple)):
        return [_without_positions(v) for v in data]
    return data


def meaning(text: str) -> dict:
    """The single-file IR and its diagnostic codes, positions removed."""
    fragment = compile_text(text, "file.cdl")
    parts = {}
    for name in ("header", "imports", "values", "priority", "principals", "sections", "principles", "tensions",
                 "environments", "generators", "axes", "suppressions"):
        value = getattr(fragment, name)
        if name == "imports":
            value = [target for target, _ in value]
        elif isinstance(value, list):
            value = [node.model_dump(mode="json") for node in value]
        elif hasattr(value, "model_dump"):
            value = value.model_dump(mode="json")
        parts[name] = _without_positions(value)
    parts["diagnostics"] = sorted(d.code for d in fragment.diagnostics)
    return parts


def comment_texts(text: str) -> list[str]:
    parsed = parse_text(text.replace("\r\n", "\n"), "file.cdl")
    module = build_module(parsed.tree, "file.cdl", parsed.comments)
    return sorted(c.text.rstrip() for c in module.comments)
