"""A real `constitutionc lsp` process per test module, driven over stdio by pytest-lsp."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pygls.protocol import default_converter

DATA = Path(__file__).resolve().parent / "data"
SERVER_COMMAND = [sys.executable, "-m", "constitutionc", "lsp"]


def recording_client() -> LanguageClient:
    """A test client that also keeps every publishDiagnostics it receives, with its version."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.opened_at = {}
    features = dict(DEFAULT_CLIENT_FEATURES)

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER_COMMAND, client_factory=recording_client)


async def start_session(client: LanguageClient, root: Path = DATA, debounce_ms: int = 10,
                        lint: bool = False) -> None:
    await client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
        initialization_options={"debounceMs": debounce_ms, "lint": lint}))


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def client(lsp_client: LanguageClient):
    # `check`'s diagnostics only: the lint rules (another package, still growing) have their own test.
    await start_session(lsp_client)
    yield
    await lsp_client.shutdown_session()


def open_document(client: LanguageClient, path: Path, text: str | None = None, version: int = 1) -> str:
    uri = path.resolve().as_uri()
    # Waits for this document's diagnostics ignore what was published before it was (re)opened.
    client.opened_at[uri] = len(client.published)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="cdl", version=version,
        text=path.read_text(encoding="utf-8") if text is None else text)))
    return uri


def change_document(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def close_document(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


async def published(client: LanguageClient, uri: str, version: int | None = None, *, after: int | None = None,
                    timeout: float = 20) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for `uri` (at `version`, if given) after the `after`-th
    notification (by default: since the document was last opened)."""
    if after is None:
        after = client.opened_at.get(uri, 0)
    async with asyncio.timeout(timeout):
        while True:
            for params in client.published[after:]:
                if params.uri == uri and (version is None or params.version == version):
                    return params
            await asyncio.sleep(0.01)


def position_of(path: Path, needle: str, occurrence: int = 0, offset: int = 0) -> types.Position:
    """The protocol position (UTF-16) of the `occurrence`-th `needle` in a file, plus `offset` characters."""
    text = path.read_text(encoding="utf-8")
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    index += offset
    line = text.count("\n", 0, index)
    line_start = text.rfind("\n", 0, index) + 1
    character = len(text[line_start:index].encode("utf-16-le")) // 2
    return types.Position(line=line, character=character)
