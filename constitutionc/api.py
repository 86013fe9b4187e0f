"""The thin public API that the command line, the language server and users call."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .checks import CheckOptions, run_checks
from .config import Config, load_config
from .diagnostics import CODES, Diagnostic, apply_suppressions, code_names, has_errors, unique
from .ir import Constitution
from .syntax.resolve import InputError, Loader

__all__ = ["InputError", "Result", "load", "check_paths", "lint", "build", "coverage", "format_text"]


@dataclass
class Result:
    constitution: Constitution
    diagnostics: list[Diagnostic] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def load(paths: Iterable[str | Path], *, root: str | Path | None = None, config: Config | None = None,
         overlays: dict[Path, str] | None = None, max_combinations: int | None = None,
         incremental: bool = True) -> Result:
    """Read, resolve and check constitution files. Raises InputError only when a named file cannot be read.

    `incremental=False` is for a process that loads once and exits: files are parsed whole and
    nothing is remembered for the next load (the result is the same)."""
    paths = [Path(p) for p in paths]
    if config is None:
        config = load_config(paths[0] if paths else None)
    if root is not None and not Path(root).is_dir():
        raise InputError(f"--root {root}: {'not a directory' if Path(root).exists() else 'no such directory'}")
    loader = Loader(root=Path(root).resolve() if root else config.root, overlays=dict(overlays or {}),
                    incremental=incremental)
    for path in paths:
        loader.load_root(path)
    constitution, diagnostics = loader.constitution()
    options = CheckOptions(max_combinations=max_combinations or config.max_combinations)
    diagnostics.extend(run_checks(constitution, options))
    _register_codes_named_by(constitution)
    diagnostics = apply_suppressions(constitution.suppressions, diagnostics)
    diagnostics.sort(key=Diagnostic.sort_key)
    return Result(constitution, unique(diagnostics), config, loader.sources)


def _register_codes_named_by(constitution: Constitution) -> None:
    """Lint rules register their codes (CDL6xx) when imported. A suppression may name one, so
    when a suppression names a code not yet known, the rules are loaded before it is judged
    unknown; a constitution without such suppressions never pays for importing them."""
    names = code_names()
    if any(code not in CODES and code not in names for s in constitution.suppressions for code in s.codes):
        from . import lint  # noqa: F401  (registers the lint codes)


def check_paths(paths: Iterable[str | Path], **kwargs) -> Result:
    return load(paths, **kwargs)


# --- the later stages, on a loaded constitution ---------------------------------------
# Each is a thin door into its package, imported on first use so that loading and
# checking never pay for the build, coverage or lint machinery.

def lint(result: Result, enable: Iterable[str] = (), disable: Iterable[str] = ()):
    """Everything `check` reports plus the lint rules, at the configured levels (a `LintReport`)."""
    from .lint import lint_result, settings_for

    return lint_result(result, settings_for(result, tuple(enable), tuple(disable)))


def build(constitution: Constitution, out_dir: str | Path, **options):
    """Write dilemmas, responses, probes and the manifest into `out_dir` (see `build.BuildOptions`)."""
    from .emit import BuildOptions, build as run_build

    return run_build(constitution, Path(out_dir), BuildOptions(**options))


def coverage(constitution: Constitution, data_dir: str | Path, results: str | Path | None = None) -> dict:
    """The coverage document (JSON-ready) of a build directory against the current constitution."""
    from .coverage import compute_coverage

    return compute_coverage(constitution, Path(data_dir), Path(results) if results else None)


def format_text(text: str):
    """The canonical layout of a CDL text (`FormatResult.text` is None when it has syntax errors)."""
    from .fmt import format_text as run_format

    return run_format(text)
