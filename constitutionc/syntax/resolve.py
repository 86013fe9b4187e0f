"""Files to one constitution: read, parse, lower, follow imports, join.

Imports are resolved relative to the importing file. A file import that
resolves outside the project root is refused before it is opened; cycles and
missing files are diagnostics. `import name.dotted` reads the standard library
shipped inside the package.
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from .. import ir
from ..spec import STD_PREFIX
from ..diagnostics import (BAD_INPUT, IMPORT_CYCLE, IMPORT_NOT_FOUND, IMPORT_OUTSIDE_ROOT, INTERNAL,
                           INVALID_VALUE, Diagnostic, diag)
from .axes import resolve_uses
from .builder import parse_module
from .chunks import parse_in_pieces
from .lower import Fragment, lower_module

MAX_FILE_BYTES = 50 * 1024 * 1024


class InputError(Exception):
    """A file named on the command line cannot be read at all (exit status 2)."""


def display_path(path: Path) -> str:
    """How compilers print a path: relative to the working directory, POSIX separators."""
    try:
        return STD_PREFIX + path.resolve().relative_to(std_root()).as_posix()
    except ValueError:
        pass
    try:
        rel = os.path.relpath(path.resolve(), Path.cwd().resolve())
    except ValueError:  # another drive on Windows
        rel = str(path.resolve())
    return Path(rel).as_posix()


def std_root() -> Path:
    """Where the standard library's files are (shipped inside the package, which is read from the
    file system: the loader names and reads them as paths)."""
    return (Path(__file__).resolve().parent.parent / "std").resolve()


def decode_source(data: bytes, file: str) -> tuple[str | None, Diagnostic | None]:
    span = ir.Span.unchecked(file=file, line=1, column=1, end_line=1, end_column=2)
    if b"\x00" in data:
        return None, diag(BAD_INPUT.code, "this looks like a binary file, not CDL text (it contains NUL bytes)", span)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return None, diag(BAD_INPUT.code, f"the file is not valid UTF-8 (byte 0x{data[e.start]:02x})",
                          ir.Span.unchecked(file=file, line=line, column=column, end_line=line, end_column=column + 1))
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


_COMPILED: "OrderedDict[tuple[str, str], Fragment]" = OrderedDict()
_COMPILED_LIMIT = 256
_COMPILED_LOCK = threading.Lock()


def compile_cached(text: str, file: str) -> Fragment:
    """`compile_text`, remembered by (file, text hash): a long-lived process such as the
    language server re-checks on every keystroke, and the imported files have not changed.
    Fragments are treated as immutable once made, so sharing them is safe."""
    key = (file, hashlib.sha256(text.encode("utf-8")).hexdigest())
    with _COMPILED_LOCK:
        frag = _COMPILED.get(key)
        if frag is not None:
            _COMPILED.move_to_end(key)
            return frag
    frag = compile_text(text, file)
    with _COMPILED_LOCK:
        _COMPILED[key] = frag
        while len(_COMPILED) > _COMPILED_LIMIT:
            _COMPILED.popitem(last=False)
    return frag


def compile_text(text: str, file: str, *, in_pieces: bool = True) -> Fragment:
    """Parse and lower one file's text; never raises. `in_pieces`: parse a large file piece by
    piece and remember the pieces (`chunks`), for a process that will parse it again after an edit."""
    # Parsing allocates many small objects that all live until lowering ends;
    # the cyclic collector would rescan them over and over for nothing.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _compile_text(text, file, in_pieces)
    finally:
        if gc_was_enabled:
            gc.enable()


def _compile_text(text: str, file: str, in_pieces: bool) -> Fragment:
    try:
        module = parse_in_pieces(text, file) if in_pieces else None
        if module is not None:
            return lower_module(module)
        module, result = parse_module(text, file)
        if module is None:
            frag = Fragment(file=file)
            frag.diagnostics.extend(result.diagnostics)
            return frag
        frag = lower_module(module)
        frag.diagnostics[:0] = result.diagnostics
        return frag
    except RecursionError:
        frag = Fragment(file=file)
        frag.diagnostics.append(diag(BAD_INPUT.code, "the file is nested too deeply to process",
                                     ir.Span.unchecked(file=file, line=1, column=1, end_line=1, end_column=2)))
        return frag
    except Exception as e:  # a compiler bug must still come out as a diagnostic
        frag = Fragment(file=file)
        frag.diagnostics.append(diag(INTERNAL.code, f"internal error: {type(e).__name__}: {e}",
                                     ir.Span.unchecked(file=file, line=1, column=1, end_line=1, end_column=2)))
        return frag


@dataclass
class Loader:
    root: Path | None = None
    # Text of files open in an editor, which wins over the disk (keyed by resolved path).
    overlays: dict[Path, str] = field(default_factory=dict)
    # Remember compiled files and the pieces of large ones, for a process that checks again
    # (the language server, a test session); a one-shot command parses each file whole, once.
    incremental: bool = True
    fragments: dict[Path, Fragment] = field(default_factory=dict)
    order: list[Path] = field(default_factory=list)
    files: list[ir.SourceFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Displayed path -> text, for showing source lines under diagnostics.
    sources: dict[str, str] = field(default_factory=dict)
    roots: list[Path] = field(default_factory=list)
    _root: Path = field(default_factory=Path.cwd)
    # The root in effect for the first named file: outputs name files relative to it.
    _project_root: Path | None = None

    def load_root(self, path: Path) -> None:
        resolved = path.resolve()
        self._root = (self.root or resolved.parent).resolve()
        if self._project_root is None:
            self._project_root = self._root
        self.roots.append(resolved)
        if resolved in self.overlays:
            self._load(resolved, [])
            return
        try:
            if not resolved.is_file():
                raise InputError(f"{path}: no such file" if not resolved.exists() else f"{path}: not a file")
            with open(resolved, "rb"):
                pass
        except OSError as e:
            raise InputError(f"{path}: cannot read ({e.strerror})") from e
        self._load(resolved, [])

    def _read(self, path: Path) -> bytes:
        """The file's bytes, at most MAX_FILE_BYTES + 1 of them: a larger file is refused unread."""
        if path in self.overlays:
            return self.overlays[path].encode("utf-8")
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)

    def _load(self, path: Path, stack: list[Path]) -> None:
        if path in self.fragments:
            return
        shown = display_path(path)
        try:
            data = self._read(path)
        except OSError as e:
            raise InputError(f"{shown}: cannot read ({e.strerror})") from e
        if len(data) > MAX_FILE_BYTES:
            text, problem = None, diag(BAD_INPUT.code, f"the file is larger than {MAX_FILE_BYTES // (1 << 20)} MB, "
                                                       "the most a constitution file may be; it was not read",
                                       ir.Span.unchecked(file=shown, line=1, column=1, end_line=1, end_column=2))
        else:
            text, problem = decode_source(data, shown)
        if text is None:
            frag = Fragment(file=shown)
        elif self.incremental:
            frag = compile_cached(text, shown)
        else:
            frag = compile_text(text, shown, in_pieces=False)
        self.sources[shown] = text or ""
        if problem:
            frag.diagnostics.append(problem)
        self.fragments[path] = frag
        self.files.append(ir.SourceFile.unchecked(path=shown, sha256=hashlib.sha256(data).hexdigest(),
                                        project_path=self._in_project(path, shown)))
        for target, span in frag.imports:
            self._follow(path, target, span, stack + [path], frag)
        self.order.append(path)

    def _in_project(self, path: Path, shown: str) -> str:
        if shown.startswith(STD_PREFIX):
            return shown
        try:
            return Path(os.path.relpath(path.resolve(), self._project_root or Path.cwd().resolve())).as_posix()
        except ValueError:  # another drive on Windows
            return shown

    def _follow(self, importer: Path, target: str, span: ir.Span, stack: list[Path], frag: Fragment) -> None:
        if target.startswith(STD_PREFIX):
            module = target[len(STD_PREFIX):]
            candidate = std_root().joinpath(*module.split(".")).with_suffix(".cdl")
            if not _is_within(candidate, std_root()):  # `std:/etc/x` or `std:../..`: not a module name
                self.diagnostics.append(diag(IMPORT_OUTSIDE_ROOT.code, f"`{target[:200]}` is outside the standard "
                                             "library; it was not read", span))
                return
            if not _is_file(candidate):
                available = sorted(p.relative_to(std_root()).with_suffix("").as_posix().replace("/", ".")
                                   for p in std_root().rglob("*.cdl"))
                from ..diagnostics import did_you_mean

                guess = did_you_mean(module, available)
                self.diagnostics.append(diag(IMPORT_NOT_FOUND.code,
                                             f"the standard library has no module `{module}`"
                                             + (f"; did you mean `{guess}`?" if guess else ""), span,
                                             notes=("available: " + ", ".join(available),) if available else ()))
                return
        else:
            if "\\" in target:
                # On Windows this would work and elsewhere not: one meaning on every machine.
                self.diagnostics.append(diag(INVALID_VALUE.code,
                                             f"write import paths with `/`, not `\\`: `{target.replace(chr(92), '/')}`",
                                             span, fix='"' + target.replace("\\", "/") + '"'))
                return
            try:
                candidate = (importer.parent / target).resolve()
                root = std_root() if _is_within(importer, std_root()) else self._root
                if not _is_within(candidate, root):
                    self.diagnostics.append(diag(IMPORT_OUTSIDE_ROOT.code,
                                                 f"`{target}` is outside the project root `{display_path(root)}`; "
                                                 "it was not read", span,
                                                 notes=("set a wider root with --root or `root` in the "
                                                        "configuration if this is intended",)))
                    return
                if not candidate.is_file() and candidate not in self.overlays:
                    problem = ("is a directory; import a `.cdl` file in it" if candidate.is_dir()
                               else "cannot be found")
                    self.diagnostics.append(diag(IMPORT_NOT_FOUND.code, f"the imported file `{target}` {problem}",
                                                 span))
                    return
            except OSError as e:  # a name too long for the filesystem, a loop of links
                self.diagnostics.append(diag(IMPORT_NOT_FOUND.code,
                                             f"the imported file `{target[:200]}` cannot be opened "
                                             f"({e.strerror or e})", span))
                return
        if candidate in stack:
            cycle = " -> ".join(display_path(p) for p in stack[stack.index(candidate):] + [candidate])
            self.diagnostics.append(diag(IMPORT_CYCLE.code, f"import cycle: {cycle}", span))
            return
        self._load(candidate, stack)

    def constitution(self) -> tuple[ir.Constitution, list[Diagnostic]]:
        frags = [self.fragments[p] for p in self.order]
        diagnostics = list(self.diagnostics)
        header = None
        priority: tuple[str, ...] = ()
        priority_span = None
        authority: tuple[str, ...] = ()
        authority_span = None
        parts: dict[str, list] = {k: [] for k in ("values", "principals", "sections", "principles", "tensions",
                                                  "environments", "generators", "axes", "suppressions")}
        named = {self.fragments[p].file for p in self.roots if p in self.fragments}
        # The files named on the command line speak for the constitution; imports only fill gaps.
        by_authority = [self.fragments[p] for p in self.roots if p in self.fragments] + frags
        for frag in by_authority:
            if frag.header is not None and header is None:
                header = frag.header
            if frag.priority_span is not None and priority_span is None:
                priority, priority_span = frag.priority, frag.priority_span
            if frag.authority_span is not None and authority_span is None:
                authority, authority_span = frag.authority, frag.authority_span
        for frag in frags:
            diagnostics.extend(frag.diagnostics)
            for key, items in parts.items():
                items.extend(getattr(frag, key))
        parts["generators"] = resolve_uses(parts["generators"], parts["axes"])
        constitution = ir.Constitution.unchecked(
            header=header or ir.Header.unchecked(), files=tuple(sorted(self.files, key=lambda f: f.path)),
            entries=tuple(f.project_path or f.path for f in self.files if f.path in named),
            priority=priority, priority_span=priority_span, authority=authority, authority_span=authority_span,
            **{key: tuple(items) for key, items in parts.items()})
        return constitution, diagnostics


def import_candidate(importer: Path, target: str, root: Path) -> Path | None:
    """The file `import "target"` in `importer` would read, or None where the compiler refuses it:
    outside `root` (the standard library's own imports stay inside it), or written with backslashes.
    Whether the file exists is the caller's question."""
    try:
        if target.startswith(STD_PREFIX):
            candidate = std_root().joinpath(*target[len(STD_PREFIX):].split(".")).with_suffix(".cdl")
            return candidate if _is_within(candidate, std_root()) else None
        if "\\" in target:
            return None
        candidate = (importer.parent / target).resolve()
        base = std_root() if _is_within(importer, std_root()) else root.resolve()
        return candidate if _is_within(candidate, base) else None
    except (OSError, ValueError):
        return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the filesystem
        return False


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except ValueError:
        return False
