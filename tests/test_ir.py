"""`Node.unchecked` makes the node validation would make; the front end's nodes pass validation as made."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from constitutionc import ir
from constitutionc.api import load

ROOT = Path(__file__).resolve().parents[1]
# Every constitution the repository ships or tests with, the broken ones included: lowering builds
# nodes on its error paths too.
SOURCES = sorted(p for p in ROOT.rglob("*.cdl") if ".venv" not in p.parts and "out" not in p.parts)


def _same(made, validated) -> bool:
    """Equal, and of the same type all the way down (`(1,) == [1]` is False, but `True == 1` is not)."""
    if type(made) is not type(validated):
        return False
    if isinstance(made, BaseModel):
        return (made.model_fields_set == validated.model_fields_set
                and list(made.__dict__) == list(validated.__dict__)
                and all(_same(made.__dict__[k], validated.__dict__[k]) for k in made.__dict__))
    if isinstance(made, tuple):
        return len(made) == len(validated) and all(_same(a, b) for a, b in zip(made, validated))
    return made == validated


def _revalidate(node: ir.Node) -> list[str]:
    """Each node rebuilt by validation from the fields it was given; the paths of those that differ."""
    problems = []

    def visit(value, path: str) -> None:
        if isinstance(value, ir.Node):
            given = {name: value.__dict__[name] for name in value.model_fields_set}
            try:
                again = type(value)(**given)
            except ValidationError as e:
                problems.append(f"{path}: {e}")
                return
            if not _same(value, again):
                problems.append(f"{path}: {value!r} != {again!r}")
            for name, inner in value.__dict__.items():
                visit(inner, f"{path}.{name}")
        elif isinstance(value, tuple):
            for i, inner in enumerate(value):
                visit(inner, f"{path}[{i}]")

    visit(node, type(node).__name__)
    return problems


def test_the_corpus_is_not_empty():
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_node_the_front_end_makes_passes_validation_unchanged(path: Path):
    result = load([path], root=path.parent.parent)
    assert _revalidate(result.constitution) == []
    for diagnostic in result.diagnostics:
        if diagnostic.span is not None:
            assert _revalidate(diagnostic.span) == []


def test_unchecked_is_the_validated_node():
    span = ir.Span.unchecked(file="a.cdl", line=1, column=2, end_line=3, end_column=4)
    fields = dict(id="a.b", text="t", values=("safety",), tags=("x", "y"), kind="instructable", default_on=True,
                  span=span, name_span=span)
    made, validated = ir.Principle.unchecked(**fields), ir.Principle(**fields)
    assert _same(made, validated)
    assert made == validated and hash(made) == hash(validated) and repr(made) == repr(validated)
    assert made.model_dump(mode="json") == validated.model_dump(mode="json")
    assert made.sha256 == validated.sha256


def test_defaults_factories_and_private_attributes_are_set_as_validation_sets_them():
    made, validated = ir.Constitution.unchecked(), ir.Constitution()
    assert _same(made, validated) and made == validated
    assert made.header is not validated.header and _same(made.header, validated.header)
    assert made.header is not ir.Constitution.unchecked().header  # a fresh default each time
    assert made.principle("nothing") is None  # the private index works


def test_unknown_or_missing_fields_are_refused():
    with pytest.raises(TypeError):
        ir.Span.unchecked(file="a.cdl", line=1, column=1, end_line=1)
    with pytest.raises(TypeError):
        ir.Span.unchecked(file="a.cdl", line=1, column=1, end_line=1, end_column=2, colour="red")


def test_each_class_makes_its_own_kind_of_node():
    class Wider(ir.SourceFile):
        note: str = ""

    base = ir.SourceFile.unchecked(path="a", sha256="0")
    wider = Wider.unchecked(path="a", sha256="0", note="n")
    assert type(base) is ir.SourceFile and type(wider) is Wider and wider.note == "n"
