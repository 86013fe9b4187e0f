"""Atomic, streaming output: records go to JSONL in a staging directory that replaces DIR at the end.

The staging directory is a sibling `DIR.tmp-<random>` (same filesystem, so the
swap is atomic). Commit fsyncs every file, then exchanges the staging directory
and DIR in one step (`renameat2(RENAME_EXCHANGE)` on Linux), so at every instant
DIR is the previous complete output or the new one, never neither and never a
partial file. Where the exchange is not available (another system, a filesystem
without it) the old DIR is renamed aside first, leaving a moment with no DIR.
A killed build leaves its `DIR.tmp-*` sibling (or a `DIR.old-*`) behind; the next
build or merge into DIR deletes such leftovers once no live process holds them.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import queue
import secrets
import shutil
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator

from .. import jsonl
from ..canonical_json import canonical_json, canonical_line

__all__ = ["canonical_json", "canonical_line", "JsonlSink", "Staging", "OutputError", "MANIFEST"]

from . import trust

MANIFEST = "manifest.json"
# What `constitutionc audit OUT -o OUT/audit.<ext>` leaves in a build: a report on that build's data,
# stale once the data is rebuilt, so a rebuild replaces it with the rest (coverage links it from here).
AUDIT_REPORTS = {"audit.html": "html", "audit.json": "json", "audit.md": "markdown", "audit.txt": "text"}
BUFFER_BYTES = 1 << 20


class OutputError(Exception):
    """The output cannot be written; the message is one line for the user."""


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


class JsonlSink:
    """One JSONL file being written: counts its records and hashes its bytes as they stream.

    Each record is one canonical line (`canonical_json.canonical_line`). Lines are gathered
    into chunks of about a megabyte; a helper thread hashes and writes
    each chunk (both release the GIL on large buffers), so disk and hashing overlap with
    making the next records. At most QUEUED chunks wait, so memory stays bounded. An error
    in the helper (a full disk) is raised by the next `write` or by `close`.
    """

    CHUNK_BYTES = 1 << 20
    QUEUED = 4

    def __init__(self, path: Path):
        self.path = path
        self.records = 0
        self._hash = hashlib.sha256()
        self._handle = open(path, "wb")
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._error: BaseException | None = None
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=self.QUEUED)
        self._thread = threading.Thread(target=self._drain, name=f"write {path.name}", daemon=True)
        self._thread.start()

    def write(self, record: dict) -> None:
        line = canonical_line(record)
        self._pending.append(line)
        self._pending_bytes += len(line)
        self.records += 1
        if self._pending_bytes >= self.CHUNK_BYTES:
            self._send()

    def write_raw(self, chunk: bytes) -> None:
        """Bytes already in canonical form, whole lines (merging shards copies files verbatim)."""
        if self._pending:
            self._send()
        if self._error is not None:
            raise self._error
        self.records += chunk.count(b"\n")
        self._queue.put(chunk)

    def _send(self) -> None:
        if self._error is not None:
            raise self._error
        chunk = b"".join(self._pending)
        self._pending = []
        self._pending_bytes = 0
        self._queue.put(chunk)

    def _drain(self) -> None:
        while True:
            chunk = self._queue.get()
            if chunk is None:
                return
            if self._error is None:
                try:
                    self._hash.update(chunk)
                    self._handle.write(chunk)
                except BaseException as e:  # handed to the writing thread
                    self._error = e

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        if self._handle.closed:
            return
        try:
            if self._pending:
                self._send()
        finally:
            self._stop()
        if self._error is not None:
            self._handle.close()
            raise self._error
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()

    def discard(self) -> None:
        """Stop without raising (the build is being aborted)."""
        self._pending = []
        self._stop()
        try:
            self._handle.close()
        except OSError:
            pass


def describe_os_error(error: OSError, where: Path) -> str:
    reason = error.strerror or str(error)
    return f"cannot write {where}: {reason}"


class Staging:
    """The directory a build writes into before it becomes DIR.

    Used as a context manager: leaving the block by an exception aborts (DIR untouched).
    `protected` are the build's inputs (source files, shard directories): DIR must not hold
    any of them, since committing deletes the previous DIR.
    """

    def __init__(self, final: Path, protected: Iterable[str | Path] = ()):
        # A symlinked DIR is rebuilt where it points (staged beside the real directory, on its filesystem);
        # renaming the link itself would replace it with a directory and leave the target stale.
        self.final = Path(final).resolve() if Path(final).is_symlink() else Path(final)
        _refuse_holding(self.final, protected)
        _refuse_foreign(self.final)
        parent = self.final.absolute().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            remove_leftovers(self.final)
            self.path = parent / f"{self.final.name}{STAGING_MARK}{secrets.token_hex(6)}"
            self.path.mkdir()
            self._lock = _hold(self.path)
        except OSError as e:
            raise OutputError(describe_os_error(e, self.final)) from e
        self._sinks: list[JsonlSink] = []
        # Problems after the new output is in place (the old one could not be deleted): for the user, not fatal.
        self.warnings: list[str] = []

    def sink(self, filename: str) -> JsonlSink:
        sink = JsonlSink(self.path / filename)
        self._sinks.append(sink)
        return sink

    def close_sinks(self) -> None:
        for sink in self._sinks:
            sink.close()

    def write_manifest(self, manifest: dict) -> None:
        with open(self.path / MANIFEST, "wb") as handle:
            handle.write(manifest_bytes(manifest))
            handle.flush()
            os.fsync(handle.fileno())

    def commit(self) -> None:
        self.close_sinks()
        _fsync_tree(self.path)
        old = None
        if os.path.lexists(self.final):
            if exchange(self.path, self.final):
                old = self.path  # the name now holds the previous output
            else:
                old = self.final.parent / f"{self.final.name}{OLD_MARK}{secrets.token_hex(6)}"
                os.rename(self.final, old)
        if old is not self.path:
            try:
                os.rename(self.path, self.final)
            except BaseException:
                if old is not None:
                    os.rename(old, self.final)
                raise
        _fsync_dir(self.final.absolute().parent)
        self._release()
        if old is not None:
            problem = _remove_tree(old)
            if problem:
                self.warnings.append(f"the previous output is left at {old} and could not be deleted "
                                     f"({problem}); the next build into {self.final} deletes it")

    def abort(self) -> None:
        for sink in self._sinks:
            sink.discard()
        shutil.rmtree(self.path, ignore_errors=True)
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, error_type, error, traceback) -> bool:
        if error_type is not None:
            self.abort()
        return False


STAGING_MARK = ".tmp-"
OLD_MARK = ".old-"
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):  # not Linux, or a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step; False when this system or filesystem cannot (nothing changed)."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _hold(directory: Path):
    """Lock a staging directory for as long as this process lives, so another build's clean-up
    (`remove_leftovers`) can tell a build in progress from one that was killed."""
    try:
        import fcntl
    except ImportError:  # not POSIX: leftovers are then never deleted automatically
        return None
    fd = os.open(directory, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _held_elsewhere(directory: Path) -> bool:
    try:
        import fcntl
    except ImportError:
        return True
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # releases the probe's lock too


def leftovers(final: Path) -> list[Path]:
    """`DIR.tmp-*` and `DIR.old-*` siblings of DIR that no live build holds: killed builds' remains."""
    parent = final.absolute().parent
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    found = []
    for name in sorted(names):
        if not (name.startswith(final.name + STAGING_MARK) or name.startswith(final.name + OLD_MARK)):
            continue
        path = parent / name
        if path.is_dir() and not path.is_symlink() and not _held_elsewhere(path):
            found.append(path)
    return found


def remove_leftovers(final: Path) -> None:
    for path in leftovers(final):
        _remove_tree(path)


def _remove_tree(path: Path) -> str | None:
    """Delete a directory tree; the first failure's reason, or None."""
    problems: list[str] = []
    shutil.rmtree(path, onerror=lambda _f, where, info: problems.append(f"{where}: {info[1]}"))
    return problems[0] if problems else None


def _refuse_foreign(final: Path) -> None:
    """Never replace a directory that is not a previous build: `-o .` must not delete a project."""
    if not final.exists():
        return
    if not final.is_dir():
        raise OutputError(f"cannot write {final}: it exists and is not a directory")
    if (final / MANIFEST).is_file():
        _refuse_strangers(final)
        return
    if any(final.iterdir()):
        raise OutputError(f"refusing to replace {final}: it is not empty and holds no {MANIFEST} "
                          "(not a previous build output)")


def _refuse_strangers(final: Path) -> None:
    """A previous build may be replaced only as a whole: files it did not write (a coverage
    report, graded results, another build in a subdirectory) would be lost with it. The audit's
    reports of that build are the exception: they describe the data being replaced.

    The manifest's word is not enough (anyone can write one): every file it lists must still
    have the sha256 it records, and a build writes no symbolic links."""
    try:
        manifest = json.loads((final / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as e:
        raise OutputError(f"refusing to replace {final}: its {MANIFEST} cannot be read ({e})") from e
    problem = trust.outputs_problem(manifest)
    if problem:
        raise OutputError(f"refusing to replace {final}: its {MANIFEST} cannot be used ({problem})")
    links = trust.symlinks_under(final)
    if links:
        raise OutputError(f"refusing to replace {final}: it holds symbolic links ({_some(links)}), which no "
                          "build writes; move them or build into another directory")
    written = {entry["path"] for entry in manifest["outputs"]} | {MANIFEST} | set(AUDIT_REPORTS)
    strangers = sorted(path.relative_to(final).as_posix() for path in final.rglob("*")
                       if not path.is_dir() and path.relative_to(final).as_posix() not in written)
    if strangers:
        raise OutputError(f"refusing to replace {final}: it holds files the previous build did not write "
                          f"({_some(strangers)}); move them or build into another directory")
    changed = trust.unverified_outputs(final, manifest["outputs"])
    if changed:
        raise OutputError(f"refusing to replace {final}: {_some(changed)} no longer match the sha256 in its "
                          f"{MANIFEST} (edited since the build, or not written by one); move them or build "
                          "into another directory")


def _some(paths: list[str]) -> str:
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _refuse_holding(final: Path, protected: Iterable[str | Path]) -> None:
    """Never replace a directory that holds one of the build's own inputs (`-o .` beside the sources)."""
    final_dir = final.resolve()
    for path in protected:
        resolved = Path(path).resolve()
        if resolved == final_dir or final_dir in resolved.parents:
            raise OutputError(f"refusing to replace {final}: it holds {Path(path).as_posix()}, "
                              "a source of this build")


def _fsync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems cannot fsync a directory
        pass
    finally:
        os.close(fd)


def file_entry(root: Path, path: Path, records: int | None = None) -> dict[str, Any]:
    """A manifest entry for a file written by a target: its path under DIR, sha256 and line count."""
    digest = hashlib.sha256()
    lines = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(BUFFER_BYTES), b""):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    if records is None and path.suffix == ".jsonl":
        records = lines
    return {"path": path.relative_to(root).as_posix(), "sha256": digest.hexdigest(), "records": records}


def read_records(path: Path) -> Iterator[dict]:
    """The records of one of the build's files; a damaged line raises `jsonl.JsonlError` naming it."""
    for line in jsonl.records(path):
        yield line.value
