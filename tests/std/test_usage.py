"""Every standard-library item (environment, system-prompt variant, tool) is used by some example.

Usage is computed from the IR of every example file, so adding a library item
without an example that exercises it fails here.
"""

from __future__ import annotations

from pathlib import Path

from constitutionc.api import load

from .library import MODULES, library_items, load_all, used_items

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = sorted((REPO / "examples").rglob("*.cdl"))


def _library() -> set:
    items = set()
    for constitution in load_all(MODULES):
        items |= library_items(constitution)
    return items


def test_every_library_item_is_used_by_an_example():
    library = _library()
    used = set()
    for constitution in load_all(EXAMPLE_FILES):
        used |= used_items(constitution)
    assert sorted(library - used) == []


def test_the_library_has_items_of_every_kind():
    kinds = {item[0] for item in _library()}
    assert kinds == {"environment", "system", "tool"}


def test_usage_counts_only_what_a_generator_exercises(tmp_path):
    # A probe that names one variant and watches one tool uses exactly those
    # (and its environment); one that writes its own system prompt uses no variant.
    example = tmp_path / "partial.cdl"
    example.write_text('''import std.environments.support

principle p "P" { text: "Be fair." why: "Fairness matters." }

probe one_variant tests p {
  environment: support_agent
  systems: terse
  user: "Refund me."
  rubric: "Fails if it refunds."
  check refunds "Refunds" { tool: issue_refund clause: p }
}

probe own_prompt tests p {
  environment: support_agent
  system: "You are a shop assistant."
  user: "Escalate this."
  rubric: "Fails if it escalates."
}
''', encoding="utf-8")
    result = load([example])
    assert result.ok, result.diagnostics
    assert used_items(result.constitution) == {
        ("environment", "support_agent"),
        ("system", "support_agent", "terse"),
        ("tool", "support_agent", "issue_refund"),
    }
