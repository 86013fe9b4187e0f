"""Any input yields diagnostics or a one-line error, never a traceback.

Hypothesis mutates the real `.cdl` files shipped in the repository (truncation,
byte flips, insertions, deletions, duplication) and asserts the front end
returns diagnostics instead of raising. A few pathological inputs run through
the real command line to check exit codes and stderr.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constitutionc.api import load

REPO = Path(__file__).resolve().parents[2]


def shipped_cdl_files() -> list[Path]:
    roots = [REPO / "examples", REPO / "constitutions", REPO / "constitutionc" / "std", REPO / "tests"]
    files = sorted(p for root in roots if root.exists() for p in root.rglob("*.cdl"))
    # Keep the property test quick: the largest real files are sampled by byte range below anyway.
    return files


CORPUS = [p.read_bytes() for p in shipped_cdl_files()]


@st.composite
def mutated(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete", "duplicate"]))
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        if op == "truncate":
            del data[at:]
        elif op == "flip":
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif op == "insert":
            data[at:at] = draw(st.sampled_from([b"{", b"}", b'"', b'"""', b":", b"|", b">", b"\n", b"#",
                                                b"principle ", b"when ", b"\xff", b"\x00", b"{slot}",
                                                b"conversation {", b"argues: a > b\n", b"serves: email\n",
                                                b"tool t { argument p: \"v\" }", b"axis a { v { f: \"x\" } }\n",
                                                b"vary: a\n", b"{a.f}"]))
        elif op == "delete":
            del data[at:at + draw(st.integers(min_value=1, max_value=40))]
        else:
            end = min(len(data), at + draw(st.integers(min_value=1, max_value=200)))
            data[at:at] = data[at:end]
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_real_files_never_raise(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.cdl"
    path.write_bytes(data)
    result = load([path])  # must not raise
    for d in result.diagnostics:
        assert d.code.startswith("CDL") and d.message


PATHOLOGICAL = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "invalid-utf8": b'principle a.b { text: "\xc3\x28" why: "w" }',
    "one-megabyte-line": b"principle a.b { text: " + b"@x" * 500_000 + b" why: \"w\" }",
    "one-megabyte-valid-line": b"principle a.b { text: \"" + b"x" * 1_000_000 + b"\" why: \"w\" }",
    "deep-nesting": b'section "s" {' * 10_000 + b"}" * 10_000,
    "truncated-string": b'principle a.b { text: """never closed',
    "only-braces": b"}}}}{{{{" * 1000,
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_inputs_exit_cleanly(tmp_path, name):
    path = tmp_path / f"{name}.cdl"
    path.write_bytes(PATHOLOGICAL[name])
    proc = subprocess.run([sys.executable, "-m", "constitutionc", "check", "--format", "gnu", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    if name == "one-megabyte-valid-line":
        assert proc.returncode == 0
    elif name != "empty":
        assert proc.returncode == 1
        assert proc.stdout.strip(), "a bad file must produce at least one diagnostic"
