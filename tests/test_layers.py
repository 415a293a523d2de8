"""The layers of macros/: the core (read, check, index, render, the command line) never imports MkDocs,
mkdocs-macros or Material; only the glue does, so the core can move to another site builder."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

#: The MkDocs glue: the package's define_env (mkdocs-macros), the hook file, the build and serve events,
#: and the one module that touches MkDocs' internals.
GLUE = {"__init__.py", "hooks.py", "site.py", "serve.py", "mkdocs_compat.py", "ahead.py"}
BUILDERS = ("mkdocs", "mkdocs_macros", "material")


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, anywhere in it (functions included), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_core_never_imports_the_site_builder() -> None:
    """No module of macros/ outside the glue imports mkdocs, mkdocs_macros or material, even inside a function."""
    core = sorted(p for p in (ROOT / "macros").glob("*.py") if p.name not in GLUE)
    assert len(core) >= 10, [p.name for p in core]
    found = [f"macros/{path.name}:{line}: imports {name}" for path in core for line, name in _imports(path)
             if name.split(".")[0] in BUILDERS]
    assert found == []


def test_the_glue_is_where_the_builder_is_imported() -> None:
    """The list of glue modules is not stale: each exists, and the build events do import MkDocs."""
    assert all((ROOT / "macros" / name).is_file() for name in GLUE)
    assert any(name.split(".")[0] == "mkdocs" for _line, name in _imports(ROOT / "macros" / "site.py"))


def test_the_slug_macros_are_the_ones_define_env_registers() -> None:
    """The pages are scanned for calls of SLUG_MACROS: each is a macro define_env registers, taking a slug."""
    import inspect

    import macros

    registered: dict[str, object] = {}

    class Env:
        def macro(self, function: object, name: str = "") -> object:
            registered[name or getattr(function, "__name__", "")] = function
            return function

    macros.define_env(Env())
    for name in macros.SLUG_MACROS:
        assert name in registered, name
        assert next(iter(inspect.signature(registered[name]).parameters)) == "slug"  # type: ignore[arg-type]


def test_no_function_of_macros_is_longer_than_60_lines() -> None:
    """Every function (and method) of macros/ fits on one screen: 60 lines at most, its docstring included."""
    long = []
    for path in sorted((ROOT / "macros").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > 60:
                    long.append(f"macros/{path.name}:{node.lineno}: {node.name} has {size} lines")
    assert long == []


def test_no_global_state_in_macros() -> None:
    """No `global` statement and no environment variable written in macros/: the state of a build is an object
    passed along (macros/state.py)."""
    found = []
    for path in sorted((ROOT / "macros").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Global):
                found.append(f"macros/{path.name}:{node.lineno}: global {', '.join(node.names)}")
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del) \
                    and ast.unparse(node.value) == "os.environ":
                found.append(f"macros/{path.name}:{node.lineno}: writes os.environ")
    assert found == []
