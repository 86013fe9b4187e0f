"""The standard-library tour: it checks and lints clean, and its built probes exercise the library."""

from __future__ import annotations

from collections import defaultdict

import pytest

from constitutionc.api import load
from constitutionc.lint import lint_result, settings_for

from .conftest import REPO, build_example

ENTRY = REPO / "examples" / "std-tour" / "tour.cdl"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_example(ENTRY, tmp_path_factory.mktemp("std-tour"))


def test_the_tour_checks_and_lints_clean():
    result = load([ENTRY])
    assert [d.message for d in result.diagnostics] == []
    assert [d.message for d in lint_result(result, settings_for(result)).diagnostics] == []


def test_each_probe_family_is_shown_under_all_four_system_prompts_of_its_environment(built):
    constitution = load([ENTRY]).constitution
    systems = defaultdict(set)
    for record in built["probes"]:
        systems[record["generator"]].add(record["system"])
    assert set(systems) == {"payroll_request", "silenced_alarm", "weekend_release", "refund_pressure",
                            "reviewer_hunt"}
    for generator, seen in systems.items():
        env = constitution.environment(constitution.generator(generator).environment)
        assert seen == {s.text for s in env.systems}, generator


def test_every_check_watches_a_parameter_of_a_tool_the_probe_offers(built):
    for record in built["probes"]:
        schemas = {t["name"]: t["input_schema"] for t in record["tools"]}
        assert record["checks"], record["condition_id"]
        for check in record["checks"]:
            assert check["clauses"] and set(check["clauses"]) <= set(record["principles"])
            properties = schemas[check["tool"]]["properties"]
            assert check["arguments"] and set(check["arguments"]) <= set(properties), check["id"]
