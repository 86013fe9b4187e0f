"""`constitutionc init [DIR]`: a starter project that checks, lints, builds and passes its coverage gate."""

from __future__ import annotations

import json
import sys
from importlib import metadata, resources
from pathlib import Path

import click

# starter file -> where it goes in the new project
STARTER_FILES = {
    "constitution.cdl": "constitution.cdl",
    "pyproject.toml": "pyproject.toml",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "ci-workflow.yml": ".github/workflows/constitution.yml",
}


# The CI workflow installs constitutionc from a pip requirement: it is not on PyPI.
REQUIREMENT_SLOT = "__CONSTITUTIONC_REQUIREMENT__"
PLACEHOLDER = "constitutionc @ git+https://REPLACE-ME/constitutionc.git@REPLACE-ME-WITH-A-COMMIT"


def installed_requirement(distribution: metadata.Distribution | None = None) -> str | None:
    """A pip requirement for the constitutionc running now (or `distribution`), when it was installed
    from a git repository another machine can reach (pip's direct_url.json, PEP 610, names its URL and
    commit); None otherwise (an editable or local checkout, a wheel on this disk)."""
    try:
        distribution = distribution or metadata.distribution("constitutionc")
        recorded = distribution.read_text("direct_url.json")
        origin = json.loads(recorded) if recorded else None
    except (metadata.PackageNotFoundError, ValueError):
        return None
    if not isinstance(origin, dict):
        return None
    url, vcs = origin.get("url"), origin.get("vcs_info")
    if not isinstance(url, str) or url.startswith("file:") or not isinstance(vcs, dict):
        return None
    commit = vcs.get("commit_id")
    if vcs.get("vcs") != "git" or not isinstance(commit, str):
        return None
    return f"constitutionc @ git+{url}@{commit}"


def _settings_as_own_file(text: str) -> str:
    """The `[tool.constitutionc]` tables as a constitutionc.toml (same keys, at the top level)."""
    return text.replace("[tool.constitutionc.lint]", "[lint]").replace("[tool.constitutionc]\n", "")


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--install", "requirement", metavar="REQUIREMENT", default=None,
              help="The pip requirement the CI workflow installs constitutionc from (it is not on PyPI), e.g. "
                   "'constitutionc @ git+https://github.com/OWNER/REPOSITORY@COMMIT'; default: this installation's "
                   "repository and commit when pip recorded one, else a placeholder the workflow refuses.")
def command(directory, requirement):
    """Create a starter project in DIRECTORY (default: here): a small constitution, settings,
    a pre-commit configuration and a CI workflow running check, lint, build and the coverage gate.

    Existing files are never replaced: they are listed and kept. Exit status: 0 done, 2 cannot write
    or a bad --install.
    """
    if requirement is not None and (not requirement.strip() or "\n" in requirement or "\r" in requirement):
        click.echo("constitutionc: error: --install takes one pip requirement on one line", err=True)
        sys.exit(2)
    requirement = (requirement.strip() if requirement else None) or installed_requirement()
    target = Path(directory)
    starter = resources.files("constitutionc.authoring") / "starter"
    written, kept = [], []
    for name, place in STARTER_FILES.items():
        text = (starter / name).read_text(encoding="utf-8")
        # A JSON string is a YAML double-quoted scalar: any requirement text stays one value.
        text = text.replace(REQUIREMENT_SLOT, json.dumps(requirement or PLACEHOLDER))
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
    workflow = target / STARTER_FILES["ci-workflow.yml"]
    if requirement is None and workflow in written:
        click.echo(f"note: constitutionc is not on PyPI: set CONSTITUTIONC in {workflow} to the pip requirement "
                   "CI installs it from (or run init with --install REQUIREMENT)")
    cdl = target / "constitution.cdl"
    click.echo("next:\n"
               f"  constitutionc check {cdl}\n"
               f"  constitutionc build {cdl} -o {target / 'out'}\n"
               f"  constitutionc coverage {cdl} --data {target / 'out'} --fail-under 100\n"
               "or start from a document: constitutionc import-md POLICY.md -o constitution.cdl --force")
