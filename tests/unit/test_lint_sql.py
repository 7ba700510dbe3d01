"""The SQL pgaudit-kit generates passes squawk and pgspot (tools/lint_sql.py), and the lint can
fail: each tool is shown a statement it must flag."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "lint_sql.py"


@pytest.fixture(scope="module")
def lint() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lint_sql", TOOL)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_sql_is_clean(lint: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint.main([]) == 0, capsys.readouterr().out
    assert ", 0 finding(s)" in capsys.readouterr().err


def test_the_linted_sql_is_the_whole_plan(lint: ModuleType) -> None:
    text = lint.generated_sql()
    notes, pin, _ = text.partition("-- pin the search_path")
    assert pin and all(not line or line.startswith("-- ") for line in notes.splitlines())
    for needle in ("create table", "security definer", "create or replace trigger", "grant "):
        assert needle in text.lower()


PINNED = "set local search_path = pg_catalog, pg_temp;\n"


@pytest.mark.parametrize(
    "statement",
    [
        "create function public.f() returns int language plpgsql security definer "
        "as $$ begin return 1; end $$;",
        "create function public.f() returns int language sql security definer return 1;",
    ],
    ids=["plpgsql", "standard-body"],
)
def test_a_definer_function_without_its_search_path_is_flagged(
    lint: ModuleType, tmp_path: Path, statement: str
) -> None:
    assert lint.pgspot(PINNED + statement, tmp_path)
    pinned = statement.replace(
        "security definer", "security definer set search_path = pg_catalog, pg_temp"
    )
    assert lint.pgspot(PINNED + pinned, tmp_path) == []


def test_an_unpinned_script_is_flagged(lint: ModuleType, tmp_path: Path) -> None:
    assert lint.pgspot("create table public.t (id int default gen_random_uuid());", tmp_path)


def test_squawk_flags_a_blocking_change(lint: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "bad.sql"
    path.write_text(
        "set local lock_timeout = '1s';\nalter table public.t alter column c type bigint;\n"
    )
    assert lint.squawk(path)
