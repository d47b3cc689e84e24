"""The package's layering, read from its imports (every import, at the top or inside a function).

- no cycle between subpackages (or top-level modules) of ``riskmodel``;
- the core never imports ``cli`` or ``reports`` (the demo lives in the CLI);
- only ``riskmodel.tracking`` imports ``mlflow``;
- only ``riskmodel.bundle`` loads persisted objects (``joblib.load``, ``pickle.load(s)``,
  ``skops.io.load``).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskmodel"
#: Parts of the package that present the core to people; the core never imports them.
PRESENTATION = {"cli", "reports"}
#: Calls that rebuild objects from a file: pickle's, joblib's and skops's loaders.
UNPICKLERS = {
    ("joblib", "load"),
    ("pickle", "load"),
    ("pickle", "loads"),
    ("sio", "load"),
    ("sio", "loads"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str:
    """The subpackage or top-level module a module belongs to (``riskmodel.x.y`` -> ``x``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<riskmodel>"


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module an import statement in ``path`` names, with its line."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "riskmodel":  # from riskmodel import x: x is the unit
                found += [(f"riskmodel.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((target, node.lineno))
    return found


def _files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _unit_graph() -> dict[str, dict[str, str]]:
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in _files():
        source = _unit(_module_name(path))
        for target, line in _imports(path):
            if target.startswith("riskmodel.") or target == "riskmodel":
                unit = _unit(target)
                if unit not in (source, "<riskmodel>", "__version__"):
                    where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                    graph[source].setdefault(unit, where)
    return graph


def _cycle(graph: dict[str, dict[str, str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, {}):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_cycle_between_subpackages() -> None:
    graph = _unit_graph()
    cycle = _cycle(graph)
    if cycle:
        edges = [f"{a} -> {b} ({graph[a][b]})" for a, b in pairwise(cycle)]
        pytest.fail("import cycle: " + "; ".join(edges))


def test_cycle_finder_finds_a_planted_cycle() -> None:
    graph = {"a": {"b": "x"}, "b": {"c": "y"}, "c": {"a": "z"}, "d": {"a": "w"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b": "x"}, "b": {}}) is None


def test_core_never_imports_the_presentation_layer() -> None:
    graph = _unit_graph()
    offending = [
        f"{source} -> {target} ({where})"
        for source, targets in graph.items()
        if source not in PRESENTATION
        for target, where in targets.items()
        if target in PRESENTATION or target == "demo"
    ]
    assert offending == []
    assert not (PACKAGE / "demo.py").exists(), "the demo belongs with the CLI"


def test_only_tracking_imports_mlflow() -> None:
    offending = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in _files()
        for target, line in _imports(path)
        if target.split(".")[0] == "mlflow" and _module_name(path) != "riskmodel.tracking"
    ]
    assert offending == []


def _unpickling_calls(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in UNPICKLERS:
                lines.append(node.lineno)
        if (
            isinstance(node, ast.ImportFrom)
            and node.module in {"joblib", "pickle", "skops.io"}
            and any(alias.name in {"load", "loads"} for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def test_only_bundle_unpickles() -> None:
    offending = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in _files()
        if _module_name(path) != "riskmodel.bundle"
        for line in _unpickling_calls(path)
    ]
    assert offending == []
    assert _unpickling_calls(PACKAGE / "bundle.py"), "the walker must see bundle's own load"
