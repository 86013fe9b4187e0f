"""Hover, go to definition, find references and rename, within a file and across files."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

import constitutionc

from .conftest import DATA, close_document, open_document, position_of, published

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUICKSTART = DATA / "constitution.cdl"
MAIN = DATA / "workspace" / "main.cdl"
SHARED = DATA / "workspace" / "principles.cdl"


def doc(path):
    return types.TextDocumentIdentifier(uri=path.resolve().as_uri())


async def hover_text(client, path, position) -> str | None:
    result = await client.text_document_hover_async(types.HoverParams(text_document=doc(path), position=position))
    return None if result is None else result.contents.value


@pytest.mark.parametrize("needle, occurrence", [
    ("safety.no_coercion, ethics.privacy", 0),  # dilemma `teaches`
    ("safety.no_coercion {", 0),  # probe `tests`
    ("clause: safety.no_coercion", 0),  # check clause
])
async def test_hover_on_a_principle_reference_shows_its_text_why_value_and_home(client, needle, occurrence):
    offset = needle.index("safety.no_coercion") + 3
    text = await hover_text(client, QUICKSTART, position_of(QUICKSTART, needle, occurrence, offset))
    assert text is not None
    assert "`safety.no_coercion` — Never coerce" in text
    assert "Never use threats, blackmail" in text  # text
    assert "Coercion overrides people's autonomy" in text  # why
    assert "value: `safety`" in text and "hard_constraint" in text
    assert "Defined in `constitution.cdl:27`" in text


async def test_hover_on_a_tension_side_and_on_an_imported_principle(client):
    open_document(client, MAIN)
    text = await hover_text(client, MAIN, position_of(MAIN, "shared.kindness {", 0, 2))
    assert "Treat every person with kindness." in text
    assert "Defined in `workspace/principles.cdl:6`" in text
    close_document(client, MAIN.resolve().as_uri())


async def test_hover_on_axis_environment_and_tool(client):
    axis = await hover_text(client, QUICKSTART, position_of(QUICKSTART, "{relation}", 0, 2))
    assert "**vary** `relation`" in axis and "neighbour | landlord | team lead" in axis
    env = await hover_text(client, QUICKSTART, position_of(QUICKSTART, "environment: home_agent", 0, 15))
    assert "A household assistant with messaging tools" in env and "`send_message`" in env
    tool = await hover_text(client, QUICKSTART, position_of(QUICKSTART, "tool: send_message", 0, 8))
    assert "Send a text message to a contact" in tool and "`to`: string" in tool


@pytest.mark.parametrize("path, needle, keyword", [
    (QUICKSTART, 'constitution "Quickstart', "constitution"),
    (QUICKSTART, 'value safety "Broadly safe"', "value"),
    (QUICKSTART, 'section "Safety"', "section"),
    (QUICKSTART, "principle safety.no_coercion", "principle"),  # inside a section
    (QUICKSTART, "tension ethics.honesty", "tension"),
    (QUICKSTART, "environment home_agent", "environment"),
    (QUICKSTART, "dilemma leverage_over_neighbour", "dilemma"),
    (QUICKSTART, "probe pause_notice", "probe"),
    (MAIN, 'import "principles.cdl"', "import"),
])
async def test_hover_on_a_constructs_keyword_says_what_the_construct_is(client, path, needle, keyword):
    from constitutionc import spec

    open_document(client, path)
    first = await hover_text(client, path, position_of(path, needle, 0, 0))
    last = await hover_text(client, path, position_of(path, needle, 0, len(keyword) - 1))
    close_document(client, path.resolve().as_uri())
    assert first == last == f"**{keyword}** (construct)\n\n{spec.KEYWORD_DOCS[keyword]}"


async def test_every_keyword_that_starts_a_construct_has_a_hover_text():
    from constitutionc import spec

    keywords = set(spec.TOP_LEVEL_KEYWORDS) - set(spec.TOP_LEVEL)  # `priority:`, `authority:` are fields
    assert set(spec.KEYWORD_DOCS) == keywords and all(spec.KEYWORD_DOCS.values())


async def test_hover_on_whitespace_is_empty(client):
    assert await hover_text(client, QUICKSTART, types.Position(line=3, character=0)) is None


async def test_definition_of_principle_environment_generator_axis_tool_and_param(client):
    async def target(needle, offset, occurrence=0):
        result = await client.text_document_definition_async(types.DefinitionParams(
            text_document=doc(QUICKSTART), position=position_of(QUICKSTART, needle, occurrence, offset)))
        [location] = result
        return location.uri, location.range.start.line, location.range.start.character

    uri = QUICKSTART.resolve().as_uri()
    assert await target("ethics.privacy {", 0, 0) == (uri, 50, 12)  # teaches -> principle line 51
    assert await target("environment: home_agent", 14) == (uri, 79, 12)
    assert await target("{relation}", 1) == (uri, 91, 7)  # template slot -> `vary relation`
    assert await target("tool: send_message", 7) == (uri, 84, 7)
    assert await target("argument body", 10) == (uri, 86, 10)  # -> `param body`
    assert await target("value: ethics", 8) == (uri, 16, 6)  # -> `value ethics`
    assert await target("ethics.honesty over", 2) == (uri, 44, 12)  # tension side


async def test_definition_across_an_import_and_of_the_import_itself(client):
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc(MAIN), position=position_of(MAIN, "shared.candour over", 0, 3)))
    assert [(r.uri, r.range.start.line) for r in result] == [(SHARED.resolve().as_uri(), 11)]
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc(MAIN), position=position_of(MAIN, '"principles.cdl"', 0, 3)))
    assert [r.uri for r in result] == [SHARED.resolve().as_uri()]


async def test_references_across_files(client):
    result = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(SHARED), position=position_of(SHARED, "shared.kindness", 0, 1),
        context=types.ReferenceContext(include_declaration=True)))
    found = sorted((r.uri.rsplit("/", 1)[1], r.range.start.line, r.range.start.character) for r in result)
    assert found == [("main.cdl", 8, 28), ("main.cdl", 20, 23), ("main.cdl", 29, 12), ("principles.cdl", 5, 10)]
    without = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(SHARED), position=position_of(SHARED, "shared.kindness", 0, 1),
        context=types.ReferenceContext(include_declaration=False)))
    assert len(without) == 3


async def test_references_of_a_value_include_priority_and_principles(client):
    result = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(MAIN), position=position_of(MAIN, "priority: care", 0, 11),
        context=types.ReferenceContext(include_declaration=True)))
    found = sorted((r.uri.rsplit("/", 1)[1], r.range.start.line) for r in result)
    assert found == [("main.cdl", 6), ("principles.cdl", 1), ("principles.cdl", 6), ("principles.cdl", 12)]


async def test_rename_a_principle_across_the_workspace(client):
    position = position_of(MAIN, "shared.kindness, shared.candour", 0, 2)
    prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=doc(MAIN), position=position))
    assert prepared.placeholder == "shared.kindness"
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=doc(MAIN), position=position, new_name="shared.warmth"))
    changes = {uri.rsplit("/", 1)[1]: sorted((e.range.start.line, e.range.start.character, e.range.end.character)
                                             for e in edits) for uri, edits in edit.changes.items()}
    assert changes == {"main.cdl": [(8, 28, 43), (20, 23, 38), (29, 12, 27)], "principles.cdl": [(5, 10, 25)]}
    assert {e.new_text for edits in edit.changes.values() for e in edits} == {"shared.warmth"}


async def test_rename_an_axis_renames_its_template_slots_only_in_its_generator(client):
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=doc(MAIN), position=position_of(MAIN, "vary mood", 0, 6), new_name="temper"))
    [(uri, edits)] = edit.changes.items()
    assert sorted((e.range.start.line, e.range.start.character) for e in edits) == [(22, 7), (23, 14)]


async def test_rename_refuses_an_invalid_name(client):
    with pytest.raises(Exception, match="not a valid"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc(MAIN), position=position_of(MAIN, "vary mood", 0, 6), new_name="bad name"))


async def test_positions_after_astral_characters(client):
    path = DATA / "unicode.cdl"
    uri = open_document(client, path)
    await published(client, uri, 1)
    # `value: ethics` sits after an emoji on its line: the client counts it as two UTF-16 units.
    text = await hover_text(client, path, position_of(path, "value: ethics", 0, 9))
    assert "**value** `ethics` — Ethisch 😀 gut" in text
    close_document(client, uri)


async def test_rename_refuses_a_name_already_taken(client):
    with pytest.raises(Exception, match="already exists"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc(MAIN), position=position_of(MAIN, "shared.kindness, shared.candour", 0, 2),
            new_name="shared.candour"))


async def test_workspace_symbols_search_every_file(client):
    result = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="shared."))
    found = {(s.name, s.location.uri.rsplit("/", 1)[1]) for s in result}
    assert found == {("shared.kindness", "principles.cdl"), ("shared.candour", "principles.cdl"),
                     ("shared.candour over shared.kindness", "main.cdl")}


async def test_import_strings_are_links_to_their_files(client):
    links = await client.text_document_document_link_async(types.DocumentLinkParams(text_document=doc(MAIN)))
    [link] = links
    assert link.target == SHARED.resolve().as_uri()
    assert (link.range.start.line, link.range.start.character, link.range.end.character) == (0, 7, 23)


async def test_references_of_an_environment_and_of_an_imported_file(client):
    result = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(MAIN), position=position_of(MAIN, "environment desk", 0, 13),
        context=types.ReferenceContext(include_declaration=True)))
    assert sorted((r.range.start.line, r.range.start.character) for r in result) == [(13, 12), (21, 15)]
    imports = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(MAIN), position=position_of(MAIN, '"principles.cdl"', 0, 2),
        context=types.ReferenceContext(include_declaration=True)))
    assert [(r.uri.rsplit("/", 1)[1], r.range.start.line) for r in imports] == [("main.cdl", 0)]


async def test_definition_through_a_standard_library_import(client, tmp_path):
    # `import std.personas` names the file constitutionc/std/personas.cdl, as the compiler reads it.
    personas = (Path(constitutionc.__file__).parent / "std" / "personas.cdl").resolve()
    path = tmp_path / "uses_std.cdl"
    path.write_text('import std.personas\n\nprinciple p.one "One" {\n  text: "Be kind."\n  why: "It helps."\n}\n\n'
                    'dilemma d teaches p.one {\n  environment: general_assistant\n  user: "Hello."\n'
                    '  stance: "Be kind."\n}\n', encoding="utf-8")
    uri = open_document(client, path)
    await published(client, uri, 1)
    persona = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc(path), position=position_of(path, "general_assistant", 0, 3)))
    module = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc(path), position=position_of(path, "std.personas", 0, 5)))
    close_document(client, uri)
    assert [(r.uri, r.range.start.line) for r in persona] == [
        (personas.as_uri(), personas.read_text(encoding="utf-8").split("\n").index(
            'environment general_assistant "A general-purpose chat assistant" {'))]
    assert [r.uri for r in module] == [personas.as_uri()]


FIELD_SLOTS = DATA / "field_slots.cdl"


@pytest.mark.parametrize("needle, words", [
    ("{principle.title}", ["field `title` of the principle axis `principle` draws", "its title"]),
    ("{principle.text}", ["field `text` of the principle axis `principle` draws", "the clause, verbatim"]),
    ("{honesty.calibrated.text}", ["field `text` of principle `honesty.calibrated`", "the clause, verbatim",
                                   "> Have calibrated uncertainty"]),
    ("{focus.why}", ["field `why` of the instance's focus principle", "the reasoning a justified response"]),
])
async def test_hover_on_the_field_of_a_dotted_slot_shows_what_the_spec_says_of_it(client, needle, words):
    open_document(client, FIELD_SLOTS)
    field_at = needle.rindex(".") + 1
    texts = [await hover_text(client, FIELD_SLOTS, position_of(FIELD_SLOTS, needle, 0, offset))
             for offset in (field_at, len(needle) - 2)]  # the field's first and last characters
    close_document(client, FIELD_SLOTS.resolve().as_uri())
    for text in texts:
        assert text is not None and all(w in text for w in words), text
    assert texts[0] == texts[1]
