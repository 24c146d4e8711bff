"""The package's import graph: no module may come to import itself through others, and none imports a layer above its own.

Every import is counted, inside functions and `if TYPE_CHECKING:` blocks too, since each is a
dependency a reader has to follow. There are no cycles; KNOWN_CYCLES stays empty.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "boardpack"

KNOWN_CYCLES: set[frozenset[str]] = set()


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports, anywhere in its file."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else [])) if node.level else node.module or ""
            for alias in node.names:
                if f"{base}.{alias.name}" in known:
                    out.add(f"{base}.{alias.name}")
                elif base in known:
                    out.add(base)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names if alias.name in known)
    out.discard(name)
    return out


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.add(frozenset(component))
    return found


def test_the_cycle_finder_finds_a_cycle_through_an_import_inside_a_function(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == {frozenset({"a", "b", "c"})}
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/one.py").write_text("def f():\n    from . import two\n")
    (tmp_path / "pkg/two.py").write_text("from .one import f\n")
    known = {"pkg": tmp_path / "pkg/__init__.py", "pkg.one": tmp_path / "pkg/one.py", "pkg.two": tmp_path / "pkg/two.py"}
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert graph == {"pkg": set(), "pkg.one": {"pkg.two"}, "pkg.two": {"pkg.one"}}
    assert cycles(graph) == {frozenset({"pkg.one", "pkg.two"})}


def test_no_new_import_cycles_and_the_known_ones_are_still_there() -> None:
    known = modules()
    assert len(known) > 50
    graph = {name: imports(name, path, known) for name, path in known.items()}
    assert sum(len(targets) for targets in graph.values()) > 150  # the graph was read
    found = cycles(graph)
    new = [sorted(c) for c in found - KNOWN_CYCLES]
    gone = [sorted(c) for c in KNOWN_CYCLES - found]
    assert not new, f"modules that import each other (break the cycle): {new}"
    assert not gone, f"no longer a cycle: take it off KNOWN_CYCLES: {gone}"


def _lint_imports(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """import-linter (`lint-imports`) on a configuration, with `cwd` first on the import path."""
    command = Path(sys.executable).with_name("lint-imports")
    assert command.is_file(), "import-linter is one of the test dependencies: run the README's test command"
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run([str(command), str(config), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _layers(pyproject: Path) -> list[str]:
    contracts = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    return [m.strip() for c in contracts if c["type"] == "layers" for layer in c["layers"] for m in layer.split("|")]


def test_the_layers_contract_holds() -> None:
    """Lower layers never import upper ones (pyproject's [tool.importlinter]); intake never imports render."""
    result = _lint_imports(ROOT / "pyproject.toml", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_every_module_of_the_package_has_its_place_in_the_layers() -> None:
    """A new top-level module or package is placed in the layers, so the contract says where it may import from."""
    placed = set(_layers(ROOT / "pyproject.toml"))
    top = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"} | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert len(top) > 25
    assert top - placed == set(), "add these to the layers in pyproject.toml"
    assert placed - top == set(), "these are in the layers but not in the package"


def test_the_layers_contract_fails_on_an_import_that_runs_up(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg/__init__.py").write_text("")
    (tmp_path / "pkg/low.py").write_text("def f():\n    from . import high\n")  # inside a function, as the package's are
    (tmp_path / "pkg/high.py").write_text("from . import low\n")
    (tmp_path / "pyproject.toml").write_text('[tool.importlinter]\nroot_package = "pkg"\n\n[[tool.importlinter.contracts]]\n'
                                             'name = "up"\ntype = "layers"\ncontainers = ["pkg"]\nlayers = ["high", "low"]\n')
    result = _lint_imports(tmp_path / "pyproject.toml", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pkg.low is not allowed to import pkg.high" in result.stdout
