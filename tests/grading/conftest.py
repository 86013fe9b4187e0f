"""Running the generated `grading.cjs` under node (node is on CI's machine; these tests skip without it)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from constitutionc.grading import javascript_module

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@pytest.fixture(scope="session")
def grading_js(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("grading-js") / "grading.cjs"
    path.write_text(javascript_module(), encoding="utf-8")
    return path


def run_node(script: str, payload, module: Path):
    """Run `script` with `grading` (the module) and `input` (the payload, read with JSON.parse) in scope."""
    program = ("const grading = require(process.argv[1]);\n"
               "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
               f"process.stdout.write(JSON.stringify((() => {{ {script} }})()));\n")
    done = subprocess.run([NODE, "-e", program, str(module)], input=json.dumps(payload, ensure_ascii=False),
                          capture_output=True, text=True, timeout=120, encoding="utf-8")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
