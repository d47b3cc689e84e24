"""Every message the package raises or prints is matched by at least one test.

Which constants are messages (read from the source, without importing it):

- the files: every module of the package (each subpackage keeps its messages in its
  ``_messages.py``; top-level single modules keep theirs in place; report notes and phrases
  count too);
- the constants: a module-level assignment of one UPPER_CASE name to a ``str`` literal (implicit
  concatenation of literals included) whose text holds a space. A message is a sentence; a
  one-word string (a file name, a column, a key, a URI) is a setting, not a message. Option help
  texts (names ending in ``_HELP``) are checked through ``--help`` instead.

What counts as matching a message (read from the AST of ``tests/*.py``): the constant is named
inside the ``match=`` argument of a call (``pytest.raises``, ``pytest.warns``) or inside an
``assert`` statement, either directly (``NAME``, ``module.NAME``) or through a local name
bound to an expression that names it (``expected = NAME.format(...)``, a
``pytest.mark.parametrize`` value). Importing a constant, or comparing it with itself, is not
enough. A name is resolved to the module that defines it, following the test file's imports and
the package's re-exports, so ``UNKNOWN_COLUMN`` of fairness and of allocation are told apart.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "riskmodel"
TESTS = Path(__file__).resolve().parent

Key = tuple[str, str]  # (defining module, constant name)


# --- the package's message constants ------------------------------------------------------


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _path_of(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def message_files() -> list[Path]:
    """The files whose constants are messages."""
    return sorted(PACKAGE.rglob("*.py"))


def _is_message(value: ast.expr) -> bool:
    return isinstance(value, ast.Constant) and isinstance(value.value, str) and " " in value.value


def message_constants(source: str) -> list[str]:
    """Names of the message constants defined at module level in ``source``."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and target.id.isupper()
            and not target.id.endswith("_HELP")
            and _is_message(value)
        ):
            names.append(target.id)
    return names


def all_messages() -> dict[Key, Path]:
    found = {}
    for path in message_files():
        for name in message_constants(path.read_text(encoding="utf-8")):
            found[(_module_of(path), name)] = path
    return found


# --- resolving names to the module that defines them --------------------------------------


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rsplit(".", 1)[0]
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


_DEFINED: dict[str, dict[str, Key]] = {}


def _origin(module: str, name: str, seen: frozenset[Key] = frozenset()) -> Key:
    """The (module, name) that ``module.name`` finally refers to, through re-exports."""
    if (module, name) in seen:
        return (module, name)
    if module not in _DEFINED:
        path = _path_of(module)
        table: dict[str, Key] = {}
        if path is not None:
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.ImportFrom):
                    source = _absolute(module, node, path.name == "__init__.py")
                    for alias in node.names:
                        table[alias.asname or alias.name] = (source, alias.name)
        _DEFINED[module] = table
    imported = _DEFINED[module].get(name)
    if imported is None:
        return (module, name)
    source, original = imported
    if _path_of(f"{source}.{original}") is not None:  # a submodule, not a constant
        return (module, name)
    return _origin(source, original, seen | {(module, name)})


class _Scope:
    """What the names of one test file refer to: constants, modules, or local bindings."""

    def __init__(self, tree: ast.Module) -> None:
        self.constants: dict[str, Key] = {}
        self.modules: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    local = alias.asname or alias.name
                    if _path_of(f"{node.module}.{alias.name}") is not None:
                        self.modules[local] = f"{node.module}.{alias.name}"
                    else:
                        self.constants[local] = _origin(node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.modules[alias.asname] = alias.name
                    else:
                        self.modules[alias.name.split(".")[0]] = alias.name.split(".")[0]

    def _dotted(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute):
            head = self._dotted(node.value)
            return None if head is None else f"{head}.{node.attr}"
        return None

    def keys(self, node: ast.AST, bindings: dict[str, set[Key]]) -> set[Key]:
        """Constants an expression names, directly or through local bindings."""
        found: set[Key] = set()
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name):
                if sub.id in self.constants:
                    found.add(self.constants[sub.id])
                found |= bindings.get(sub.id, set())
            elif isinstance(sub, ast.Attribute):
                module = self._dotted(sub.value)
                if module is not None and sub.attr.isupper():
                    found.add(_origin(module, sub.attr))
        return found


def _argnames(node: ast.expr) -> list[str]:
    """The parameter names of ``pytest.mark.parametrize`` ("a, b" or ("a", "b"))."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [n.strip() for n in node.value.split(",")]
    if isinstance(node, ast.Tuple | ast.List):
        return [e.value for e in node.elts if isinstance(e, ast.Constant)]
    return []


def _bindings(scope: _Scope, tree: ast.AST) -> dict[str, set[Key]]:
    """Local names bound (by assignment or parametrize) to expressions naming constants."""
    bindings: dict[str, set[Key]] = defaultdict(set)
    sources: list[tuple[list[str], ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and node.value:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            sources.append((names, node.value))
        elif isinstance(node, ast.For):
            names = [n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)]
            sources.append((names, node.iter))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "parametrize"
            and len(node.args) >= 2
        ):
            sources.append((_argnames(node.args[0]), node.args[1]))
    changed = True
    while changed:  # a binding may name another binding
        changed = False
        for names, value in sources:
            keys = scope.keys(value, bindings)
            for name in names:
                if not keys <= bindings[name]:
                    bindings[name] |= keys
                    changed = True
    return bindings


def matched_in(source: str) -> set[Key]:
    """Constants a test file names in a ``match=`` argument or an ``assert``."""
    tree = ast.parse(source)
    scope = _Scope(tree)
    bindings = _bindings(scope, tree)
    found: set[Key] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found |= scope.keys(node.test, bindings)
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "match":
                    found |= scope.keys(keyword.value, bindings)
    return found


@functools.cache
def all_matched() -> set[Key]:
    """Every constant some test file matches (read once, when a test first asks: the test
    files are parsed at run time, not while tests are collected)."""
    found: set[Key] = set()
    for path in sorted(TESTS.rglob("*.py")):
        found |= matched_in(path.read_text(encoding="utf-8"))
    return found


# --- the tests ----------------------------------------------------------------------------

MESSAGES = all_messages()


def test_there_are_messages_to_check() -> None:
    assert len(MESSAGES) > 100
    assert ("riskmodel.fairness._messages", "UNKNOWN_COLUMN") in MESSAGES
    assert ("riskmodel._tables._messages", "UNKNOWN_COLUMN") in MESSAGES
    assert ("riskmodel.bundle", "NOT_A_BUNDLE") in MESSAGES
    assert ("riskmodel.bundle", "MODEL_FILE") not in MESSAGES  # "model.joblib" is a setting


@pytest.mark.parametrize(
    "path", sorted({p for p in MESSAGES.values()}), ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_message_is_matched_by_a_test(path: Path) -> None:
    unmatched = sorted(
        name
        for (module, name), where in MESSAGES.items()
        if where == path and (module, name) not in all_matched()
    )
    assert unmatched == [], f"{path.relative_to(ROOT)}: never matched by a test: {unmatched}"


def test_message_rule() -> None:
    source = (
        'A = "a sentence {x}"\n'
        'B: str = ("two " "parts")\n'
        'FILE = "model.joblib"\n'
        "NUMBER = 3\n"
        'lower = "not a constant name"\n'
        "def f():\n    C = 'inside a function'\n"
    )
    assert message_constants(source) == ["A", "B"]


def test_matching_rule() -> None:
    header = (
        "import pytest\nfrom riskmodel.bundle import NOT_A_BUNDLE\nfrom riskmodel import bundle\n"
    )
    key = ("riskmodel.bundle", "NOT_A_BUNDLE")
    assert key not in matched_in(header)  # an import is not a match
    assert key not in matched_in(header + "x = NOT_A_BUNDLE\nprint(x)\n")
    assert key in matched_in(header + "with pytest.raises(E, match=NOT_A_BUNDLE[:5]):\n    f()\n")
    assert key in matched_in(header + "assert bundle.NOT_A_BUNDLE in out\n")
    assert key in matched_in(
        header
        + "def test():\n    expected = NOT_A_BUNDLE.format(path=1)\n    assert out == expected\n"
    )
    assert key in matched_in(
        header
        + "@pytest.mark.parametrize(('a', 'message'), [(1, NOT_A_BUNDLE)])\n"
        + "def test(a, message):\n    with pytest.raises(E, match=message):\n        f(a)\n"
    )
    # a re-export resolves to the module that defines the constant
    reexported = "from riskmodel.scoring import NO_INPUT\nassert NO_INPUT in err\n"
    assert ("riskmodel.scoring._messages", "NO_INPUT") in matched_in(reexported)
