"""Completion, the outline, quick fixes and formatting."""

from __future__ import annotations

import pytest
from lsprotocol import types

from constitutionc import spec

from .conftest import DATA, close_document, open_document, published

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUICKSTART = DATA / "constitution.cdl"


async def complete_at_end(client, text: str, name: str = "scratch.cdl") -> dict[str, types.CompletionItem]:
    """Open `text` as an unsaved document and complete at its very end."""
    path = DATA / name
    uri = open_document(client, path, text)
    lines = text.split("\n")
    position = types.Position(line=len(lines) - 1, character=len(lines[-1].encode("utf-16-le")) // 2)
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    close_document(client, uri)
    items = result.items if isinstance(result, types.CompletionList) else (result or [])
    return {item.label: item for item in items}


def quickstart_plus(extra: str) -> str:
    return QUICKSTART.read_text(encoding="utf-8") + extra


async def test_principle_ids_after_teaches(client):
    items = await complete_at_end(client, quickstart_plus("\ndilemma new_one teaches ethics.h"))
    assert {"safety.no_coercion", "ethics.honesty", "helpfulness.profanity"} <= set(items)
    honesty = items["ethics.honesty"]
    assert honesty.detail == "Be honest"
    # The whole dotted word typed so far is replaced, not just the part after the last dot.
    assert honesty.text_edit.range.start.character == len("dilemma new_one teaches ")
    assert honesty.text_edit.new_text == "ethics.honesty"


async def test_keywords_at_top_level_and_fields_inside_a_principle(client):
    top = await complete_at_end(client, quickstart_plus("\npri"))
    assert {"principle", "priority", "probe", "dilemma", "environment", "import"} <= set(top)
    inside = await complete_at_end(client, quickstart_plus('\nprinciple x.y "X" {\n  '))
    assert set(inside) == set(spec.PRINCIPLE)
    kinds = await complete_at_end(client, quickstart_plus('\nprinciple x.y "X" {\n  kind: '))
    assert set(kinds) == set(spec.PRINCIPLE_KINDS)
    values = await complete_at_end(client, quickstart_plus('\nprinciple x.y "X" {\n  value: '))
    # Values of this file first, then the rest of the workspace.
    assert list(values)[:3] == ["safety", "ethics", "helpfulness"]


async def test_environment_and_tool_names(client):
    env = await complete_at_end(client, quickstart_plus("\nprobe p2 tests ethics.honesty {\n  environment: "))
    assert "home_agent" in env and env["home_agent"].kind == types.CompletionItemKind.Module
    tool = await complete_at_end(client, quickstart_plus(
        "\nprobe p2 tests ethics.honesty {\n  environment: home_agent\n  check c \"d\" {\n    tool: "))
    assert set(tool) == {"send_message"}


async def test_axis_names_inside_a_template_slot(client):
    text = quickstart_plus('\ndilemma d2 teaches ethics.honesty {\n  vary mood: calm | cross\n'
                           '  vary place: home | work\n  user: """At {pl')
    items = await complete_at_end(client, text)
    assert set(items) == {"mood", "place"}
    assert items["place"].text_edit.range.end.character - items["place"].text_edit.range.start.character == 2
    rule = await complete_at_end(client, text.rsplit("\n", 1)[0] + "\n  exclude when ")
    assert set(rule) == {"mood", "place"}
    value = await complete_at_end(client, text.rsplit("\n", 1)[0] + "\n  exclude when mood is ")
    assert set(value) == {"calm", "cross"}


async def test_no_completion_inside_a_comment(client):
    assert await complete_at_end(client, quickstart_plus("\n# principle ")) == {}


async def test_outline_lists_sections_principles_environments_and_generators(client):
    uri = open_document(client, QUICKSTART)
    symbols = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    close_document(client, uri)
    top = [(s.name, s.kind) for s in symbols]
    S = types.SymbolKind
    assert ("Safety", S.Namespace) in top and ("home_agent", S.Module) in top
    assert ("leverage_over_neighbour", S.Class) in top and ("pause_notice", S.Class) in top
    safety = next(s for s in symbols if s.name == "Safety")
    assert [c.name for c in safety.children] == ["safety.no_coercion", "safety.accept_shutdown"]
    env = next(s for s in symbols if s.name == "home_agent")
    assert {c.name for c in env.children} == {"plain", "terse", "send_message"}
    probe = next(s for s in symbols if s.name == "pause_notice")
    assert {c.name for c in probe.children} == {"urgency", "uses_leverage"}
    for symbol in symbols:
        start, end, sel = symbol.range.start, symbol.range.end, symbol.selection_range.start
        assert (start.line, start.character) <= (sel.line, sel.character) <= (end.line, end.character)


async def test_quick_fixes_replace_the_misspelt_name(client):
    path = DATA / "typos.cdl"
    uri = open_document(client, path)
    diagnostics = (await published(client, uri, 1)).diagnostics
    text = path.read_text(encoding="utf-8").split("\n")
    fixed = {}
    for diagnostic in diagnostics:
        actions = await client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic])))
        for action in actions:
            [edit] = action.edit.changes[uri]
            line = text[edit.range.start.line]
            if action.title.startswith("Replace"):
                fixed[diagnostic.code] = line[:edit.range.start.character] + edit.new_text + \
                    line[edit.range.end.character:]
            else:
                fixed["suppress " + diagnostic.code] = edit.new_text
    close_document(client, uri)
    assert fixed == {
        "CDL103": "  kind: hard_constraint",
        "CDL104": "  kind: hard_constraint",
        "CDL102": "dilemma typo_leverage teaches typo.no_coercion {",
        "suppress CDL302": "  # constitutionc: ignore[CDL302]\n",
    }


async def test_quick_fix_inside_a_larger_span(client):
    # An unknown tool is reported on the whole check block; the fix must edit only the name.
    text = quickstart_plus("").replace("tool: send_message\n    argument", "tool: send_mesage\n    argument")
    path = DATA / "scratch-tool.cdl"
    uri = open_document(client, path, text)
    [diagnostic] = (await published(client, uri, 1)).diagnostics
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic])))
    close_document(client, uri)
    [replace] = [a for a in actions if a.title.startswith("Replace")]
    [edit] = replace.edit.changes[uri]
    line = text.split("\n")[edit.range.start.line]
    assert line[edit.range.start.character:edit.range.end.character] == "send_mesage"
    assert edit.new_text == "send_message"


async def test_formatting_uses_the_formatter_and_refuses_broken_text(client):
    from constitutionc.fmt import format_text

    messy = 'principle   a.b "T"{\nvalue:ethics\n      text: "x"\nwhy: "y" }\n'
    path = DATA / "scratch-format.cdl"
    uri = open_document(client, path, messy)
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    close_document(client, uri)
    [edit] = edits
    assert edit.new_text == format_text(messy).text != messy
    assert (edit.range.start.line, edit.range.start.character) == (0, 0)
    assert edit.range.end.line == 4

    uri = open_document(client, path, 'principle a.b "T" {\n  text: \n')
    edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    close_document(client, uri)
    assert not edits


async def test_import_completion_offers_files_and_standard_library_modules(client):
    files = await complete_at_end(client, 'import "', name="workspace/scratch-import.cdl")
    assert set(files) == {"main.cdl", "principles.cdl"}
    modules = await complete_at_end(client, "import std", name="workspace/scratch-import.cdl")
    assert "std.environments.email" in modules and "std.personas" in modules
    # Accepting one gives the import the compiler reads: the typed `std` is replaced, not kept or lost.
    edit = modules["std.personas"].text_edit
    assert (edit.range.start.character, edit.range.end.character, edit.new_text) == (7, 10, "std.personas")
    typed_more = await complete_at_end(client, "import std.envir", name="workspace/scratch-import.cdl")
    edit = typed_more["std.environments.email"].text_edit
    assert (edit.range.start.character, edit.new_text) == (7, "std.environments.email")


async def test_codes_inside_a_suppression_comment(client):
    items = await complete_at_end(client, quickstart_plus("\n# constitutionc: ignore[CDL1"))
    assert {"CDL101", "CDL302", "CDL501"} <= set(items)
    assert items["CDL302"].detail == "unused-axis"
    assert items["CDL302"].text_edit.range.end.character - items["CDL302"].text_edit.range.start.character == 4
    assert await complete_at_end(client, quickstart_plus("\n# an ordinary comment ")) == {}


async def test_hover_on_a_suppressed_code_explains_it(client):
    text = quickstart_plus("\n# constitutionc: ignore[CDL302, nonsense]\n")
    path = DATA / "scratch-suppress.cdl"
    uri = open_document(client, path, text)
    line = text.count("\n") - 1

    async def hover(character):
        result = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)))
        return result.contents.value if result else None

    assert "**CDL302** `unused-axis`" in await hover(27)
    assert "`nonsense` is not a diagnostic code" in await hover(35)
    assert await hover(5) is None
    close_document(client, uri)
