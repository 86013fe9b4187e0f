"""The security audit of issue 16 at full scale: more mutants, every kill point, every environment.

    .venv/bin/python bench/security_audit.py

Runs tests/security with CONSTITUTIONC_AUDIT=full (the suite runs the same tests bounded, so
`.ci/run` stays fast) and prints each test's counts: mutants and how many built, kills that
landed and what DIR held afterwards, payloads and files parsed. Needs strace for the kill points
(`apt-get install strace`); without it those tests are skipped, as in the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    started = time.monotonic()
    env = dict(os.environ, CONSTITUTIONC_AUDIT="full")
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                             "tests/security"], cwd=REPO, env=env, capture_output=True, text=True)
    counts = [line for line in result.stdout.splitlines()
              if any(word in line for word in ("mutants", "kills", "payloads"))]
    print("\n".join(line.lstrip(".s") for line in counts))
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "")
    print(f"full audit: {time.monotonic() - started:.0f} s, pytest exit status {result.returncode}")
    if result.returncode:
        print(result.stdout[-4000:], result.stderr[-2000:], sep="\n")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
