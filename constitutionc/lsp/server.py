"""The language server: document sync and the registry of editor features.

Each feature module exposes `register(server)` and adds its handlers with
`server.feature(...)`; `FEATURE_MODULES` lists them. Every handler runs under
`guarded`, so a bug or an odd input costs one empty answer and a log line
(`window/logMessage`), never the session.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .. import __version__
from . import wire
from .checking import Checker
from .convert import SourceLines
from .project import Project, path_of_uri

FEATURE_MODULES = ["navigation", "completion", "symbols", "actions", "formatting"]
DEFAULT_DEBOUNCE_MS = 150


@dataclass
class Settings:
    # The shortest time between two checks of one document; a change after a quiet spell is
    # checked at once (see `checking`), so this bounds the work of a burst, not the latency.
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    lint: bool = True  # the lint rules too (as `constitutionc lint`), or only `constitutionc check`

    @classmethod
    def from_options(cls, options: Any) -> "Settings":
        settings = cls()
        if isinstance(options, dict):
            value = options.get("debounceMs")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 10_000:
                settings.debounce_ms = int(value)
            if isinstance(options.get("lint"), bool):
                settings.lint = options["lint"]
        return settings

    @property
    def debounce_seconds(self) -> float:
        return self.debounce_ms / 1000


class ConstitutionServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("constitutionc", __version__, protocol_cls=wire.Protocol)
        self.settings = Settings()
        self.roots: list[Path] = []
        self._paths: dict[str, Path] = {}
        self.project = Project(self._open_texts, lambda: self.roots)
        self.checker = Checker(self)

    # --- documents --------------------------------------------------------------
    def path_of(self, uri: str) -> Path:
        path = self._paths.get(uri)
        if path is None:
            path = self._paths[uri] = path_of_uri(uri)
        return path

    def _open_texts(self) -> dict[Path, str]:
        return {self.path_of(uri): doc.source for uri, doc in list(self.workspace.text_documents.items())}

    def lines(self, uri: str) -> SourceLines:
        document = self.workspace.get_text_document(uri)
        return SourceLines(document.source, document.position_codec)

    def lines_of_path(self, path: Path) -> SourceLines | None:
        text = self.project.text(path)
        if text is None:
            return None
        return SourceLines(text, self.workspace.position_codec)

    # --- logging ------------------------------------------------------------------
    def log(self, message: str, kind: types.MessageType = types.MessageType.Log) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=message))
        except Exception:  # the transport is gone; nothing left to tell
            pass

    def log_error(self, what: str, detail: str) -> None:
        self.log(f"constitutionc: {what}\n{detail}", types.MessageType.Error)


def guarded(server: ConstitutionServer, default: Any = None) -> Callable:
    """Run a handler so that any exception becomes a log message and `default`."""

    def wrap(fn: Callable) -> Callable:
        if asyncio.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def run_async(params):
                try:
                    return await fn(params)
                except Exception:
                    server.log_error(f"{fn.__name__} failed", traceback.format_exc())
                    return default
            return run_async

        @functools.wraps(fn)
        def run(params):
            try:
                return fn(params)
            except RecursionError:
                server.log_error(f"{fn.__name__} gave up: the document is nested too deeply", "")
                return default
            except Exception:
                server.log_error(f"{fn.__name__} failed", traceback.format_exc())
                return default
        return run

    return wrap


def _register_sync(server: ConstitutionServer) -> None:
    @server.feature(types.INITIALIZE)
    @guarded(server)
    def initialize(params: types.InitializeParams) -> None:
        server.settings = Settings.from_options(params.initialization_options)
        roots = []
        for folder in params.workspace_folders or []:
            roots.append(path_of_uri(folder.uri))
        if not roots and params.root_uri:
            roots.append(path_of_uri(params.root_uri))
        elif not roots and params.root_path:
            roots.append(Path(params.root_path).resolve())
        server.roots = [root for root in roots if root.is_dir()]

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @guarded(server)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.project.forget_files()
        server.checker.schedule(uri, 0)
        server.checker.schedule_importers(server.path_of(uri), server.settings.debounce_seconds)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @guarded(server)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        interval = server.settings.debounce_seconds
        server.checker.schedule_change(uri, interval)
        server.checker.schedule_importers(server.path_of(uri), interval)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @guarded(server)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        server.project.forget_files()
        server.checker.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @guarded(server)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.checker.close(uri)
        server.checker.schedule_importers(server.path_of(uri), 0)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @guarded(server)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        server.project.forget_files()


def build_server() -> ConstitutionServer:
    server = ConstitutionServer()
    _register_sync(server)
    wire.register(server)
    for name in FEATURE_MODULES:
        importlib.import_module(f"{__package__}.features.{name}").register(server)
    return server


def run_stdio() -> None:
    server = build_server()
    # Everything imported so far (grammar tables, models, the protocol's types) lives as long as
    # the process: keep the cyclic collector from rescanning it during checks, where its full
    # passes would otherwise land as spikes in the time to diagnostics.
    gc.freeze()
    server.start_io(stdin=wire.BoundedInput(sys.stdin.buffer))
