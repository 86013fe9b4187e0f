"""Project configuration: `[tool.constitutionc]` in pyproject.toml, or constitutionc.toml.

The nearest file found walking up from the first input wins; command-line
options override it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_COMBINATIONS = 100_000
KNOWN_KEYS = frozenset({"root", "max_combinations", "lint", "audit"})


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: Path | None = None
    root: Path | None = None
    max_combinations: int = DEFAULT_MAX_COMBINATIONS
    lint: dict = field(default_factory=dict)
    audit: dict = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    try:
        directory = start if start.is_dir() else start.parent
    except OSError:  # a name too long to look up; the loader reports the file itself
        directory = start.parent
    for folder in [directory.resolve(), *directory.resolve().parents]:
        own = folder / "constitutionc.toml"
        if own.is_file():
            return own
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
                data = tomllib.loads(text)
            except (OSError, UnicodeDecodeError):
                continue
            except tomllib.TOMLDecodeError as e:
                # Someone else's broken pyproject is not ours to judge; one meant for us is.
                if "tool.constitutionc" in text:
                    raise ConfigError(f"{pyproject}: not valid TOML ({e})") from e
                continue
            tool = data.get("tool")
            if isinstance(tool, dict) and "constitutionc" in tool:
                return pyproject
    return None


def load_config(start: Path | None) -> Config:
    path = find_config(start) if start is not None else None
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror or e})") from e
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    table = data["tool"]["constitutionc"] if path.name == "pyproject.toml" else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.constitutionc` must be a table")
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        from .diagnostics import did_you_mean

        hints = [f"`{key}`" + (f" (did you mean `{guess}`?)" if (guess := did_you_mean(key, KNOWN_KEYS)) else "")
                 for key in unknown]
        raise ConfigError(f"{path}: unknown setting {', '.join(hints)}; known: {', '.join(sorted(KNOWN_KEYS))}")
    config = Config(path=path)
    if "root" in table:
        if not isinstance(table["root"], str):
            raise ConfigError(f"{path}: root must be a path written as a string")
        config.root = (path.parent / table["root"]).resolve()
        if not config.root.is_dir():
            raise ConfigError(f"{path}: root `{table['root']}` is not a directory")
    if "max_combinations" in table:
        value = table["max_combinations"]
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"{path}: max_combinations must be a positive whole number")
        config.max_combinations = value
    lint = table.get("lint", {})
    if not isinstance(lint, dict):
        raise ConfigError(f"{path}: lint must be a table (`[lint]` or `[tool.constitutionc.lint]`), "
                          f"not {type(lint).__name__} `{lint!r}`"[:300])
    config.lint = dict(lint)
    audit = table.get("audit", {})
    if not isinstance(audit, dict):
        raise ConfigError(f"{path}: audit must be a table (`[audit]` or `[tool.constitutionc.audit]`)")
    config.audit = dict(audit)
    return config
