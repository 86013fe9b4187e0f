"""Bad input: diagnostics and nothing written; unbound slots and over-limit products are clear errors."""

from __future__ import annotations

from .conftest import run_build, tree_bytes


def test_constitution_with_errors_prints_diagnostics_and_writes_nothing(in_data, tmp_path):
    out = tmp_path / "out"
    result = run_build("broken.cdl", "-o", out)
    assert result.exit_code == 1
    assert "broken.cdl:7:19: error: no principle named `nowhere`; no defined principle has a name close to it [CDL102]" \
        in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_errors_leave_previous_output_intact(in_data, tmp_path):
    out = tmp_path / "out"
    assert run_build("quickstart.cdl", "-o", out).exit_code == 0
    before = tree_bytes(out)
    for args in (["broken.cdl"], ["unbound.cdl"], ["families.cdl", "--max-combinations", "3"]):
        result = run_build(*args, "-o", out)
        assert result.exit_code == 1, args
        assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_unbound_slot_is_a_clear_error(in_data, tmp_path):
    result = run_build("unbound.cdl", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == ("constitutionc: error: unbound.cdl:10: `{missing}` in `user` of `d` has no value "
                             "(for a='x'); nothing was written\n")
    assert not (tmp_path / "out").exists()


def test_axis_product_over_the_limit(in_data, tmp_path):
    result = run_build("families.cdl", "-o", tmp_path / "out", "--max-combinations", "3")
    assert result.exit_code == 1 and "[CDL303]" in result.output
    assert not (tmp_path / "out").exists()


def test_unknown_record_kind_and_target_are_usage_errors(in_data, tmp_path):
    assert run_build("quickstart.cdl", "-o", tmp_path / "o", "--only", "dilemmas,essays").exit_code == 2
    assert run_build("quickstart.cdl", "-o", tmp_path / "o", "--target", "no-such-format").exit_code == 2
    assert not (tmp_path / "o").exists()


def test_missing_input_file_exits_2(in_data, tmp_path):
    result = run_build("no-such.cdl", "-o", tmp_path / "o")
    assert result.exit_code == 2 and "no-such.cdl" in result.output


def test_a_required_text_left_out_under_a_suppression_is_a_clear_error(in_data, tmp_path):
    out = tmp_path / "out"
    assert run_build("quickstart.cdl", "-o", out).exit_code == 0
    before = tree_bytes(out)
    result = run_build("missing_field.cdl", "-o", out)
    assert result.exit_code == 1
    assert result.output == ("constitutionc: error: missing_field.cdl:8: probe `q` has no `rubric:`, "
                             "which it needs; nothing was written\n")
    assert tree_bytes(out) == before


def test_a_citation_of_a_missing_clause_left_under_a_suppression_is_a_clear_error(in_data, tmp_path):
    result = run_build("unknown_clause.cdl", "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output == ("constitutionc: error: unknown_clause.cdl:7: probe `q` cites `nowhere`, "
                             "which no principle defines; nothing was written\n")
    assert not (tmp_path / "out").exists()
