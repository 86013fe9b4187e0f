"""Imports: relative to the importer, cycles and missing files reported, the root never left."""

from __future__ import annotations

from pathlib import Path

import pytest

from constitutionc.api import InputError, load

PRINCIPLE = 'principle {pid} {{ text: "t" why: "w" }}\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_imports_resolve_relative_to_the_importing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "proj/main.cdl", 'import "lib/a.cdl"\n' + PRINCIPLE.format(pid="main.p"))
    write(tmp_path / "proj/lib/a.cdl", 'import "b.cdl"\n' + PRINCIPLE.format(pid="lib.a"))
    write(tmp_path / "proj/lib/b.cdl", PRINCIPLE.format(pid="lib.b"))
    result = load(["proj/main.cdl"])
    assert codes(result) == []
    assert sorted(p.id for p in result.constitution.principles) == ["lib.a", "lib.b", "main.p"]
    spans = {p.id: p.span.file for p in result.constitution.principles}
    assert spans == {"main.p": "proj/main.cdl", "lib.a": "proj/lib/a.cdl", "lib.b": "proj/lib/b.cdl"}
    assert [f.path for f in result.constitution.files] == ["proj/lib/a.cdl", "proj/lib/b.cdl", "proj/main.cdl"]


def test_diamond_imports_load_each_file_once(tmp_path):
    write(tmp_path / "main.cdl", 'import "a.cdl"\nimport "b.cdl"\n')
    write(tmp_path / "a.cdl", 'import "shared.cdl"\n')
    write(tmp_path / "b.cdl", 'import "shared.cdl"\n')
    write(tmp_path / "shared.cdl", PRINCIPLE.format(pid="s.p"))
    result = load([tmp_path / "main.cdl"])
    assert codes(result) == []
    assert [p.id for p in result.constitution.principles] == ["s.p"]


def test_import_cycle_is_a_diagnostic(tmp_path):
    write(tmp_path / "a.cdl", 'import "b.cdl"\n')
    write(tmp_path / "b.cdl", 'import "a.cdl"\n')
    result = load([tmp_path / "a.cdl"])
    assert codes(result) == ["CDL402"]
    assert "import cycle" in result.diagnostics[0].message
    assert result.diagnostics[0].span.line == 1


def test_missing_import_is_a_diagnostic(tmp_path):
    write(tmp_path / "a.cdl", '\nimport "nope.cdl"\n')
    result = load([tmp_path / "a.cdl"])
    assert codes(result) == ["CDL401"]
    assert result.diagnostics[0].span.line == 2


def test_import_outside_the_root_is_refused_and_never_read(tmp_path):
    # The outside file is not valid CDL: had it been read, a syntax error would appear.
    write(tmp_path / "secret.cdl", "this is { not valid")
    write(tmp_path / "proj/main.cdl", 'import "../secret.cdl"\n')
    result = load([tmp_path / "proj/main.cdl"])
    assert codes(result) == ["CDL403"]
    assert not any("secret" in f.path for f in result.constitution.files)


def test_root_from_the_command_line_widens_the_tree(tmp_path):
    write(tmp_path / "shared/env.cdl", PRINCIPLE.format(pid="shared.p"))
    write(tmp_path / "proj/main.cdl", 'import "../shared/env.cdl"\n')
    result = load([tmp_path / "proj/main.cdl"], root=tmp_path)
    assert codes(result) == []


def test_root_from_configuration(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.constitutionc]\nroot = "."\n')
    write(tmp_path / "shared/env.cdl", PRINCIPLE.format(pid="shared.p"))
    write(tmp_path / "proj/main.cdl", 'import "../shared/env.cdl"\n')
    result = load([tmp_path / "proj/main.cdl"])
    assert codes(result) == []


def test_symlink_escaping_the_root_is_refused(tmp_path):
    write(tmp_path / "outside.cdl", PRINCIPLE.format(pid="o.p"))
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj/link.cdl").symlink_to(tmp_path / "outside.cdl")
    write(tmp_path / "proj/main.cdl", 'import "link.cdl"\n')
    result = load([tmp_path / "proj/main.cdl"])
    assert codes(result) == ["CDL403"]


def test_unknown_standard_library_module(tmp_path):
    write(tmp_path / "a.cdl", "import std.no_such_module\n")
    result = load([tmp_path / "a.cdl"])
    assert codes(result) == ["CDL401"]
    assert "standard library" in result.diagnostics[0].message


def test_missing_root_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load([tmp_path / "missing.cdl"])


def test_invalid_utf8_and_binary_are_diagnostics(tmp_path):
    (tmp_path / "latin1.cdl").write_bytes(b'principle a.b { text: "caf\xe9" why: "w" }')
    (tmp_path / "binary.cdl").write_bytes(b"\x00\x01\x02PK")
    latin = load([tmp_path / "latin1.cdl"])
    assert codes(latin) == ["CDL002"] and "UTF-8" in latin.diagnostics[0].message
    binary = load([tmp_path / "binary.cdl"])
    assert codes(binary) == ["CDL002"] and "binary" in binary.diagnostics[0].message


def test_editor_overlay_wins_over_disk(tmp_path):
    path = write(tmp_path / "a.cdl", PRINCIPLE.format(pid="disk.p"))
    result = load([path], overlays={path.resolve(): PRINCIPLE.format(pid="editor.p")})
    assert [p.id for p in result.constitution.principles] == ["editor.p"]


def test_the_named_file_s_header_and_priority_win_over_imports(tmp_path):
    write(tmp_path / "lib.cdl", 'constitution "Library" { version: "9" }\npriority: b > a\n'
                                'value a "A" { why: "w" }\nvalue b "B" { why: "w" }\n')
    write(tmp_path / "main.cdl", 'import "lib.cdl"\nconstitution "Main" { version: "1" }\npriority: a > b\n')
    result = load([tmp_path / "main.cdl"])
    assert result.constitution.header.title == "Main"
    assert result.constitution.priority == ("a", "b")


def test_reloading_after_a_missing_import_appears_sees_the_new_file(tmp_path):
    # Parsed files are cached by content; import problems belong to each load, not to the cache.
    main = write(tmp_path / "main.cdl", 'import "later.cdl"\n')
    assert codes(load([main])) == ["CDL401"]
    write(tmp_path / "later.cdl", PRINCIPLE.format(pid="later.p"))
    again = load([main])
    assert codes(again) == []
    assert [p.id for p in again.constitution.principles] == ["later.p"]
    assert codes(load([main])) == []


def test_backslashes_in_an_import_path_are_reported_on_every_platform(tmp_path):
    write(tmp_path / "lib/a.cdl", PRINCIPLE.format(pid="lib.a"))
    write(tmp_path / "main.cdl", 'import "lib\\\\a.cdl"\n')
    result = load([tmp_path / "main.cdl"])
    assert codes(result) == ["CDL104"]
    assert "`lib/a.cdl`" in result.diagnostics[0].message


def test_importing_a_directory_says_so(tmp_path):
    (tmp_path / "lib.cdl").mkdir()
    write(tmp_path / "main.cdl", 'import "lib.cdl"\n')
    result = load([tmp_path / "main.cdl"])
    assert codes(result) == ["CDL401"]
    assert "is a directory" in result.diagnostics[0].message


def test_dot_dot_that_stays_inside_the_root_is_allowed(tmp_path):
    write(tmp_path / "lib/a.cdl", PRINCIPLE.format(pid="lib.a"))
    write(tmp_path / "docs/main.cdl", 'import "../lib/../lib/a.cdl"\n')
    result = load([tmp_path / "docs/main.cdl"], root=tmp_path)
    assert codes(result) == []
    assert [p.id for p in result.constitution.principles] == ["lib.a"]
