"""Shared test configuration: repository paths and the golden-file update switch."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="Rewrite golden files from the current output instead of comparing.")


def pytest_configure(config):
    if config.getoption("--update-goldens", default=False):
        os.environ["UPDATE_GOLDENS"] = "1"


def update_goldens() -> bool:
    return os.environ.get("UPDATE_GOLDENS") == "1"


def assert_golden(path: Path, actual: str) -> None:
    """Compare `actual` with the golden file at `path`; with --update-goldens, rewrite it."""
    if update_goldens() or not path.exists():
        if not update_goldens():
            pytest.fail(f"golden file {path} is missing; run pytest --update-goldens to create it")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"output differs from {path}; run pytest --update-goldens if the change is intended"


EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")


def inline_expectations(path: Path) -> set[tuple[int, str]]:
    """(line, code) pairs a data file expects, from its `# expect: CODE, CODE` comments."""
    found = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(",") if code.strip())
    return found


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def model_server():
    """A local model server speaking the Anthropic and OpenAI protocols (see tests/llm/server.py)."""
    from tests.llm.server import ModelServer

    server = ModelServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory):
    """`constitutionc generate` output of every generated kind with the critique pass and the hf, openai
    and anthropic targets, made once per session against the local protocol server with the scripted
    model (see tests/generate/generated.py): for tests that read a generated build (targets, audit)."""
    from tests.generate.generated import make_generated_build

    return make_generated_build(tmp_path_factory.mktemp("generated"))
