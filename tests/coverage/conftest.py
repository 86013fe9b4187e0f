"""Coverage test fixtures: real constitutions expanded into build records (see synthetic_build.py)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.emit import kinds as record_kinds

from .synthetic_build import write_build

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
QUICKSTART = REPO / "tests/coverage/data/quickstart.cdl"
NESTED = DATA / "nested.cdl"

# The files a default build writes, one per kind on by default (the kind registry says which).
RECORD_FILES = tuple(k.filename for k in record_kinds.defaults())


@pytest.fixture(autouse=True)
def _run_from_repo(monkeypatch):
    # Source paths in records and reports are relative to the working directory, as the compiler prints them.
    monkeypatch.chdir(REPO)


def loaded(path: Path):
    result = load([path])
    assert result.ok, [d.message for d in result.diagnostics]
    return result.constitution


@pytest.fixture(scope="session")
def quickstart_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("quickstart-build")
    import os

    here = os.getcwd()
    os.chdir(REPO)
    try:
        write_build(loaded(QUICKSTART.relative_to(REPO)), out)
    finally:
        os.chdir(here)
    return out


@pytest.fixture(scope="session")
def nested_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("nested-build")
    import os

    here = os.getcwd()
    os.chdir(REPO)
    try:
        write_build(loaded(NESTED.relative_to(REPO)), out)
    finally:
        os.chdir(here)
    return out


@pytest.fixture
def copy_of(tmp_path):
    def copy(path: Path) -> Path:
        target = tmp_path / path.name
        shutil.copytree(path, target) if path.is_dir() else shutil.copy(path, target)
        return target

    return copy


def naive_counts(data_dir: Path, current_hashes: dict[str, str]) -> dict[str, Counter]:
    """An independent oracle: parse every record fully and count fresh citations per principle and kind."""
    counts: dict[str, Counter] = {}
    for name in RECORD_FILES:
        path = data_dir / name
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            cited = {s["clause"] for s in record["sources"] if current_hashes.get(s["clause"]) == s["sha256"]}
            for clause in cited:
                bucket = counts.setdefault(clause, Counter())
                bucket[record["kind"]] += 1
                if record["kind"] == "response":
                    bucket[record["variant"]] += 1
    return counts


COMPLETE = DATA / "complete.cdl"


@pytest.fixture(scope="session")
def complete_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("complete-build")
    import os

    here = os.getcwd()
    os.chdir(REPO)
    try:
        write_build(loaded(COMPLETE.relative_to(REPO)), out)
    finally:
        os.chdir(here)
    return out
