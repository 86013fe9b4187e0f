"""`constitutionc new dilemma|probe --for PRINCIPLE`: print (or append) a family skeleton."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("new")
@click.argument("kind", type=click.Choice(["dilemma", "probe"]))
@click.option("--for", "principle", required=True, metavar="PRINCIPLE", help="The principle the family is for.")
@click.option("--in", "in_file", type=click.Path(dir_okay=False), default=None,
              help="The constitution the principle is in: its id is checked and its environments reused.")
@click.option("--append", is_flag=True, help="Append the skeleton to the --in file instead of printing it.")
def command(kind, principle, in_file, append):
    """Print a skeleton dilemma or probe family for PRINCIPLE.

    The skeleton checks cleanly; each text still to write is a TODO that `check` reports as a
    warning (CDL206). Exit status: 0 printed, 2 the file cannot be read or the principle is not in it.
    """
    from ..authoring.skeletons import skeleton
    from ..diagnostics import did_you_mean

    constitution = None
    if in_file is not None:
        from ..cli import _load

        result = _load([in_file])
        constitution = result.constitution
        if constitution.principle(principle) is None:
            ids = [p.id for p in constitution.principles]
            close = did_you_mean(principle, ids)
            hint = f"; did you mean `{close}`?" if close else "; no principle id there is close to it"
            click.echo(f"constitutionc: error: {in_file} defines no principle `{principle}`{hint}", err=True)
            sys.exit(2)
        shown = constitution.principle(principle).span.file
    elif append:
        click.echo("constitutionc: error: --append needs --in FILE", err=True)
        sys.exit(2)
    text = skeleton(kind, principle, constitution, shown if in_file else None)
    if not append:
        sys.stdout.write(text)
        return
    path = Path(in_file)
    existing = path.read_text(encoding="utf-8")
    separator = "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
    path.write_text(existing + separator + text, encoding="utf-8", newline="\n")
    click.echo(f"appended a {kind} skeleton for `{principle}` to {in_file}; fill in each TODO", err=True)
