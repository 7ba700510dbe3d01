"""Every SQL template renders with sample values, and SQL is never built by string formatting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from psycopg import sql

from pgaudit_kit import sqlfiles

SQL_DIR = sqlfiles.sql_dir()
TEMPLATES = sorted(str(p.relative_to(SQL_DIR)) for p in SQL_DIR.rglob("*.sql"))
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_with_sample_values(name: str) -> None:
    placeholders = set(PLACEHOLDER.findall(sqlfiles.text(name)))
    values = {
        p: sql.Identifier("sample", p)
        if p.endswith(("schema", "table", "function"))
        else sql.Literal(p)
        for p in placeholders
    }
    # format() raises on a placeholder without a value, so rendering proves every one is filled
    assert sqlfiles.render(name, **values).as_string(None).strip()


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_starts_with_a_comment_or_is_a_short_query(name: str) -> None:
    text = sqlfiles.text(name)
    assert text.lstrip().startswith("--") or len(text.splitlines()) <= 3, f"{name}: say why"


def test_toolkit_install_order_lists_every_toolkit_file() -> None:
    files = {
        str(p.relative_to(SQL_DIR))
        for p in (SQL_DIR / "toolkit").rglob("*.sql")
        if p.parent.name != "upgrades"  # deltas frozen into later revisions only
    }
    assert files == set(sqlfiles.TOOLKIT)


PACKAGE = Path(__file__).resolve().parents[2] / "pgaudit_kit"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_sql_is_built_with_fstrings_or_percent(path: Path) -> None:
    """sql.SQL() only ever receives a literal string; dynamic parts go through .format()."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "SQL":
            (argument,) = node.args
            if (
                path.name == "sqlfiles.py"
                and ast.unparse(argument) == "cast(LiteralString, source)"
            ):
                continue  # the one documented cast, for text shipped with the package
            assert isinstance(argument, ast.Constant), (
                f"{path.name}:{node.lineno} builds SQL dynamically"
            )
