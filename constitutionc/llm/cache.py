"""The content-addressed answer cache: one file per canonical request key, outside any output directory.

Only answers are stored (never errors), each written to a temporary file and renamed into place, so a
reader sees a whole answer or none.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..atomic_file import write_atomic
from .request import Request, Response, canonical_json

CACHE_ENV = "CONSTITUTIONC_CACHE"


def default_cache_dir() -> Path:
    """`$CONSTITUTIONC_CACHE`, else the user cache directory (platformdirs), else ~/.cache/constitutionc."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    try:
        from platformdirs import user_cache_dir
    except ImportError:
        return Path.home() / ".cache" / "constitutionc"
    return Path(user_cache_dir("constitutionc", appauthor=False))


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / "answers" / key[:2] / f"{key}.json"

    def get(self, key: str) -> Response | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return Response.model_validate(data["response"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, or damaged by something outside us: ask again

    def __contains__(self, key: str) -> bool:
        return self._path(key).is_file()

    def put(self, key: str, request: Request | None, response: Response) -> None:
        record = {"key": key, "request": request.canonical() if request is not None else None,
                  "response": response.model_dump(mode="json")}
        # Private (answers may quote what was asked); not fsync'd: a lost answer is asked again.
        write_atomic(self._path(key), canonical_json(record), mode=0o600, sync=False)

    def journal_path(self, name: str) -> Path:
        """Where the journal of a run called `name` lives (one per command and output)."""
        return self.root / "journals" / f"{name}.jsonl"
