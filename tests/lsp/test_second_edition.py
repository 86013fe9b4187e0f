"""The language server on the second edition's constructs: principals, conversations, tool results,
replies, argued tensions (a frozen copy of the chain-of-command example)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from constitutionc import spec

from .conftest import DATA, close_document, open_document, position_of
from .test_editing import complete_at_end
from .test_navigation import doc, hover_text

pytestmark = pytest.mark.asyncio(loop_scope="module")

CHAIN = DATA / "chain_of_command.cdl"


def chain_plus(extra: str) -> str:
    return CHAIN.read_text(encoding="utf-8") + extra


async def test_switchable_by_and_authority_offer_the_declared_principals(client):
    text = chain_plus('\nprinciple x.y "X" {\n  kind: instructable\n  switchable_by: ')
    assert set(await complete_at_end(client, text, "chain_scratch.cdl")) == {"platform", "developer", "user"}
    assert set(await complete_at_end(client, chain_plus("\nauthority: "), "chain_scratch.cdl")) == {
        "platform", "developer", "user"}


async def test_conversation_offers_roles_tool_calls_and_principals(client):
    text = chain_plus("\ndilemma d teaches chain.follow_developer {\n  conversation {\n    ")
    items = await complete_at_end(client, text, "chain_scratch.cdl")
    assert set(spec.CONVERSATION) | {"developer", "platform", "user"} <= set(items)
    call = await complete_at_end(client, text + "tool read_file {\n      ", "chain_scratch.cdl")
    assert set(call) == set(spec.CONVERSATION_TOOL)


async def test_new_fields_are_offered_with_their_meaning(client):
    dilemma = await complete_at_end(client, chain_plus("\ndilemma d teaches chain.follow_developer {\n  "),
                                    "chain_scratch.cdl")
    assert {"reply", "misaligned", "argues", "conversation"} <= set(dilemma)
    assert "verbatim as the justified answer" in dilemma["reply"].documentation.value
    assert "no reasons" in dilemma["bare"].documentation.value
    assert "reasoning-channel style" in dilemma["reasoning"].documentation.value
    tool = await complete_at_end(client, chain_plus('\nenvironment e {\n  tool t "T" {\n    '), "chain_scratch.cdl")
    assert {"returns", "case", "serves"} <= set(tool)


@pytest.mark.parametrize("needle, offset, words", [
    ("serves document: path", 2, "environment content the tool returns"),
    ("conversation {", 3, "earlier turns"),
    ("argues: chain", 2, "tension its records argue"),
    ("reply: ", 1, "verbatim as the justified answer"),
    ('argument path: "CONTRIBUTING.md"', 2, "an argument of the call"),
])
async def test_hover_on_a_field_says_what_it_means(client, needle, offset, words):
    open_document(client, CHAIN)
    text = await hover_text(client, CHAIN, position_of(CHAIN, needle, 0, offset))
    close_document(client, CHAIN.resolve().as_uri())
    assert text is not None and words in text


async def test_hover_and_references_of_a_principal(client):
    open_document(client, CHAIN)
    text = await hover_text(client, CHAIN, position_of(CHAIN, "developer, user", 0, 2))
    assert "**principal** `developer`" in text and "channel: system" in text
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(CHAIN), position=position_of(CHAIN, "principal developer", 0, 12),
        context=types.ReferenceContext(include_declaration=False)))
    close_document(client, CHAIN.resolve().as_uri())
    assert len(refs) == 2  # authority and switchable_by


async def test_argues_offers_principles_and_its_sides_are_references(client):
    text = chain_plus("\ndilemma d teaches chain.follow_developer {\n  argues: ")
    assert {"chain.follow_developer", "style.casual"} <= set(await complete_at_end(client, text, "chain_scratch.cdl"))
    open_document(client, CHAIN)
    refs = await client.text_document_references_async(types.ReferenceParams(
        text_document=doc(CHAIN), position=position_of(CHAIN, "principle style.casual", 0, 12),
        context=types.ReferenceContext(include_declaration=False)))
    close_document(client, CHAIN.resolve().as_uri())
    assert any(r.range.start.line == position_of(CHAIN, "argues: chain", 0, 0).line for r in refs)
