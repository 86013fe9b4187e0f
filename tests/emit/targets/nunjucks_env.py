"""The real nunjucks package for the template-injection tests, installed from the npm registry into
`.node/` at the repository root on first use (`.ci/run` installs it up front).

Without node or npm the tests skip; on CI (`CI` set) a failed install fails them instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
NUNJUCKS_VERSION = "3.2.4"
PREFIX = REPO / ".node"


def nunjucks_module() -> Path:
    """The directory of the nunjucks package (skips or fails the test when it cannot be had)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    package = PREFIX / "node_modules" / "nunjucks"
    if not (package / "package.json").exists():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed")
        done = subprocess.run(["npm", "install", "--prefix", str(PREFIX), "--no-audit", "--no-fund",
                               f"nunjucks@{NUNJUCKS_VERSION}"], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            message = f"could not install nunjucks: {done.stderr[-2000:]}"
            pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    assert json.loads((package / "package.json").read_text())["version"] == NUNJUCKS_VERSION
    return package
