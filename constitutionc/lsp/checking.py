"""Diagnostics for open documents: debounced, computed off the event loop, never stale.

Checks are throttled per document with a leading edge: a change after a quiet
spell is checked at once (so diagnostics follow an edit by the time of one check),
and a change within `debounceMs` of the document's last check waits out the rest
of that interval, replacing any check still waiting; a burst of keystrokes costs at
most one check per interval, and its last keystroke is always checked. The check is the command
line's (`api.load`, then the lint rules unless turned off), run in a worker
thread so requests such as hover stay answered meanwhile, over the text of every
open document (unsaved text wins over the disk). A result is published only if
the document is still at the version that was checked.
"""

from __future__ import annotations

import asyncio
import difflib
import re
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from ..diagnostics import CODES, INTERNAL, Diagnostic, Severity
from ..ir import Span
from .convert import SourceLines
from .index import ID_PATTERN
from .project import uri_of_path

if TYPE_CHECKING:
    from .server import ConstitutionServer

SOURCE = "constitutionc"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
# Diagnostics whose construct has no effect are shown faded as well as underlined.
UNNECESSARY_CODES = frozenset({"CDL302"})


@dataclass
class Outcome:
    diagnostics: list[types.Diagnostic]
    loaded: set[Path] = field(default_factory=set)
    # Diagnostics of the other (imported, non-standard-library) files the check read.
    others: dict[Path, list[types.Diagnostic]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # for the log, not the document


def check_document(path: Path, overlays: dict[Path, str], codec: PositionCodec, lint: bool = True) -> Outcome:
    """Check one document as `constitutionc lint` would (or `check`, without `lint`), and convert
    the diagnostics of each file it read."""
    from ..api import InputError, load
    from ..config import ConfigError
    from ..spec import STD_PREFIX
    from ..syntax.resolve import display_path

    text = overlays.get(path, "")
    lines = SourceLines(text, codec)
    try:
        result = load([path], overlays=overlays)
    except (InputError, ConfigError) as e:
        return Outcome([_plain(lines, str(e), types.DiagnosticSeverity.Error)])
    except Exception as e:  # a compiler bug must not take the editor session down
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        return Outcome([_plain(lines, f"internal error while checking: {detail}", types.DiagnosticSeverity.Error,
                               INTERNAL.code)])
    found, sources, problems = (_with_lint(result) if lint else (result.diagnostics, result.sources, []))
    shown = display_path(path)
    own = [d for d in found if d.span is None or d.span.file == shown]
    others: dict[Path, list[types.Diagnostic]] = {}
    for name, source in sources.items():
        if name != shown and not name.startswith(STD_PREFIX):
            other_lines = SourceLines(source, codec)
            others[(Path.cwd() / name).resolve()] = [to_protocol(d, other_lines) for d in found
                                                     if d.span is not None and d.span.file == name]
    loaded = set(others) | {path}
    return Outcome([to_protocol(d, lines) for d in own], loaded, others, problems)


def _with_lint(result) -> tuple[list[Diagnostic], dict[str, str], list[str]]:
    """The lint rules' findings at the project's configured levels, added to the check's, and the
    texts of the files they are in (the configuration file's included, for its own problems)."""
    try:
        from ..lint import lint_result, settings_for

        report = lint_result(result, settings_for(result))
        return report.diagnostics, report.sources, []
    except Exception as e:  # a broken lint configuration or rule must not hide the check's diagnostics
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        return result.diagnostics, result.sources, [f"lint rules skipped: {detail}"]


def _plain(lines: SourceLines, message: str, severity: types.DiagnosticSeverity,
           code: str | None = None) -> types.Diagnostic:
    start = types.Position(line=0, character=0)
    end = lines.position(1, len(lines.lines[0]) + 1)
    return types.Diagnostic(range=types.Range(start=start, end=end), message=message, severity=severity,
                            source=SOURCE, code=code)


def to_protocol(d: Diagnostic, lines: SourceLines) -> types.Diagnostic:
    entry = CODES.get(d.code)
    if d.span is not None:
        where = lines.range(d.span)
    else:
        where = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
    message = d.message + "".join(f"\nnote: {note}" for note in d.notes)
    data: dict = {"name": entry.name if entry else d.code}
    target = fix_target(d, lines)
    if d.fix and target is not None:
        fix_range = lines.range(target)
        data["fix"] = d.fix
        data["fixRange"] = [fix_range.start.line, fix_range.start.character,
                            fix_range.end.line, fix_range.end.character]
    return types.Diagnostic(
        range=where, message=message, severity=SEVERITIES.get(d.severity, types.DiagnosticSeverity.Error),
        code=d.code, source=SOURCE,
        code_description=types.CodeDescription(href=entry.help_uri) if entry else None,
        tags=[types.DiagnosticTag.Unnecessary] if d.code in UNNECESSARY_CODES else None,
        data=data)


_QUOTED = re.compile(r"`([^`]+)`")


def fix_target(d: Diagnostic, lines: SourceLines) -> Span | None:
    """The exact name a quick fix replaces: the whole span when it is one name, else the
    name inside it that the message quotes and the fix most resembles."""
    if not d.fix or d.span is None:
        return None
    span = d.span
    if span.line == span.end_line and ID_PATTERN.fullmatch(lines.span_text(span)):
        return span
    quoted = [q for q in _QUOTED.findall(d.message) if q != d.fix]
    if not quoted:
        return None
    wanted = max(quoted, key=lambda q: difflib.SequenceMatcher(None, q, d.fix).ratio())
    for line in range(span.line, min(span.end_line, len(lines.lines)) + 1):
        text = lines.lines[line - 1]
        first = span.column - 1 if line == span.line else 0
        last = span.end_column - 1 if line == span.end_line else len(text)
        for match in ID_PATTERN.finditer(text, first, last):
            if match.group(0) == wanted:
                return Span(file=span.file, line=line, column=match.start() + 1, end_line=line,
                            end_column=match.end() + 1)
    return None


def wait_before_check(last_started: float | None, now: float, interval: float) -> float:
    """Seconds to wait before checking a document whose last check started at `last_started`
    (None: never), so that checks of one document start at most once per `interval`."""
    if last_started is None:
        return 0.0
    return max(0.0, last_started + interval - now)


class Checker:
    def __init__(self, server: "ConstitutionServer"):
        self.server = server
        self.pending: dict[str, asyncio.Task] = {}
        # When each document's latest check started (event-loop clock), for the throttle.
        self.last_started: dict[str, float] = {}
        # The files each document's last check read, to re-check importers when a file changes.
        self.loaded: dict[str, set[Path]] = {}
        # Files that are not open but whose diagnostics a document's check published (they
        # show in the problems list); cleared when no open document reads them any more.
        self.borrowed: dict[str, set[str]] = {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cdl-check")

    def schedule(self, uri: str, delay: float) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self._run(uri, delay))

    def schedule_change(self, uri: str, interval: float) -> None:
        """Check a changed document at once, or when `interval` has passed since its last check."""
        now = asyncio.get_running_loop().time()
        self.schedule(uri, wait_before_check(self.last_started.get(uri), now, interval))

    def schedule_importers(self, path: Path, interval: float) -> None:
        """Re-check the open documents whose last check read `path` (throttled like a change)."""
        for uri, loaded in list(self.loaded.items()):
            if path in loaded and self.server.path_of(uri) != path and uri in self.server.workspace.text_documents:
                self.schedule_change(uri, interval)

    def close(self, uri: str) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.loaded.pop(uri, None)
        self.last_started.pop(uri, None)
        self._return_borrowed(uri, set())
        self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def _publish_others(self, uri: str, others: dict[Path, list[types.Diagnostic]]) -> None:
        open_paths = {self.server.path_of(u) for u in list(self.server.workspace.text_documents)}
        claimed = set()
        for path, diagnostics in others.items():
            if path in open_paths:
                continue  # an open document publishes its own diagnostics, with its version
            other_uri = uri_of_path(path)
            claimed.add(other_uri)
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=other_uri, diagnostics=diagnostics))
        self._return_borrowed(uri, claimed)

    def _return_borrowed(self, uri: str, claimed: set[str]) -> None:
        previous = self.borrowed.pop(uri, set())
        if claimed:
            self.borrowed[uri] = claimed
        still_claimed = set().union(*self.borrowed.values()) if self.borrowed else set()
        open_uris = set(self.server.workspace.text_documents)
        for other_uri in previous - claimed - still_claimed - open_uris:
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=other_uri, diagnostics=[]))

    async def _run(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            document = self.server.workspace.text_documents.get(uri)
            if document is None:
                return
            version = document.version
            path = self.server.path_of(uri)
            overlays = self.server.project.overlays()
            loop = asyncio.get_running_loop()
            self.last_started[uri] = loop.time()
            outcome = await loop.run_in_executor(self.executor, check_document, path, overlays,
                                                 document.position_codec, self.server.settings.lint)
            for problem in outcome.problems:
                self.server.log(f"constitutionc: {problem}", types.MessageType.Warning)
            current = self.server.workspace.text_documents.get(uri)
            if current is None or current.version != version:
                return  # the document changed or closed meanwhile: this result is stale
            self.loaded[uri] = outcome.loaded
            self.server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                uri=uri, version=version, diagnostics=outcome.diagnostics))
            self._publish_others(uri, outcome.others)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.server.log_error(f"checking {uri} failed", traceback.format_exc())
        finally:
            if self.pending.get(uri) is asyncio.current_task():
                del self.pending[uri]
