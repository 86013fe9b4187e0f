"""`constitutionc lsp`: the language server, over stdin and stdout."""

from __future__ import annotations

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, default=True, hidden=True,
              help="Talk over stdin and stdout (the only transport; accepted for clients that pass it).")
def command(stdio: bool) -> None:
    """Run the language server for editors (diagnostics, hover, navigation, completion, formatting)."""
    try:
        from ..lsp.server import run_stdio
    except ImportError as e:  # pygls is an optional dependency
        raise click.ClickException(f"the language server needs the `lsp` extra: pip install 'constitutionc[lsp]' ({e})")
    run_stdio()
