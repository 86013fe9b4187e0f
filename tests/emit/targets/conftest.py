"""Canonical records for the target tests: the real build's output for real constitutions.

The quickstart example plus `data/varied.cdl`, which covers what the quickstart
lacks: no axes, a system context, unicode, documents, optional and enum tool
parameters, says/omits checks, system variants, slots and forcing rules. The
records are read back from the build's JSONL files in the order the build
feeds its targets (file by file: dilemmas, responses, probes).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from constitutionc.api import load
from constitutionc.emit import BuildOptions, build
from constitutionc.emit.writer import read_records

REPO = Path(__file__).resolve().parents[3]
DATA = Path(__file__).resolve().parent / "data"
QUICKSTART = REPO / "tests" / "emit" / "data" / "quickstart.cdl"
VARIED = DATA / "varied.cdl"
SEED = 20240229


def canonical_records(path: Path, out_dir: Path) -> list[tuple[str, dict]]:
    result = load([path])
    assert result.ok, result.diagnostics
    options = BuildOptions(seed=SEED)
    build(result.constitution, out_dir, options)
    return [(k.name, record) for k in options.kinds() for record in read_records(out_dir / k.filename)]


@pytest.fixture(scope="session")
def records(tmp_path_factory) -> list[tuple[str, dict]]:
    """Every canonical record of the quickstart example and the varied fixture, in stream order."""
    root = tmp_path_factory.mktemp("canonical")
    return canonical_records(QUICKSTART, root / "quickstart") + canonical_records(VARIED, root / "varied")


def by_kind(records, kind: str) -> list[dict]:
    return [r for k, r in records if k == kind]


def run_target(cls, out_dir: Path, records, **options) -> list[Path]:
    target = cls(out_dir, **options)
    for kind, record in records:
        target.write(kind, record)
    return target.close()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@contextmanager
def offline_datasets(home: Path):
    """`datasets` with its cache under `home` and no network (HF_HOME, HF_DATASETS_OFFLINE), restored after."""
    saved = {k: os.environ.get(k) for k in ("HF_HOME", "HF_DATASETS_OFFLINE")}
    os.environ.update(HF_HOME=str(home), HF_DATASETS_OFFLINE="1")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
