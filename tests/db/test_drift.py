"""Column changes on audited tables (drift): capture never fails and never stores plain text.

The guard switches a table whose columns changed to generic capture in the ALTER's own
transaction; plan and status report it; apply regenerates fast capture."""

from __future__ import annotations

import psycopg
import pytest

from pgaudit_kit import api
from pgaudit_kit.policies import hmac_token_from_pads
from tests.fixtures.db import AuditEnv

from .helpers import alembic_transaction, audited_customers, key_pads, seal_all


def _registry(env: AuditEnv) -> tuple[str, str | None]:
    ((mode, detail),) = env.sql(
        "select capture_mode, drift_detail from audit.audited_tables"
        " where table_name = 'public.customers'"
    )
    return mode, detail


def _token(env: AuditEnv, value: str) -> str:
    _, k_in, k_out = key_pads(env)
    return hmac_token_from_pads(k_in, k_out, value)


def test_an_added_column_is_hashed_from_its_first_row(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("alter table customers add column phone text", role=env.roles.app)
    assert _registry(env) == ("generic", "added phone text")
    env.sql(
        "insert into customers (id, email, card_number, password, status, phone)"
        " values (1, 'a@example.com', '4111 1111 1111 1234', 'pw', 'new', '+1 555 0100')",
        role=env.roles.app,
    )
    (row,) = env.log("INSERT")
    assert row["row_key"] == {"id": 1}
    assert row["new_values"] == {
        "id": 1,
        "email": _token(env, "a@example.com"),
        "card_number": "****-****-****-1234",
        "status": "new",
        "note": None,
        "phone": _token(env, "+1 555 0100"),
    }
    (event,) = [r for r in env.log("CONFIG") if r["new_values"]["action"] == "generic capture"]
    assert event["new_values"]["detail"] == "added phone text"
    assert event["new_values"]["policies"]["phone"] == "hash"
    seal_all(env)
    report = api.verify(env.config_path, env.dsn)
    assert report.ok, report.problems


def test_omit_as_default_policy_leaves_a_new_column_out(env: AuditEnv) -> None:
    audited_customers(env, audit='default_policy = "omit"')
    env.sql("alter table customers add column phone text", role=env.roles.app)
    env.sql("insert into customers (id, phone) values (1, '+1 555 0100')", role=env.roles.app)
    (row,) = env.log("INSERT")
    assert "phone" not in row["new_values"]


def test_dropped_renamed_and_retyped_columns_never_break_the_application(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@example.com', '4111 1111 1111 1234', 'pw', 'new', 'n')",
        role=env.roles.app,
    )
    env.script(
        "alter table customers drop column note;"
        " alter table customers rename column email to contact;"
        " alter table customers rename column card_number to card;"
        " alter table customers alter column status type varchar;",  # no rewrite: same values
        role=env.roles.app,
    )
    mode, detail = _registry(env)
    assert mode == "generic"
    assert detail == (
        "renamed email to contact; renamed card_number to card; "
        "retyped status from text to character varying; dropped note"
    )
    env.sql(
        "update customers set contact = 'b@example.com', status = 'x' where id = 1",
        role=env.roles.app,
    )
    env.sql("update customers set status = 'x' where id = 1", role=env.roles.app)  # unchanged
    env.sql("delete from customers where id = 1", role=env.roles.app)
    (update,) = env.log("UPDATE")
    # the renamed columns keep their policies: same attnum, same data
    assert update["old_values"] == {"contact": _token(env, "a@example.com"), "status": "new"}
    assert update["new_values"] == {"contact": _token(env, "b@example.com"), "status": "x"}
    assert update["changed_columns"] == ["contact", "status"]
    (delete,) = env.log("DELETE")
    assert delete["row_key"] == {"id": 1}
    assert delete["old_values"] == {
        "id": 1,
        "contact": _token(env, "b@example.com"),
        "card": "****-****-****-1234",
        "status": "x",
    }


@pytest.mark.parametrize(
    "change",
    [
        "alter column status type varchar(20)",
        "alter column id type numeric",
        "alter column status type text using 'forged'",
    ],
)
def test_a_column_change_that_rewrites_values_is_refused(env: AuditEnv, change: str) -> None:
    """ALTER COLUMN ... TYPE rewrites every row with no UPDATE events (with USING, to anything)."""
    audited_customers(env)
    env.sql("insert into customers (id, status) values (1, 'new')", role=env.roles.app)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would rewrite the column"):
        env.sql(f"alter table customers {change}", role=env.roles.app)
    assert env.sql("select id, status from customers") == [(1, "new")]
    assert _registry(env) == ("fast", None)


def test_a_new_column_that_takes_an_old_name_does_not_inherit_its_policy(env: AuditEnv) -> None:
    audited_customers(env)
    env.script(
        "alter table customers drop column status;"
        " alter table customers add column status text;"  # was plain; now unknown data
        " alter table customers drop column note;"
        " alter table customers rename column password to note;",  # omitted data, plain name
        role=env.roles.app,
    )
    env.sql(
        "insert into customers (id, status, note) values (1, 'secret', 'pw')", role=env.roles.app
    )
    (row,) = env.log("INSERT")
    assert row["new_values"]["status"] == _token(env, "secret")
    assert "note" not in row["new_values"]


def test_the_key_follows_a_renamed_key_column(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("alter table customers rename column id to customer_id", role=env.roles.app)
    env.sql("insert into customers (customer_id, status) values (7, 'new')", role=env.roles.app)
    env.sql("update customers set status = 'old' where customer_id = 7", role=env.roles.app)
    insert, update = env.log("INSERT", "UPDATE")
    assert insert["row_key"] == update["row_key"] == {"customer_id": 7}
    assert update["new_values"] == {"status": "old"}


def test_a_dropped_key_column_leaves_rows_identified_by_full_images(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("insert into customers (id, status) values (7, 'new')", role=env.roles.app)
    env.sql("alter table customers drop column id", role=env.roles.app)
    env.sql("update customers set status = 'old'", role=env.roles.app)
    (update,) = env.log("UPDATE")
    assert update["row_key"] is None
    assert update["old_values"]["status"] == "new" and "email" in update["old_values"]


def test_a_column_change_and_writes_in_one_transaction(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("insert into customers (id, status) values (1, 'a')")
        conn.execute("alter table customers add column phone text")
        conn.execute("insert into customers (id, phone) values (2, '555')")
        conn.execute("alter table customers drop column phone")
        conn.execute("insert into customers (id) values (3)")
    rows = env.log("INSERT")
    assert [r["row_key"] for r in rows] == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert rows[1]["new_values"]["phone"] == _token(env, "555")
    assert "phone" not in rows[2]["new_values"]
    assert _registry(env)[1] == "columns changed and changed back"


def test_plan_and_status_report_drift_and_apply_restores_fast_capture(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("alter table customers add column phone text", role=env.roles.app)
    status = api.status(env.config_path, env.dsn)
    (table,) = status.tables
    assert table.capture == "generic" and table.drift == "added phone text"
    assert any("public.customers: its columns changed" in p for p in status.problems)
    plan = api.plan(env.config_path, env.dsn)
    (step,) = [s for s in plan.plan.steps if s.table is not None]
    assert step.description.startswith("regenerate fast capture of public.customers")
    assert step.description.endswith("its columns changed: added phone text")
    env.apply()
    assert _registry(env) == ("fast", None)
    assert not api.status(env.config_path, env.dsn).problems
    assert not [s for s in api.plan(env.config_path, env.dsn).plan.steps if s.table]
    env.sql("insert into customers (id, phone) values (1, '555')", role=env.roles.app)
    (row,) = env.log("INSERT")
    assert row["new_values"]["phone"] == _token(env, "555")


def test_partitioned_tables_follow_column_changes(env: AuditEnv) -> None:
    env.script(
        "create table public.visits (id bigint, at date not null, email text, primary key (id, at))"
        " partition by range (at);"
        " create table public.visits_2026 partition of public.visits"
        " for values from ('2026-01-01') to ('2027-01-01');"
        f" alter table public.visits owner to {env.roles.app};"
        f" alter table public.visits_2026 owner to {env.roles.app};"
    )
    env.write_config(
        '[tables."public.visits"]\ncolumns = { id = "plain", at = "plain", email = "hash" }\n'
    )
    env.apply()
    env.sql("alter table visits add column phone text", role=env.roles.app)
    env.sql(
        "insert into visits values (1, '2026-05-01', 'a@example.com', '555')", role=env.roles.app
    )
    (row,) = env.log("INSERT")
    assert row["row_key"] == {"id": 1, "at": "2026-05-01"}
    assert row["new_values"]["phone"] == _token(env, "555")
    assert row["new_values"]["email"] == _token(env, "a@example.com")


def test_the_window_the_guard_opens_closes_before_the_alter_returns(env: AuditEnv) -> None:
    """capture_generically writes the audit schema inside the application's transaction; the
    application must not be able to use that window for DDL of its own."""
    audited_customers(env)
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("alter table customers add column phone text")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would be"):
            conn.execute("alter table customers disable trigger pgaudit_insert")
    assert env.sql("select count(*) from audit.maintenance where command like 'guard%'") == [(0,)]


def test_the_application_cannot_call_capture_generically(env: AuditEnv) -> None:
    audited_customers(env)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql(
            "select audit.capture_generically('public.customers'::regclass)", role=env.roles.app
        )


def test_upgrading_to_revision_0003_records_the_attnums_of_audited_tables(env: AuditEnv) -> None:
    """Tables audited before revision 0003 get attnums from the catalog when it is applied, so a
    later rename keeps its policy."""
    from psycopg import sql

    from pgaudit_kit import toolkit_schema

    values = toolkit_schema.params("audit", env.roles.owner)
    env.script("create table public.t (id int primary key, email text)")
    with alembic_transaction(env.dsn) as (conn, sa_conn):
        conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(env.roles.owner)))
        conn.execute(
            sql.SQL("create schema audit authorization {}").format(sql.Identifier(env.roles.owner))
        )
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(env.roles.owner)))
        toolkit_schema.upgrade(sa_conn, values, "audit", target="0002")
        conn.execute("reset role")
        conn.execute(
            "insert into audit.audited_tables (relid, table_name, partitioned, key_columns,"
            " policies, columns, row_function, truncate_function, triggers, fingerprint)"
            " values ('public.t'::regclass, 'public.t', false, '{id}',"
            ' \'{"id": "plain", "email": "hash"}\', \'{"id": "integer", "email": "text"}\','
            " 'audit.rotate_key()', 'audit.rotate_key()', '{}', 'x')"
        )
        conn.execute(sql.SQL("set local role {}").format(sql.Identifier(env.roles.owner)))
        toolkit_schema.upgrade(sa_conn, values, "audit")
    assert env.sql("select attnums, capture_mode from audit.audited_tables") == [
        ({"id": 1, "email": 2}, "fast")
    ]
