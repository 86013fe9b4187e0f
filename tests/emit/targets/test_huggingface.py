"""The `hf` target, loaded by its config names through its dataset card with the real
`datasets.load_dataset(folder, name)`, offline."""

from __future__ import annotations

import pytest

from constitutionc.emit.targets import TARGETS
from constitutionc.emit.targets.base import REASONING_OPEN

from .conftest import by_kind, offline_datasets, run_target

EXTRA_COLUMNS = {"id", "dilemma_id", "variant", "style", "generator", "principles", "axes", "sources"}


@pytest.fixture(scope="module")
def load_json(tmp_path_factory):
    home = tmp_path_factory.mktemp("hf-home")
    with offline_datasets(home):
        import datasets

        def load(path):
            """The file at `path`, by its config name in the folder's dataset card."""
            return datasets.load_dataset(str(path.parent), path.stem, split="train", cache_dir=str(home / "cache"))

        yield load


# Arrow infers one schema per file from its rows: check both a file that opens with
# rows that have axes and a system turn, and one that opens with rows that lack them.
@pytest.fixture(params=["as-built", "bare-rows-first"])
def ordered(request, records):
    if request.param == "as-built":
        return list(records)
    reordered = sorted(records, key=lambda item: (bool(item[1]["axes"]), not item[1].get("system")))
    assert not reordered[0][1]["axes"] and reordered[0][1].get("system")
    return reordered


@pytest.mark.parametrize("variant, style", [("justified", "inline"), ("justified", "separate"), ("bare", "inline")])
def test_each_answer_variant_loads_from_its_own_file(ordered, load_json, tmp_path, variant, style):
    run_target(TARGETS["hf"], tmp_path, ordered)
    rows = load_json(tmp_path / f"{variant}{'_separate' if style == 'separate' else ''}.jsonl")
    expected = [r for r in by_kind(ordered, "response") if r["variant"] == variant and r["style"] == style]
    assert expected
    assert rows.num_rows == len(expected)
    assert set(rows.column_names) == EXTRA_COLUMNS | {"messages"}
    assert rows["id"] == [r["id"] for r in expected]
    for row, record in zip(rows, expected):
        roles = [m["role"] for m in row["messages"]]
        assert roles == (["system"] if record["system"] else []) + ["user", "assistant"]
        assert row["messages"][-2]["content"] == record["prompt"]
        answer = row["messages"][-1]["content"]
        assert answer.endswith(record["completion"])
        assert answer.startswith(REASONING_OPEN) == bool(record["reasoning"])
        assert row["sources"] == record["sources"]
        assert {(a["axis"], a["value"]) for a in row["axes"]} == set(record["axes"].items())
    assert {variant} == set(rows["variant"]) and {style} == set(rows["style"])


def test_the_cards_row_counts_are_what_each_config_loads_and_the_ablation_arms_match(records, load_json, tmp_path):
    """A build with both styles answers every prompt twice. The card's configs each hold one style, so
    the justified arm has one row per answer of the same dilemmas as the bare arm, not two."""
    import yaml

    run_target(TARGETS["hf"], tmp_path, records)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---\n")[1])
    loaded = {c["config_name"]: load_json(tmp_path / c["data_files"][0]["path"]) for c in front["configs"]}
    for name, rows in loaded.items():
        assert f"| `{name}` | `{name}.jsonl` | {rows.num_rows} |" in card
        assert len(set(rows["style"])) == 1, name
    responses = by_kind(records, "response")
    assert {r["style"] for r in responses if r["variant"] == "justified"} == {"inline", "separate"}
    assert sorted(loaded["justified"]["dilemma_id"]) == sorted(loaded["bare"]["dilemma_id"])
    assert sorted(loaded["justified_separate"]["dilemma_id"]) == sorted(loaded["bare"]["dilemma_id"])
    assert loaded["justified"].num_rows + loaded["justified_separate"].num_rows == \
        sum(r["variant"] == "justified" for r in responses)


def test_preference_loads_as_prompt_chosen_rejected(ordered, load_json, tmp_path):
    run_target(TARGETS["hf"], tmp_path, ordered)
    rows = load_json(tmp_path / "preference.jsonl")
    expected = [r for r in by_kind(ordered, "response") if r["variant"] == "preference"]
    assert expected and rows.num_rows == len(expected)
    assert set(rows.column_names) == EXTRA_COLUMNS | {"prompt", "chosen", "rejected"}
    for row, record in zip(rows, expected):
        assert row["id"] == record["id"]
        assert row["prompt"][-1] == {"role": "user", "content": record["prompt"]}
        assert [m["role"] for m in row["chosen"]] == ["assistant"] == [m["role"] for m in row["rejected"]]
        # Both sides as the author wrote them: nothing constructed tells them apart.
        assert row["chosen"][0]["content"] == record["chosen"]
        assert row["rejected"][0]["content"] == record["rejected"]


def test_column_types_are_the_same_on_every_row(records, load_json, tmp_path):
    run_target(TARGETS["hf"], tmp_path, records)
    features = load_json(tmp_path / "justified.jsonl").features
    source = features["sources"][0] if isinstance(features["sources"], list) else features["sources"].feature
    assert set(source) == {"clause", "file", "line", "end_line", "sha256"}
    assert source["line"].dtype == "int64" and source["sha256"].dtype == "string"
    axis = features["axes"][0] if isinstance(features["axes"], list) else features["axes"].feature
    assert {name: f.dtype for name, f in axis.items()} == {"axis": "string", "value": "string"}


def test_the_card_names_each_file_and_the_constitution(records, tmp_path):
    import yaml

    from constitutionc import __version__

    target = TARGETS["hf"](tmp_path)
    target.about = {"title": "Varied", "version": "3", "licence": "CC0-1.0", "sha256": "ab" * 32}
    for kind, record in records:
        target.write(kind, record)
    target.close()
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---\n")[1])
    assert [c["config_name"] for c in front["configs"]] == ["justified", "justified_separate", "bare", "preference"]
    assert all((tmp_path / c["data_files"][0]["path"]).is_file() for c in front["configs"])
    assert front["license"] == "cc0-1.0" and front["pretty_name"] == "Varied"
    assert front["constitutionc"] == {"compiler_version": __version__, "constitution": "Varied",
                                      "constitution_version": "3", "constitution_licence": "CC0-1.0",
                                      "constitution_sha256": "ab" * 32}
    assert "| `bare` | `bare.jsonl` |" in card


def test_no_assistant_turn_is_guidance(records, tmp_path):
    # A stance ("Decline to ...") is guidance for a writer; only authored replies are answers.
    run_target(TARGETS["hf"], tmp_path, records)
    stances = {r["stance"] for r in by_kind(records, "dilemma")}
    text = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.jsonl"))
    assert stances and not [s for s in stances if s in text]


def test_a_conversation_with_developer_turns_gives_one_system_message_first(load_json, tmp_path):
    """`register_pushback` in chain-of-command has a system context and a developer turn: open models'
    chat templates take one system message, at the start, then user and assistant in turn."""
    from .conftest import REPO, canonical_records

    records = canonical_records(REPO / "examples" / "chain-of-command" / "constitution.cdl", tmp_path / "built")
    run_target(TARGETS["hf"], tmp_path / "hf", records)
    pushback = [r for r in by_kind(records, "response") if r["generator"] == "register_pushback"]
    assert pushback and all(r["system"] and r["conversation"][0]["role"] == "developer" for r in pushback)
    checked = 0
    for name in ("justified", "justified_separate", "bare", "preference"):
        for row in load_json(tmp_path / "hf" / f"{name}.jsonl"):
            messages = row["messages"] if "messages" in row else row["prompt"] + row["chosen"]
            roles = [m["role"] for m in messages]
            assert "system" not in roles[1:], (name, roles)
            dialogue = roles[1:] if roles[0] == "system" else roles
            assert dialogue[0] == "user" and all(a != b for a, b in zip(dialogue, dialogue[1:])), (name, roles)
            if row["generator"] == "register_pushback":
                record = next(r for r in pushback if r["id"] == row["id"])
                # Both instructions, in their order, in the one system message.
                assert messages[0]["content"] == f"{record['system']}\n\n{record['conversation'][0]['content']}"
                checked += 1
    assert checked == len(pushback)
