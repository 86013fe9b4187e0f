"""A kind added through the registry alone (tests/emit/extra_kind.py: one record per principle, no
generator behind it) is built, sharded, merged, traced, published and counted like the shipped kinds."""

from __future__ import annotations

import contextlib
import dataclasses
import json

import pytest
from click.testing import CliRunner

from constitutionc.api import load
from constitutionc.emit import kinds

from . import extra_kind
from .conftest import read_jsonl, run_build, run_merge, run_trace, tree_bytes

ONLY = "dilemmas,briefs,responses,probes,clause_cards"


@pytest.fixture
def extra():
    with extra_kind.registered() as kind:
        yield kind


@contextlib.contextmanager
def changed(**changes):
    """The registered extra kind with some fields changed, for the block."""
    kinds.KINDS[extra_kind.NAME] = dataclasses.replace(extra_kind.KIND, **changes)
    try:
        yield
    finally:
        kinds.KINDS[extra_kind.NAME] = extra_kind.KIND


def test_it_is_off_by_default_and_one_record_per_principle(in_data, tmp_path, extra):
    plain = tmp_path / "plain"
    assert run_build("families.cdl", "-o", plain).exit_code == 0
    assert not (plain / "clause_cards.jsonl").exists()
    out = tmp_path / "out"
    result = run_build("families.cdl", "-o", out, "--only", ONLY)
    assert result.exit_code == 0, result.output
    cards = read_jsonl(out / "clause_cards.jsonl")
    constitution = load(["families.cdl"]).constitution
    assert [c["principles"] for c in cards] == [[p.id] for p in constitution.principles]
    assert all(c["generator"] is None and c["axes"] == {} for c in cards)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["records"]["clause_card"] == len(constitution.principles)
    assert manifest["principles"]["oversight"]["clause_card"] == 1
    assert "clause_card: 4 records" in result.output
    # The shipped kinds' files are untouched by the extra kind.
    for name in ("dilemmas.jsonl", "briefs.jsonl", "responses.jsonl", "probes.jsonl"):
        assert (out / name).read_bytes() == (plain / name).read_bytes()


@pytest.mark.parametrize("count", [2, 7])
def test_shards_merge_byte_identically(in_data, tmp_path, extra, count):
    # Seven shards put some shard boundaries among the principles, after the generator instances.
    whole = tmp_path / "whole"
    assert run_build("families.cdl", "-o", whole, "--only", ONLY).exit_code == 0
    shards = []
    for index in range(count):
        shard = tmp_path / f"shard{index}"
        assert run_build("families.cdl", "-o", shard, "--only", ONLY, "--shard", f"{index}/{count}").exit_code == 0
        shards.append(shard)
    cards = [len(read_jsonl(s / "clause_cards.jsonl")) for s in shards]
    assert sum(cards) == 4 and len([n for n in cards if n]) == (1 if count == 2 else 2), cards
    merged = tmp_path / "merged"
    result = run_merge(*shards, "-o", merged)
    assert result.exit_code == 0, result.output
    assert tree_bytes(merged) == tree_bytes(whole)


def test_only_cards(in_data, tmp_path, extra):
    out = tmp_path / "out"
    assert run_build("families.cdl", "-o", out, "--only", "clause_card").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["clause_cards.jsonl", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["only"] == ["clause_cards"]


def test_trace_and_schema_know_it(in_data, tmp_path, extra):
    from constitutionc.commands.schema import command as schema_command

    out = tmp_path / "out"
    assert run_build("families.cdl", "-o", out, "--only", ONLY).exit_code == 0
    card = read_jsonl(out / "clause_cards.jsonl")[0]
    result = run_trace(card["id"], "--data", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"{card['id']}  clause_card"
    assert "families.cdl:5-8: honesty" in result.output
    printed = CliRunner().invoke(schema_command, ["clause_card"])
    assert printed.exit_code == 0 and json.loads(printed.output) == extra.schema()


def test_coverage_counts_it_by_its_role(in_data, tmp_path, extra):
    from constitutionc.coverage import compute_coverage

    constitution = load(["families.cdl"]).constitution
    plain, carded = tmp_path / "plain", tmp_path / "carded"
    assert run_build("families.cdl", "-o", plain).exit_code == 0
    assert run_build("families.cdl", "-o", carded, "--only", ONLY).exit_code == 0
    before = {r["id"]: r for r in compute_coverage(constitution, plain)["principles"]}
    after = {r["id"]: r for r in compute_coverage(constitution, carded)["principles"]}
    # `oversight` is only probed; a card (role "taught") teaches it.
    assert not before["oversight"]["taught"] and after["oversight"]["taught"]
    assert after["oversight"]["citing"]["records"] == before["oversight"]["citing"]["records"] + 1
    assert after["oversight"]["citing"]["probes"] == before["oversight"]["citing"]["probes"]
    # As "tested" it would test `care`, which only dilemmas cite; as "neither" it changes no flag.
    for role, flag in (("tested", "tested"), ("neither", None)):
        with changed(role=role):
            rows = {r["id"]: r for r in compute_coverage(constitution, carded)["principles"]}
        assert rows["care"]["tested"] == (flag == "tested")
        assert rows["oversight"]["taught"] == before["oversight"]["taught"]


def test_an_unregistered_kind_in_the_data_is_an_error_not_a_probe(in_data, tmp_path, extra):
    from constitutionc.coverage import CoverageInputError, compute_coverage

    out = tmp_path / "out"
    assert run_build("families.cdl", "-o", out, "--only", ONLY).exit_code == 0
    kinds.unregister(extra_kind.NAME)  # data written by a compiler that knew a kind this one does not
    (out / "probes.jsonl").write_text((out / "probes.jsonl").read_text(encoding="utf-8")
                                      + (out / "clause_cards.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CoverageInputError, match="unknown record kind 'clause_card'"):
        compute_coverage(load(["families.cdl"]).constitution, out)


def test_merge_refuses_shards_of_a_kind_it_does_not_know(in_data, tmp_path, extra):
    shards = []
    for index in range(2):
        shards.append(tmp_path / f"s{index}")
        assert run_build("families.cdl", "-o", shards[-1], "--only", ONLY, "--shard", f"{index}/2").exit_code == 0
    kinds.unregister(extra_kind.NAME)
    result = run_merge(*shards, "-o", tmp_path / "m")
    assert result.exit_code == 1 and "names record kinds this compiler does not know: clause_cards" in result.output


def test_only_rejects_unknown_and_model_written_kinds(in_data, tmp_path, extra):
    result = run_build("families.cdl", "-o", tmp_path / "o", "--only", "horoscopes")
    assert result.exit_code == 2 and "unknown record kind horoscopes" in result.output
    with changed(feed="model"):
        result = run_build("families.cdl", "-o", tmp_path / "o", "--only", "clause_cards")
    assert result.exit_code == 2 and "written by a model" in result.output
