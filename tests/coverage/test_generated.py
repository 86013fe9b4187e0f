"""`coverage` of what `constitutionc generate` wrote: the model-written kinds (ablations, documents,
stories, episodes) carry no generator or axes, and coverage reads them as records all the same,
counting each kind by name (a walkthrough found `coverage --data GEN` refused the first such line)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from constitutionc import api
from constitutionc.coverage import compute_coverage
from constitutionc.emit.kinds import KINDS


def kinds_in(out):
    counts = Counter()
    for name in sorted(out.glob("*.jsonl")):
        for line in name.read_text(encoding="utf-8").splitlines():
            if line.strip():
                counts[json.loads(line)["kind"]] += 1
    return counts


def test_every_generated_record_is_counted_under_its_own_kind(generated_build):
    document = compute_coverage(api.load([generated_build.constitution]).constitution, generated_build.out)
    written = kinds_in(generated_build.out)
    assert {"ablation", "document", "story", "episode", "model_response"} <= set(written)
    assert document["totals"]["by_kind"] == {KINDS[k].plural: written[k] for k in KINDS if written[k]}
    assert document["totals"]["records"] == sum(written.values())


def test_the_command_reports_a_generated_build(generated_build):
    result = subprocess.run([sys.executable, "-m", "constitutionc", "coverage", str(generated_build.constitution),
                             "--data", str(generated_build.out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    summary = " ".join(result.stdout.split("Principles")[0].split())  # the summary, however it wraps
    assert "stories" in summary and "episodes" in summary and "model_responses" in summary
