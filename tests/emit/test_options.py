"""Command-line options: --limit, --only, the plain summary, flat memory as the count grows."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from constitutionc.api import load
from constitutionc.emit import BuildOptions, build, writer

from .conftest import read_jsonl, run_build


def test_limit_caps_each_generator(in_data, tmp_path):
    out = tmp_path / "out"
    assert run_build("families.cdl", "-o", out, "--limit", "2").exit_code == 0
    per_generator: dict[str, int] = {}
    for name in ("dilemmas", "probes"):
        for record in read_jsonl(out / f"{name}.jsonl"):
            per_generator[record["generator"]] = per_generator.get(record["generator"], 0) + 1
    assert per_generator == {"comforting_lie": 2, "many_repeats": 2, "audit_logs": 2, "plain": 1}


def test_only_probes_writes_only_probes(in_data, tmp_path):
    out = tmp_path / "out"
    result = run_build("families.cdl", "-o", out, "--only", "probes")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "probes.jsonl"]


def test_plain_summary_when_not_a_terminal(in_data, tmp_path):
    out = tmp_path / "out"
    result = run_build("families.cdl", "-o", out)
    assert result.output.splitlines() == [
        f"built {out}: 51 records",
        "  offline: 11 prompts, 11 briefs, 6 authored answers, 5 probes; needs a model: answers to the 5 "
        "dilemmas without a `reply:` (`constitutionc generate` writes them from the briefs)",
        "  dilemma: 11 records; citing each principle: min 0 (oversight), median 6, max 11 (care)",
        "  brief: 11 records; citing each principle: min 0 (oversight), median 6, max 11 (care)",
        # Three principles tie at 24 and two at 4: a tie is counted, never reported as one of them.
        "  response: 24 records; citing each principle: min 0 (oversight), median 24, max 24 (3 principles)",
        "  probe: 5 records; citing each principle: min 0 (care), median 2.5, max 4 (2 principles)",
        "  grid audit_logs: 4 combinations, 4 instances",
        "  grid comforting_lie: 6 combinations, 6 instances",
        "  grid many_repeats: 2 combinations, 5 instances",
        "  grid plain: 1 combination, 1 instance",
    ]


EVEN = """
priority: care > honesty
value care "Care" { why: "People matter." }
value honesty "Honesty" { why: "Trust needs it." }
principle care.kind "Be kind" { value: care  text: "Be kind."  why: "Kindness helps." }
principle honesty.true "Be truthful" { value: honesty  text: "Say what is true."  why: "Lies spread." }
dilemma both teaches care.kind, honesty.true {
  vary who: friend | neighbour
  user: "My {who} asked whether the cake was good. It was not. What do I say?"
  stance: "Be honest and kind at once."
}
"""


def test_the_summary_says_nothing_per_principle_of_an_empty_kind_and_no_extreme_of_an_even_one(tmp_path):
    (tmp_path / "even.cdl").write_text(EVEN, encoding="utf-8")
    out = tmp_path / "out"
    result = run_build(tmp_path / "even.cdl", "-o", out)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Both dilemmas cite both principles: no principle is fewest or most.
    assert "  dilemma: 2 records; citing each principle: 2 for every principle" in lines
    # No response was written: there is nothing to spread and no principle to name.
    assert "  response: 0 records" in lines


def _peak_bytes(constitution, out: Path, limit: int) -> int:
    tracemalloc.start()
    try:
        build(constitution, out, BuildOptions(only=("dilemmas",), limit=limit))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_count_grows(tmp_path, monkeypatch):
    # Small chunks, so both builds reach the writer's bounded buffers and only growth remains.
    monkeypatch.setattr(writer.JsonlSink, "CHUNK_BYTES", 16 * 1024)
    values = " | ".join(f'"value {i}"' for i in range(50))
    source = tmp_path / "wide.cdl"
    source.write_text('principle p "P" {\n  text: "A clause."\n  why: "A reason."\n}\n'
                      f'dilemma d teaches p {{\n  vary a: {values}\n  vary b: {values}\n'
                      '  user: "Question about {a} and {b}?"\n  stance: "Answer about {a}."\n}\n',
                      encoding="utf-8")
    constitution = load([source]).constitution
    small = _peak_bytes(constitution, tmp_path / "small", 500)
    large = _peak_bytes(constitution, tmp_path / "large", 2_500)
    assert len((tmp_path / "large" / "dilemmas.jsonl").read_bytes().splitlines()) == 2_500
    # Holding the 2,000 extra records would add well over a megabyte; the bounded write queue
    # may hold a few more chunks in one run than the other, depending on thread timing.
    assert large - small < 300_000, (small, large)


def test_only_accepts_singular_kind_names(in_data, tmp_path):
    out = tmp_path / "out"
    assert run_build("families.cdl", "-o", out, "--only", "dilemma,probe").exit_code == 0
    assert sorted(p.name for p in out.glob("*.jsonl")) == ["dilemmas.jsonl", "probes.jsonl"]


def test_zero_shards_is_explained(in_data, tmp_path):
    result = run_build("families.cdl", "-o", tmp_path / "out", "--shard", "0/0")
    assert result.exit_code == 2 and "at least 1" in result.output


def test_many_generators_summarise_their_grids_in_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    families = "".join(f'dilemma d{i} teaches p.a {{\n  vary x: a | b\n  user: "{{x}}"\n  stance: "s"\n}}\n'
                       for i in range(25))
    (tmp_path / "many.cdl").write_text('principle p.a { text: "t" why: "w" }\n' + families)
    result = run_build("many.cdl", "-o", "out")
    assert result.exit_code == 0
    grid_lines = [line for line in result.output.splitlines() if "grid" in line]
    assert grid_lines == ["  grids: 25 generators, 50 combinations in all (per generator in out/manifest.json)"]


def test_a_target_with_nothing_to_write_says_why(in_data, tmp_path):
    # Without responses the `hf` target writes no folder at all; the build says why instead of leaving
    # a user to wonder where `out/hf` went.
    out = tmp_path / "out"
    result = run_build("families.cdl", "-o", out, "--only", "dilemmas,probes", "--target", "hf",
                       "--target", "inspect")
    assert result.exit_code == 0
    assert not (out / "hf").exists() and (out / "inspect" / "samples.jsonl").exists()
    notes = [line for line in result.stderr.splitlines() if "wrote no files" in line]
    assert notes == ["constitutionc: note: target hf wrote no files: this build has no response records "
                     "(answers come from a `reply:` in the family or from `constitutionc generate --target hf`)"]
    only_dilemmas = run_build("families.cdl", "-o", tmp_path / "d", "--only", "dilemmas", "--target", "inspect")
    assert "target inspect wrote no files: this build has no probe records" in only_dilemmas.stderr


def test_no_note_when_every_target_wrote(in_data, tmp_path):
    result = run_build("families.cdl", "-o", tmp_path / "out", "--target", "hf", "--target", "inspect")
    assert result.exit_code == 0 and (tmp_path / "out" / "hf" / "README.md").exists()
    assert "wrote no files" not in result.stderr
