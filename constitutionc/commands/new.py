"""`constitutionc new dilemma|probe --for PRINCIPLE`: print (or append) a family skeleton."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("new")
@click.argument("kind", type=click.Choice(["dilemma", "probe"]))
@click.option("--for", "principle", metavar="PRINCIPLE", help="The principle the family is for.")
@click.option("--in", "in_file", type=click.Path(dir_okay=False), default=None,
              help="The constitution the principle is in: its id is checked and its environments reused.")
@click.option("--append", is_flag=True, help="Append the skeleton to the --in file instead of printing it.")
@click.option("--list", "list_ids", is_flag=True,
              help="List the principle ids of the --in file that a family can be for, and exit.")
def command(kind, principle, in_file, append, list_ids):
    """Print a skeleton family of KIND (a dilemma or a probe) for PRINCIPLE.

    The skeleton checks cleanly; each text still to write is a TODO that `check` reports as a
    warning (CDL206). `--list --in FILE` prints the ids `--for` accepts. Exit status: 0 printed,
    2 the file cannot be read or the principle is not in it.
    """
    from ..authoring.skeletons import skeleton

    if list_ids and in_file is None:
        click.echo("constitutionc: error: --list needs --in FILE", err=True)
        sys.exit(2)
    if principle is None and not list_ids:
        click.echo("constitutionc: error: missing option --for PRINCIPLE (`constitutionc new "
                   f"{kind} --list --in FILE` lists the ids)", err=True)
        sys.exit(2)
    constitution = None
    if in_file is not None:
        from ..cli import _load

        result = _load([in_file])
        constitution = result.constitution
        ids = family_targets(constitution)
        if list_ids:
            for pid in ids:
                title = constitution.principle(pid).title
                click.echo(f"{pid}\t{title}" if title and title != pid else pid)
            return
        if constitution.principle(principle) is None:
            click.echo(f"constitutionc: error: {in_file} defines no principle `{principle}`"
                       f"{nearest_hint(principle, ids)}", err=True)
            click.echo(f"  list them all ({len(ids)}): constitutionc new {kind} --list --in {in_file}", err=True)
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


NEAREST = 5


def family_targets(constitution) -> list[str]:
    """The ids a family can be for, in source order: every principle but the criteria, which judges
    use and no family teaches or tests."""
    return [p.id for p in constitution.principles if p.kind != "criterion"]


def nearest_hint(word: str, ids: list[str]) -> str:
    """`; did you mean X?` when one id is close, else the nearest few ids, so the writer sees what is there."""
    import difflib

    from ..diagnostics import did_you_mean

    close = did_you_mean(word, ids)
    if close:
        return f"; did you mean `{close}`?"
    # Nothing is close: the ids of the section it names first, then the most alike.
    section = word.rpartition(".")[0]
    same_section = [pid for pid in ids if section and pid.startswith(section + ".")]
    alike = difflib.get_close_matches(word, ids, n=NEAREST, cutoff=0)
    nearest = list(dict.fromkeys(same_section + alike))[:NEAREST]
    if not nearest:
        return "; it defines no principle a family can be for"
    return "; no id there is close to it. The nearest: " + ", ".join(f"`{pid}`" for pid in nearest)
