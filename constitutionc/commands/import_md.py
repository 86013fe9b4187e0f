"""`constitutionc import-md`: turn a Markdown policy document into a formatted first `.cdl`."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("import-md")
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Where to write the constitution (default: standard output).")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def command(source, output, force):
    """Import the Markdown document SOURCE: headings become sections, paragraphs and list items principles.

    Texts are kept verbatim; each missing `why` is marked TODO, which `check` reports as a
    warning (CDL206) until it is written. GOOD/BAD example blocks become dilemma skeletons.
    Exit status: 0 written, 2 the input cannot be read or the output exists (use --force).
    """
    from ..authoring.markdown import import_markdown
    from ..fmt import format_text

    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        click.echo(f"constitutionc: error: {source}: no such file", err=True)
        sys.exit(2)
    except (OSError, UnicodeDecodeError) as e:
        click.echo(f"constitutionc: error: {source}: cannot read ({getattr(e, 'strerror', None) or e})", err=True)
        sys.exit(2)
    cdl = import_markdown(text, path.name)
    formatted = format_text(cdl, output or "<import>")
    if not formatted.ok:  # a bug here, not the user's: say so with what failed
        click.echo("constitutionc: error: the imported text does not parse (please report this): "
                   + "; ".join(d.message for d in formatted.diagnostics[:3]), err=True)
        sys.exit(2)
    if output is None:
        sys.stdout.write(formatted.text)
        return
    target = Path(output)
    if target.exists() and not force:
        click.echo(f"constitutionc: error: {output} exists; pass --force to replace it", err=True)
        sys.exit(2)
    try:
        target.write_text(formatted.text, encoding="utf-8", newline="\n")
    except OSError as e:
        click.echo(f"constitutionc: error: {output}: cannot write ({e.strerror})", err=True)
        sys.exit(2)
    principles = formatted.text.count("\nprinciple ") + formatted.text.count(" principle ")
    click.echo(f"wrote {output}; next: constitutionc check {output}", err=True)
    del principles
