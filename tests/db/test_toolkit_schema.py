"""The toolkit schema built by the frozen revisions equals what the current sql/ files define.

Privileges are left out: apply grants them from the config, outside the revisions."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from pgaudit_kit import sqlfiles, toolkit_schema
from tests.fixtures.db import AuditEnv

SNAPSHOT = """
select 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
       pg_get_functiondef(p.oid) || p.proowner::regrole::text
from pg_proc p where p.pronamespace = %(schema)s::regnamespace
union all
select 'relation', c.relname, c.relkind::text || c.relowner::regrole::text ||
       coalesce((select string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || a.attnotnull::text
                                   || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', ' order by a.attnum)
                 from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
                 where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped), '')
from pg_class c where c.relnamespace = %(schema)s::regnamespace and c.relname not like 'log\\_rows\\_p%%'
union all
select 'index', i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
from pg_index i join pg_class c on c.oid = i.indrelid
where c.relnamespace = %(schema)s::regnamespace and c.relname not like 'log\\_rows\\_p%%'
union all
select 'constraint', k.conname, pg_get_constraintdef(k.oid)
from pg_constraint k left join pg_class c on c.oid = k.conrelid
where k.connamespace = %(schema)s::regnamespace and coalesce(c.relname, '') not like 'log\\_rows\\_p%%'
union all
select 'view', c.relname, pg_get_viewdef(c.oid)
from pg_class c where c.relnamespace = %(schema)s::regnamespace and c.relkind = 'v'
order by 1, 2
"""


def _snapshot(dsn: str, schema: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(SNAPSHOT, {"schema": schema}).fetchall()


def test_revisions_build_the_schema_the_sql_files_define(env: AuditEnv) -> None:
    env.write_config()
    env.apply()
    values = toolkit_schema.params("direct", env.roles.owner)
    with psycopg.connect(env.dsn) as conn:
        conn.execute(
            sql.SQL("create schema direct authorization {}").format(sql.Identifier(env.roles.owner))
        )
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(env.roles.owner)))
        conn.execute(
            sql.SQL(
                "create table direct.schema_version (version_num varchar(32) not null, constraint schema_version_pkc primary key (version_num))"
            )
        )
        for name in sqlfiles.TOOLKIT:
            conn.execute(sqlfiles.render(name, **values))
    migrated = [row for row in _snapshot(env.dsn, "audit")]
    direct = [
        tuple(str(v).replace("direct", "audit") for v in row)
        for row in _snapshot(env.dsn, "direct")
    ]
    migrated = [tuple(str(v) for v in row) for row in migrated]
    assert migrated == direct


def test_the_head_revision_is_recorded(env: AuditEnv) -> None:
    env.write_config()
    env.apply()
    assert env.sql("select version_num from audit.schema_version") == [(toolkit_schema.head(),)]


def _seal_until_blocks(env: AuditEnv, timeout: float = 30.0) -> None:
    """Seal with the revision's own function until a block exists: the horizon is cluster-wide,
    so another test's open transaction may hold the rows back for a moment."""
    import time

    deadline = time.monotonic() + timeout
    while not env.sql("select 1 from audit.blocks limit 1"):
        assert time.monotonic() < deadline, "rows still unsealed"
        env.sql("select audit.seal()")
        time.sleep(0.05)


def test_a_database_installed_at_the_first_revision_upgrades_in_place(env: AuditEnv) -> None:
    """Install revision 0001 as the first release did, write and seal rows, then apply (which
    upgrades to head): rows, blocks and the chain survive and verify."""
    from pgaudit_kit import api

    from .helpers import alembic_transaction, seal_all

    first = toolkit_schema.revisions()[0].id
    values = toolkit_schema.params("audit", env.roles.owner)
    with alembic_transaction(env.dsn) as (conn, sa_conn):
        conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(env.roles.owner)))
        conn.execute(
            sql.SQL("create schema audit authorization {}").format(sql.Identifier(env.roles.owner))
        )
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(env.roles.owner)))
        toolkit_schema.upgrade(sa_conn, values, "audit", target=first)
        conn.execute("reset role")
        conn.execute("select audit.premake_partitions(2)")
        conn.execute("select audit.rotate_key()")
    assert env.sql("select version_num from audit.schema_version") == [(first,)]
    env.sql(
        "insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,"
        " login_role, effective_role) select pg_current_xact_id()::text::bigint, now(), now(), 'INSERT',"
        " 'public.old', json_build_object('id', g), json_build_object('id', g), 'app', 'app'"
        " from generate_series(1, 50) g"
    )
    _seal_until_blocks(env)
    before = env.sql("select block_no, encode(block_hash, 'hex') from audit.blocks order by 1")
    env.write_config()
    # a database still at 0001 verifies too (no redactions table yet)
    old = api.verify(env.config_path, env.dsn)
    assert old.ok and old.redacted == [], old.problems
    result = api.apply(env.config_path, env.dsn)
    assert any(s.kind == "toolkit" for s in result.steps)
    assert env.sql("select version_num from audit.schema_version") == [(toolkit_schema.head(),)]
    assert (
        env.sql("select block_no, encode(block_hash, 'hex') from audit.blocks order by 1") == before
    )
    assert env.sql("select count(*) from audit.log_rows where table_name = 'public.old'") == [(50,)]
    seal_all(env)  # on a shared server another session may hold the horizon back for a while
    report = api.verify(env.config_path, env.dsn)
    assert report.ok, report.problems
    assert report.rows_verified >= 50
