"""The contract every output target keeps, run against each registered target and, pair by pair,
against every registered record kind (and a kind the tests register themselves), so neither a new
target nor a new kind needs this file edited to be held to it."""

from __future__ import annotations

import copy
import tracemalloc
from pathlib import Path

import pytest

from constitutionc.emit.kinds import KINDS
from constitutionc.emit.targets import TARGETS, Target, target
from constitutionc.emit.writer import read_records

from .. import extra_kind
from .conftest import QUICKSTART, VARIED, read_jsonl, run_target

ALL_TARGETS = sorted(TARGETS)
ALL_KINDS = [*KINDS, extra_kind.NAME]
# Records of kinds only a model writes come from files here, one per kind, valid against its schema.
MODEL_RECORDS = Path(__file__).resolve().parents[1] / "data" / "records"


def test_every_target_declares_registered_kinds_with_handlers():
    for name, cls in TARGETS.items():
        assert issubclass(cls, Target) and cls is not Target
        assert cls.name == name and cls.description
        assert cls.kinds and cls.kinds <= set(KINDS)
        for kind in cls.kinds:
            assert callable(getattr(cls, f"on_{kind}", None)), f"{name} declares {kind} without on_{kind}"


def test_a_target_declaring_what_it_cannot_handle_is_refused():
    class NoHandler(Target):
        description = "declares probes but has no on_probe"
        kinds = frozenset({"probe"})

    class UnknownKind(Target):
        description = "declares a kind nobody registered"
        kinds = frozenset({"horoscope"})

        def on_horoscope(self, record):
            pass

    with pytest.raises(TypeError, match="on_probe"):
        target("test-no-handler")(NoHandler)
    with pytest.raises(ValueError, match="horoscope"):
        target("test-unknown-kind")(UnknownKind)
    assert "test-no-handler" not in TARGETS and "test-unknown-kind" not in TARGETS


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    """(kind, record) for every registered kind, the test-only kind included, in build order."""
    from constitutionc.api import load
    from constitutionc.emit import BuildOptions, build

    root = tmp_path_factory.mktemp("every-kind")
    with extra_kind.registered():
        offline = [k for k in KINDS.values() if k.offline]
        out: list[tuple[str, dict]] = []
        for source in (QUICKSTART, VARIED):
            directory = root / source.stem
            build(load([source]).constitution, directory, BuildOptions(only=tuple(k.plural for k in offline)))
            out += [(k.name, r) for k in offline for r in read_records(directory / k.filename)]
        for kind in KINDS.values():
            if not kind.offline:
                path = MODEL_RECORDS / kind.filename
                assert path.is_file(), f"{kind.name} is written by a model: the contract needs {path}"
                out += [(kind.name, record) for record in read_jsonl(path)]
        yield out


@pytest.mark.parametrize("kind", ALL_KINDS)
@pytest.mark.parametrize("name", ALL_TARGETS)
def test_each_kind_reaches_only_the_targets_declaring_it(name, kind, stream, tmp_path):
    records = [record for k, record in stream if k == kind]
    assert records, f"no {kind} records to feed"
    cls = TARGETS[name]
    if kind in cls.kinds:
        out = tmp_path / "out"
        target = cls(out)
        taken = [r["id"] for r in records if target.handles(kind, r)]
        for record in records:
            target.write(kind, record)
        text = "".join(p.read_text(encoding="utf-8") for p in target.close())
        assert taken, f"{name} declares {kind} but takes none of its records"
        assert [rid for rid in taken if rid not in text] == []
        return

    # An undeclared kind never reaches a handler, even one the class happens to have.
    def refuse(self, record):
        raise AssertionError(f"{name} handled a {kind} record it never declared")

    guarded = type(f"Guarded{cls.__name__}", (cls,), {f"on_{kind}": refuse})
    target = guarded(tmp_path / "out")
    assert not any(target.handles(kind, r) for r in records)
    for record in records:
        target.write(kind, record)
    assert target.close() == []


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
        if target.handles(kind, record):
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


def test_handles_exactly_the_declared_kinds(target_cls, stream, tmp_path):
    target = target_cls(tmp_path)
    kinds_handled = {kind for kind, record in stream if target.handles(kind, record)}
    assert kinds_handled == set(target_cls.kinds)


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
