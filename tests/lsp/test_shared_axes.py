"""The language server on shared axes and values with fields: completion of `vary:`, of `{axis}` and of
`{axis.field}`, hover, go to definition across files and into the standard library, rename, and the
did-you-mean quick fix on an unknown shared axis."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import DATA, close_document, open_document, position_of, published
from .test_editing import complete_at_end
from .test_navigation import doc, hover_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

FAMILIES = DATA / "axes" / "families.cdl"
PEOPLE = DATA / "axes" / "people.cdl"


def families_plus(extra: str) -> str:
    return FAMILIES.read_text(encoding="utf-8") + extra


async def test_vary_offers_the_shared_axes_in_reach(client):
    items = await complete_at_end(client, families_plus("\ndilemma d teaches kinfolk.candour {\n  vary: "),
                                  "axes/scratch.cdl")
    assert {"kin", "relation", "role", "mood"} <= set(items)
    assert "aunt | uncle | cousin" in items["kin"].documentation.value


async def test_templates_offer_shared_axes_and_their_fields(client):
    family = '\ndilemma d teaches kinfolk.candour {\n  vary: kin, role\n  user: "{'
    assert {"kin", "role"} <= set(await complete_at_end(client, families_plus(family), "axes/scratch.cdl"))
    assert set(await complete_at_end(client, families_plus(family + "kin."), "axes/scratch.cdl")) == {"pronoun",
                                                                                                    "object"}
    assert set(await complete_at_end(client, families_plus(family + "role."), "axes/scratch.cdl")) == {"article"}
    own = '\ndilemma d teaches kinfolk.candour {\n  vary tone {\n    calm { adverb: "calmly" }\n  }\n  user: "{tone.'
    assert set(await complete_at_end(client, families_plus(own), "axes/scratch.cdl")) == {"adverb"}
    rule = await complete_at_end(client, families_plus(family[:-10] + "\n  exclude when kin is "), "axes/scratch.cdl")
    assert set(rule) == {"aunt", "uncle", "cousin"}


async def test_hover_definition_and_references_across_files(client):
    open_document(client, FAMILIES)
    hover = await hover_text(client, FAMILIES, position_of(FAMILIES, "vary: kin", 0, 7))
    assert "**axis** `kin` — Someone in the family" in hover
    assert "aunt | uncle | cousin" in hover and "`{kin.pronoun}`" in hover and "`vary: kin`" in hover
    for needle, offset in (("{kin.object} what", 2), ("kin is cousin", 1), ("{kin} is ill", 2)):
        found = await client.text_document_definition_async(types.DefinitionParams(
            text_document=doc(FAMILIES), position=position_of(FAMILIES, needle, 0, offset)))
        assert [(f.uri.rsplit("/", 1)[1], f.range.start.line) for f in found] == [("people.cdl", 1)], needle
    std = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc(FAMILIES), position=position_of(FAMILIES, "vary: role", 0, 7)))
    assert std[0].uri.endswith("/std/axes.cdl")
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(PEOPLE), position=position_of(PEOPLE, "axis kin", 0, 6),
        context=types.ReferenceContext(include_declaration=False)))
    close_document(client, FAMILIES.resolve().as_uri())
    assert len([r for r in refs if r.uri.endswith("families.cdl")]) == 5  # vary, exclude, {kin}, {kin.object} twice


async def test_rename_a_shared_axis_renames_its_uses_and_slots(client):
    open_document(client, FAMILIES)
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=doc(FAMILIES), position=position_of(FAMILIES, "vary: kin", 0, 7), new_name="relative"))
    close_document(client, FAMILIES.resolve().as_uri())
    changes = {uri.rsplit("/", 1)[1]: sorted((e.range.start.line, e.range.start.character) for e in edits)
               for uri, edits in edit.changes.items()}
    assert changes["people.cdl"] == [(1, 5)]
    text = FAMILIES.read_text(encoding="utf-8").split("\n")
    renamed = [text[line][col:col + 3] for line, col in changes["families.cdl"]]
    assert renamed == ["kin"] * 5 and {e.new_text for edits in edit.changes.values() for e in edits} == {"relative"}
    with pytest.raises(Exception, match="not a valid"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=doc(PEOPLE), position=position_of(PEOPLE, "axis kin", 0, 6), new_name="kin.folk"))


async def test_an_unknown_shared_axis_gets_a_did_you_mean_quick_fix(client):
    text = families_plus('\ndilemma typo teaches kinfolk.candour {\n  vary: kni\n  user: "My {kni}."\n  stance: "s"\n}\n')
    path = DATA / "axes" / "typo.cdl"
    uri = open_document(client, path, text)
    diagnostics = (await published(client, uri, 1)).diagnostics
    [unknown] = [d for d in diagnostics if d.code == "CDL102"]
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=unknown.range,
        context=types.CodeActionContext(diagnostics=[unknown])))
    close_document(client, uri)
    assert [a.title for a in actions if a.title.startswith("Replace")] == ["Replace with `kin`"]


async def test_hover_on_the_field_of_an_axis_slot_shows_each_values_text(client):
    open_document(client, FAMILIES)
    kin = await hover_text(client, FAMILIES, position_of(FAMILIES, "{kin.object} what", 0, 6))
    role = await hover_text(client, FAMILIES, position_of(FAMILIES, "{role.article}", 0, 7))
    owner = await hover_text(client, FAMILIES, position_of(FAMILIES, "{kin.object} what", 0, 2))
    close_document(client, FAMILIES.resolve().as_uri())
    assert "`{kin.object}`: field `object` of each value of axis `kin`" in kin
    assert "- aunt: her" in kin and "- uncle: him" in kin and "- cousin: them" in kin and "pronoun" not in kin
    assert "field `article` of each value of axis `role`" in role and "- intern: an" in role  # std.axes
    assert owner.startswith("**axis** `kin`")  # the owner's own hover is unchanged
