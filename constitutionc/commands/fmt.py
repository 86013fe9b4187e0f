"""`constitutionc fmt`: rewrite .cdl files in the canonical layout, or check that they are."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _expand(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.cdl") if p.is_file()))
        else:
            files.append(path)
    return files


@click.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--check", "check_only", is_flag=True,
              help="Change nothing; exit 1 if any file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Change nothing; print a unified diff of what would change.")
def command(paths, check_only, show_diff):
    """Format the constitution files PATHS (directories are searched for *.cdl; `-` reads stdin, writes stdout).

    Exit status: 0 done (or nothing to change), 1 a file would change under
    --check or has syntax errors, 2 a file cannot be read or written.
    """
    from ..fmt import format_text, unified_diff
    from ..report import render
    from ..syntax.resolve import decode_source, display_path

    if paths == ("-",):
        source = sys.stdin.read()
        result = format_text(source, "<stdin>")
        if not result.ok:
            sys.stderr.write(render("text", result.diagnostics, {"<stdin>": source}))
            sys.exit(1)
        if show_diff:
            sys.stdout.write(unified_diff(source, result.text, "<stdin>"))
        elif not check_only:
            sys.stdout.write(result.text)
        sys.exit(1 if check_only and result.text != source else 0)

    failed = changed = False
    for path in _expand(paths):
        shown = display_path(path)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            click.echo(f"constitutionc: error: {shown}: no such file", err=True)
            sys.exit(2)
        except OSError as e:
            click.echo(f"constitutionc: error: {shown}: cannot read ({e.strerror})", err=True)
            sys.exit(2)
        source, problem = decode_source(data, shown)
        if problem is not None:
            sys.stderr.write(render("text", [problem], {}))
            failed = True
            continue
        result = format_text(source, shown)
        if not result.ok:
            sys.stderr.write(render("text", result.diagnostics, {shown: source}))
            click.echo(f"{shown}: not formatted: fix the syntax errors first", err=True)
            failed = True
            continue
        if result.text == source:
            continue
        changed = True
        if show_diff:
            sys.stdout.write(unified_diff(source, result.text, shown))
        if check_only or show_diff:
            click.echo(f"would reformat {shown}", err=True)
            continue
        try:
            path.write_text(result.text, encoding="utf-8", newline="\n")
        except OSError as e:
            click.echo(f"constitutionc: error: {shown}: cannot write ({e.strerror})", err=True)
            sys.exit(2)
        click.echo(f"reformatted {shown}", err=True)
    sys.exit(1 if failed or (check_only and changed) else 0)
