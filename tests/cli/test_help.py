"""Every option of every command says what it does, and every argument is named in its command's help
(click arguments have no help of their own: the command's text says what each one is)."""

from __future__ import annotations

import click
from click.testing import CliRunner

from constitutionc.cli import main


def commands(command: click.Command, path: tuple[str, ...], ctx: click.Context):
    """Every leaf command under `command`, with the words that name it (groups walked by their own lists,
    so commands loaded only when named are walked too)."""
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            yield from commands(command.get_command(ctx, name), (*path, name), ctx)
    else:
        yield path, command


def undocumented(path, command: click.Command) -> list[str]:
    missing = []
    for param in command.params:
        if isinstance(param, click.Option):
            if not param.hidden and not (param.help or "").strip():
                missing.append(f"{' '.join(path)} {'/'.join(param.opts)}: no help")
        elif param.human_readable_name not in (command.help or ""):
            missing.append(f"{' '.join(path)} {param.human_readable_name}: not named in the command's help")
    return missing


def test_every_option_and_argument_of_every_command_has_help():
    found = list(commands(main, (), click.Context(main)))
    assert len(found) >= 20 and {("eval",), ("grade",), ("generate",), ("results", "compare")} <= {p for p, _ in found}
    missing = [line for path, command in found for line in undocumented(path, command)]
    assert missing == []


def test_the_walk_finds_what_lacks_help():
    @click.command("probe-me")
    @click.argument("thing")
    @click.option("--bare")
    @click.option("--said", help="Said.")
    def bare(thing, bare, said):
        """Does nothing."""

    assert undocumented(("probe-me",), bare) == ["probe-me THING: not named in the command's help",
                                                 "probe-me --bare: no help"]


def test_every_command_prints_its_help():
    for path, _ in commands(main, (), click.Context(main)):
        done = CliRunner().invoke(main, [*path, "--help"])
        assert done.exit_code == 0 and "Usage:" in done.output, (path, done.output)
