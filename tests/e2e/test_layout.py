"""The house rules of docs/ARCHITECTURE.md, over the whole tree: no module in registry/ or scripts/
over 400 lines, no function over 60 (decorators included), and no import cycle among the modules of
scripts/ (import-linter's contracts in `make lint` hold registry/ to the same; scripts/ is not one of
its packages).

Pure and quick: the files are read and parsed, never imported. An exception must be named in
`PENDING` with its reason; an entry that no longer applies fails too, so the list is emptied when
the file is split.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("registry", "scripts")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# Files allowed over the limits for now, each with why. Ideally empty.
PENDING: dict[str, str] = {}


def _modules() -> Iterator[Path]:
    for tree in TREES:
        yield from sorted((ROOT / tree).rglob("*.py"))


def _lines(text: str) -> int:
    return text.count("\n")


def _long_functions(tree: ast.AST) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            length = node.end_lineno - start + 1
            if length > MAX_FUNCTION_LINES:
                yield node.name, length


def oversized() -> list[str]:
    """Every module over the line limit and every function over its limit, outside `PENDING`."""
    found = []
    for path in _modules():
        name = path.relative_to(ROOT).as_posix()
        if name in PENDING:
            continue
        text = path.read_text()
        if _lines(text) > MAX_MODULE_LINES:
            found.append(f"{name}: {_lines(text)} lines")
        found += [f"{name}: {function} is {length} lines" for function, length in _long_functions(ast.parse(text))]
    return found


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    assert not oversized(), oversized()


def test_every_exception_is_still_needed() -> None:
    for name, reason in PENDING.items():
        path = ROOT / name
        assert reason, name
        assert path.exists(), f"{name} is gone: remove it from PENDING"
        text = path.read_text()
        over = _lines(text) > MAX_MODULE_LINES or any(_long_functions(ast.parse(text)))
        assert over, f"{name} is within the limits now: remove it from PENDING"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The modules of `known` that `path` imports anywhere in its body (TYPE_CHECKING and lazy too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import module` imports that module; `from module import name`, the module.
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names
            ]
        found |= {name for name in names if name in known}
    return found


def import_cycles(tree: str) -> list[list[str]]:
    """The strongly connected components of more than one module in `tree`'s import graph."""
    paths = {_module_name(p): p for p in sorted((ROOT / tree).rglob("*.py"))}
    graph = {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(name: str) -> None:  # Tarjan's algorithm
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in graph[name]:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == name:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    return cycles


def test_no_import_cycle_in_scripts() -> None:
    assert import_cycles("scripts") == []
