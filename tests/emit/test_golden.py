"""The quickstart example's build, file for file, against golden copies (UPDATE_GOLDENS=1 rewrites them)."""

from __future__ import annotations

import pytest

from .conftest import GOLDEN, run_build, tree_bytes, update_goldens

from constitutionc.emit import kinds

FILES = [*(k.filename for k in kinds.defaults()), "manifest.json"]


@pytest.mark.parametrize("name", FILES)
def test_quickstart_matches_golden(in_data, tmp_path, name):
    out = tmp_path / "out"
    result = run_build("quickstart.cdl", "-o", out)
    assert result.exit_code == 0, result.output
    actual = (out / name).read_bytes()
    golden = GOLDEN / "quickstart" / name
    if update_goldens() or not golden.exists():
        if not update_goldens():
            pytest.fail(f"{golden} is missing; run UPDATE_GOLDENS=1 pytest tests/emit to create it")
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
        return
    assert actual == golden.read_bytes(), f"{name} differs from {golden}; UPDATE_GOLDENS=1 if intended"
    assert set(tree_bytes(out)) == set(FILES)
