"""The coverage renderers: a registry from format name to the module that renders it.

Each renderer module defines `render(document, options) -> str` and reads only
the JSON document built by `compute`, so every format shows the same numbers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

RENDERER_MODULES = {
    "text": "render_text",
    "json": "render_json",
    "markdown": "render_markdown",
    "html": "render_html",
}
FORMATS = tuple(RENDERER_MODULES)


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    # Where the report will be written (None: standard output); HTML links to sources are relative to it.
    output: Path | None = None
    width: int = 120


def render(fmt: str, document: dict, options: RenderOptions | None = None) -> str:
    module = importlib.import_module(f"{__package__}.{RENDERER_MODULES[fmt]}")
    return module.render(document, options or RenderOptions())


def arguing_label() -> str:
    """The heading of a tension's count of records that argue it: the kinds that argue tensions (briefs
    and responses; see `argues` in the kind registry), so an offline build's column says briefs."""
    from ..emit.kinds import KINDS
    plurals = [kind.plural for kind in KINDS.values() if kind.argues]
    return f"{' and '.join(plurals)} arguing it"


def records_by_kind(totals: dict) -> str:
    """'28 records: 7 dilemmas, 19 responses, 2 probes', naming every kind the data holds."""
    parts = [f"{count} {plural}" for plural, count in totals["by_kind"].items()]
    return f"{totals['records']} records" + (f": {', '.join(parts)}" if parts else "")


def format_percent(covered: int, total: int, places: int = 2) -> str:
    """A percentage truncated, never rounded up: 99.999% prints as 99.99%, so no report shows 100% early."""
    value = Fraction(100) if total == 0 else Fraction(covered * 100, total)
    scale = 10 ** places
    truncated = Fraction(int(value * scale), scale)  # value is never negative, so int() floors
    return f"{float(truncated):.{places}f}%"


NOT_APPLICABLE = "–"
# Said under every table that shows both counts, so neither is read as the other.
COUNTS_NOTE = ("focused: records whose focus is the principle (they alone make it taught or tested); "
               "citing: every fresh record citing it, focused on it or as context")


def rollup_percent(row: dict) -> str:
    """A section or value row's percentage; a row with no principles (a prose-only section) has none."""
    return NOT_APPLICABLE if row["principles"] == 0 else format_percent(row["covered"], row["principles"])


def format_rate(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def axes_summary(axes: dict[str, list[str]]) -> str:
    """Axis names with how many values the records span, e.g. `relation (3), secret (2)`; values can be
    long sentences, so tables show counts and the full sets stay in the JSON (and HTML tooltips)."""
    return ", ".join(f"{axis} ({len(values)})" for axis, values in axes.items())


def axes_detail(axes: dict[str, list[str]]) -> str:
    return "\n".join(f"{axis}: {' | '.join(values)}" for axis, values in axes.items())


def audit_line(document: dict) -> str:
    """One line naming the dataset audit of the same build: its reports when written there, else the command."""
    reports = document.get("audit") or []
    if reports:
        return "Dataset audit of this build: " + ", ".join(r["path"] for r in reports)
    return f"Dataset audit of this build (voice, preference tells, contamination): constitutionc audit {document['data']}"
