"""apply, plan and uninstall: one transaction, idempotent, clear errors, nothing left behind."""

from __future__ import annotations

import threading

import psycopg
import pytest

from pgaudit_kit import api, catalog, config, generate, toolkit_schema
from pgaudit_kit.errors import ConfigError, PermissionDenied, ServerError
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, audited_customers


def test_apply_twice_changes_nothing_the_second_time(env: AuditEnv) -> None:
    audited_customers(env)
    fingerprint = env.catalog_fingerprint()
    rows = len(env.log())
    assert not env.apply().changed
    assert not api.plan(env.config_path, env.dsn).plan.steps
    assert env.catalog_fingerprint() == fingerprint and len(env.log()) == rows


def test_plan_changes_nothing(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL)
    env.write_config(CUSTOMERS_TOML)
    fingerprint = env.catalog_fingerprint()
    result = api.plan(env.config_path, env.dsn, baseline=True)
    assert [s.kind for s in result.plan.steps][:4] == ["session", "sql", "sql", "toolkit"]
    assert env.catalog_fingerprint() == fingerprint


def test_the_sql_plan_prints_is_the_sql_apply_runs(env: AuditEnv) -> None:
    """Composed.as_string(None) (what plan prints) equals as_string(conn) (what runs)."""
    env.script(
        CUSTOMERS_DDL + 'create table public."Odd Name" ("Id" int primary key, "e\'mail" text);'
    )
    env.write_config(
        CUSTOMERS_TOML + '[tables.\'public."Odd Name"\']\ncolumns = { "Id" = "plain" }\n'
    )
    result = api.plan(env.config_path, env.dsn, baseline=True)
    with psycopg.connect(env.dsn) as conn:
        for step in result.plan.steps:
            for statement in step.statements:
                assert statement.as_string(None) == statement.as_string(conn)


def test_the_toolkit_version_lives_in_the_audit_schema(env: AuditEnv) -> None:
    audited_customers(env)
    assert env.sql("select version_num from audit.schema_version") == [(toolkit_schema.head(),)]
    assert env.sql("select to_regclass('public.alembic_version')") == [(None,)]


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ('[tables."public.missing"]\n', ":7: table public.missing does not exist"),
        (
            '[tables."public.customers"]\ncolumns = { emial = "hash" }\n',
            ":8: column 'emial' does not exist in public.customers",
        ),
        ('[tables."public.v"]\n', ":7: public.v is a view; only tables can be audited"),
        (
            '[tables."public.customers"]\nkey = ["nope"]\n',
            ":8: key column 'nope' does not exist in public.customers",
        ),
    ],
)
def test_config_that_does_not_match_the_database_fails_cleanly(
    env: AuditEnv, tables: str, message: str
) -> None:
    env.script(CUSTOMERS_DDL + "create view public.v as select 1 as x;")
    env.write_config(tables)
    fingerprint = env.catalog_fingerprint()
    with pytest.raises(ConfigError) as caught:
        env.apply()
    assert message in str(caught.value)
    assert env.catalog_fingerprint() == fingerprint


def test_a_missing_role_names_the_config_key(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL)
    env.write_config(CUSTOMERS_TOML)
    env.config_path.write_text(
        env.config_path.read_text().replace(env.roles.auditor, "nobody_here")
    )
    fingerprint = env.catalog_fingerprint()
    with pytest.raises(ConfigError) as caught:
        env.apply()
    assert str(caught.value) == (
        f"{env.config_path}:5: role 'nobody_here' in auditor_roles does not exist "
        "(create it (CREATE ROLE ...) or remove it from auditor_roles)"
    )
    assert env.catalog_fingerprint() == fingerprint


def test_a_superuser_app_role_is_refused(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL)
    env.write_config(CUSTOMERS_TOML)
    env.sql(f"alter role {env.roles.app} superuser")
    try:
        with pytest.raises(ConfigError, match="is a superuser"):
            env.apply()
    finally:
        env.sql(f"alter role {env.roles.app} nosuperuser")


def test_apply_needs_a_superuser_or_a_createrole_role(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL)
    env.write_config(CUSTOMERS_TOML)
    with pytest.raises(
        PermissionDenied, match=f"{env.roles.other} may not install pgaudit-kit: it is neither"
    ):
        api.apply(env.config_path, env.dsn_as(env.roles.other))


def test_a_failure_half_way_rolls_everything_back(env: AuditEnv) -> None:
    """The table is locked by a long transaction: the trigger step times out after the toolkit
    schema, partitions and key were already created in the same transaction."""
    env.script(CUSTOMERS_DDL)
    env.write_config(CUSTOMERS_TOML)
    fingerprint = env.catalog_fingerprint()
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(env.dsn) as conn:
            conn.execute("lock table customers in access exclusive mode")
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        locked.wait(10)
        with pytest.raises(ServerError, match="lock timeout"):
            api.apply(env.config_path, env.dsn, lock_timeout="200ms")
    finally:
        release.set()
        holder.join()
    assert env.catalog_fingerprint() == fingerprint
    assert env.sql("select to_regnamespace('audit')") == [(None,)]


def test_a_table_removed_from_the_config_stops_being_audited(env: AuditEnv) -> None:
    audited_customers(env)
    env.script(
        f"create table public.keep (id int primary key); alter table public.keep owner to {env.roles.app};"
    )
    env.write_config(CUSTOMERS_TOML + '[tables."public.keep"]\ncolumns = { id = "plain" }\n')
    env.apply()
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    env.write_config('[tables."public.keep"]\ncolumns = { id = "plain" }\n')
    result = env.apply()
    assert any(s.description.startswith("stop auditing public.customers") for s in result.steps)
    env.sql(
        "insert into customers values (2, 'b@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    assert [r["row_key"] for r in env.log("INSERT")] == [{"id": 1}]
    assert env.sql("select tgname from pg_trigger where tgrelid = 'customers'::regclass") == []
    assert [
        r["new_values"]["action"]
        for r in env.log("CONFIG")
        if r["table_name"] == "public.customers"
    ] == ["start", "stop"]


def test_changing_a_policy_reinstalls_and_records_it(env: AuditEnv) -> None:
    audited_customers(env)
    env.write_config(CUSTOMERS_TOML.replace('status = "plain"', 'status = "hash"'))
    result = env.apply()
    assert [s.description for s in result.steps] == [
        "update auditing of public.customers (2 hash, 1 mask:card, 1 omit, 2 plain)"
    ]
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    assert env.log("INSERT")[0]["new_values"]["status"].startswith("hmac:")
    assert env.log("CONFIG")[-1]["new_values"]["policies"]["status"] == "hash"


def test_apply_repairs_a_trigger_a_superuser_disabled(env: AuditEnv) -> None:
    audited_customers(env)
    env.script(
        "select audit.begin_maintenance('test'); alter table customers disable trigger pgaudit_update;"
    )
    assert api.status(env.config_path, env.dsn).problems
    assert env.apply().changed
    assert not api.status(env.config_path, env.dsn).problems


def test_apply_recreates_a_dropped_guard(env: AuditEnv) -> None:
    audited_customers(env)
    for name in env.sql("select evtname from pg_event_trigger"):
        env.sql(f"drop event trigger {name[0]}")
    result = env.apply()
    assert [s.description for s in result.steps] == [
        "create the guard's event triggers (they refuse DDL that would silence the trail)"
    ]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql("drop trigger pgaudit_insert on customers", role=env.roles.app)


def test_uninstall_keeps_the_rows_and_apply_brings_capture_back(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    result = api.uninstall(env.config_path, env.dsn)
    assert result.tables == ("public.customers",) and not result.dropped_data
    env.sql(
        "insert into customers values (2, 'b@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    assert env.sql("select count(*) from pg_event_trigger") == [(0,)]
    assert [r["row_key"] for r in env.log("INSERT")] == [{"id": 1}]
    env.apply()
    env.sql(
        "insert into customers values (3, 'c@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    assert [r["row_key"] for r in env.log("INSERT")] == [{"id": 1}, {"id": 3}]


def test_uninstall_drop_data_removes_schema_and_owner(env: AuditEnv) -> None:
    audited_customers(env)
    result = api.uninstall(env.config_path, env.dsn, drop_data=True)
    assert result.dropped_data and result.owner_dropped
    assert env.sql("select to_regnamespace('audit')") == [(None,)]
    assert env.sql("select count(*) from pg_roles where rolname = %s", [env.roles.owner]) == [(0,)]


def test_uninstall_when_not_installed_is_a_clear_error(env: AuditEnv) -> None:
    env.write_config()
    from pgaudit_kit.errors import NotInstalled

    with pytest.raises(NotInstalled, match="not installed in schema audit"):
        api.uninstall(env.config_path, env.dsn)


def test_two_audit_schemas_coexist_in_one_database(env: AuditEnv) -> None:
    audited_customers(env)
    env.script(
        f"create table public.other (id int primary key); alter table public.other owner to {env.roles.app};"
    )
    second = env.tmp / "second.toml"
    second.write_text(
        f'[audit]\nschema = "trail2"\nowner_role = "{env.roles.owner}_2"\n'
        '[tables."public.other"]\ncolumns = { id = "plain" }\n'
    )
    try:
        api.apply(second, env.dsn)
        env.sql("insert into other values (1)", role=env.roles.app)
        assert env.sql("select count(*) from trail2.log where op = 'INSERT'") == [(1,)]
        assert not api.apply(env.config_path, env.dsn).changed
    finally:
        api.uninstall(second, env.dsn, drop_data=True)


def test_resolve_reports_an_unknown_comment_tag(env: AuditEnv) -> None:
    env.script(CUSTOMERS_DDL + "comment on column public.customers.note is 'pgaudit:hsh';")
    env.write_config('[tables."public.customers"]\n')
    loaded = config.load(env.config_path)
    with psycopg.connect(env.dsn) as conn:
        models = catalog.read_tables(conn, [t.name for t in loaded.tables])
    from pgaudit_kit.errors import InputError

    with pytest.raises(InputError) as caught:
        generate.resolve(loaded, models)
    assert str(caught.value) == (
        "public.customers: unknown policy tag 'pgaudit:hsh' in the comment on column 'note' "
        "(use pgaudit:<policy> with one of plain, hash, omit, mask:email, mask:card, mask:last4)"
    )


def test_the_plan_script_does_what_apply_does(env: AuditEnv) -> None:
    """plan --sql is a complete script: run by hand in one transaction, toolkit revisions and
    all, it leaves the database exactly where apply would."""
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML)
    script = api.plan(env.config_path, env.dsn).plan.sql_text()
    env.script(script)
    assert api.plan(env.config_path, env.dsn).plan.empty
    assert api.check(env.config_path, env.dsn).ok
    env.sql("insert into customers (id, status) values (1, 'new')", role=env.roles.app)
    assert [r["row_key"] for r in env.log("INSERT")] == [{"id": 1}]
    env.write_config(CUSTOMERS_TOML.replace('status = "plain"', 'status = "hash"'))
    env.script(api.plan(env.config_path, env.dsn).plan.sql_text())
    assert api.plan(env.config_path, env.dsn).plan.empty
