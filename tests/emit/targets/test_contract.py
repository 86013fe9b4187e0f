"""The contract every output target keeps, run against each registered target."""

from __future__ import annotations

import copy
import tracemalloc

import pytest

from constitutionc.emit.targets import RECORD_KINDS, TARGETS, Target

from .conftest import run_target

ALL_TARGETS = sorted(TARGETS)


def test_the_registry_holds_the_documented_targets():
    assert set(TARGETS) == {"anthropic", "openai", "hf", "inspect", "promptfoo"}
    for name, cls in TARGETS.items():
        assert issubclass(cls, Target) and cls is not Target
        assert cls.name == name and cls.description
        assert cls.kinds and cls.kinds <= set(RECORD_KINDS)


@pytest.fixture(params=ALL_TARGETS)
def target_cls(request):
    return TARGETS[request.param]


def test_files_are_under_the_directory_utf8_and_relative(target_cls, records, tmp_path):
    out = tmp_path / "out"
    paths = run_target(target_cls, out, records)
    assert paths, "the fixture stream has records of every kind, so every target writes something"
    assert paths == sorted(paths)
    on_disk = sorted(p for p in out.rglob("*") if p.is_file())
    assert on_disk == paths, "close() returns exactly the files written"
    for path in paths:
        raw = path.read_bytes()
        assert raw, path
        text = raw.decode("utf-8")
        assert "\r" not in text and text.endswith("\n")
        assert str(tmp_path) not in text, f"{path.name} contains an absolute path"


def test_output_is_byte_identical_across_runs_and_directories(target_cls, records, tmp_path):
    first = run_target(target_cls, tmp_path / "a", records)
    second = run_target(target_cls, tmp_path / "elsewhere" / "b", records)
    assert [p.relative_to(tmp_path / "a") for p in first] == \
        [p.relative_to(tmp_path / "elsewhere" / "b") for p in second]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_every_accepted_record_is_traceable_by_id(target_cls, records, tmp_path):
    target = target_cls(tmp_path)
    accepted, ignored, referenced = [], [], set()
    for kind, record in records:
        if target.accepts(kind, record):
            accepted.append(record["id"])
            referenced.add(record.get("dilemma_id"))
        else:
            ignored.append(record["id"])
        target.write(kind, record)
    text = "".join(p.read_text(encoding="utf-8") for p in target.close())
    assert accepted
    assert [rid for rid in accepted if rid not in text] == []
    # An ignored record may only show up as the dilemma an accepted response answers.
    assert [rid for rid in ignored if rid in text and rid not in referenced] == []


def test_accepts_exactly_the_declared_kinds(target_cls, records, tmp_path):
    target = target_cls(tmp_path)
    kinds_taken = {kind for kind, record in records if target.accepts(kind, record)}
    assert kinds_taken == set(target_cls.kinds)


def test_an_empty_stream_writes_nothing(target_cls, tmp_path):
    out = tmp_path / "out"
    assert target_cls(out).close() == []
    assert not out.exists() or not any(out.iterdir())


def test_misuse_is_reported(target_cls, records, tmp_path):
    target = target_cls(tmp_path)
    with pytest.raises(ValueError, match="unknown record kind"):
        target.write("sample", records[0][1])
    target.close()
    with pytest.raises(RuntimeError):
        target.write(*records[0])
    with pytest.raises(RuntimeError):
        target.close()


def _peak_bytes(target_cls, records, out, copies: int) -> int:
    """Peak traced memory while streaming `copies` renamed copies of the records."""
    template = [(kind, copy.deepcopy(record)) for kind, record in records]
    tracemalloc.start()
    try:
        target = target_cls(out)
        for n in range(copies):
            for kind, record in template:
                record = dict(record, id=f"{record['id'][:3]}{n:04d}{record['id'][7:]}")
                target.write(kind, record)
        target.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_stream_grows(target_cls, records, tmp_path):
    small = _peak_bytes(target_cls, records, tmp_path / "small", 2)
    large = _peak_bytes(target_cls, records, tmp_path / "large", 40)
    # 20x the records: holding them would cost megabytes; streaming costs a constant.
    assert large < small * 1.5 + 200_000, (small, large)
