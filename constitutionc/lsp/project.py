"""The files an editor session knows: open documents over the disk, their indexes,
and name resolution across files.

A name is looked up first in the file itself, then in the files it imports
(transitively), then anywhere in the workspace: several unrelated
constitutions may share one workspace, and the nearest definition is the one
the compiler would use.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from pygls.uris import from_fs_path, to_fs_path

from ..spec import STD_PREFIX
from ..syntax.resolve import import_candidate
from .index import LOCAL_KINDS, FileIndex, Reference, Symbol, index_text

# Directories never searched for workspace files.
SKIPPED_DIRS = frozenset({".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache",
                          "build", "dist"})
MAX_WORKSPACE_FILES = 5000
MAX_INDEXED_BYTES = 20 * 1024 * 1024
FILE_LIST_SECONDS = 2.0
MAX_WALKED_DIRS = 20_000


@dataclass(frozen=True)
class Identity:
    """What a name denotes: its namespace, its scope (for local names) and the name."""

    kind: str
    scope: str | None
    name: str

    @staticmethod
    def of(symbol: Symbol) -> "Identity":
        return Identity(symbol.kind, symbol.scope if symbol.kind in LOCAL_KINDS else None, symbol.name)


@dataclass
class Located:
    path: Path
    node: Symbol | Reference


def path_of_uri(uri: str) -> Path:
    fs_path = to_fs_path(uri)
    if fs_path:
        return Path(fs_path).resolve()
    # An unsaved buffer (`untitled:...`): give it a stable home under the working directory.
    safe = "".join(c if c.isalnum() else "_" for c in uri)
    return (Path.cwd() / f"{safe}.cdl").resolve()


def uri_of_path(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def std_root() -> Path:
    return Path(str(resources.files("constitutionc").joinpath("std"))).resolve()


class Project:
    def __init__(self, open_texts: Callable[[], dict[Path, str]], roots: Callable[[], list[Path]]):
        self._open_texts = open_texts
        self._roots = roots
        self._cache: dict[Path, tuple[object, str, FileIndex]] = {}
        self._files: tuple[float, list[Path]] | None = None
        self._roots_by_folder: dict[Path, Path] = {}

    # --- texts and indexes ---------------------------------------------------
    def overlays(self) -> dict[Path, str]:
        return dict(self._open_texts())

    def text(self, path: Path) -> str | None:
        entry = self._entry(path)
        return entry[1] if entry else None

    def index(self, path: Path) -> FileIndex:
        entry = self._entry(path)
        return entry[2] if entry else FileIndex(str(path))

    def _entry(self, path: Path) -> tuple[object, str, FileIndex] | None:
        open_text = self._open_texts().get(path)
        if open_text is not None:
            key: object = ("open", open_text)
            text = open_text
        else:
            try:
                stat = path.stat()
            except OSError:
                return None
            if stat.st_size > MAX_INDEXED_BYTES:
                return None
            key = ("disk", stat.st_mtime_ns, stat.st_size)
            text = None
        cached = self._cache.get(path)
        if cached is not None and _same_key(cached[0], key):
            return cached
        if text is None:
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                return None
        entry = (key, text, index_text(text, str(path)))
        self._cache[path] = entry
        return entry

    # --- files ---------------------------------------------------------------
    def workspace_files(self) -> list[Path]:
        """Open documents and every .cdl file under the workspace roots (the walk is
        reused for a moment, so one request resolving many names walks once)."""
        now = time.monotonic()
        if self._files is None or now - self._files[0] > FILE_LIST_SECONDS:
            self._files = (now, self._walk())
        open_paths = [path for path in self._open_texts() if path not in self._files[1]]
        return self._files[1] + open_paths

    def forget_files(self) -> None:
        self._files = None
        self._roots_by_folder = {}

    def _walk(self) -> list[Path]:
        found: dict[Path, None] = {}
        for root in self._roots():
            for path in _cdl_files(root):
                found[path] = None
                if len(found) >= MAX_WORKSPACE_FILES:
                    return list(found)
        return list(found)

    def root_of(self, path: Path) -> Path:
        """The compiler's import root for a document: the configured root, else the document's directory."""
        folder = path.parent
        root = self._roots_by_folder.get(folder)
        if root is None:
            from ..config import ConfigError, load_config

            try:
                root = load_config(path).root or folder
            except (ConfigError, OSError):
                root = folder
            self._roots_by_folder[folder] = root
        return root

    def import_target(self, importer: Path, ref: Reference, root: Path | None = None) -> Path | None:
        """The file an import reads, by the compiler's root rule: an editor never opens what a build
        would refuse (`/etc/passwd`, `../outside.cdl`). `root` is the root of the document the chain
        of imports started from (default: the importer's own)."""
        candidate = import_candidate(importer, ref.name, root or self.root_of(importer))
        if candidate is None:
            return None
        try:
            if candidate.is_file() or candidate in self._open_texts():
                return candidate
        except OSError:
            pass
        return None

    def closure(self, path: Path) -> list[Path]:
        """The file and everything it imports, nearest first."""
        order = [path]
        seen = {path}
        root = self.root_of(path)
        for current in order:
            for ref in self.index(current).imports:
                target = self.import_target(current, ref, root)
                if target is not None and target not in seen:
                    seen.add(target)
                    order.append(target)
        return order

    def search_order(self, path: Path) -> Iterator[Path]:
        seen = set()
        for candidate in self.closure(path) + self.workspace_files():
            if candidate not in seen:
                seen.add(candidate)
                yield candidate

    # --- names ---------------------------------------------------------------
    def node_at(self, path: Path, line: int, column: int) -> Symbol | Reference | None:
        return self.index(path).at(line, column)

    def definitions(self, path: Path, kind: str, name: str, scope: str | None = None) -> list[Located]:
        """Definitions of a name as seen from `path`: the nearest file that has any."""
        for candidate in self.search_order(path):
            found = self.index(candidate).definitions_named(kind, name, scope)
            if found:
                return [Located(candidate, symbol) for symbol in found]
        return []

    def all_definitions(self, path: Path, kind: str, scope: str | None = None) -> list[Located]:
        """One definition per name of a namespace, nearest file first (for completion)."""
        out: dict[str, Located] = {}
        for candidate in self.search_order(path):
            for symbol in self.index(candidate).definitions:
                if symbol.kind == kind and (scope is None or symbol.scope == scope) and symbol.name not in out:
                    out[symbol.name] = Located(candidate, symbol)
        return list(out.values())

    def resolve(self, path: Path, ref: Reference) -> tuple[Identity, list[Located]]:
        """What a reference names (first namespace that defines it) and where it is defined."""
        for kind in ref.kinds:
            scope = ref.scope if kind in LOCAL_KINDS else None
            found = self.definitions(path, kind, ref.name, scope)
            if found:
                return Identity(kind, scope, ref.name), found
        kind = ref.kinds[0]
        return Identity(kind, ref.scope if kind in LOCAL_KINDS else None, ref.name), []

    def identity(self, path: Path, node: Symbol | Reference) -> Identity | None:
        if isinstance(node, Symbol):
            return Identity.of(node)
        if node.kinds == ("file",):
            return None
        return self.resolve(path, node)[0]

    def occurrences(self, identity: Identity, *, include_definitions: bool = True) -> list[Located]:
        """Every definition of and reference to `identity` in the workspace."""
        out: list[Located] = []
        for path in self.workspace_files():
            index = self.index(path)
            if include_definitions:
                out.extend(Located(path, s) for s in index.definitions_named(identity.kind, identity.name,
                                                                           identity.scope))
            for ref in index.references:
                if ref.name != identity.name or identity.kind not in ref.kinds:
                    continue
                if len(ref.kinds) == 1 and identity.kind not in LOCAL_KINDS:
                    out.append(Located(path, ref))
                elif self.resolve(path, ref)[0] == identity:
                    out.append(Located(path, ref))
        return out

    def import_occurrences(self, target: Path) -> list[Located]:
        out = []
        for path in self.workspace_files():
            for ref in self.index(path).imports:
                if self.import_target(path, ref) == target:
                    out.append(Located(path, ref))
        return out

    def display(self, path: Path) -> str:
        for root in self._roots():
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
        try:
            return STD_PREFIX + path.relative_to(std_root()).as_posix()
        except ValueError:
            return path.name


def _same_key(a: object, b: object) -> bool:
    # Open texts compare by identity first: the common case is the very same string object.
    if isinstance(a, tuple) and isinstance(b, tuple) and a[0] == b[0] == "open":
        return a[1] is b[1] or a[1] == b[1]
    return a == b


def _cdl_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for visited, (folder, dirs, files) in enumerate(os.walk(root)):
        if visited >= MAX_WALKED_DIRS:  # a workspace opened on a home directory must not stall requests
            return
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".cdl"):
                yield (Path(folder) / name).resolve()
