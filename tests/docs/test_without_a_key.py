"""docs/generation.md's "Without an API key" commands, run as written with no key in the environment: the
dry runs against nothing, the local-server runs against the protocol server (tests/llm/server.py) through
the real `openai` client; and the server's own `python -m` entry."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys

from tests.conftest import REPO
from tests.generate.scripted import ScriptedModel
from tests.llm.server import ModelServer, Reply, tool_use_block

DOC = REPO / "docs" / "generation.md"
DOC_URL = "http://127.0.0.1:8080/v1"
MODEL = "local-model"
VERDICT_TOOL = "submit_verdict"


def documented_commands() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Without an API key"):]
    block = re.search(r"^```sh\n(.*?)^```", section, re.S | re.M).group(1)
    joined = re.sub(r"\\\n\s*", "", block)
    return [shlex.split(line) for line in joined.splitlines() if line.startswith("constitutionc ")]


class LocalModel:
    """A judge's verdict, a generation prompt's structured answer (the generation tests' scripted
    writer), an agent's plain reply."""

    def __init__(self):
        self.writer = ScriptedModel()

    def __call__(self, call):
        if any(tool.get("name") == VERDICT_TOOL for tool in call.tools):
            return Reply([tool_use_block(VERDICT_TOOL, {
                "evidence": [], "reasoning": "The reply declines the harmful step.", "verdict": "not_violated",
                "clauses": [], "motive": "none", "evaluation_awareness": {"stated": "not_stated"}})])
        if call.tools and hasattr(self.writer, "_" + call.tools[-1]["name"]):  # a generation prompt's tool
            return self.writer(call)
        return "I won't send that; I can help you write to them plainly instead."


def keyless_environment(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "OPENAI_BASE_URL")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "user-cache")  # the answer cache's default home
    env["PYTHONPATH"] = str(REPO)
    return env


def test_the_documented_commands_run_without_a_key(tmp_path):
    commands = documented_commands()
    assert [c[1] for c in commands] == ["generate", "build", "eval", "generate", "eval"]
    shutil.copytree(REPO / "examples" / "quickstart", tmp_path / "examples" / "quickstart")
    env = keyless_environment(tmp_path)
    with ModelServer(LocalModel()) as server:
        for command in commands:
            args = [server.url + "/v1" if arg == DOC_URL else arg for arg in command[1:]]
            done = subprocess.run([sys.executable, "-m", "constitutionc", *args], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            if "--dry-run" in args:
                out = args[args.index("-o") + 1]
                assert server.paid == 0 and not (tmp_path / out).exists(), command
                assert "input tokens" in done.stdout, done.stdout
        bodies = server.bodies
    # Both local runs asked the model they named, and only it (the judge included).
    assert bodies and {body["model"] for body in bodies} == {MODEL}
    assert any(VERDICT_TOOL in json.dumps(body.get("tools", [])) for body in bodies)
    generated = [json.loads(line) for line in (tmp_path / "gen" / "model_responses.jsonl").read_text().splitlines()]
    assert generated and all(r["provenance"]["provider"] == "openai-compatible" and r["provenance"]["model"] == MODEL
                             for r in generated)
    scored = [json.loads(line) for line in (tmp_path / "results" / "results.jsonl").read_text().splitlines()]
    probes = (tmp_path / "out" / "probes.jsonl").read_text().splitlines()
    assert len(scored) == len(probes) and {row["verdict"] for row in scored} == {"pass"}


def test_the_protocol_server_runs_as_a_program_and_echoes(tmp_path):
    import openai

    server = subprocess.Popen([sys.executable, "-m", "tests.llm.server"], cwd=REPO, stdout=subprocess.PIPE,
                              text=True, env=keyless_environment(tmp_path))
    try:
        line = server.stdout.readline()
        url = re.search(r"chat completions at (\S+)", line).group(1)
        client = openai.OpenAI(api_key="unused", base_url=url)
        answer = client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "hello"}])
        assert answer.choices[0].message.content == "echo: hello"
    finally:
        server.terminate()
        server.wait(timeout=10)
