"""The audit's pass in several processes and in chunks gives the report of one process reading whole files."""

import importlib.util
import json
import os
from pathlib import Path

import pytest

from constitutionc.audit import audit, scan
from constitutionc.audit.rows import data_files
from constitutionc.audit.sketch import BottomK

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_audit.py"


@pytest.fixture(scope="module")
def synthetic_build(tmp_path_factory):
    """The benchmark's model-written build (chat rows in two layouts, pairs, canonical records, probes),
    small: duplicates across files, stage directions, probe copies and many families."""
    spec = importlib.util.spec_from_file_location("bench_audit", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path_factory.mktemp("synthetic") / "out"
    bench.write_build(out, 6000)
    return out


def test_processes_and_chunks_do_not_change_the_report(synthetic_build, monkeypatch):
    whole = audit(synthetic_build, jobs=1)
    monkeypatch.setattr(scan, "CHUNK_BYTES", 50_000)  # dozens of chunks per file
    chunked = audit(synthetic_build, jobs=1)
    parallel = audit(synthetic_build, jobs=2)
    assert len(scan.plan(synthetic_build, data_files(synthetic_build), jobs=2)) > 20
    assert json.dumps(chunked, sort_keys=True) == json.dumps(whole, sort_keys=True)
    assert json.dumps(parallel, sort_keys=True) == json.dumps(whole, sort_keys=True)
    # Each example is written as justified (in two layouts), bare, and a pair (odd) or a canonical response
    # record holding the justified answer (even): justified, bare and the pairs are the distinct items.
    examples = (6000 - 200) // 4
    assert whole["counts"]["training_items"] == 2 * examples + examples // 2
    assert whole["voice"]["stage_direction"] > 0 and whole["contamination"]["overlap_13"]["items"] > 0
    assert len(whole["voice"]["examples"]) == 10 and len(whole["contamination"]["worst"]) == 10


def test_examples_carry_the_line_of_the_first_occurrence_in_any_chunk(synthetic_build, monkeypatch):
    monkeypatch.setattr(scan, "CHUNK_BYTES", 50_000)
    report = audit(synthetic_build, jobs=2)
    for example in report["voice"]["examples"] + report["contamination"]["worst"]:
        line = (synthetic_build / example["file"]).read_text(encoding="utf-8").splitlines()[example["line"] - 1]
        assert json.loads(line)["id"] == example["id"]
        assert example["file"] != "openai/chat.jsonl"  # its rows all repeat hf/justified.jsonl, read first


def test_a_sample_is_exact_until_it_overflows_then_estimates_the_count():
    sample = BottomK(1000)
    keys = [(i * 0x9E3779B97F4A7C15) % (1 << 64) for i in range(1, 801)]  # spread over the key space
    for key in keys:
        sample.add(key, None)
        sample.add(key, None)  # met again: one member
    assert sample.count() == 800 and not sample.overflowed
    for i in range(801, 20_001):
        sample.add((i * 0x9E3779B97F4A7C15) % (1 << 64), None)
    assert sample.overflowed and len(sample) == 1000
    assert abs(sample.count() - 20_000) / 20_000 < 0.05  # KMV: about 1/sqrt(k) off
    left, right = BottomK(1000), BottomK(1000)
    for i in range(1, 20_001):
        (left if i % 3 else right).add((i * 0x9E3779B97F4A7C15) % (1 << 64), None)
    left.merge(right)
    assert sorted(left.members) == sorted(sample.members) and left.count() == sample.count()


def test_shards_hold_every_chunk_once_in_file_order_and_equal_parts_of_every_file(synthetic_build, monkeypatch):
    monkeypatch.setattr(scan, "CHUNK_BYTES", 50_000)
    files = data_files(synthetic_build)
    assert scan.shards(scan.plan(synthetic_build, files), 1) == [list(range(len(scan.plan(synthetic_build, files))))]
    for span_bytes in (scan.SPAN_BYTES, 100_000):  # one span per process, then several that alternate
        monkeypatch.setattr(scan, "SPAN_BYTES", span_bytes)
        chunks = scan.plan(synthetic_build, files, jobs=2)
        split = scan.shards(chunks, 2)
        assert sorted(place for shard in split for place in shard) == list(range(len(chunks)))
        assert all(shard == sorted(shard) for shard in split)
        for path in files:
            places = [place for place, chunk in enumerate(chunks) if chunk.path == path]
            assert [chunks[p].start for p in places] == [0] + [chunks[p].end for p in places[:-1]]  # no gap
            assert chunks[places[-1]].end == path.stat().st_size
            held = [sum(chunks[p].end - chunks[p].start for p in places if p in shard) for shard in split]
            assert abs(held[0] - held[1]) <= 0.02 * sum(held) + 2_000  # equal parts, to a line or so
            owners = [0 if place in split[0] else 1 for place in places]
            assert owners[0] == 0 and owners[-1] == 1
            if span_bytes == 100_000:
                assert owners != sorted(owners)  # several spans: they alternate
        assert len(chunks) > 2 * len(files)


def test_a_worker_that_fails_or_dies_stops_the_pass_with_its_error(synthetic_build, monkeypatch):
    monkeypatch.setattr(scan, "CHUNK_BYTES", 50_000)
    chunks = scan.plan(synthetic_build, data_files(synthetic_build), jobs=2)
    assert all(scan.shards(chunks, 2))  # both workers have chunks to scan
    context = scan.Context(("Claude",), None, scan.Probes.gather(chunks))
    last = chunks[-1]

    def failing(self, chunk):
        if chunk == last:
            raise ValueError("no such luck")
        return real(self, chunk)

    def dying(self, chunk, status):
        if chunk == last:
            os._exit(status)
        return real(self, chunk)

    real = scan.Scanner.scan
    monkeypatch.setattr(scan.Scanner, "scan", failing)  # the workers are forked: they see the patch
    with pytest.raises(ValueError, match="no such luck"):
        scan.run(chunks, context, jobs=2)
    for status in (9, 0):  # killed, or ended quietly: either way its chunks never come
        monkeypatch.setattr(scan.Scanner, "scan", lambda self, chunk, status=status: dying(self, chunk, status))
        with pytest.raises(RuntimeError, match="ended without its results"):
            scan.run(chunks, context, jobs=2)


def test_probes_anywhere_in_any_file_have_the_line_numbers_an_editor_shows(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()

    def probe(name):
        return json.dumps({"kind": "probe", "id": name, "messages": [{"role": "user", "content": "hi"}]})

    def row(n):
        return json.dumps({"id": f"r{n}", "messages": [{"role": "user", "content": f"question {n} " * 5}]})

    lines = [row(n) if n % 37 else "" for n in range(300)]
    for at, name in ((0, "first"), (120, "middle"), (299, "last")):
        lines[at] = probe(name)
    (out / "a.jsonl").write_text("\r\n".join(lines), encoding="utf-8")  # CRLF, no line break at the end
    (out / "empty.jsonl").write_bytes(b"")
    (out / "b.jsonl").write_text("\n".join([row(1), "", probe("second file")]) + "\n", encoding="utf-8")
    monkeypatch.setattr(scan, "CHUNK_BYTES", 1_500)
    files = [out / "a.jsonl", out / "empty.jsonl", out / "b.jsonl"]
    chunks = scan.plan(out, files)
    assert len(chunks) > 20
    expected = [(name, number) for path in files
                for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1)
                for name in [json.loads(line)["id"] if '"probe"' in line else None] if name]
    assert [(row.id, row.line) for row in scan.probe_rows(chunks)] == expected
    assert expected == [("first", 1), ("middle", 121), ("last", 300), ("second file", 3)]


def test_a_probe_after_chunks_without_probes_has_its_own_line(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    rows = [json.dumps({"id": f"r{n}", "messages": [{"role": "user", "content": f"question {n}"},
                                                    {"role": "assistant", "content": f"answer {n}"}]})
            for n in range(400)]
    probe = json.dumps({"kind": "probe", "id": "the-probe", "messages": [{"role": "user", "content": "hello"}]})
    (out / "mixed.jsonl").write_text("\n".join(rows[:250] + ["", probe] + rows[250:]) + "\n", encoding="utf-8")
    monkeypatch.setattr(scan, "CHUNK_BYTES", 2_000)
    chunks = scan.plan(out, [out / "mixed.jsonl"])
    assert len(chunks) > 10
    assert [(row.id, row.line) for row in scan.probe_rows(chunks)] == [("the-probe", 252)]


def test_a_sample_holds_exactly_the_k_smallest_keys_and_their_combined_items():
    import random

    from constitutionc.audit.measures import SHARED, _same_prompt

    rng = random.Random(3)
    for k, distinct, combine in ((300, 250, _same_prompt), (300, 5000, _same_prompt), (1000, 20_000, None), (1, 50, None)):
        keys = [rng.getrandbits(64) for _ in range(distinct)]
        stream = [(rng.choice(keys), rng.choice((1, 1, 1, 2))) for _ in range(distinct * 4)]
        sample, every = BottomK(k, combine), {}
        for key, item in stream:
            sample.add(key, item)
            every[key] = item if key not in every else (combine(every[key], item) if combine else every[key])
        smallest = sorted(every)[:k]
        assert sorted(sample.members) == smallest and len(sample) == len(smallest)
        assert sample.items() == [every[key] for key in smallest]
        assert sample.overflowed == (len(every) > k)
        if len(every) > k:
            assert sample.count() == (k - 1) / ((smallest[-1] + 1) / 2.0 ** 64)
            assert sample.bound == smallest[-1]
        else:
            assert sample.count() == len(every)
        if combine:
            assert SHARED in sample.items()


def test_work_in_a_child_process_returns_its_result_or_raises_its_error():
    import os

    assert scan.in_child(lambda: (os.getpid(), [1, 2]))()[1] == [1, 2]
    assert scan.in_child(os.getpid)() != os.getpid()  # it ran elsewhere

    def failing():
        raise ValueError("no such luck")

    with pytest.raises(ValueError, match="no such luck"):
        scan.in_child(failing)()
    with pytest.raises(RuntimeError, match="ended without its results"):
        scan.in_child(lambda: os._exit(3))()


def test_the_report_is_written_the_same_whether_a_child_works_out_half_of_it_or_not(synthetic_build):
    alone, shared = audit(synthetic_build, jobs=1), audit(synthetic_build, jobs=2)
    assert len(alone["diversity"]["families"]) > 100
    assert json.dumps(shared) == json.dumps(alone)  # keys and families in the same order too


def test_probes_found_by_two_processes_are_those_one_finds_in_the_same_order(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    for number in range(6):
        lines = [json.dumps({"kind": "probe", "id": f"p{number}-{n}", "user": "hi"}) if n % 9 == number else
                 json.dumps({"messages": [{"role": "user", "content": "question " * 20}]}) for n in range(60)]
        (out / f"f{number}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(scan, "CHUNK_BYTES", 1_000)
    chunks = scan.plan(out, sorted(out.glob("*.jsonl")))
    alone = [(row.file, row.line, row.id) for row in scan.probe_rows(chunks)]
    assert len(alone) > 30
    assert [(row.file, row.line, row.id) for row in scan.probe_rows_in_two(chunks)] == alone
    one_file = [chunk for chunk in chunks if chunk.name == "f0.jsonl"]
    assert [row.id for row in scan.probe_rows_in_two(one_file)] == [row.id for row in scan.probe_rows(one_file)]


def test_a_file_that_cannot_be_mapped_is_read_and_a_file_listed_twice_is_read_once(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    rows = [json.dumps({"messages": [{"role": "user", "content": f"q {n}"}, {"role": "assistant", "content": "a"}]})
            for n in range(30)]
    probe = json.dumps({"kind": "probe", "id": "p", "user": "hi"})
    (out / "a.jsonl").write_text("\n".join(rows[:20] + [probe] + rows[20:]) + "\n", encoding="utf-8")
    (out / "manifest.json").write_text(json.dumps({"outputs": [{"path": "a.jsonl"}, {"path": "./a.jsonl"}]}))
    assert data_files(out) == [out / "a.jsonl"]
    monkeypatch.setattr(scan, "CHUNK_BYTES", 300)
    chunks = scan.plan(out, data_files(out))
    mapped = [(row.id, row.line) for row in scan.probe_rows(chunks)]

    def refuse(*args, **kwargs):
        raise OSError(19, "No such device")  # as mapping a file of /sys does

    monkeypatch.setattr(scan.mmap, "mmap", refuse)
    assert [(row.id, row.line) for row in scan.probe_rows(chunks)] == mapped == [("p", 21)]
    assert audit(out, jobs=1)["counts"]["training_items"] == 30


def test_pairs_whose_sides_hold_no_words_have_no_phrase_classifiers(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "pairs.jsonl").write_text(json.dumps({"prompt": "Which?", "chosen": "   ", "rejected": "\n"}) + "\n",
                                     encoding="utf-8")
    report = audit(out, jobs=1)
    assert report["preference"]["pairs"] == 1 and report["preference"]["files"][0]["pairs"] == 1


def test_a_sample_sent_to_another_process_is_sent_settled_and_reads_the_same():
    import pickle

    from constitutionc.audit.measures import _same_prompt

    sample = BottomK(100, _same_prompt)
    for i in range(1, 140):
        sample.add((i * 0x9E3779B97F4A7C15) % (1 << 64), i % 3)
    sent = pickle.loads(pickle.dumps(sample))
    assert len(sent._members) == 100  # the surplus is not sent
    assert sent.items() == sample.items() and sent.count() == sample.count() and sent.bound == sample.bound
    assert sent.combine is _same_prompt and sent.overflowed


def test_a_scan_keys_each_item_as_item_key_does_from_its_texts(tmp_path):
    from constitutionc.audit.measures import item_key
    from constitutionc.audit.rows import read_row
    from constitutionc.textmeasures import OverlapIndex

    def chat(system, user, *answers):
        return {"messages": ([{"role": "system", "content": system}] if system is not None else [])
                + [{"role": "user", "content": user}] + [{"role": "assistant", "content": a} for a in answers]}

    records = [chat("Be kind.", "Hi", "Hello"), chat(None, "Hi", "Hello"), chat("Be kind.", "", "Hello", "again"),
               {"prompt": "Pick", "chosen": "", "rejected": "No."}, {"prompt": "Pick", "chosen": "Yes.", "rejected": ""},
               {"prompt": "", "chosen": "Yes.", "rejected": "No.", "system": "Be kind."},
               {"kind": "response", "system": "", "prompt": "Hi", "response": "Hello"},
               {"kind": "response", "prompt": "How do our users sign in?", "response": "The user picks SSO."}]
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    scanner = scan.Scanner(scan.Context((), None, scan.Probes(OverlapIndex(8))))
    items = scanner.scan(scan.Chunk(path, "rows.jsonl", 0, path.stat().st_size))
    expected = [item_key(read_row(r, "rows.jsonl", n)) for n, r in enumerate(records, 1)]
    assert len(set(expected)) == len(records)
    assert items.keys.tolist() == expected


def test_rows_met_in_an_earlier_chunk_count_as_if_read_again(tmp_path, monkeypatch):
    """A row whose item this process met before adds its remembered counts: the report is the one a scan
    that remembers nothing gives (the samples and the parent de-duplicate by content either way)."""
    def pair(prompt, chosen, rejected, **extra):
        return {"prompt": [{"role": "user", "content": prompt}], "chosen": [{"role": "assistant", "content": chosen}],
                "rejected": [{"role": "assistant", "content": rejected}], **extra}

    def openai_pair(prompt, chosen, rejected):
        return {"input": {"messages": [{"role": "user", "content": prompt}]},
                "preferred_output": [{"role": "assistant", "content": chosen}],
                "non_preferred_output": [{"role": "assistant", "content": rejected}]}

    rows = []
    for i in range(60):
        prompt = f"Question {i}: how should I word the note to my landlord about the heating?"
        chosen = f"I'd keep it short{'!' * (i % 3)} and say when it broke ({i} days ago)."
        rejected = "Tell the landlord." if i % 4 else chosen.upper()
        rows.append((prompt, chosen, rejected, f"family_{i % 3}"))
    out = tmp_path / "out"
    (out / "hf").mkdir(parents=True)
    (out / "openai").mkdir()
    files = {
        "hf/preference.jsonl": [pair(p, c, r, generator=g) for p, c, r, g in rows],
        "openai/preference.jsonl": [openai_pair(p, c, r) for p, c, r, _ in rows],
        "hf/preference_ablation.jsonl": [pair(p, c, r, generator=g) for p, c, r, g in rows[:20]],
        "hf/again.jsonl": [pair(p, c, r, generator=g) for p, c, r, g in rows]
                          + [pair(p, c, r, generator="other") for p, c, r, _ in rows[:10]]
                          + [pair(p, "", r, generator=g) for p, _, r, g in rows[:5]] * 2
                          # a met row, then its item under another family in the same chunk
                          + [x for p, c, r, g in rows[20:30] for x in (pair(p, c, r, generator=g),
                                                                      pair(p, c, r, generator="other"))],
        "hf/justified.jsonl": [{"messages": [{"role": "user", "content": p}, {"role": "assistant", "content": c}],
                                "generator": g, **({"tools": [{"name": "lookup"}]} if copy else {})}
                               for copy in (0, 1) for p, c, _, g in rows],  # the copy has tools: not its item's
        "responses.jsonl": [{"kind": "response", "prompt": p, "response": c, "generator": g,
                             "system": "The user asked." if i % 2 else None} for i, (p, c, _, g) in enumerate(rows)],
    }
    for name, records in files.items():
        (out / name).write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(scan, "CHUNK_BYTES", 3000)  # many chunks a file: rows are met within files too
    remembering = audit(out, jobs=1)
    scanner_init = scan.Scanner.__init__

    def forgetful(self, context):
        scanner_init(self, context)
        self.met.add = lambda keys, rows: None  # nothing is remembered: every row is read again

    monkeypatch.setattr(scan.Scanner, "__init__", forgetful)
    forgetting = audit(out, jobs=1)
    assert remembering["preference"]["pairs"] > 0 and remembering["environments"]["training_with_tools"] > 0
    assert json.dumps(remembering, sort_keys=True) == json.dumps(forgetting, sort_keys=True)


def test_integers_past_64_bits_anywhere_give_the_report_the_standard_library_reading_gives(tmp_path, monkeypatch):
    """The scan reads lines with orjson alone, which turns an integer past 64 bits into a float: no figure may
    change for it. The reference reads every line as `jsonl.parse` does (the standard library's value)."""
    big = 123456789012345678901234567890
    chat = {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": big},
                         {"role": "user", "content": "TODO: How many? [insert count]"},
                         {"role": "assistant", "content": f"I count {big} of them, you see."}],
            "id": big, "generator": big, "kind": "response", "variant": big, "principles": ["p.one", big],
            "tools": [{"name": big}, {"name": "lookup"}]}
    records = [
        chat,
        {**chat, "principles": None, "sources": [{"clause": big}, {"clause": "p.two"}, big]},
        {"prompt": [{"role": "user", "content": "Pick"}],
         "chosen": [{"role": "assistant", "content": f"I'd pick {big}."}],
         "rejected": [{"role": "assistant", "content": big}], "generator": "g"},
        {"kind": "response", "prompt": "numbers", "response": big, "system": big},
        {"kind": "probe", "id": "pr-1", "user": "Pick one of 18446744073709551616 TODO", "system": big,
         "messages": [{"id": big, "body": big, "at": [big, "TODO"], "meta": {"size": -big}}]},
        {"kind": "prompt", "prompt": f"What is {big}?", "system": big},
        # how long a number prints decides whether a bracket 60 characters on closes a placeholder
        {"kind": "probe", "id": "pr-2", "user": "Pick",
         "messages": [{"role": "user", "content": ["[insert name", 10 ** 70]}]},
        {"kind": "probe", "id": "pr-3", "user": "Pick", "messages": [
            {"role": "user", "content": ["[insert the name of the person here " + "x" * 6, 2 ** 64]}]},
    ]
    out = tmp_path / "out"
    out.mkdir()
    lines = "".join(json.dumps(r) + "\n" for r in records * 40)
    (out / "rows.jsonl").write_text(lines, encoding="utf-8")
    (out / "probes.jsonl").write_text(json.dumps(records[4]) + "\n", encoding="utf-8")
    monkeypatch.setattr(scan, "CHUNK_BYTES", 2000)
    scanned = audit(out, jobs=1)

    def exactly(lines, name):
        for number, line in enumerate(lines, 1):
            row = scan._row(line, name, number)
            if row is not None:
                yield row

    monkeypatch.setattr(scan, "_rows", exactly)
    assert scanned["counts"]["clauses"] == {"p.one": 40, "p.two": 40}
    assert scanned["placeholders"]["items"] > 0 and scanned["files"][0]["unreadable"] == 0
    assert json.dumps(scanned, sort_keys=True) == json.dumps(audit(out, jobs=1), sort_keys=True)
