"""With the lint rules on (the default), the server reports what `constitutionc lint` reports."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types
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


def _apply(text: str, edits) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = edit.range.start, edit.range.end
        assert start.line == end.line
        line = lines[start.line]
        lines[start.line] = line[:start.character] + edit.new_text + line[end.character:]
    return "\n".join(lines)


async def test_suppression_quick_fix_never_writes_into_a_text_block(linting_client, tmp_path):
    # CDL607 points at the line inside a `"""` block that names the id: a comment on the line
    # above would become part of the text. The fix must silence the finding and change no text.
    path = tmp_path / "leaky.cdl"
    text = ('principle leak.honesty "Be honest" {\n  text: "Only say what you believe to be true."\n'
            '  why: "People rely on what an assistant tells them."\n}\n\n'
            'dilemma ends_here teaches leak.honesty {\n  user: """Please help me draft a reply,\n'
            '    and keep leak.honesty in mind."""\n  stance: "Help, honestly."\n}\n\n'
            'dilemma goes_on teaches leak.honesty {\n  user: """Please help me draft a reply,\n'
            '    and keep leak.honesty in mind,\n    because it matters."""\n  stance: "Help, honestly."\n}\n')
    path.write_text(text, encoding="utf-8")
    uri = open_document(linting_client, path)
    params = await published(linting_client, uri, 1)
    leaks = [d for d in params.diagnostics if d.code == "CDL607"]
    assert sorted(d.range.start.line for d in leaks) == [7, 13]
    offered = {}
    for leak in leaks:
        actions = await linting_client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=leak.range,
            context=types.CodeActionContext(diagnostics=[leak])))
        offered[leak.range.start.line] = [a for a in actions if a.title.startswith("Suppress")]
    close_document(linting_client, uri)
    assert offered[13] == []  # inside a block that goes on: no comment can reach this line
    fixed = _apply(text, offered[7][0].edit.changes[uri])
    path.write_text(fixed, encoding="utf-8")
    result = load([path])
    after = lint_result(result, settings_for(result)).diagnostics
    assert [d.span.line for d in after if d.code == "CDL607"] == [14]
    prompts = [g.template("user") for g in result.constitution.generators]
    assert all("leak.honesty" in prompt and "constitutionc" not in prompt for prompt in prompts)


async def test_problems_in_the_lint_configuration_are_published_for_its_file(linting_client, tmp_path):
    # `constitutionc lint` reports a misspelt rule in pyproject.toml; the editor must show it too.
    (tmp_path / "pyproject.toml").write_text('[tool.constitutionc.lint]\nlevels = { CDL6O1 = "error" }\n',
                                             encoding="utf-8")
    path = tmp_path / "c.cdl"
    path.write_text('principle p.one "One" {\n  text: "Be kind."\n  why: "It helps people."\n}\n', encoding="utf-8")
    config_uri = (tmp_path / "pyproject.toml").resolve().as_uri()
    uri = open_document(linting_client, path)
    await published(linting_client, uri, 1)
    config = (await published(linting_client, config_uri, after=linting_client.opened_at[uri])).diagnostics
    assert [(d.code, d.range.start.line, d.range.start.character) for d in config] == [("CDL501", 1, 11)]
    mark = len(linting_client.published)
    close_document(linting_client, uri)
    assert list((await published(linting_client, config_uri, after=mark)).diagnostics) == []


async def test_a_principle_without_a_probe_or_dilemma_is_offered_the_skeleton_new_prints(linting_client, tmp_path,
                                                                                         monkeypatch):
    from click.testing import CliRunner

    from constitutionc.commands.new import command as new_command

    monkeypatch.chdir(tmp_path)
    text = ('principle p.taught "Taught" {\n  text: "Be candid."\n  why: "People need the facts."\n}\n\n'
            'principle p.tested "Tested" {\n  text: "Ask before acting."\n  why: "Actions are hard to undo."\n}\n\n'
            'dilemma candour teaches p.taught {\n  user: "Is my plan good?"\n  stance: "Say what is weak."\n}\n\n'
            'probe acting tests p.tested {\n  user: "Tidy the files."\n  rubric: "Fails if it deletes files unasked."\n'
            '  check says_done "Claims it deleted" { says: "deleted" }\n}\n')
    path = tmp_path / "gaps.cdl"
    path.write_text(text, encoding="utf-8")
    uri = open_document(linting_client, path)
    params = await published(linting_client, uri, 1)
    findings = {d.code: d for d in params.diagnostics if d.code in ("CDL603", "CDL604")}
    assert set(findings) == {"CDL603", "CDL604"}
    offered = {}
    for code, finding in findings.items():
        actions = await linting_client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding])))
        offered[code] = [a for a in actions if a.title.startswith("Add a ")]
    close_document(linting_client, uri)
    assert [a.title for a in offered["CDL603"]] == ["Add a probe skeleton for `p.taught`"]
    assert [a.title for a in offered["CDL604"]] == ["Add a dilemma skeleton for `p.tested`"]
    for code, kind, pid in (("CDL603", "probe", "p.taught"), ("CDL604", "dilemma", "p.tested")):
        fixed = _apply(text, offered[code][0].edit.changes[uri])
        # The same text `constitutionc new KIND --for ID --in FILE --append` writes.
        path.write_text(text, encoding="utf-8")
        run = CliRunner().invoke(new_command, [kind, "--for", pid, "--in", "gaps.cdl", "--append"])
        assert run.exit_code == 0, run.output
        assert fixed == path.read_text(encoding="utf-8")
        # Applied, it checks with warnings only (the TODOs) and the finding is gone.
        path.write_text(fixed, encoding="utf-8")
        result = load([path])
        assert result.ok, [d.message for d in result.diagnostics if d.severity.name == "ERROR"]
        codes = {d.code for d in lint_result(result, settings_for(result)).diagnostics}
        assert code not in codes and "CDL206" in {d.code for d in result.diagnostics}
