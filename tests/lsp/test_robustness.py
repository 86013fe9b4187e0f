"""The server survives anything: garbage, deep nesting, huge documents, positions past the end."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types

from .conftest import DATA, close_document, open_document, published

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUICKSTART = DATA / "constitution.cdl"


def garbage(seed: int, size: int) -> str:
    rng = random.Random(seed)
    pieces = ['"', '"""', "{", "}", "principle", "probe x tests", ":", "|", ">", "#", "\n", "\x00", "😀", "\\",
              "vary", "{slot}", "import", " ", "\t", "é", "\r\n", "set a to b when", "\u2028"]
    return "".join(rng.choice(pieces) for _ in range(size))


async def every_request(client, uri: str, lines: int) -> None:
    """Ask for every feature at a spread of positions, including past the end of the text."""
    doc = types.TextDocumentIdentifier(uri=uri)
    for line in (0, lines // 2, lines - 1, lines + 50):
        for character in (0, 3, 200):
            position = types.Position(line=line, character=character)
            await client.text_document_hover_async(types.HoverParams(text_document=doc, position=position))
            await client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=position))
            await client.text_document_completion_async(types.CompletionParams(text_document=doc, position=position))
            await client.text_document_references_async(types.ReferenceParams(
                text_document=doc, position=position, context=types.ReferenceContext(include_declaration=True)))
            await client.text_document_prepare_rename_async(types.PrepareRenameParams(text_document=doc,
                                                                                       position=position))
    await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc))
    await client.text_document_formatting_async(types.DocumentFormattingParams(
        text_document=doc, options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
    start = types.Position(line=0, character=0)
    await client.text_document_code_action_async(types.CodeActionParams(
        text_document=doc, range=types.Range(start=start, end=start),
        context=types.CodeActionContext(diagnostics=[])))


async def still_alive(client) -> None:
    uri = open_document(client, QUICKSTART)
    assert list((await published(client, uri, 1)).diagnostics) == []
    close_document(client, uri)
    assert client.error is None
    # Surviving by swallowing exceptions would hide bugs: no handler may have failed.
    failures = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert failures == []


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_garbage_gets_diagnostics_and_every_request_answers(client, seed):
    text = garbage(seed, 3000)
    uri = open_document(client, DATA / f"garbage-{seed}.cdl", text)
    params = await published(client, uri, 1)
    assert params.diagnostics  # garbage is reported, not ignored
    await every_request(client, uri, text.count("\n") + 1)
    close_document(client, uri)
    await still_alive(client)


async def test_half_typed_constructs_at_every_prefix(client):
    text = QUICKSTART.read_text(encoding="utf-8")
    uri = open_document(client, DATA / "prefixes.cdl", "")
    version = 1
    for cut in range(0, len(text), 397):
        version += 1
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text[:cut])]))
        lines = text[:cut].split("\n")
        position = types.Position(line=len(lines) - 1, character=len(lines[-1]))
        await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position))
        await client.text_document_document_symbol_async(types.DocumentSymbolParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
    await published(client, uri, version)
    close_document(client, uri)
    await still_alive(client)


async def test_nesting_too_deep_is_a_diagnostic(client):
    text = 'section "s" {\n' * 5000
    uri = open_document(client, DATA / "deep.cdl", text)
    params = await published(client, uri, 1)
    assert {d.code for d in params.diagnostics} == {"CDL002"}
    await every_request(client, uri, 5000)
    close_document(client, uri)
    await still_alive(client)


def large_document(lines: int) -> str:
    head = QUICKSTART.read_text(encoding="utf-8")
    parts = [head]
    count = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(f'\nprinciple bulk.p{count} "Bulk {count}" {{\n  value: ethics\n'
                     f'  text: """Principle {count} about honesty."""\n  why: """Reason {count}."""\n}}\n')
        count += 1
    return "".join(parts)


async def test_a_2000_line_document(client):
    text = large_document(2000) + "\ndilemma last teaches bulk.p0, bulk.nope {\n  user: \"u\"\n  stance: \"s\"\n}\n"
    uri = open_document(client, DATA / "large.cdl", text)
    params = await published(client, uri, 1)
    [d] = params.diagnostics
    assert d.code == "CDL102" and d.range.start.line == text.count("\n") - 4
    await every_request(client, uri, text.count("\n"))
    close_document(client, uri)


async def test_a_5_megabyte_document(client):
    filler = ("A long clause about honesty and care, repeated to make a very large document. " * 13 + "\n") * 5000
    text = (QUICKSTART.read_text(encoding="utf-8")
            + f'\nprinciple huge.one "Huge" {{\n  value: ethics\n  text: """{filler}"""\n  why: "size"\n}}\n'
            + "\ndilemma huge_case teaches huge.one {\n  user: \"u\"\n  stance: \"s\"\n}\n")
    assert len(text.encode("utf-8")) > 5_000_000
    uri = open_document(client, DATA / "huge.cdl", text)
    assert list((await published(client, uri, 1, timeout=60)).diagnostics) == []
    last = text.count("\n") - 4
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=last, character=30)))
    assert "**principle** `huge.one`" in hover.contents.value
    close_document(client, uri)
    await still_alive(client)


async def test_an_unsaved_untitled_buffer(client):
    uri = "untitled:Untitled-1"
    client.opened_at[uri] = len(client.published)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="cdl", version=1, text='principle u.one "U" {\n  text: "t"\n}\n')))
    params = await published(client, uri, 1)
    assert {d.code for d in params.diagnostics} == {"CDL202"}  # no `why`
    await every_request(client, uri, 3)
    close_document(client, uri)
    await still_alive(client)


async def test_a_file_cut_inside_a_block_gets_syntax_errors_not_an_internal_error(client):
    text = QUICKSTART.read_text(encoding="utf-8")[:485]  # ends inside `value ethics { ... }`
    uri = open_document(client, DATA / "cut.cdl", text)
    params = await published(client, uri, 1)
    close_document(client, uri)
    codes = {d.code for d in params.diagnostics}
    assert "CDL001" in codes and "CDL009" not in codes
