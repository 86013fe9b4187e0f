"""`constitutionc rules`: list the lint rules, or print their reference in Markdown."""

from __future__ import annotations

import click


@click.command("rules")
@click.option("--markdown", is_flag=True, help="Print the full reference (the text of docs/rules.md).")
def command(markdown):
    """List every lint rule with its code, category and default level."""
    from ..lint import RULES
    from ..lint.docs import rules_markdown

    if markdown:
        click.echo(rules_markdown(), nl=False)
        return
    for code, r in RULES.items():
        click.echo(f"{code}  {r.name:<30} {r.category:<10} {r.level:<8} {r.summary}")
