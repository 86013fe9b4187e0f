"""The diagnostic formats: text, gnu, json, sarif, github."""

from __future__ import annotations

import hashlib
from typing import Sequence

from .. import __version__
from ..diagnostics import CODES, Diagnostic, Severity
from .registry import renderer

_COLORS = {Severity.ERROR: "\x1b[1;31m", Severity.WARNING: "\x1b[1;33m", Severity.INFO: "\x1b[1;36m"}
_BOLD, _DIM, _RESET, _CARET = "\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[1;32m"


def _location(d: Diagnostic) -> str:
    s = d.span
    return f"{s.file}:{s.line}:{s.column}" if s else "<unknown>"


@renderer("text", paths="cwd")
def text(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    """For people: the message, the source line, a caret under the problem."""
    out = []

    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if color else s

    for d in diagnostics:
        head = (f"{paint(_BOLD, _location(d) + ':')} {paint(_COLORS[d.severity], d.severity.value + ':')} "
                f"{d.message} {paint(_DIM, '[' + d.code + ']')}")
        out.append(head)
        s = d.span
        lines = sources.get(s.file, "").split("\n") if s else []
        if s and 0 < s.line <= len(lines):
            line = lines[s.line - 1].rstrip("\r")
            if len(line) > 200:
                start = max(0, s.column - 60)
                shown = line[start:start + 160]
                col = s.column - start
            else:
                shown, col = line, s.column
            gutter = f"{s.line:>5} | "
            out.append(gutter + shown)
            width = (s.end_column - s.column) if s.end_line == s.line else max(1, len(shown) - col + 1)
            width = max(1, min(width, max(1, len(shown) - col + 1)))
            out.append(" " * (len(gutter) - 2) + "| " + " " * (col - 1) + paint(_CARET, "^" + "~" * (width - 1)))
        for note in d.notes:
            out.append(f"      = note: {note}")
    if diagnostics:
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = sum(d.severity is Severity.WARNING for d in diagnostics)
        out.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(out) + ("\n" if out else "")


@renderer("gnu", paths="cwd")
def gnu(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    return "".join(f"{_location(d)}: {d.severity.value}: {d.message} [{d.code}]\n" for d in diagnostics)


@renderer("json", paths="project")
def as_json(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    import json  # only the machine formats need it: a text check never does

    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


@renderer("github", paths="project")
def github(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's diff."""
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}

    def escape_data(s: str) -> str:
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_prop(s: str) -> str:
        return escape_data(s).replace(":", "%3A").replace(",", "%2C")

    out = []
    for d in diagnostics:
        props = [f"title={escape_prop(d.code + ' ' + CODES[d.code].name)}"]
        if d.span:
            s = d.span
            props = [f"file={escape_prop(s.file)}", f"line={s.line}", f"col={s.column}",
                     f"endLine={s.end_line}"] + ([f"endColumn={s.end_column}"] if s.end_line == s.line else []) + props
        out.append(f"::{levels[d.severity]} {','.join(props)}::{escape_data(d.message)}\n")
    return "".join(out)


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def fingerprint(d: Diagnostic, sources: dict[str, str]) -> str:
    """Stable across unrelated edits: code, file, message and the text of the line, not its number."""
    line_text = ""
    if d.span:
        lines = sources.get(d.span.file, "").split("\n")
        if 0 < d.span.line <= len(lines):
            line_text = lines[d.span.line - 1].strip()
    key = "\x00".join([d.code, d.span.file if d.span else "", d.message, line_text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _artifact(file: str) -> dict:
    if file.startswith("std:"):
        return {"uri": file[4:], "uriBaseId": "STD"}
    return {"uri": file, "uriBaseId": "SRCROOT"}


def _help_markdown(code: str) -> str:
    """A rule's help as code-scanning pages show it: what, why, and an example that triggers it."""
    entry = CODES[code]
    parts = [f"**{code} {entry.name}** ({entry.severity.value}, {entry.category})", "", entry.summary]
    if entry.rationale:
        parts += ["", entry.rationale]
    if entry.example:
        parts += ["", "Example:", "", "```cdl", entry.example.rstrip("\n"), "```"]
    parts += ["", f"Silence one occurrence with `# constitutionc: ignore[{code}]` on its line or the line above."]
    return "\n".join(parts)


def _tags(code: str) -> list[str]:
    entry = CODES[code]
    kind = "lint" if code.startswith("CDL6") else "check"
    return list(dict.fromkeys(["constitution", kind, entry.category, *entry.tags]))


@renderer("sarif", paths="project")
def sarif(diagnostics: Sequence[Diagnostic], sources: dict[str, str], color: bool) -> str:
    import json

    from .. import lint  # noqa: F401  (registers the lint codes: the log lists every rule the tool has)

    rule_ids = list(CODES)
    rules = []
    for code in rule_ids:
        entry = CODES[code]
        help_text = entry.summary + (f"\n\n{entry.rationale}" if entry.rationale else "")
        rules.append({
            "id": code,
            "name": entry.name,
            "shortDescription": {"text": entry.summary},
            "fullDescription": {"text": help_text},
            "help": {"text": help_text, "markdown": _help_markdown(code)},
            "helpUri": entry.help_uri,
            "defaultConfiguration": {"level": _SARIF_LEVEL[entry.severity], "enabled": entry.enabled},
            "properties": {"category": entry.category, "tags": _tags(code)},
        })
    results = []
    for d in diagnostics[:25000]:
        result = {
            "ruleId": d.code,
            "ruleIndex": rule_ids.index(d.code),
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "partialFingerprints": {"constitutionc/v1": fingerprint(d, sources)},
        }
        if d.span:
            s = d.span
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": _artifact(s.file),
                "region": {"startLine": s.line, "startColumn": s.column, "endLine": s.end_line,
                           "endColumn": s.end_column},
            }}]
        results.append(result)
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "constitutionc", "version": __version__,
                                "informationUri": "https://constitutionc.dev", "rules": rules}},
            "originalUriBaseIds": {
                "SRCROOT": {"description": {"text": "The project root: the nearest directory holding the "
                                                     "constitutionc settings or a .git."}},
                "STD": {"description": {"text": "The constitutionc standard library."}},
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
