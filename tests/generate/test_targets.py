"""The targets of a generated build, each file read by its real consumer: the hf folder by
`datasets.load_dataset` offline through its dataset card, the openai files by the openai SDK's types,
the anthropic requests by the anthropic SDK's types and its client against the local server."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.emit.targets.conftest import offline_datasets
from tests.emit.targets.format_schemas import PREFERENCE_LINE

from constitutionc.emit.targets.base import REASONING_OPEN


def canonical(build, name: str) -> list[dict]:
    path = build.out / f"{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_generated_build_has_every_generated_kind(generated_build):
    manifest = json.loads((generated_build.out / "manifest.json").read_text())
    for name in ("drafted_dilemmas", "model_responses", "ablations", "revisions", "documents", "stories", "episodes"):
        assert manifest["records"][name] > 0, name
    assert manifest["constitution"]["sha256"] and generated_build.requests > 0


@pytest.fixture(scope="module")
def hf(generated_build, tmp_path_factory):
    """Every config the dataset card names, loaded with `datasets` offline."""
    home = tmp_path_factory.mktemp("hf-home")
    with offline_datasets(home):
        import datasets

        folder = generated_build.out / "hf"
        front = yaml.safe_load((folder / "README.md").read_text(encoding="utf-8").split("---\n")[1])
        yield {c["config_name"]: datasets.load_dataset(str(folder), c["config_name"], split="train",
                                                       cache_dir=str(home / "cache"))
               for c in front["configs"]}


def test_hf_has_a_config_per_file_and_each_loads(hf, generated_build):
    files = sorted(p.stem for p in (generated_build.out / "hf").glob("*.jsonl"))
    assert sorted(hf) == files
    assert set(files) == {"justified", "justified_separate", "bare", "preference", "preference_separate", "ablation",
                          "revision", "revision_separate", "documents", "stories", "episodes"}


def test_hf_holds_one_style_per_config_and_the_ablation_arms_match(hf, generated_build):
    """generate answers every dilemma in both styles: each config holds one style, so `justified` has
    one row per dilemma `bare` has, and the card counts what each config loads."""
    card = (generated_build.out / "hf" / "README.md").read_text(encoding="utf-8")
    for name, rows in hf.items():
        assert f"| `{name}` | `{name}.jsonl` | {rows.num_rows} |" in card
        if "style" in rows.column_names:
            assert set(rows["style"]) == {"separate" if name.endswith("_separate") else "inline"}, name
    assert sorted(hf["justified"]["dilemma_id"]) == sorted(hf["bare"]["dilemma_id"])
    assert sorted(hf["justified_separate"]["dilemma_id"]) == sorted(hf["bare"]["dilemma_id"])
    assert sorted(hf["ablation"]["dilemma_id"]) == sorted(hf["bare"]["dilemma_id"])


def test_hf_answers_and_pairs_are_the_model_written_records(hf, generated_build):
    responses = canonical(generated_build, "model_responses")
    dilemmas = {d["id"]: d for name in ("dilemmas", "drafted_dilemmas") for d in canonical(generated_build, name)}
    def config(variant, record):
        return variant + ("_separate" if record["style"] == "separate" else "")

    for name in ("justified", "justified_separate", "bare", "preference", "preference_separate"):
        expected = [r for r in responses if config(r["variant"], r) == name]
        assert hf[name]["id"] == [r["id"] for r in expected] and expected, name
        for row, record in zip(hf[name], expected):  # the variation of the dilemma answered
            axes = {k: str(v) for k, v in dilemmas[record["dilemma_id"]]["axes"].items()}
            assert {(a["axis"], a["value"]) for a in row["axes"]} == set(axes.items()) and axes
    pairs = [*hf["preference"], *hf["preference_separate"]]
    expected_pairs = sorted((r for r in responses if r["variant"] == "preference"), key=lambda r: r["style"])
    for row, record in zip(pairs, expected_pairs):
        # Separate-style pairs carry reasoning on both sides, fenced the same way.
        assert row["rejected"][0]["content"].startswith(REASONING_OPEN) == bool(record["rejected_reasoning"])
        assert row["chosen"][0]["content"].startswith(REASONING_OPEN) == bool(record["chosen_reasoning"])
        assert row["rejected"][0]["content"].endswith(record["rejected"])
    ablations = canonical(generated_build, "ablations")
    assert hf["ablation"]["id"] == [r["id"] for r in ablations]
    for row, record in zip(hf["ablation"], ablations):
        assert row["chosen"][0]["content"] == record["chosen"] and row["rejected"][0]["content"] == record["rejected"]
        assert row["prompt"][-1] == {"role": "user", "content": record["prompt"]}
    revisions = sorted(canonical(generated_build, "revisions"), key=lambda r: r["style"])
    revision_rows = [*hf["revision"], *hf["revision_separate"]]
    assert [row["id"] for row in revision_rows] == [r["id"] for r in revisions]
    for row, record in zip(revision_rows, revisions):
        assert row["critique"]["clause"] == record["critique"]["clause"]
        assert row["chosen"][0]["content"].endswith(record["chosen"])
        assert row["rejected"][0]["content"].endswith(record["rejected"])


def test_hf_documents_and_stories_are_text(hf, generated_build):
    for config, name, body in (("documents", "documents", "body"), ("stories", "stories", "story")):
        records = canonical(generated_build, name)
        assert hf[config].num_rows == len(records) > 0
        for row, record in zip(hf[config], records):
            assert row["id"] == record["id"] and row["text"] == f"{record['title']}\n\n{record[body]}"
            assert row["sources"] == record["sources"]


def test_hf_episodes_carry_tools_and_tool_calls(hf, generated_build):
    records = canonical(generated_build, "episodes")
    assert hf["episodes"].num_rows == len(records) > 0
    assert {"messages", "tools"} <= set(hf["episodes"].column_names)
    for row, record in zip(hf["episodes"], records):
        tools = json.loads(row["tools"])
        assert [t["function"]["name"] for t in tools] == [t["name"] for t in record["tools"]]
        assert [t["function"]["parameters"] for t in tools] == [t["input_schema"] for t in record["tools"]]
        assert row["messages"][0] == {"role": "system", "content": record["system"], "tool_calls": None,
                                      "tool_call_id": None}
        calls = {}
        for message in row["messages"]:
            for call in message["tool_calls"] or ():
                assert call["function"]["name"] in {t["function"]["name"] for t in tools}
                calls[call["id"]] = json.loads(call["function"]["arguments"])
            if message["role"] == "tool":
                assert message["tool_call_id"] in calls
        uses = {b["id"]: b["input"] for m in record["messages"] for b in m["content"] if b["type"] == "tool_use"}
        assert calls == uses and calls
        assert row["messages"][-1]["role"] == "assistant"


def test_openai_files_validate_with_the_sdk_types(generated_build):
    import openai
    from pydantic import TypeAdapter

    messages = TypeAdapter(list[openai.types.chat.ChatCompletionMessageParam])
    tools = TypeAdapter(list[openai.types.chat.ChatCompletionFunctionToolParam])
    folder = generated_build.out / "openai"
    episodes = lines(folder / "chat.episodes.jsonl")
    assert len(episodes) == len(canonical(generated_build, "episodes"))
    for line in episodes:
        assert set(line) == {"messages", "tools"}
        messages.validate_python(line["messages"], strict=True)
        tools.validate_python(line["tools"], strict=True)
        assert any(m.get("tool_calls") for m in line["messages"]) and line["messages"][-1]["role"] == "assistant"
        offered = {t["function"]["name"] for t in line["tools"]}
        assert all(c["function"]["name"] in offered for m in line["messages"] for c in m.get("tool_calls", ()))
    for variant in ("justified", "bare"):
        for line in lines(folder / f"chat.{variant}.jsonl"):
            messages.validate_python(line["messages"], strict=True)
    import jsonschema

    for name in ("preference", "preference.ablation", "preference.revision"):
        found = lines(folder / f"{name}.jsonl")
        assert found, name
        for line in found:
            jsonschema.validate(line, PREFERENCE_LINE)
            messages.validate_python(line["input"]["messages"] + line["preferred_output"], strict=True)


def test_openai_lineage_points_at_every_generated_example(generated_build):
    folder = generated_build.out / "openai"
    lineage = lines(folder / "lineage.jsonl")
    files: dict[str, list[dict]] = {}
    for entry in lineage:
        assert set(entry) == {"file", "line", "id", "sources"} and entry["sources"]
        example = files.setdefault(entry["file"], lines(folder / entry["file"]))[entry["line"] - 1]
        assert example
    expected = {r["id"] for name in ("model_responses", "ablations", "revisions", "episodes")
                for r in canonical(generated_build, name)}
    assert {entry["id"] for entry in lineage} == expected
    assert sum(len(v) for v in files.values()) == len(lineage)


def test_anthropic_requests_for_drafted_dilemmas_are_sent_by_the_real_client(generated_build, model_server):
    import anthropic
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
    from pydantic import TypeAdapter

    adapter = TypeAdapter(MessageCreateParamsNonStreaming)
    batch = lines(generated_build.out / "anthropic" / "batch.jsonl")
    drafted = {r["id"]: r for r in canonical(generated_build, "drafted_dilemmas")}
    sent = [line for line in batch if line["custom_id"] in drafted]
    assert len(sent) == len(drafted) > 0
    client = anthropic.Anthropic(api_key="test-key", base_url=model_server.url, max_retries=0)
    for line in sent:
        adapter.validate_python(line["params"], strict=True)
        assert line["params"]["messages"][-1]["content"] == drafted[line["custom_id"]]["prompt"]
        reply = client.messages.create(**line["params"])
        assert reply.content
    assert model_server.paid == len(sent)
    # The batch file as it is, through the client's Message Batches call.
    batch_id = client.messages.batches.create(requests=batch).id
    for _ in range(100):
        if client.messages.batches.retrieve(batch_id).processing_status == "ended":
            break
    results = list(client.messages.batches.results(batch_id))
    assert sorted(r.custom_id for r in results) == sorted(line["custom_id"] for line in batch)  # any order
    assert {r.result.type for r in results} == {"succeeded"}
