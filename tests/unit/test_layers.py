"""Imports go one way: cli -> api -> session -> {install, status, check, verify, ...} -> {generate,
catalog, config...} -> {sqlfiles, db, errors, identifiers, results}. Nothing imports cli, api never
imports click, and the pure modules (generate, policies, identifiers, config) never open a
connection."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pgaudit_kit"

LAYER = {
    "cli": 6,
    "api": 5,
    "demo": 5,
    "session": 4,
    "alembic_ops": 4,
    "install": 3,
    "status": 3,
    "check": 3,
    "sealing": 3,
    "verify": 3,
    "digest": 3,
    "archive": 3,
    "archive_prune": 3,
    "witness": 3,
    "proof": 3,
    "report": 3,
    "alerts": 3,
    "controls": 3,
    "retention": 3,
    "investigations": 3,
    "onboarding": 3,
    "app_revision": 3,
    "generate": 2,
    "privileges": 1,
    "access": 2,
    "catalog": 2,
    "classify": 2,
    "ddl": 2,
    "chain": 2,
    "trail": 2,
    "jsonfile": 1,
    "problems": 0,
    "config": 1,
    "compliance": 1,
    "policies": 1,
    "toolkit_schema": 2,
    "embedded": 1,
    "context": 1,
    "settings": 1,
    "sqlfiles": 1,
    "db": 1,
    "identifiers": 0,
    "errors": 0,
    "results": 0,
}
PURE = {"generate", "policies", "identifiers", "config", "sqlfiles", "chain", "trail", "problems"}


def _imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert modules == set(LAYER)


@pytest.mark.parametrize("module", sorted(LAYER))
def test_no_upward_imports(module: str) -> None:
    upward = {m for m in _imports(module) if m in LAYER and LAYER[m] > LAYER[module]}
    assert not upward, f"{module} imports {upward} from a higher layer"


@pytest.mark.parametrize("module", sorted(set(LAYER) - {"cli"}))
def test_only_the_cli_knows_click(module: str) -> None:
    assert "click" not in _imports(module)


@pytest.mark.parametrize("module", sorted(PURE))
def test_pure_modules_open_no_connection(module: str) -> None:
    source = (PACKAGE / f"{module}.py").read_text()
    assert "connect(" not in source and "from . import db" not in source


@pytest.mark.parametrize("module", sorted(set(LAYER) - {"cli"}))
def test_nothing_below_the_cli_prints(module: str) -> None:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    calls = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "print"
    ]
    assert not calls
