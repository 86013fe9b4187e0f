"""`constitutionc generate` end to end against the local protocol server (real `anthropic` and `openai`
clients on 127.0.0.1) with a scripted model: every kind, provenance, rejection and retry, cache reuse,
regeneration after an edited clause, budgets, dry run, batches, both providers."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from constitutionc.generate import schema as gs
from tests.generate.scripted import ScriptedModel

DATA = Path(__file__).parent.parent / "prompts" / "data"
SMALL = "dilemmas=2,stories=3,episodes=2,documents=3"

MODELS = {"drafted_dilemmas": gs.DraftedDilemmaRecord, "documents": gs.DocumentRecord, "stories": gs.StoryRecord,
          "episodes": gs.EpisodeRecord, "ablations": gs.AblationRecord, "revisions": gs.RevisionRecord,
          "rejected": gs.RejectedRecord}


@pytest.fixture
def project(tmp_path, monkeypatch):
    shutil.copy(DATA / "guard.cdl", tmp_path / "c.cdl")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    return tmp_path


def run(server, *args, provider="anthropic"):
    url = server.url + ("/v1" if provider == "openai-compatible" else "")
    result = CliRunner().invoke(main, ["generate", "c.cdl", "--base-url", url, "--provider", provider,
                                       "--cache", "cache", "--count", SMALL, *args])
    return result


def read(out: Path, name: str) -> list[dict]:
    path = out / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_every_kind_end_to_end_with_sources_provenance_and_a_true_manifest(project, model_server):
    model_server.script = ScriptedModel()
    result = run(model_server, "-o", "out", "--critique", "--target", "hf")
    assert result.exit_code == 0, result.output
    out = project / "out"
    manifest = json.loads((out / "manifest.json").read_text())
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert on_disk == {entry["path"] for entry in manifest["outputs"]}
    for entry in manifest["outputs"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
    ids = {r["id"] for name in ("dilemmas", "drafted_dilemmas") for r in read(out, name)}
    responses = read(out, "model_responses")
    counts = {name: len(read(out, name)) for name in MODELS}
    assert counts["drafted_dilemmas"] == 2  # two per family; the constitution has one family
    assert counts["documents"] == 3 and counts["stories"] == 3 and counts["episodes"] == 2
    assert counts["revisions"] > 0 and counts["ablations"] > 0
    variants = {(r["variant"], r["style"]) for r in responses}
    assert variants == {("justified", "inline"), ("justified", "separate"), ("bare", "inline"),
                        ("preference", "inline"), ("preference", "separate")}
    for name, model in MODELS.items():
        for record in read(out, name):
            model.model_validate(record)
    for record in responses:
        gs.ModelAnswerRecord.model_validate(record) if record["variant"] != "preference" else \
            gs.ModelPreferenceRecord.model_validate(record)
        assert record["dilemma_id"] in ids and record["dilemma_id"] in record["parents"]
        assert record["sources"] and all(len(s["sha256"]) == 64 for s in record["sources"])
        provenance = record["provenance"]
        assert provenance["provider"] == "anthropic" and provenance["prompt"]["version"] >= 1
        assert len(provenance["request"]) == 64 and provenance["usage"]["input_tokens"] > 0
    episode = read(out, "episodes")[0]
    assert [m["role"] for m in episode["messages"]][:3] == ["user", "assistant", "user"]
    assert episode["messages"][2]["content"][0]["type"] == "tool_result"
    assert "response_justified_inline" in manifest["generation"]["prompts"]


def test_a_rerun_pays_nothing_and_writes_the_same_bytes(project, model_server):
    model_server.script = ScriptedModel()
    assert run(model_server, "-o", "out").exit_code == 0
    paid = model_server.paid
    first = {p.name: p.read_bytes() for p in (project / "out").glob("*.jsonl")}
    assert run(model_server, "-o", "out2").exit_code == 0
    assert model_server.paid == paid
    assert {p.name: p.read_bytes() for p in (project / "out2").glob("*.jsonl")} == first


def test_an_edited_clause_regenerates_only_what_depends_on_it(project, model_server):
    model_server.script = ScriptedModel()
    assert run(model_server, "-o", "out", "--kinds", "documents,stories", "--count",
               "documents=30,stories=12").exit_code == 0
    before = {r["id"]: r for name in ("documents", "stories") for r in read(project / "out", name)}
    paid = model_server.paid
    text = (project / "c.cdl").read_text()
    old = "Only say what you believe to be true, and do not create false impressions."
    assert old in text
    (project / "c.cdl").write_text(text.replace(old, "Say only what you believe true; create no false impression."))
    assert run(model_server, "-o", "out", "--kinds", "documents,stories", "--count",
               "documents=30,stories=12").exit_code == 0
    after = {r["id"]: r for name in ("documents", "stories") for r in read(project / "out", name)}
    changed = [r for r in after.values() if r["id"] not in before]
    # What was asked again is exactly what the old text was in (the clause itself, or as a neighbour
    # or a section member), and nothing else.
    first_run, second_run = model_server.bodies[:paid], model_server.bodies[paid:]
    depended = [b for b in first_run if "do not create false impressions" in json.dumps(b)]
    assert changed and len(second_run) == len(changed) == len(depended) < len(first_run)
    assert all("create no false impression" in json.dumps(b) for b in second_run)
    assert len(set(before) & set(after)) == len(after) - len(changed)


def test_invalid_and_substandard_replies_are_retried_and_logged(project, model_server):
    model_server.script = ScriptedModel(invalid_first={"submit_story"}, stage_direction_first=True)
    assert run(model_server, "-o", "out", "--kinds", "responses,stories").exit_code == 0
    rejected = read(project / "out", "rejected")
    reasons = [reason for r in rejected for reason in r["reasons"]]
    assert any(reason.startswith("schema: ") for reason in reasons)
    assert any(reason.startswith("stage_direction: ") for reason in reasons)
    assert all(not r["final"] for r in rejected)  # each came right on its next attempt
    assert any(r["provenance"]["sample"] == 1 for r in read(project / "out", "stories"))
    assert len(read(project / "out", "stories")) == 3


def test_an_item_that_never_comes_right_is_given_up_after_its_attempts(project, model_server):
    script = ScriptedModel()
    script._submit_story = lambda user, seed, system: {"title": "Short", "story": "Too short.", "premise": "x"}
    model_server.script = script
    assert run(model_server, "-o", "out", "--kinds", "stories", "--attempts", "2").exit_code == 0
    rejected = read(project / "out", "rejected")
    assert len(rejected) == 3 * 2 and sum(r["final"] for r in rejected) == 3
    assert "length: story has 2 words" in rejected[0]["reasons"][0]
    assert read(project / "out", "stories") == []


def test_a_budget_stops_before_exceeding_writes_nothing_and_a_rerun_finishes(project, model_server):
    model_server.script = ScriptedModel()
    result = run(model_server, "-o", "out", "--max-requests", "5")
    assert result.exit_code == 3, result.output
    assert "rerun" in result.output and not (project / "out").exists()
    paid = model_server.paid
    assert paid <= 5
    result = run(model_server, "-o", "out")
    assert result.exit_code == 0, result.output
    assert model_server.repeated == 0 and model_server.paid > paid


def test_the_dry_run_prints_each_kind_and_calls_nothing_paid(project, model_server):
    result = run(model_server, "-o", "out", "--dry-run")
    assert result.exit_code == 0, result.output
    assert model_server.paid == 0 and not (project / "out").exists()
    lines = result.output.splitlines()
    for kind in ("responses", "dilemmas", "documents", "stories", "episodes", "total"):
        assert any(line.startswith(kind) for line in lines), result.output


def test_the_dry_run_after_a_complete_run_has_nothing_left_to_send(project, model_server):
    # The answers of the run are in the cache: the dry run settles each request with its cached answer,
    # as the run did, so the requests that follow (responses to drafted dilemmas, critiques, revisions)
    # are the run's own and cached too. Nothing is left to send and nothing to pay.
    before = run(model_server, "-o", "out", "--critique", "--dry-run")
    assert before.exit_code == 0, before.output
    assert "0 answered by the cache already" in before.output
    model_server.script = ScriptedModel()
    assert run(model_server, "-o", "out", "--critique").exit_code == 0
    paid = model_server.paid
    after = run(model_server, "-o", "out", "--critique", "--dry-run")
    assert after.exit_code == 0, after.output
    assert f"0 requests to send, {paid:,} answered by the cache already; at most $0.00" in after.output
    total = next(line.split() for line in after.output.splitlines() if line.startswith("total"))
    assert total[1:3] == ["0", f"{paid:,}"] and total[-1] == "0.00"
    assert model_server.paid == paid


def test_a_missing_key_is_one_line_naming_the_variable(project, model_server, monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    result = run(model_server, "-o", "out")
    assert result.exit_code == 2 and "ANTHROPIC_API_KEY" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (project / "out").exists()


def test_the_openai_compatible_provider(project, model_server):
    model_server.script = ScriptedModel()
    result = run(model_server, "-o", "out", "--kinds", "responses", provider="openai-compatible")
    assert result.exit_code == 0, result.output
    responses = read(project / "out", "model_responses")
    assert responses and all(r["provenance"]["provider"] == "openai-compatible" for r in responses)
    # Open models need the prompt's sampling temperature; the Messages API is sent none (next test).
    assert model_server.bodies and all(isinstance(body.get("temperature"), float) for body in model_server.bodies)


def test_the_messages_api_is_sent_no_temperature(project, model_server):
    model_server.script = ScriptedModel()
    result = run(model_server, "-o", "out", "--kinds", "responses")
    assert result.exit_code == 0, result.output
    assert model_server.bodies and not any("temperature" in body for body in model_server.bodies)


def test_batches_give_the_same_records(project, model_server):
    from constitutionc import api
    from constitutionc.generate import GenerateOptions, generate
    from constitutionc.llm import Cache, PriceTable, Session, get_provider

    model_server.script = ScriptedModel()
    constitution = api.load(["c.cdl"]).constitution
    options = GenerateOptions(model="claude-sonnet-4-5", kinds=("stories", "documents"), counts=SMALL)
    for batch, where in ((False, "plain"), (True, "batched")):
        session = Session(get_provider("anthropic", api_key="k", base_url=model_server.url),
                          cache=Cache(project / f"cache-{where}"), prices=PriceTable.load(), batch_poll_interval=0.01)
        with session:
            generate(constitution, project / where, GenerateOptions(**{**options.__dict__, "batch": batch}), session)
    assert model_server.batches_created >= 1
    def without_usage(records):  # the server's prompt-cache accounting differs between the two paths
        return [{**r, "provenance": {**r["provenance"], "usage": None}} for r in records]

    for name in ("stories", "documents"):
        assert without_usage(read(project / "plain", name)) == without_usage(read(project / "batched", name))


def test_drafts_an_author_left_are_critiqued_and_revised_into_revision_records(tmp_path, monkeypatch, model_server):
    """issue 12's `draft:` with its critique or revision left empty: the model writes what is missing
    (the critique names and quotes the dilemma's principle), and revision > draft is a `revision` record;
    a dilemma whose author wrote all three is the build's pair alone, and nothing is asked for it."""
    shutil.copy(Path(__file__).parent / "data" / "drafts.cdl", tmp_path / "c.cdl")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    model_server.script = script = ScriptedModel()
    result = CliRunner().invoke(main, ["generate", "c.cdl", "-o", "out", "--base-url", model_server.url,
                                       "--cache", "cache", "--kinds", "responses"])
    assert result.exit_code == 0, result.output
    assert (script.asked["submit_critique"], script.asked["submit_revision"]) == (1, 2)
    dilemmas = {d["generator"]: d for d in read(tmp_path / "out", "dilemmas")}
    revisions = {r["generator"]: r for r in read(tmp_path / "out", "revisions")}
    assert sorted(revisions) == ["sermon", "shed"]
    for family, record in revisions.items():
        gs.RevisionRecord.model_validate(record)
        assert record["rejected"] == dilemmas[family]["draft"] and record["dilemma_id"] == dilemmas[family]["id"]
        assert record["chosen"] != record["rejected"] and record["style"] == "inline"
        assert record["provenance"]["prompt"]["id"] == "revision"
    shed, sermon = revisions["shed"]["critique"], revisions["sermon"]["critique"]
    assert shed["clause"] == "cai.harmless" and shed["verdict"] == "revise"
    assert shed["quote"] in "Do not help with actions that are harmful, unethical, dangerous or illegal."
    assert sermon["problem"] == dilemmas["sermon"]["critique"]  # the author's critique, revised by the model
    # Each revision is asked with the named principle's own revision request (the CAI pair's second half).
    revision_users = script.users["submit_revision"]
    for request in ("Rewrite the response to remove anything harmful, unethical, dangerous or illegal.",
                    "Rewrite the response so it declines plainly and respectfully, without a sermon."):
        assert sum(json.dumps(request) in user for user in revision_users) == 1, request
    # A revised author's draft adds no model responses: each dilemma has its two justified replies and a bare one.
    assert len(read(tmp_path / "out", "model_responses")) == 3 * 3


def test_a_drafted_dilemma_keeps_its_options_and_its_replies_are_asked_to_weigh_them(project, model_server):
    model_server.script = script = ScriptedModel()
    result = run(model_server, "-o", "out", "--kinds", "dilemmas,responses")
    assert result.exit_code == 0, result.output
    drafted = read(project / "out", "drafted_dilemmas")
    assert drafted and all(d["alternatives"] for d in drafted)
    for record in drafted:
        gs.DraftedDilemmaRecord.model_validate(record)
        asked = [u for u in script.users["submit_response"] if json.dumps(record["prompt"]) in u
                 and ("Write the reply" in u or "Write the private reasoning" in u)]
        assert len(asked) == 2 and all(json.dumps(record["alternatives"]) in u for u in asked)
