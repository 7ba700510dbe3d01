"""The proof that a schema file reads as the live catalog does.

Each file under tests/ddl, and each real-world schema in ../shared/realworld, is run on a real
server (PostgreSQL 18, and 15 when PGAUDIT_TEST_DSN is set) and read back with
``catalog.read_tables``; ``ddl.read_ddl`` of the same text must give the same models, field for
field, so ``plan --schema-file`` prints what ``plan`` prints. Every relation the catalog holds is
compared, so one the reader missed fails too. The same holds for what that server's own
``pg_dump --schema-only`` writes back, with owners and with ``--no-owner`` (then no owner is
known, as the dump says none).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import psycopg
import pytest

from pgaudit_kit import catalog
from pgaudit_kit.catalog import Relation, TableModel
from pgaudit_kit.ddl import read_ddl
from pgaudit_kit.identifiers import QualifiedName
from tests.fixtures.db import AuditEnv
from tests.fixtures.realworld import Schema, pg_dump, schemas

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
    env: AuditEnv, names: set[QualifiedName], *, owners: str = "file"
) -> dict[QualifiedName, TableModel | Relation]:
    """What read_tables says about every user relation (and every name asked for), with owners
    as the text read says them: ``file`` (tables the superuser running it owns show no owner,
    unless the file says), ``dump`` (pg_dump says every owner) or ``none`` (--no-owner)."""
    with psycopg.connect(env.dsn) as conn:
        every = names | {QualifiedName(s, n) for s, n in conn.execute(_USER_RELATIONS)}
        superuser = conn.execute("select current_user").fetchone()
        found = catalog.read_tables(conn, every)
    assert superuser is not None

    def owner(model: TableModel) -> str | None:
        if owners == "none" or (owners == "file" and model.owner == superuser[0]):
            return None
        return model.owner

    return {
        name: dataclasses.replace(model, oid=None, owner=owner(model))
        if isinstance(model, TableModel)
        else model
        for name, model in found.items()
    }


def _dumps_read_as_the_catalog_does(env: AuditEnv) -> None:
    for no_owner in (False, True):
        dumped = pg_dump(env.server, env.dsn, no_owner=no_owner)
        from_dump = read_ddl(dumped, source="dump.sql")
        assert _catalog(env, set(from_dump), owners="none" if no_owner else "dump") == from_dump


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
    _dumps_read_as_the_catalog_does(env)


@pytest.mark.parametrize(
    "schema", [pytest.param(s, id=s.name) for s in schemas() if s.name != "shop"]
)
def test_labelled_schemas_and_their_pg_dump_read_as_the_catalog_does(
    env: AuditEnv, schema: Schema
) -> None:
    """The real-world schemas (Chinook with its data), the rental schema and the demo's."""
    text = schema.text(env.roles.app)
    env.script(text)
    assert _catalog(env, set()) == read_ddl(text, source=schema.name)
    _dumps_read_as_the_catalog_does(env)


def _case(path: Path) -> object:
    marks = [pytest.mark.pg(">=18")] if "PostgreSQL 18 only" in path.read_text() else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.mark.parametrize("path", [_case(p) for p in CASES])
def test_case_and_its_pg_dump_read_as_the_catalog_does(env: AuditEnv, path: Path) -> None:
    text = _text(env, path)
    env.script(text)
    from_file = read_ddl(text, source=path.name)
    assert _catalog(env, set(from_file)) == from_file
    _dumps_read_as_the_catalog_does(env)
