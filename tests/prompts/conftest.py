"""Materials for the prompt tests: the shipped constitution and its offline build (limited), built once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from constitutionc import api
from tests.conftest import REPO


@pytest.fixture(scope="session")
def shipped():
    result = api.load([REPO / "constitutions" / "claude-2026.cdl"])
    assert result.ok
    return result.constitution


@pytest.fixture(scope="session")
def shipped_build(shipped, tmp_path_factory) -> dict[str, list[dict]]:
    out = tmp_path_factory.mktemp("shipped") / "out"
    api.build(shipped, out, limit=2)
    return {kind: [json.loads(line) for line in (out / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]
            for kind in ("dilemmas", "probes")}
