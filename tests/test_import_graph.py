"""The package's import graph has no cycle, at module and at package level.

Every ``import`` statement counts, including the ones inside functions (a
lazy import still makes one module depend on another).  Package level:
``pycodesign.<name>`` for each first-level package or module.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "pycodesign"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    is_pkg = path.name == "__init__.py"
    base = name.split(".") if is_pkg else name.split(".")[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("pycodesign")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                target = base[: len(base) - (node.level - 1)]
                mod = ".".join(target + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if not mod.startswith("pycodesign"):
                continue
            out.add(mod)
            for a in node.names:  # "from . import x" may import a submodule
                out.add(f"{mod}.{a.name}")
    return out


def _graph():
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        deps = {d for d in _imports(path, name) if d in modules and d != name}
        graph[name] = deps
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def _parent_chain(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:k]) for k in range(1, len(parts))}


def test_no_module_level_cycle():
    graph = _graph()
    # a package's __init__ re-exports its modules; the modules importing their own package's
    # siblings through it is not a cycle of the code, so edges into one's own parents are dropped
    graph = {n: {d for d in deps if d not in _parent_chain(n)} for n, deps in graph.items()}
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_no_package_level_cycle():
    pkg = {}
    for name, deps in _graph().items():
        top = ".".join(name.split(".")[:2])
        pkg.setdefault(top, set()).update(".".join(d.split(".")[:2]) for d in deps)
    pkg = {n: deps - {n, "pycodesign"} for n, deps in pkg.items()}
    cycle = _cycle(pkg)
    assert cycle is None, " -> ".join(cycle)


def test_the_walker_sees_lazy_imports_and_cycles(tmp_path):
    # guard the guard: a function-level import closing a loop is found
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}}
    assert _cycle(graph) == ["a", "b", "c", "a"]
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from pycodesign.flows import load_flow\n")
    assert "pycodesign.flows" in _imports(src, "pycodesign.config.m")


@pytest.mark.parametrize("init", sorted(str(p.relative_to(ROOT.parent)) for p in ROOT.rglob("__init__.py")))
def test_init_files_only_re_export(init):
    """``__init__.py`` files hold a docstring, imports and ``__all__`` (plus lazy-export plumbing) only."""
    tree = ast.parse((ROOT.parent / init).read_text())
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # docstring
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            continue  # __all__, __version__, export tables
        if isinstance(node, ast.FunctionDef) and node.name in ("__getattr__", "__dir__"):
            continue  # lazy re-export (rtl: Amaranth loads only when a block is asked for)
        pytest.fail(f"{init}: {type(node).__name__} at line {node.lineno} — code belongs in a module")
