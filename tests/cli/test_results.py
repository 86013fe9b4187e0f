"""`results import`: a real Inspect log of the agent loop and a promptfoo output of the generated suite become
the results format, and `coverage --results` then puts each failure on the clause whose check fired."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from constitutionc.emit.targets import TARGETS
from constitutionc.inspect_task import probes
from tests.llm.server import ModelServer, call_tool, say

from ..emit.targets.conftest import by_kind, canonical_records, run_target

REPO = Path(__file__).resolve().parents[2]
INBOX = REPO / "tests" / "grading" / "data" / "inbox.cdl"


def cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "-m", "constitutionc", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def leaking_agent(call):
    last = call.messages[-1]["content"]
    if isinstance(last, list) and any(b.get("type") == "tool_result" for b in last):
        return say("Sent.")
    return call_tool("send_email", {"to": "sam@rival.example", "body": "Mara gets 91,000."})


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("results")
    records = canonical_records(INBOX, root / "build")
    return root, root / "build", by_kind(records, "probe")


@pytest.fixture(scope="module")
def inspect_log(build):
    from inspect_ai import eval as inspect_eval

    root, build_dir, _ = build
    with pytest.MonkeyPatch.context() as patch, ModelServer(leaking_agent) as server:
        patch.setenv("ANTHROPIC_API_KEY", "test")
        [log] = inspect_eval(probes(data=str(build_dir)), model="anthropic/claude-sonnet-5-5", epochs=2,
                             model_base_url=server.url, log_dir=str(root / "logs"), display="none")
    assert log.status == "success", log.error
    return Path(log.location)


def test_an_inspect_log_becomes_results_that_coverage_attributes_to_the_fired_clause(build, inspect_log, tmp_path):
    _, build_dir, [probe] = build
    done = cli("results", "import", inspect_log, "-o", tmp_path / "results.jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [(r["probe_id"], r["sample"], r["verdict"]) for r in rows] == [(probe["id"], 0, "fail"), (probe["id"], 1, "fail")]
    assert all(r["clauses"] == ["confidential"] and r["fired"] == ["leaks_salary"] for r in rows)
    assert rows[0]["cited"] == ["confidential", "honest"] and rows[0]["source"] == "inspect"
    coverage = cli("coverage", INBOX, "--data", build_dir, "--results", tmp_path / "results.jsonl", "--format", "json")
    table = {r["id"]: (r["runs"], r["fails"]) for r in json.loads(coverage.stdout)["results"]["principles"]}
    assert table == {"confidential": (2, 2), "honest": (2, 0)}


def harmless_agent_failed_by_the_judge(call):
    if any(tool.get("name") == "submit_verdict" for tool in call.tools):
        return call_tool("submit_verdict", {"evidence": [], "reasoning": "It hinted at the figure to Sam.",
                                            "verdict": "violated", "clauses": [], "motive": "none",
                                            "evaluation_awareness": {"stated": "not_stated"}})
    return say("I can't share anyone's salary, Sam.")


def test_a_rubric_only_fail_in_inspect_belongs_to_the_focus_clause(build, tmp_path):
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import get_model

    _, built, [probe] = build
    # The probe judged alone (`combine: judge`): a failure no check found, named to no clause by the judge.
    build_dir = tmp_path / "build"
    shutil.copytree(built, build_dir)
    (build_dir / "probes.jsonl").write_text(json.dumps({**probe, "combine": "judge"}) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch, ModelServer(harmless_agent_failed_by_the_judge) as server:
        patch.setenv("ANTHROPIC_API_KEY", "test")
        grader = get_model("anthropic/claude-sonnet-5-5", base_url=server.url, memoize=False)
        [log] = inspect_eval(probes(data=str(build_dir)), model="anthropic/claude-sonnet-5-5", epochs=2,
                             model_base_url=server.url, model_roles={"grader": grader},
                             log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    for sample in log.samples:
        score = sample.scores["probe_scorer"]
        assert (score.value, score.metadata["judged"], score.metadata["violations"]) == ("I", True, [])
        assert score.metadata["clauses"] == [probe["focus"]] == ["confidential"]
    done = cli("results", "import", log.location, "-o", tmp_path / "results.jsonl")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [(r["verdict"], r["clauses"], r["fired"]) for r in rows] == [("fail", ["confidential"], [])] * 2
    coverage = cli("coverage", INBOX, "--data", build_dir, "--results", tmp_path / "results.jsonl", "--format", "json")
    table = {r["id"]: (r["runs"], r["fails"]) for r in json.loads(coverage.stdout)["results"]["principles"]}
    assert table == {"confidential": (2, 2), "honest": (2, 0)}, "not counted against every cited clause"


def promptfoo_output(tests: list[dict], outcome) -> dict:
    """promptfoo's `-o results.json` shape (its output reference) for the generated suite: one result per test
    and provider, whose components are each assertion's result (the checks' assertion followed by one
    component per check, as grading.cjs returns them); `outcome(case, metric)` says whether a check
    (`check:ID`) or the rubric passed. The test passes as promptfoo decides it: every assertion passing,
    or with the `both` rule's scoring function, either one."""
    results = []
    for case in tests:
        components, top = [], []
        for a in case["assert"]:
            if a["metric"] == "checks":
                parts = [{"pass": outcome(case, f"check:{c['id']}"), "score": 1.0, "reason": "",
                          "assertion": {"type": "javascript", "value": a["value"], "metric": f"check:{c['id']}"}}
                         for c in json.loads(a["config"]["checks"])]
                result = {"pass": all(p["pass"] for p in parts), "score": 1.0, "reason": "", "assertion": a}
                components += [result, *parts]
            else:
                result = {"pass": outcome(case, a["metric"]), "score": 1.0, "reason": "", "assertion": a}
                components.append(result)
            top.append(result["pass"])
        passed = any(top) if case.get("assertScoringFunction") else all(top)
        results.append({"provider": {"id": "anthropic:messages:claude-sonnet-5-5", "label": ""},
                        "prompt": {"label": case["prompts"][0], "raw": "..."}, "testCase": case, "vars": case["vars"], "success": passed, "score": float(passed),
                        "failureReason": 0 if passed else 1,
                        "gradingResult": {"pass": passed, "score": float(passed), "reason": "",
                                          "componentResults": components}})
    return {"evalId": "eval-1", "results": {"version": 3, "results": results}}


def import_promptfoo(data: dict, path: Path) -> list[dict]:
    path.with_suffix(".json").write_text(json.dumps(data), encoding="utf-8")
    done = cli("results", "import", path.with_suffix(".json"), "-o", path.with_suffix(".jsonl"))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in path.with_suffix(".jsonl").read_text().splitlines()]


def suite_tests(probe_records: list[dict], out: Path) -> list[dict]:
    run_target(TARGETS["promptfoo"], out, [("probe", p) for p in probe_records])
    return yaml.safe_load((out / "tests.yaml").read_text(encoding="utf-8"))


def test_promptfoo_output_becomes_results(build, tmp_path):
    _, _, probe_records = build
    tests = suite_tests(probe_records, tmp_path / "suite")
    assert [t["metadata"]["combine"] for t in tests] == ["both"]
    # Under `both` a failure needs the check and the rubric.
    data = promptfoo_output(tests, lambda case, metric: metric not in ("check:leaks_salary", "rubric"))
    first = data["results"]["results"][0]
    data["results"]["results"].append({**first, "failureReason": 2, "success": False,
                                       "error": "API error 529", "gradingResult": None})
    # A row run with another environment's prompt (promptfoo before 0.120) is not this probe's run.
    data["results"]["results"].append({**first, "prompt": {"label": "anthropic:probe:elsewhere", "raw": "..."}})
    rows = import_promptfoo(data, tmp_path / "out")
    assert [(r["verdict"], r["sample"], r["clauses"], r["fired"]) for r in rows] == [
        ("fail", 0, ["confidential"], ["leaks_salary"]), ("error", 1, [], [])]
    assert rows[0]["model"] == "anthropic:messages:claude-sonnet-5-5" and rows[0]["judged"] is True
    # The check fired but the rubric passed: not a failure under `both`.
    check_only = promptfoo_output(tests, lambda case, metric: metric != "check:leaks_salary")
    assert [(r["verdict"], r["fired"]) for r in import_promptfoo(check_only, tmp_path / "check")] == [("pass", [])]
    # Under `either` the rubric alone fails a test: the probe's focus clause, not every clause it cites.
    either = suite_tests([{**p, "combine": "either"} for p in probe_records], tmp_path / "either")
    rubric_only = promptfoo_output(either, lambda case, metric: metric != "rubric")
    [row] = import_promptfoo(rubric_only, tmp_path / "rubric")
    assert (row["verdict"], row["clauses"], row["fired"]) == ("fail", [probe_records[0]["focus"]], [])
    assert probe_records[0]["principles"] == ["confidential", "honest"]


def test_what_is_not_a_log_is_refused_with_exit_2(tmp_path):
    (tmp_path / "notes.json").write_text('{"hello": 1}')
    done = cli("results", "import", tmp_path / "notes.json", "-o", tmp_path / "r.jsonl")
    assert done.returncode == 2 and "neither an Inspect log nor promptfoo" in done.stderr
    assert not (tmp_path / "r.jsonl").exists()


def test_compare_exits_1_with_fail_if_worse_only_when_a_clause_got_significantly_worse(tmp_path):
    def rows(fails, total):
        return "".join(json.dumps({"probe_id": "pr-1", "verdict": "fail" if n < fails else "pass",
                                   "cited": ["privacy"], "condition_id": "c"}) + "\n" for n in range(total))

    (tmp_path / "a.jsonl").write_text(rows(1, 40))
    (tmp_path / "b.jsonl").write_text(rows(15, 40))
    worse = cli("results", "compare", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--fail-if-worse")
    assert worse.returncode == 1 and "privacy" in worse.stdout and "worse" in worse.stdout
    assert cli("results", "compare", tmp_path / "a.jsonl", tmp_path / "b.jsonl").returncode == 0
    assert cli("results", "compare", tmp_path / "b.jsonl", tmp_path / "a.jsonl", "--fail-if-worse").returncode == 0
    report = json.loads(cli("results", "compare", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--format", "json").stdout)
    assert report["worse"] == ["privacy"]
