"""Sub-commands beyond `check` and `ir`, one module each.

Each module defines a click command named `command` and imports nothing heavy
at module level (so `constitutionc --help` stays fast). Adding a command is one
module plus one line in `COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib

import click

COMMAND_MODULES: list[str] = []


def register_all(group: click.Group) -> None:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        group.add_command(module.command)


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
COMMAND_MODULES.append("results")
