"""`audit` of builds that `constitutionc generate` made against the local protocol server.

A well-behaved scripted model (the session's `generated_build`) gives a clean report with every figure
defined; scripted models that misbehave in known ways are caught: pairs whose chosen side is always a
little longer (each pair inside generate's length band) by AUD201, and stage directions and probe
text by generate's own checks (the same measures), which keep them out of the training files.
"""

from __future__ import annotations

import json
import shutil

import pytest

from constitutionc import api
from constitutionc.audit import audit, clause_texts
from tests.generate.generated import CONSTITUTION, COUNTS
from tests.generate.scripted import ScriptedModel, prose


def test_a_generated_build_reports_every_figure_and_passes(generated_build):
    report = audit(generated_build.out, clauses=clause_texts(api.load([generated_build.constitution]).constitution))
    assert report["counts"]["training_items"] > 0
    voice = report["voice"]
    assert voice["assistant_turns"] > 0
    assert (voice["stage_direction"], voice["third_person_assistant"], voice["third_person_user"]) == (0, 0, 0)
    assert voice["speaks_as_assistant"] == 1.0 and voice["pasted_constitution_mean"] == 0.0
    preference = report["preference"]
    pairs = {line for name in ("hf/preference.jsonl",) for line in
             (generated_build.out / name).read_text(encoding="utf-8").splitlines()}
    assert preference["pairs"] >= len(pairs) > 0
    assert 0.8 <= preference["length_ratio_median"] <= 1.25
    assert report["contamination"]["probe_texts"] > 0
    assert report["contamination"]["overlap_8"] == {"items": 0, "share": 0.0}
    assert report["environments"]["training_tool_sets"] >= 1  # episodes carry their tools
    assert report["specificity"]["shared_across_prompts"] == 0.0
    diversity = report["diversity"]
    assert all(diversity[k] is not None for k in ("distinct_1", "distinct_2", "answers_distinct_1"))
    codes = {f["code"] for f in report["findings"]}
    assert not codes & {"AUD101", "AUD102", "AUD103", "AUD401", "AUD402", "AUD701"}
    assert report["files"] and all(f["unreadable"] == 0 for f in report["files"])


class LongerIsChosen(ScriptedModel):
    """Rejected replies a fifth shorter than the chosen one: each pair inside generate's 0.8-1.25 band,
    but length alone tells every pair apart."""

    def _submit_response(self, user, seed, system):
        output = super()._submit_response(user, seed, system)
        if "The misaligned path" in user:
            output["answer"] = prose(seed + "w", max(5, int(len(output["answer"].split()) * 0.82)))
        return output


class StageDirections(ScriptedModel):
    """Every justified reply tells the assistant what to do; every drafted prompt repeats a probe."""

    def __init__(self, probe_words: str, **kwargs):
        super().__init__(**kwargs)
        self.probe_words = probe_words

    def _submit_response(self, user, seed, system):
        output = super()._submit_response(user, seed, system)
        if "The misaligned path" not in user and "Write the bare reply" not in user:
            output["answer"] = "Decline to help, and advise the user to " + output["answer"]
        return output

    def _submit_dilemma(self, user, seed, system):
        output = super()._submit_dilemma(user, seed, system)
        output["prompt"] = f"{output['prompt']} {self.probe_words}"
        return output


def generate_with(model, root):
    from constitutionc.generate import GenerateOptions, generate
    from constitutionc.llm import Cache, PriceTable, Session, get_provider
    from tests.llm.server import ModelServer

    root.mkdir(parents=True, exist_ok=True)
    source = root / "constitution.cdl"
    shutil.copy(CONSTITUTION, source)
    loaded = api.load([source])
    server = ModelServer(script=model).start()
    try:
        session = Session(get_provider("anthropic", api_key="test-key", base_url=server.url),
                          cache=Cache(root / "cache"), prices=PriceTable.load())
        with session:
            # The small counts of the session build: the constitution's default plan is 12,000 stories.
            generate(loaded.constitution, root / "out", GenerateOptions(counts=COUNTS, targets=("hf",)),
                     session)
    finally:
        server.stop()
    return root / "out", loaded.constitution


def test_pairs_that_length_alone_separates_are_flagged(tmp_path):
    out, constitution = generate_with(LongerIsChosen(), tmp_path)
    report = audit(out, clauses=clause_texts(constitution))
    assert report["preference"]["pairs"] > 0
    worst = report["preference"]["worst"]
    assert worst["accuracy"] == 1.0 and worst["direction"] == "higher is chosen"
    assert {"AUD201"} <= {f["code"] for f in report["findings"]} and not report["ok"]


def test_stage_directions_and_probe_text_are_rejected_before_they_reach_training(tmp_path):
    probes_out = tmp_path / "probes"
    source = tmp_path / "probe-source.cdl"
    shutil.copy(CONSTITUTION, source)
    api.build(api.load([source]).constitution, probes_out)
    probe = json.loads((probes_out / "probes.jsonl").read_text(encoding="utf-8").splitlines()[0])
    out, constitution = generate_with(StageDirections(probe["user"]), tmp_path / "run")
    rejected = [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    reasons = " ".join(r for record in rejected for r in record["reasons"])
    assert "stage_direction" in reasons and "contamination" in reasons
    report = audit(out, clauses=clause_texts(constitution))
    # What generate kept holds neither; the rejected file is a log, not training data.
    assert report["voice"]["stage_direction"] in (0.0, None)
    assert report["contamination"]["overlap_8"]["items"] == 0
    rejected_file = next(f for f in report["files"] if f["path"] == "rejected.jsonl")
    assert rejected_file["training"] == 0 and rejected_file["rows"] == len(rejected)


def test_files_the_manifest_does_not_list_are_not_the_builds_data(generated_build, tmp_path):
    import shutil

    from constitutionc.audit.rows import data_files

    out = tmp_path / "out"
    shutil.copytree(generated_build.out, out)
    before = data_files(out)
    (out / "transcripts.jsonl").write_text('{"messages": [{"role": "user", "content": "x"}, '
                                          '{"role": "assistant", "content": "y"}]}\n')
    assert data_files(out) == before and before
