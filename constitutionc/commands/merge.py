"""`constitutionc merge SHARD_DIR... -o DIR`: join shard builds into the unsharded build's output."""

from __future__ import annotations

import sys

import click


@click.command("merge")
@click.argument("shard_dirs", nargs=-1, required=True, type=click.Path(file_okay=False, exists=True))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(),
              help="Output directory (replaced atomically).")
def command(shard_dirs, out_dir):
    """Check that the manifests of the shard builds SHARD_DIRS agree and join them, byte-identical to an
    unsharded build."""
    from pathlib import Path

    from ..emit import MergeError, OutputError, merge
    from .build import interactive, print_summary

    try:
        outcome = merge([Path(d) for d in shard_dirs], Path(out_dir))
    except (MergeError, OutputError) as e:
        click.echo(f"constitutionc: error: {e}", err=True)
        sys.exit(1)
    except OSError as e:
        click.echo(f"constitutionc: error: cannot merge into {out_dir}: {e.strerror or e}", err=True)
        sys.exit(1)
    for warning in outcome.warnings:
        click.echo(f"constitutionc: warning: {warning}", err=True)
    print_summary(outcome.manifest, out_dir, rich_table=interactive(sys.stdout))
