"""A generated build for tests that read one: `constitutionc generate` run for real (every kind, the
critique pass, the hf, openai and anthropic targets) against the local protocol server through the real
`anthropic` client, with the scripted model answering.

`tests/conftest.py` exposes it as the session fixture `generated_build` (made once per test session, in
a temporary directory), so the target tests here and the audit tests can read the same output.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

CONSTITUTION = Path(__file__).resolve().parents[1] / "prompts" / "data" / "guard.cdl"
COUNTS = "dilemmas=2,stories=3,episodes=3,documents=4"
TARGETS = ("hf", "openai", "anthropic")


@dataclass(frozen=True)
class GeneratedBuild:
    out: Path  # the output directory (manifest.json, the canonical JSONL files, hf/, openai/, anthropic/)
    constitution: Path  # the .cdl it was generated from
    requests: int  # paid requests the server answered


def make_generated_build(root: Path) -> GeneratedBuild:
    from constitutionc import api
    from constitutionc.generate import GenerateOptions, generate
    from constitutionc.llm import Cache, PriceTable, Session, get_provider
    from tests.generate.scripted import ScriptedModel
    from tests.llm.server import ModelServer

    root.mkdir(parents=True, exist_ok=True)
    source = root / "constitution.cdl"
    shutil.copy(CONSTITUTION, source)
    loaded = api.load([source])
    assert loaded.ok, loaded.diagnostics
    server = ModelServer(script=ScriptedModel()).start()
    try:
        session = Session(get_provider("anthropic", api_key="test-key", base_url=server.url),
                          cache=Cache(root / "cache"), prices=PriceTable.load())
        options = GenerateOptions(counts=COUNTS, critique=True, targets=TARGETS)
        with session:
            generate(loaded.constitution, root / "out", options, session)
        paid = server.paid
    finally:
        server.stop()
    return GeneratedBuild(root / "out", source, paid)
