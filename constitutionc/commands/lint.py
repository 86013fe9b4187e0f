"""`constitutionc lint`: the diagnostics of `check` plus the lint rules, at configured levels."""

from __future__ import annotations

import sys

import click

FORMATS = ["text", "gnu", "json", "sarif", "github"]


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="How to print diagnostics.")
@click.option("--enable", "enable", multiple=True, metavar="RULE",
              help="Turn on rules (code, name or category:NAME; comma-separated or repeated). Overrides the configuration.")
@click.option("--disable", "disable", multiple=True, metavar="RULE",
              help="Turn off rules (code, name or category:NAME; comma-separated or repeated). Overrides the configuration.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on errors.")
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Imports may not reach outside this directory (default: each named file's directory).")
@click.option("--each", is_flag=True,
              help="Treat each named file as its own constitution (as pre-commit passes the staged files), "
                   "instead of all of them as one.")
@click.option("--no-rules", "no_rules_only", is_flag=True,
              help="Run no lint rule: report only what `constitutionc check` reports.")
def command(paths, fmt, enable, disable, strict, root, each, no_rules_only):
    """Check the constitution files PATHS and report quality problems (see `constitutionc rules`).

    Levels come from `[tool.constitutionc.lint]` in pyproject.toml or `[lint]` in
    constitutionc.toml; `--enable`/`--disable` override them, and an inline
    `# constitutionc: ignore[CODE]` on the line or the line above overrides both.
    Exit status: 0 no errors, 1 errors (or, with --strict, warnings), 2 usage or input problems.
    """
    from ..api import InputError, load
    from ..config import ConfigError
    from ..diagnostics import Severity
    from ..lint import SelectorError, lint_result, merge, no_rules, settings_for
    from ..report import render

    reports = []
    for group in ([[path] for path in paths] if each else [list(paths)]):
        try:
            result = load(group, root=root)
            settings = no_rules() if no_rules_only else settings_for(result, _split(enable), _split(disable))
        except (InputError, ConfigError, SelectorError) as e:
            click.echo(f"constitutionc: error: {e}", err=True)
            sys.exit(2)
        reports.append(lint_result(result, settings))
    report = merge(reports)
    stream = sys.stdout
    output = render(fmt, report.diagnostics, report.sources, fmt == "text" and stream.isatty())
    if output:
        stream.write(output)
        stream.flush()
    failed = not report.ok or (strict and any(d.severity is Severity.WARNING for d in report.diagnostics))
    sys.exit(1 if failed else 0)
