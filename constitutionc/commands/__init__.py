"""Sub-commands beyond `check` and `ir`, one module each.

Each module defines a click command named `command` and imports nothing heavy
at module level. A module is imported only when its command is named (`LazyGroup`),
so running `check` never imports the others; `--help` lists them all. Adding a
command is one module plus one line in `COMMAND_MODULES` (the command's name is
the module's, with `-` for `_`).
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES: list[str] = []


def command_name(module: str) -> str:
    return module.replace("_", "-")


class LazyGroup(click.Group):
    """A click group whose commands from `COMMAND_MODULES` are imported when first asked for."""

    def list_commands(self, ctx) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | {command_name(m) for m in COMMAND_MODULES})

    def get_command(self, ctx, name: str):
        found = super().get_command(ctx, name)
        if found is not None:
            return found
        module = {command_name(m): m for m in COMMAND_MODULES}.get(name)
        if module is None:
            return None
        command = importlib.import_module(f"{__name__}.{module}").command
        self.add_command(command, name)
        return command


COMMAND_MODULES.append("lint")
COMMAND_MODULES.append("fmt")
COMMAND_MODULES.append("rules")
COMMAND_MODULES.append("coverage")
COMMAND_MODULES.append("build")
COMMAND_MODULES.append("trace")
COMMAND_MODULES.append("schema")
COMMAND_MODULES.append("merge")
COMMAND_MODULES.append("lsp")
COMMAND_MODULES.append("import_md")
COMMAND_MODULES.append("init")
COMMAND_MODULES.append("new")
COMMAND_MODULES.append("audit")
COMMAND_MODULES.append("eval")
COMMAND_MODULES.append("grade")
COMMAND_MODULES.append("generate")
COMMAND_MODULES.append("results")
