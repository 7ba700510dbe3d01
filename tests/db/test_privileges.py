"""Append-only by privileges: what the app and auditor roles can and cannot do to the trail."""

from __future__ import annotations

import psycopg
import pytest

from tests.fixtures.db import AuditEnv

from .helpers import audited_customers

APP_CANNOT = [
    "insert into audit.log_rows (txid, tx_time, stmt_time, op, login_role, effective_role) values (1, now(), now(), 'X', 'x', 'x')",
    "insert into audit.log (txid, tx_time, stmt_time, op, login_role, effective_role) values (1, now(), now(), 'X', 'x', 'x')",
    "update audit.log_rows set new_values = '{}'",
    "update audit.log set op = 'X'",
    "delete from audit.log_rows",
    "delete from audit.log",
    "truncate audit.log_rows",
    "truncate audit.log_rows_default",
    "update audit.blocks set row_count = 0",
    "delete from audit.block_leaves",
    "select audit.seal()",
    "select * from audit.hmac_keys",
    "select audit.rotate_key()",
    "select audit.begin_maintenance('x')",
    "select audit.hmac('x', '\\x00', '\\x00')",
    "select audit.premake_partitions(1)",
    "insert into audit.maintenance (txid, command) values (pg_current_xact_id()::text::bigint, 'x')",
    "drop table audit.log_rows",
    "drop view audit.log",
    "alter table audit.log_rows disable row level security",
    "create table audit.evil (x int)",
    "set session_replication_role = replica",
]


@pytest.mark.parametrize("statement", APP_CANNOT)
def test_app_role_cannot_touch_the_trail(env: AuditEnv, statement: str) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    before = len(env.log())
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql(statement, role=env.roles.app)
    assert len(env.log()) == before


APP_CANNOT_SILENCE = [
    ("alter table customers disable trigger pgaudit_update", "would be disabled"),
    ("alter table customers disable trigger all", "would be disabled"),
    ("alter table customers disable trigger user", "would be disabled"),
    ("alter table customers enable trigger pgaudit_insert", "would be not always"),
    ("alter table customers enable replica trigger pgaudit_delete", "would be not always"),
    ("drop trigger pgaudit_insert on customers", "cannot be dropped"),
    (
        "alter trigger pgaudit_update on customers rename to x",
        "x on public.customers uses the capture function of public.customers",
    ),
]


@pytest.mark.parametrize(("statement", "message"), APP_CANNOT_SILENCE)
def test_app_role_owning_the_table_cannot_silence_its_triggers(
    env: AuditEnv, statement: str, message: str
) -> None:
    audited_customers(env)
    fingerprint = env.catalog_fingerprint()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=message):
        env.sql(statement, role=env.roles.app)
    assert env.catalog_fingerprint() == fingerprint


def test_the_guard_also_stops_a_superuser_by_accident(env: AuditEnv) -> None:
    """Superusers are outside what PostgreSQL can enforce (DROP SCHEMA ... CASCADE takes the guard
    with it; exported digests catch that), but everyday accidents are refused."""
    audited_customers(env)
    for statement in (
        "drop table audit.log_rows cascade",
        "drop view audit.log",
        "alter table audit.log_rows add column x int",
        "drop table audit.blocks cascade",
        "drop function audit.hmac(text, bytea, bytea) cascade",
        "drop table audit.hmac_keys cascade",
        "drop trigger pgaudit_update on customers",
        "alter table customers disable trigger all",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="pgaudit-kit"):
            env.sql(statement)


def test_capture_functions_cannot_fire_on_another_table(env: AuditEnv) -> None:
    env.script(
        f"create table public.orders (id int, placed date, primary key (id, placed)) partition by range (placed);"
        f" create table public.fake (id int, placed date);"
        f" alter table public.orders owner to {env.roles.app}; alter table public.fake owner to {env.roles.app};"
    )
    env.write_config('[tables."public.orders"]\ncolumns = { id = "plain", placed = "plain" }\n')
    env.apply()
    (function,) = env.sql("select row_function::text from audit.audited_tables")[0]
    forge = f"create trigger forge after insert on fake for each row execute function {function}"
    with pytest.raises(
        psycopg.errors.InsufficientPrivilege, match="permission denied for schema audit"
    ):
        env.sql(forge, role=env.roles.app)
    env.sql(f"grant usage on schema audit to {env.roles.app}")  # a DBA's mistake must not open it
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only its own audit triggers"):
        env.sql(
            f"create trigger forge after insert on fake for each row execute function {function}",
            role=env.roles.app,
        )


def test_app_writes_are_still_captured_under_session_replication_role_replica(
    env: AuditEnv,
) -> None:
    audited_customers(env)
    env.script(
        "set session_replication_role = replica;"
        f" set role {env.roles.app};"
        " insert into customers values (1, 'a@x.org', null, 'pw', 'new', null);"
        " update customers set status = 'x';"
    )
    assert [r["op"] for r in env.log("INSERT", "UPDATE")] == ["INSERT", "UPDATE"]


def test_auditor_reads_the_trail_and_nothing_more(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    auditor = env.roles.auditor
    assert env.sql("select count(*) from audit.log where op = 'INSERT'", role=auditor) == [(1,)]
    assert env.sql("select count(*) from audit.keys", role=auditor) == [(1,)]
    assert env.sql("select count(*) from audit.audited_tables", role=auditor) == [(1,)]
    assert all(
        r[0] == "ok" for r in env.sql("select state from audit.trigger_health()", role=auditor)
    )
    for statement in (
        "select * from audit.hmac_keys",
        "delete from audit.log_rows",
        "update audit.log_rows set op = 'x'",
        "update audit.blocks set row_count = 0",
        "select audit.seal()",
        "select audit.rotate_key()",
        "select * from customers",
        "insert into audit.log (txid, tx_time, stmt_time, op, login_role, effective_role) values (1, now(), now(), 'X', 'x', 'x')",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            env.sql(statement, role=auditor)


def test_nothing_in_the_audit_schema_is_granted_to_public_or_the_app(env: AuditEnv) -> None:
    """Schema, relations, sequences, functions and standalone types. (The implicit row types of
    tables keep PostgreSQL's default type USAGE: it grants no access to any data.)"""
    audited_customers(env)
    grants = env.sql(
        """
        select coalesce(pg_get_userbyid(nullif(a.grantee, 0)), 'PUBLIC'), o.what, a.privilege_type
        from (
            select 'schema ' || nspname as what, coalesce(nspacl, acldefault('n', nspowner)) as acl, nspowner as owner
            from pg_namespace where nspname = 'audit'
            union all select 'relation ' || relname, coalesce(relacl, acldefault('r', relowner)), relowner
            from pg_class where relnamespace = 'audit'::regnamespace
            union all select 'function ' || oid::regprocedure, coalesce(proacl, acldefault('f', proowner)), proowner
            from pg_proc where pronamespace = 'audit'::regnamespace
            union all select 'type ' || t.typname, coalesce(t.typacl, acldefault('T', t.typowner)), t.typowner
            from pg_type t left join pg_class c on c.oid = t.typrelid
            where t.typnamespace = 'audit'::regnamespace and (c.relkind = 'c' or t.typtype in ('d', 'e'))
        ) o, aclexplode(o.acl) a
        where a.grantee <> o.owner
        """
    )
    holders = {g[0] for g in grants}
    assert holders == {env.roles.auditor}
    assert {g[2] for g in grants} == {"USAGE", "SELECT", "EXECUTE"}


def test_every_security_definer_function_pins_search_path(env: AuditEnv) -> None:
    env.script(
        f"create table public.orders (id int, placed date, primary key (id, placed)) partition by range (placed);"
        f" alter table public.orders owner to {env.roles.app};"
    )
    audited_customers(env)
    env.write_config(
        '[tables."public.customers"]\ncolumns = { id = "plain" }\n'
        '[tables."public.orders"]\ncolumns = { id = "plain", placed = "plain" }\n'
    )
    env.apply()
    definers = env.sql(
        "select p.oid::regprocedure::text, p.proconfig, pg_get_userbyid(p.proowner) from pg_proc p"
        " where p.pronamespace = 'audit'::regnamespace and p.prosecdef"
    )
    assert len(definers) >= 8
    for name, config, owner in definers:
        assert "search_path=pg_catalog, pg_temp" in (config or []), name
        assert owner == env.roles.owner, f"{name} runs as {owner}"


def test_owner_role_cannot_log_in(env: AuditEnv) -> None:
    audited_customers(env)
    assert env.sql("select rolcanlogin from pg_roles where rolname = %s", [env.roles.owner]) == [
        (False,)
    ]
    with pytest.raises(psycopg.OperationalError):
        env.sql("select 1", role=env.roles.owner)
