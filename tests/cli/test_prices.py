"""A dollar budget needs a price: with a model the price table does not know, `--max-usd` is a usage error
(exit 2, nothing sent) unless `--price-per-mtok` gives the price, and a dry run says no price is known
instead of printing $0.00. Against the local server, through the real SDK clients."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from constitutionc.cli import main
from tests.evaluate.test_eval import PROBE, write_build
from tests.generate.scripted import ScriptedModel

GUARD = Path(__file__).resolve().parents[1] / "prompts" / "data" / "guard.cdl"
LOCAL = "local-llama-3-8b"  # a self-hosted model: no row of prices.toml matches it


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"},
                              catch_exceptions=False)


@pytest.fixture
def guard(tmp_path, monkeypatch):
    shutil.copy(GUARD, tmp_path / "c.cdl")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def generate(server, *args):
    return invoke("generate", "c.cdl", "--base-url", f"{server.url}/v1", "--provider", "openai-compatible",
                  "--cache", "cache", "--kinds", "documents", "--count", "documents=2", *args)


def test_generate_refuses_a_dollar_budget_it_could_not_keep(guard, model_server):
    model_server.script = ScriptedModel()
    refused = generate(model_server, "-o", "out", "--model", LOCAL, "--max-usd", 5)
    assert refused.exit_code == 2
    assert f"no price known for {LOCAL}" in refused.output and "--price-per-mtok" in refused.output
    assert model_server.paid == 0 and not (guard / "out").exists()
    # With its price the budget holds: a cent buys no request of this size at $100 / $500 per million.
    stopped = generate(model_server, "-o", "out", "--model", LOCAL, "--max-usd", 0.01, "--price-per-mtok", "100,500")
    assert stopped.exit_code == 3 and "budget reached (--max-usd $0.01)" in stopped.output
    assert model_server.paid == 0
    done = generate(model_server, "-o", "out", "--model", LOCAL, "--max-usd", 5, "--price-per-mtok", "0.1,0.2")
    assert done.exit_code == 0, done.output
    assert model_server.paid > 0
    # Without a dollar budget nothing needs a price.
    assert generate(model_server, "-o", "out2", "--model", LOCAL).exit_code == 0


def test_a_dry_run_says_no_price_is_known_instead_of_zero_dollars(guard, model_server):
    result = generate(model_server, "-o", "out", "--model", LOCAL, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"no price known for {LOCAL}" in result.output and "0.00" not in result.output
    priced = generate(model_server, "-o", "out", "--model", LOCAL, "--dry-run", "--price-per-mtok", "100,500")
    assert "no price" not in priced.output and "$" in priced.output


def test_eval_and_grade_refuse_a_dollar_budget_for_an_unpriced_model_or_judge(model_server, tmp_path):
    build = write_build(tmp_path, [PROBE])
    base = ("--provider", "openai-compatible", "--base-url", f"{model_server.url}/v1", "--cache", tmp_path / "c")
    for model, judge in ((LOCAL, "none"), ("claude-sonnet-5-5", LOCAL)):
        refused = invoke("eval", build, "-o", tmp_path / "r", *base, "--model", model, "--judge", judge, "--max-usd", 1)
        assert refused.exit_code == 2 and f"no price known for {LOCAL}" in refused.output
    transcripts = tmp_path / "t.jsonl"
    transcripts.write_text(json.dumps({"probe_id": PROBE["id"], "messages": [
        {"role": "assistant", "content": "Nothing to do."}]}) + "\n")
    refused = invoke("grade", build, "--transcripts", transcripts, "-o", tmp_path / "g", *base, "--judge", LOCAL,
                     "--max-usd", 1)
    assert refused.exit_code == 2 and f"no price known for {LOCAL}" in refused.output
    assert model_server.paid == 0
    bad = invoke("eval", build, "-o", tmp_path / "r", *base, "--model", LOCAL, "--price-per-mtok", "cheap")
    assert bad.exit_code == 2 and "IN,OUT" in bad.output


def test_the_eval_dry_run_names_the_unpriced_model(model_server, tmp_path):
    build = write_build(tmp_path, [PROBE])
    result = invoke("eval", build, "-o", tmp_path / "r", "--provider", "openai-compatible", "--base-url",
                    f"{model_server.url}/v1", "--cache", tmp_path / "c", "--model", LOCAL, "--judge", "none",
                    "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"no price known for {LOCAL}" in result.output and "$0.00" not in result.output


@pytest.mark.parametrize("table", ["missing", "not_toml", "bad_row"])
def test_an_unreadable_price_table_is_one_line_and_exit_2_nothing_sent(table, model_server, tmp_path):
    """$CONSTITUTIONC_PRICES naming a missing or broken file is a one-line error naming the file, never a
    traceback, in dry runs, dollar budgets and real runs alike."""
    path = tmp_path / "prices.toml"
    if table == "not_toml":
        path.write_text("[[model]\nmatch = ", encoding="utf-8")
    elif table == "bad_row":
        path.write_text('[[model]]\nmatch = "claude-*"\ninput = "three"\noutput = 15\n', encoding="utf-8")
    build = write_build(tmp_path, [PROBE])
    runs = [("eval", build, "-o", tmp_path / "r1", "--dry-run"),
            ("eval", build, "-o", tmp_path / "r2", "--max-usd", 1, "--base-url", model_server.url),
            ("eval", build, "-o", tmp_path / "r3", "--base-url", model_server.url, "--judge", "none")]
    for args in runs:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False,
                                    env={"ANTHROPIC_API_KEY": "k", "CONSTITUTIONC_PRICES": str(path)})
        assert result.exit_code == 2, (args, result.output)
        assert f"price table {path}" in result.output and "Traceback" not in result.output
    assert model_server.paid == 0
