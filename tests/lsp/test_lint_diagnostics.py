"""With the lint rules on (the default), the server reports what `constitutionc lint` reports."""

from __future__ import annotations

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from constitutionc.api import load
from constitutionc.lint import lint_result, settings_for

from .conftest import CONFIG, DATA, close_document, open_document, published, start_session

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def linting_client(lsp_client: LanguageClient):
    await start_session(lsp_client, lint=True)
    yield
    await lsp_client.shutdown_session()


async def test_diagnostics_match_the_lint_command(linting_client):
    path = DATA / "constitution.cdl"
    result = load([path])
    expected = sorted((d.code, d.span.line - 1, d.span.column - 1)
                      for d in lint_result(result, settings_for(result)).diagnostics)
    assert expected  # the quickstart has lint findings, so this comparison is not vacuous
    uri = open_document(linting_client, path)
    params = await published(linting_client, uri, 1)
    close_document(linting_client, uri)
    assert sorted((d.code, d.range.start.line, d.range.start.character) for d in params.diagnostics) == expected
    for d in params.diagnostics:
        assert d.code_description.href.endswith("#" + d.code.lower())
