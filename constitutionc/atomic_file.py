"""Writing one file atomically: the text goes to a staging file beside it, renamed over it when complete.

A reader sees the old file or the new one, never part of one; when writing fails (a full disk, text that
cannot be encoded, an error in the caller's block, a rename refused) the staging file is removed and the
old file is left as it was. (A whole output directory is swapped by `emit/writer.py` instead.)
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, TextIO

# Permissions a new file gets before the umask, as `open()` gives them; private files pass 0o600.
DEFAULT_MODE = 0o666


def staging_name(path: Path) -> Path:
    """A fresh name beside `path` for its staging file (hidden, so no glob for `*.jsonl` picks it up)."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")


@contextmanager
def atomic_writer(path: Path | str, *, mode: int = DEFAULT_MODE, sync: bool = True) -> Iterator[TextIO]:
    """A UTF-8 text handle (newlines written as `\\n`) whose content replaces `path` when the block ends.

    `sync` flushes the file to disk before the rename, so a crash cannot leave an empty file in its place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        staging = staging_name(path)
        try:
            fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise


def write_atomic(path: Path | str, text: str, *, mode: int = DEFAULT_MODE, sync: bool = True) -> None:
    """Replace `path` with `text` in one step (see `atomic_writer`)."""
    with atomic_writer(path, mode=mode, sync=sync) as handle:
        handle.write(text)
