"""The program's entry (`program.run`) runs a plain `check` without click and gives every other command line
to click: for each command line in the table, `constitutionc ...` and the click interface alone
(`cli.run`) print the same on both streams and exit with the same status."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from constitutionc.program import plain_check

CLEAN = 'principle a.b "B" {\n  text: "Do b."\n  why: "Because b."\n}\n'
BROKEN = 'principle a.b "B" {\n  text: "t"\n}\n\ndilemma d teaches a.c {\n  vary tone: x | y |\n  user: "u {tone}"\n}\n'

# (command line, whether the program runs it without click)
TABLE = [
    (["check", "clean.cdl"], True),
    (["check", "broken.cdl"], True),
    (["check", "broken.cdl", "--format", "gnu"], True),
    (["check", "--format=json", "broken.cdl"], True),
    (["check", "--format", "sarif", "broken.cdl"], True),
    (["check", "broken.cdl", "--format", "github"], True),
    (["check", "clean.cdl", "policy/other.cdl"], True),
    (["check", "policy/other.cdl", "--format", "gnu"], True),
    (["check", "badconfig/c.cdl"], True),  # a settings file that is not TOML: exit 2, one line
    (["check"], False),
    (["check", "missing.cdl"], False),
    (["check", "policy"], False),  # a directory
    (["check", "broken.cdl", "--format", "xml"], False),
    (["check", "broken.cdl", "--format"], False),
    (["check", "broken.cdl", "--format", "gnu", "--format", "json"], False),
    (["check", "broken.cdl", "--root", "."], False),
    (["check", "broken.cdl", "--max-combinations", "0"], False),
    (["check", "--", "broken.cdl"], False),
    (["check", "--help"], False),
    (["--version"], False),
    (["lint", "broken.cdl"], False),
]

CLICK_ONLY = "import sys; from constitutionc.cli import run; run()"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("program")
    (root / "clean.cdl").write_text(CLEAN, encoding="utf-8")
    (root / "broken.cdl").write_text(BROKEN, encoding="utf-8")
    (root / "policy").mkdir()
    (root / "policy" / "other.cdl").write_text(CLEAN.replace("a.b", "a.other"), encoding="utf-8")
    (root / "badconfig").mkdir()
    (root / "badconfig" / "constitutionc.toml").write_text("max_combinations = [\n", encoding="utf-8")
    (root / "badconfig" / "c.cdl").write_text(CLEAN, encoding="utf-8")
    return root


def _run(prefix: list[str], argv: list[str], cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run([sys.executable, *prefix, *argv], capture_output=True, text=True, cwd=cwd)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("argv, plain", TABLE, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_the_program_and_the_click_interface_agree(project, argv, plain, monkeypatch):
    monkeypatch.chdir(project)
    assert (plain_check(argv) is not None) == plain
    program = _run(["-m", "constitutionc"], argv, project)
    click_only = _run(["-c", CLICK_ONLY], argv, project)
    assert program == click_only
    if plain:
        # What the table is about: the plain checks say something (an exit status of 2 from a
        # command that never ran would agree as well).
        assert program[0] in (0, 1, 2) and (program[0] == 0 or program[1] or program[2])


def test_the_table_covers_every_outcome(project):
    codes = {_run(["-m", "constitutionc"], argv, project)[0] for argv, plain in TABLE if plain}
    assert codes == {0, 1, 2}


def _imported(argv: list[str], cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "constitutionc", *argv],
                          capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 1
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def test_a_plain_check_does_not_import_click(project):
    plain = _imported(["check", "broken.cdl"], project)
    assert "constitutionc.syntax.parser" in plain  # the listing is real
    assert "click" not in plain
    assert "click" in _imported(["check", "broken.cdl", "--root", "."], project)
