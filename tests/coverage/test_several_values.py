"""A principle that serves several core values counts in the roll-up of each."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from constitutionc.commands.build import command as build
from constitutionc.commands.coverage import command as coverage

SOURCE = Path(__file__).parent / "data" / "two_values.cdl"


def test_both_values_count_the_shared_principle(tmp_path):
    out = tmp_path / "out"
    done = CliRunner().invoke(build, [str(SOURCE), "-o", str(out)])
    assert done.exit_code == 0, done.output
    report = CliRunner().invoke(coverage, [str(SOURCE), "--data", str(out), "--format", "json"])
    data = json.loads(report.stdout)
    values = {row["id"]: row for row in data["values"]}
    assert values["ethics"]["principles"] == 1 and values["safety"]["principles"] == 2
    assert values["ethics"]["citing"]["dilemmas"] == values["safety"]["citing"]["dilemmas"] == 2
    assert values["ethics"]["principle_ids"] == ["shared.report"]
