"""Paths: what the compiler reads is inside the project root or the standard library, and what it writes
does not depend on where it ran (issue 16 items 9, 14, 15; the import escapes of the audit).
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from constitutionc.api import load

from .conftest import BUILD, MERGE, QUICKSTART, run_command, tree_bytes
from .test_cli_bad_inputs import run

SECRET = "SECRET-OUTSIDE-THE-ROOT"

# Import targets that must never be read: absolute, climbing out, the standard library's prefix abused,
# links out of the root, and names the filesystem rejects.
ESCAPES = ["/etc/passwd", "../outside.cdl", "../../outside.cdl", "sub/../../outside.cdl", "std:/etc/passwd",
           "std:../../../../../../outside", "std:" + "../" * 30 + "tmp/x", "link/outside.cdl", "linked.cdl",
           "/proc/self/environ", "//etc/passwd", "./../outside.cdl", "sub/./../../outside.cdl",
           "\\..\\outside.cdl", "..\\outside.cdl", "%2e%2e/outside.cdl", "a" * 300 + ".cdl",
           "sub/" + "b" * 256 + "/x.cdl", "\u2024\u2024/outside.cdl", "..", ".", "", "sub", "/",
           "std:", "std:.", "std:..", "std:personas/../../../outside"]


@pytest.fixture
def rooted(tmp_path) -> Path:
    (tmp_path / "outside.cdl").write_text(f'principle leaked "L" {{ text: "{SECRET}" why: "w" }}\n', encoding="utf-8")
    root = tmp_path / "project"
    (root / "sub").mkdir(parents=True)
    (root / "link").symlink_to(tmp_path, target_is_directory=True)
    (root / "linked.cdl").symlink_to(tmp_path / "outside.cdl")
    return root


@pytest.mark.parametrize("target", ESCAPES, ids=range(len(ESCAPES)))
def test_an_import_escape_is_refused_before_it_is_read(rooted, target):
    main = rooted / "main.cdl"
    main.write_text(json.dumps(target, ensure_ascii=False).join(["import ", "\n"]) + 'principle p "P" { text: "t" why: "w" }\n',
                    encoding="utf-8")
    result = load([main])
    assert not result.ok
    assert all(SECRET not in text for text in result.sources.values())
    assert [p.id for p in result.constitution.principles] == ["p"]
    assert all(f.path.endswith("main.cdl") or f.path.startswith("std:") for f in result.constitution.files)


def _built_record(out: Path) -> dict:
    with open(out / "dilemmas.jsonl", encoding="utf-8") as handle:
        return json.loads(handle.readline())


@pytest.mark.parametrize("file", ["/etc/passwd", "../../../../etc/passwd", "std:../../../../../etc/passwd",
                                  "std:/etc/passwd", "link/outside.cdl", "\0", ""])
def test_trace_reads_only_inside_the_root_or_the_standard_library(rooted, file):
    """Item 14: a record naming `/etc/passwd` as its source made trace open it."""
    shutil.copy(QUICKSTART, rooted / "c.cdl")
    out = rooted / "out"
    assert run("build", rooted / "c.cdl", "-o", out).exit_code == 0
    record = _built_record(out)
    record["sources"][0]["file"] = file
    lines = (out / "dilemmas.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = json.dumps(record) + "\n"
    (out / "dilemmas.jsonl").write_text("".join(lines), encoding="utf-8")
    result = run("trace", record["id"], "--data", out, "--root", rooted)
    assert result.exit_code == 0 and result.exception is None, result.output
    assert "root:" not in result.output and SECRET not in result.output and "/bin/" not in result.output
    assert "cannot read" in result.output


def test_builds_from_different_directories_are_byte_identical_and_their_shards_merge(tmp_path):
    """Item 15: `sources[].file` was relative to the working directory (10 of 17 files differed)."""
    project = tmp_path / "project"
    (project / "deep" / "er").mkdir(parents=True)
    shutil.copy(QUICKSTART, project / "c.cdl")
    targets = ["--target", "openai", "--target", "hf", "--target", "anthropic"]
    trees = []
    for cwd in (project, project / "deep" / "er", tmp_path):
        out = tmp_path / f"out-{len(trees)}"
        result = run_command(BUILD, [project / "c.cdl", "-o", out, *targets], cwd)
        assert result.returncode == 0, result.stderr
        trees.append(tree_bytes(out))
    assert trees[0] == trees[1] == trees[2]
    # Shards built from two directories merge into the unsharded build.
    shards = []
    for index, cwd in enumerate((project, tmp_path)):
        shards.append(tmp_path / f"shard-{index}")
        assert run_command(BUILD, [project / "c.cdl", "-o", shards[-1], "--shard", f"{index}/2", *targets],
                           cwd).returncode == 0
    result = run_command(MERGE, [*shards, "-o", tmp_path / "merged"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert tree_bytes(tmp_path / "merged") == trees[0]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.hrefs += [value for name, value in attrs if name in ("href", "src") and value]


@pytest.mark.parametrize("name", ["javascript:alert(1)<!--.cdl", "data:text,x.cdl", "JaVaScRiPt:x.cdl",
                                  " javascript:x.cdl", "vbscript:x.cdl", "a\"onmouseover=\"x.cdl"])
def test_html_report_links_are_relative_paths_whatever_the_file_name(tmp_path, name):
    """Item 9: a source file named `javascript:...<!--.cdl` became a link that ran script."""
    source = tmp_path / name
    shutil.copy(QUICKSTART, source)
    out = tmp_path / "out"
    assert run("build", source, "-o", out).exit_code == 0, name
    report = tmp_path / "report.html"
    result = run("coverage", source, "--data", out, "--format", "html", "-o", report)
    assert result.exit_code == 0, result.output
    parser = _Links()
    parser.feed(report.read_text(encoding="utf-8"))
    assert parser.hrefs
    for href in parser.hrefs:
        scheme = href.split("/", 1)[0]
        assert href.startswith("#") or href.startswith("vscode://file/") or ":" not in scheme, href
