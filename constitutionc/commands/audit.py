"""`constitutionc audit OUT`: a dataset report before training, with rules CI can fail on."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

FORMATS = ["text", "json", "markdown", "html"]


def _fail(message: str) -> None:
    click.echo(f"constitutionc: error: {message}", err=True)
    sys.exit(2)


def _constitution_clauses(out_dir: Path, explicit: str | None, root: str | None):
    """Clause texts for the pasted-text figure: the named constitution, else the one the manifest names."""
    from ..api import InputError, load
    from ..audit import clause_texts
    from ..config import ConfigError

    from ..emit.manifest import find_constitution

    if explicit:
        candidates = [Path(explicit)]
    else:
        found = find_constitution(out_dir)
        candidates = [found] if found is not None else []
    for candidate in candidates:
        if candidate.is_file():
            try:
                result = load([str(candidate)], root=root)
            except (InputError, ConfigError) as e:
                _fail(str(e))
            if result.constitution is not None:
                return clause_texts(result.constitution), str(candidate)
    if explicit:
        _fail(f"{explicit}: no such file")
    return None, None


def _shown_path(path: str) -> str:
    """A path as the user would type it from here: relative when it lies under the working directory."""
    resolved = Path(os.path.normpath(Path(path).absolute()))
    try:
        return resolved.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return resolved.as_posix()


COVERAGE_PAGE = "coverage.html"


def _links(out_dir: Path, output: str | None):
    """The coverage page the audit page can link: beside the page, else in the build; only one that exists."""
    from ..audit.render import Links

    page_dir = Path(output).parent if output else Path(".")
    for candidate in (page_dir / COVERAGE_PAGE, out_dir / COVERAGE_PAGE):
        if candidate.is_file():
            return Links(Path(os.path.relpath(candidate, page_dir)).as_posix(), _shown_path(str(page_dir / COVERAGE_PAGE)))
    return Links(None, _shown_path(str(page_dir / COVERAGE_PAGE)))


@click.command("audit")
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="How the report is written.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file instead of standard output.")
@click.option("--constitution", type=click.Path(dir_okay=False), default=None,
              help="The constitution the build came from (default: the first source its manifest names), "
                   "for the share of answer text pasted from its clauses.")
@click.option("--root", type=click.Path(file_okay=False), default=None, help="Project root for imports.")
@click.option("--fail-on", "fail_on", multiple=True, metavar="RULE",
              help="Treat these rules (code or name; comma-separated or repeated) as errors.")
@click.option("--embeddings/--no-embeddings", default=None,
              help="Also measure near-duplicates and probe contamination by meaning, with the embedding model of "
                   "the `embeddings` extra (default: the `embeddings` setting, else off).")
@click.option("--rules", "list_rules", is_flag=True, help="List the audit rules and exit.")
def command(out, fmt, output, constitution, root, fail_on, embeddings, list_rules):
    """Report voice, preference tells, diversity, contamination, environments and specificity of the build in
    OUT (a `constitutionc build` or `generate` output directory).

    Exit status: 0 no error-level finding, 1 an error-level finding (see --fail-on
    and `[tool.constitutionc.audit]`), 2 usage or input problems.
    """
    from ..audit import RULES, AuditSettingError, AuditSettings, audit
    from ..audit.render import RENDERERS
    from ..config import ConfigError, load_config

    if list_rules:
        for code, r in sorted(RULES.items()):
            click.echo(f"{code}  {r.name:<26} {r.level:<8} {r.summary}")
        return
    out_dir = Path(out)
    if not out_dir.is_dir():
        _fail(f"{out}: no such directory (build or generate into it first)")
    try:
        config = load_config(out_dir)
        settings = AuditSettings.from_table(config.audit, str(config.path or "configuration"))
        for value in fail_on:
            for selector in (part.strip() for part in value.split(",")):
                if selector:
                    settings.set_level(selector, "error")
    except (ConfigError, AuditSettingError) as e:
        _fail(str(e))
    encoder = None
    if embeddings or (embeddings is None and settings.embeddings):
        from ..textmeasures.embed import Encoder, EmbeddingsUnavailable

        try:
            encoder = Encoder()
        except EmbeddingsUnavailable as e:
            _fail(str(e))
    clauses, source = _constitution_clauses(out_dir, constitution, root)
    report = audit(out_dir, settings, clauses, _shown_path(source) if source else None, encoder=encoder)
    text = RENDERERS[fmt](report, _links(out_dir, output))
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(0 if report["ok"] else 1)
