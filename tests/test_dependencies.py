"""The direction of dependencies between the compiler's own modules.

Data flows one way (docs/architecture.md), so the modules must not import each other in a
cycle. The graph is read from the source with `ast`, not by importing: an edge is an import
statement anywhere in a module (at module level or inside a function) outside an
`if TYPE_CHECKING:` block, or a string naming one of the modules (what `importlib` is given;
a module naming its own package, to find data files, is not an edge).
Function-level imports count because they are how a module reaches a
later stage lazily; a cycle through one is still a cycle in the design (and an import-order
trap the day someone hoists the import). The deterministic stages never import a model SDK,
which the last test checks by running them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = "constitutionc"
ROOT = Path(__file__).resolve().parents[1] / PACKAGE


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, typing: bool = False):
    """Import statements, skipping the bodies of `if TYPE_CHECKING:` unless `typing`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test) and not typing:
            yield from (n for child in node.orelse for n in _imports_in(child))
            continue
        yield from _imports_in(node, typing)


def _imports_in(node: ast.AST, typing: bool = False):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node
    else:
        yield from _imports(node, typing)


def edges_of(name: str, path: Path, modules: dict[str, Path], typing: bool = False) -> set[str]:
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path)), typing):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            # `from pkg import sub` imports the submodule `pkg.sub` when there is one.
            targets = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in modules else origin
                       for alias in node.names]
        found.update(t for t in targets if t in modules and t != name)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        # A module naming its own package (`resources.files("constitutionc.prompts")` for data
        # files) depends on nothing new: the package is imported before any of its modules.
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in modules
                and not name.startswith(node.value + ".")):
            found.add(node.value)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: edges_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph)))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def describe(component: list[str], graph: dict[str, set[str]]) -> str:
    members = set(component)
    return "; ".join(f"{m} -> {', '.join(sorted(graph[m] & members))}" for m in component)


def test_the_scan_sees_the_imports_it_must():
    graph = import_graph()
    assert "constitutionc.diagnostics" in graph["constitutionc.api"]  # module level, relative
    assert "constitutionc.lint" in graph["constitutionc.api"]  # inside a function
    assert "constitutionc.syntax.builder" in graph["constitutionc.syntax.resolve"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_a_module_named_in_a_string_is_an_edge(tmp_path):
    path = tmp_path / "registry.py"
    path.write_text('MODULES = ["constitutionc.coverage.schema"]\n'
                    'if TYPE_CHECKING:\n    from constitutionc import ir\n', encoding="utf-8")
    assert edges_of("constitutionc.registry", path, all_modules()) == {"constitutionc.coverage.schema"}


def test_no_import_cycles_among_the_compilers_modules():
    graph = import_graph()
    found = cycles(graph)
    assert not found, ("import cycles (a registry's modules import it from `pkg.registry`, not from the "
                       "package that imports them):\n" + "\n".join(describe(c, graph) for c in found))


def test_the_model_layer_has_no_cycle_even_through_type_checking_imports():
    # The batch runner declares what it needs of a session (`batches.BatchSession`) instead of
    # importing the session that imports it.
    modules = all_modules()
    graph = {name: edges_of(name, path, modules, typing=True) for name, path in modules.items()
             if name.startswith("constitutionc.llm")}
    graph = {name: targets & graph.keys() for name, targets in graph.items()}
    assert "constitutionc.llm.batches" in graph["constitutionc.llm.session"]
    found = cycles(graph)
    assert not found, "\n".join(describe(c, graph) for c in found)


MODEL_SDKS = ("anthropic", "openai")


def test_only_the_model_layer_imports_a_model_sdk():
    modules = all_modules()
    importers = set()
    for name, path in modules.items():
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if node.__class__ is ast.ImportFrom and node.level:
                continue  # relative: one of ours
            if any(n.split(".")[0] in MODEL_SDKS for n in names):
                importers.add(name)
    assert importers, "the scan finds the provider modules"
    assert all(name.startswith("constitutionc.llm.") for name in importers), sorted(importers)


DETERMINISTIC_RUN = r"""
import json
import sys
from pathlib import Path
from click.testing import CliRunner
from constitutionc import api
from constitutionc.cli import main
from constitutionc.emit.targets import TARGETS

repo, out = Path(sys.argv[1]), Path(sys.argv[2])
entry = repo / "examples/quickstart/constitution.cdl"
result = api.load([entry])
assert result.ok, result.diagnostics
api.lint(result)
api.build(result.constitution, out, targets=tuple(TARGETS))
api.coverage(result.constitution, out)
api.format_text(entry.read_text(encoding="utf-8"))
runner = CliRunner()
built = out.parent / "built"
first = json.loads((out / "dilemmas.jsonl").read_text(encoding="utf-8").splitlines()[0])
probe = json.loads((out / "probes.jsonl").read_text(encoding="utf-8").splitlines()[0])
transcripts = out.parent / "transcripts.jsonl"
transcripts.write_text(json.dumps({"probe_id": probe["id"], "messages": [
    {"role": "assistant", "content": "I will not send that message."}]}) + "\n", encoding="utf-8")
graded = out.parent / "graded"
every_target = [a for name in TARGETS for a in ("--target", name)]
for args in (["check", str(entry)], ["lint", str(entry)], ["coverage", str(entry), "--data", str(out)],
             ["fmt", "--check", str(entry)], ["schema"], ["build", str(entry), "-o", str(built), *every_target],
             ["trace", first["id"], "--data", str(built)], ["audit", str(built)],
             # grading with the checks alone needs no model, so no SDK either
             ["grade", str(built), "--transcripts", str(transcripts), "-o", str(graded), "--judge", "none"],
             ["coverage", str(entry), "--data", str(built), "--results", str(graded / "results.jsonl")],
             ["results", "compare", str(graded / "results.jsonl"), str(graded / "results.jsonl")]):
    outcome = runner.invoke(main, args)
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit), (args, outcome.output)
    assert outcome.exit_code in (0, 1), (args, outcome.output)  # 1: findings; 2 would be a usage error
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("anthropic", "openai"))
print(",".join(loaded))
"""


def test_the_deterministic_stages_never_import_a_model_sdk(tmp_path):
    done = subprocess.run([sys.executable, "-c", DETERMINISTIC_RUN, str(ROOT.parent), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported: {done.stdout.strip()}"
