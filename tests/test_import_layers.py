"""The modules of bookstracker import one another without a cycle, type-only imports included.

Every ``import`` counts: at module level, under ``if TYPE_CHECKING:``, and inside functions (a
deferred import is still a dependency). ``from bookstracker.a import b`` is an edge to
``bookstracker.a.b`` when that is a module, else to ``bookstracker.a``. A string
``"bookstracker.a:Name"`` (how the provider registry names what it imports when first used) is
an edge to ``bookstracker.a`` too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import bookstracker

ROOT = Path(bookstracker.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _resolve(module: str, package: str, level: int) -> str:
    if level == 0:
        return module
    base = package.split(".")[: len(package.split(".")) - level + 1]
    return ".".join([*base, module] if module else base)


_DEFERRED = re.compile(r"(bookstracker(?:\.\w+)+):\w+")
"""``"module:attribute"``: imported by name when first used."""


def _edges(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            deferred = _DEFERRED.fullmatch(node.value)
            if deferred:
                found.add(deferred.group(1))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node.module or "", package, node.level)
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if child in MODULES else target)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _edges(name, path) for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_bookstracker_modules() -> None:
    assert _cycles(GRAPH) == []


def test_modules_named_for_a_deferred_import_are_edges() -> None:
    assert "bookstracker.providers.openlibrary_mirror" in GRAPH["bookstracker.providers.registry"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_metrics_imports_neither_warming_nor_the_client() -> None:
    reachable = set()
    todo = ["bookstracker.metrics"]
    while todo:
        for nxt in GRAPH[todo.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                todo.append(nxt)
    assert not reachable & {"bookstracker.warming", "bookstracker.client", "bookstracker.cli"}


# The layers of docs/architecture.md, bottom first: a module imports only from its own layer or
# the layers below. (Within the ground floor the modules may import one another.)
LAYERS: list[set[str]] = [
    {
        "models", "errors", "isbn", "names", "languages", "config", "progress", "taskgroup",
        "instrumentation", "data", "pins", "_text", "_display", "_lazy", "_patterns", "_json",
        "_version", "_gc",
    },
    {"_http", "_pool", "_logging"},
    {"resilience", "cache", "metrics"},
    {"providers", "mirror"},
    {"pipeline"},
    {"assembly", "client", "sync_client", "warming", "library_import", "testing"},
    {"cli", "__main__", "web"},
]  # fmt: skip


def _layer(module: str) -> int:
    if module == "bookstracker":
        return len(LAYERS)  # the package's public names sit above everything
    top = module.split(".")[1]
    for number, names in enumerate(LAYERS):
        if top in names:
            return number
    raise AssertionError(f"{module} is in no layer: add it to LAYERS and docs/architecture.md")


def test_every_module_imports_only_its_layer_or_below() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []
