"""`constitutionc schema [NAME]`: print the JSON Schema of a record kind or the manifest."""

from __future__ import annotations

import sys

import click


@click.command("schema")
@click.argument("name", required=False)
def command(name):
    """Print the JSON Schema of NAME (dilemma, response, probe, manifest, ...); all of them without NAME."""
    import json

    # The stages after the build register their documents' schemas when imported.
    from ..audit import schema as _audit_schema  # noqa: F401
    from ..coverage import schema as _coverage_schema  # noqa: F401
    from ..emit.kinds import schemas as kind_schemas
    from ..emit.schema import load_schemas

    schemas = {**kind_schemas(), **load_schemas()}
    if name is None:
        document = {key: fn() for key, fn in sorted(schemas.items())}
    elif name in schemas:
        document = schemas[name]()
    else:
        click.echo(f"constitutionc: error: no schema named `{name}` (known: {', '.join(sorted(schemas))})",
                   err=True)
        sys.exit(2)
    click.echo(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))
