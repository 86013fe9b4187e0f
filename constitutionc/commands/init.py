"""`constitutionc init [DIR]`: a starter project that checks, lints, builds and passes its coverage gate."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import click

# starter file -> where it goes in the new project
STARTER_FILES = {
    "constitution.cdl": "constitution.cdl",
    "pyproject.toml": "pyproject.toml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "ci-workflow.yml": ".github/workflows/constitution.yml",
}


def _settings_as_own_file(text: str) -> str:
    """The `[tool.constitutionc]` tables as a constitutionc.toml (same keys, at the top level)."""
    return text.replace("[tool.constitutionc.lint]", "[lint]").replace("[tool.constitutionc]\n", "")


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def command(directory):
    """Create a starter project in DIRECTORY (default: here): a small constitution, settings,
    a pre-commit configuration and a CI workflow running check, lint, build and the coverage gate.

    Existing files are never replaced: they are listed and kept. Exit status: 0 done, 2 cannot write.
    """
    target = Path(directory)
    starter = resources.files("constitutionc.authoring") / "starter"
    written, kept = [], []
    for name, place in STARTER_FILES.items():
        text = (starter / name).read_text(encoding="utf-8")
        path = target / place
        if name == "pyproject.toml" and path.exists():
            # Someone's own pyproject.toml is theirs: our settings go in a file of their own.
            path, text = target / "constitutionc.toml", _settings_as_own_file(text)
        if path.exists():
            kept.append(path)
            continue
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        except OSError as e:
            click.echo(f"constitutionc: error: {path}: cannot write ({e.strerror})", err=True)
            sys.exit(2)
        written.append(path)
    for path in written:
        click.echo(f"created {path}")
    for path in kept:
        click.echo(f"kept {path} (it exists)")
    cdl = target / "constitution.cdl"
    click.echo("next:\n"
               f"  constitutionc check {cdl}\n"
               f"  constitutionc build {cdl} -o {target / 'out'}\n"
               f"  constitutionc coverage {cdl} --data {target / 'out'} --fail-under 100\n"
               "or start from a document: constitutionc import-md POLICY.md -o constitution.cdl --force")
