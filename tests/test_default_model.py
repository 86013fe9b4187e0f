"""One default model: generate, eval (the model under test and the judge), the anthropic and promptfoo
targets and the help texts all name `constitutionc.models.DEFAULT_MODEL`; no module spells another default."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from constitutionc.cli import main
from constitutionc.emit.targets import TARGETS
from constitutionc.generate import GenerateOptions
from constitutionc.models import DEFAULT_MODEL
from constitutionc.llm import PriceTable

PACKAGE = Path(__file__).resolve().parents[1] / "constitutionc"


def test_every_stage_defaults_to_the_one_model(tmp_path):
    assert GenerateOptions().model == DEFAULT_MODEL
    assert TARGETS["anthropic"](tmp_path / "a").model == DEFAULT_MODEL
    assert TARGETS["promptfoo"](tmp_path / "p").model == DEFAULT_MODEL
    from constitutionc.commands import eval as eval_command, generate as generate_command

    defaults = {p.name: p.default for p in eval_command.command.params}
    assert defaults["model"] == defaults["judge_model"] == DEFAULT_MODEL
    assert {p.name: p.default for p in generate_command.command.params}["model"] == DEFAULT_MODEL
    for command in ("generate", "eval", "build"):
        assert DEFAULT_MODEL in CliRunner().invoke(main, [command, "--help"], terminal_width=200).output, command
    assert PriceTable.load().price(DEFAULT_MODEL) is not None, "the default has a price, so --max-usd works"


def test_no_module_names_a_default_model_of_its_own():
    spelled = re.compile(r"""(DEFAULT_MODEL\s*=\s*|default\s*[=:]\s*)["']claude-""", re.IGNORECASE)
    found = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py") if spelled.search(p.read_text(encoding="utf-8"))]
    assert found == ["models.py"]
