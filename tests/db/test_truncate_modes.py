"""TRUNCATE, chosen per table: one event (statement, the default), each removed row under its
policies (rows), or refused outside maintenance (refuse); on plain and partitioned tables, and
held to its mode by the guard and trigger health."""

from __future__ import annotations

import psycopg
import pytest

from pgaudit_kit import ConfigError, api
from tests.fixtures.db import AuditEnv

from .helpers import seal_all

PEOPLE = """
create table public.people (id int primary key, email text, status text);
insert into public.people values (1, 'a@x.org', 'new'), (2, 'b@x.org', 'old'), (3, null, 'new');
"""
ORDERS = """
create table public.orders (id int not null, placed date not null, email text,
    primary key (id, placed)) partition by range (placed);
create table public.orders_1 partition of public.orders
    for values from ('2026-01-01') to ('2026-02-01');
create table public.orders_2 partition of public.orders
    for values from ('2026-02-01') to ('2026-03-01');
insert into public.orders values (1, '2026-01-05', 'a@x.org'), (2, '2026-02-07', 'b@x.org'),
    (3, '2026-02-08', 'c@x.org');
"""


def _audit(env: AuditEnv, ddl: str, table: str, columns: str, truncate: str | None) -> None:
    env.script(ddl + f"alter table public.{table} owner to {env.roles.app};")
    if table == "orders":
        env.script(
            f"alter table public.orders_1 owner to {env.roles.app};"
            f"alter table public.orders_2 owner to {env.roles.app};"
        )
    mode = f'truncate = "{truncate}"\n' if truncate else ""
    env.write_config(f'[tables."public.{table}"]\ncolumns = {{ {columns} }}\n{mode}')
    env.apply()


def _people(env: AuditEnv, truncate: str | None) -> None:
    _audit(env, PEOPLE, "people", 'id = "plain", email = "hash", status = "plain"', truncate)


def _orders(env: AuditEnv, truncate: str | None) -> None:
    _audit(env, ORDERS, "orders", 'id = "plain", placed = "plain", email = "hash"', truncate)


def _healthy(env: AuditEnv) -> None:
    states = env.sql("select trigger_name, state from audit.trigger_health()")
    assert states and all(state == "ok" for _, state in states), states


def test_statement_mode_is_the_default_and_records_one_event(env: AuditEnv) -> None:
    _people(env, None)
    env.sql("truncate people", role=env.roles.app)
    (event,) = env.log("TRUNCATE")
    assert event["row_key"] is None and event["old_values"] is None
    assert env.sql("select truncate_mode from audit.audited_tables") == [("statement",)]
    _healthy(env)


def test_rows_mode_records_each_removed_row_under_its_policies(env: AuditEnv) -> None:
    _people(env, "rows")
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("select set_config('pgaudit.request_id', 'r-9', true)")
        conn.execute("truncate people")
    rows = env.log("TRUNCATE")
    removed = sorted((r for r in rows if r["row_key"] is not None), key=lambda r: r["id"])
    assert [r["row_key"] for r in removed] == [{"id": 1}, {"id": 2}, {"id": 3}]
    assert [r["old_values"]["status"] for r in removed] == ["new", "old", "new"]
    assert all(r["request_id"] == "r-9" for r in rows) and len(rows) == 4
    trail = " ".join(str(r) for r in env.log())
    assert "a@x.org" not in trail and "b@x.org" not in trail  # hashed, never plain
    assert removed[0]["old_values"]["email"] not in (None, "a@x.org")
    assert removed[2]["old_values"]["email"] is None
    _healthy(env)
    seal_all(env)
    assert api.verify(env.config_path, env.dsn).ok


def test_rows_mode_hashes_as_insert_does(env: AuditEnv) -> None:
    _people(env, "rows")
    env.sql("insert into people values (4, 'd@x.org', 'new')", role=env.roles.app)
    env.sql("truncate people", role=env.roles.app)
    (inserted,) = env.log("INSERT")
    (removed,) = [r for r in env.log("TRUNCATE") if r["row_key"] == {"id": 4}]
    assert removed["old_values"]["email"] == inserted["new_values"]["email"]


def test_refuse_mode_stops_truncate_outside_maintenance(env: AuditEnv) -> None:
    _people(env, "refuse")
    before = env.log()
    with pytest.raises(
        psycopg.errors.InsufficientPrivilege, match=r"TRUNCATE of public\.people is refused"
    ):
        env.sql("truncate people", role=env.roles.app)
    assert env.log() == before and env.sql("select count(*) from people") == [(3,)]
    env.sql("delete from people where id = 3", role=env.roles.app)  # deleting is audited
    env.script("select audit.begin_maintenance('archive people'); truncate people;")
    assert [r["op"] for r in env.log("DELETE", "TRUNCATE")] == ["DELETE", "TRUNCATE"]
    _healthy(env)


@pytest.mark.parametrize("truncate", ["rows", "refuse"])
def test_the_app_cannot_turn_its_truncate_trigger_back_into_a_statement_one(
    env: AuditEnv, truncate: str
) -> None:
    _people(env, truncate)
    env.script(
        f"create schema app authorization {env.roles.app};"
        f" set role {env.roles.app};"
        " create function app.noop() returns trigger language plpgsql as $$ begin return null; end $$;"
    )
    fingerprint = env.catalog_fingerprint()
    for timing in ("after", "before"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="pgaudit-kit"):
            env.sql(
                f"create or replace trigger pgaudit_truncate {timing} truncate on people"
                " for each statement execute function app.noop()",
                role=env.roles.app,
            )
    assert env.catalog_fingerprint() == fingerprint
    _healthy(env)


def test_rows_mode_on_a_partitioned_table_takes_each_leafs_own_rows(env: AuditEnv) -> None:
    _orders(env, "rows")
    env.sql("truncate orders_2", role=env.roles.app)
    keys = [r["row_key"] for r in env.log("TRUNCATE") if r["old_values"] is not None]
    assert sorted(k["id"] for k in keys) == [2, 3]
    (event,) = [r for r in env.log("TRUNCATE") if r["old_values"] is None]
    assert event["new_values"] == {"partition": "public.orders_2"}
    # a partition made after apply gets a BEFORE trigger from the guard
    env.sql(f"grant create on schema public to {env.roles.app}")
    env.sql(
        "create table public.orders_3 partition of public.orders"
        " for values from ('2026-03-01') to ('2026-04-01')",
        role=env.roles.app,
    )
    env.sql("insert into orders values (4, '2026-03-02', 'd@x.org')", role=env.roles.app)
    _healthy(env)
    env.sql("truncate orders", role=env.roles.app)
    keys = [r["row_key"]["id"] for r in env.log("TRUNCATE") if r["old_values"] is not None]
    assert sorted(keys) == [1, 2, 3, 4]  # each row once: 2 and 3 went with orders_2
    assert env.sql("select count(*) from orders") == [(0,)]


def test_refuse_mode_on_a_partitioned_table_holds_for_every_leaf(env: AuditEnv) -> None:
    _orders(env, "refuse")
    for target in ("orders", "orders_1"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="is refused"):
            env.sql(f"truncate {target}", role=env.roles.app)
    assert env.sql("select count(*) from orders") == [(3,)]
    _healthy(env)


def test_changing_the_mode_changes_the_trigger_and_the_owners_read(env: AuditEnv) -> None:
    _people(env, None)
    can_read = f"select has_table_privilege('{env.roles.owner}', 'public.people', 'select')"
    assert env.sql(can_read) == [(False,)]
    for mode, reads in (("rows", True), ("refuse", False), ("statement", False)):
        env.write_config(
            '[tables."public.people"]\n'
            'columns = { id = "plain", email = "hash", status = "plain" }\n'
            f'truncate = "{mode}"\n'
        )
        plan = api.plan(env.config_path, env.dsn)
        assert any(
            (f"truncate {mode}" in s.description) == (mode != "statement")
            for s in plan.plan.changes
        )
        env.apply()
        assert env.sql(can_read) == [(reads,)]
        assert env.sql("select truncate_mode from audit.audited_tables") == [(mode,)]
        _healthy(env)


def test_rows_mode_baseline_keeps_the_owners_read(env: AuditEnv) -> None:
    env.script(PEOPLE + f"alter table public.people owner to {env.roles.app};")
    env.write_config(
        '[tables."public.people"]\n'
        'columns = { id = "plain", email = "hash", status = "plain" }\ntruncate = "rows"\n'
    )
    env.apply(baseline=True)
    env.sql("truncate people", role=env.roles.app)
    assert len([r for r in env.log("TRUNCATE") if r["row_key"] is not None]) == 3


def test_an_unknown_mode_is_refused_with_its_line(env: AuditEnv) -> None:
    env.script(PEOPLE)
    env.write_config('[tables."public.people"]\ncolumns = { id = "plain" }\ntruncate = "itemize"\n')
    before = env.catalog_fingerprint()
    with pytest.raises(ConfigError, match=r"truncate of public\.people must be one of") as raised:
        env.apply()
    assert raised.value.line is not None
    assert env.catalog_fingerprint() == before


def test_rows_mode_refuses_rather_than_miss_rows_that_row_security_hides(env: AuditEnv) -> None:
    _people(env, "rows")
    env.sql("alter table people enable row level security", role=env.roles.app)
    env.sql("create policy only_new on people using (status = 'new')", role=env.roles.app)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        env.sql("truncate people", role=env.roles.app)
    assert env.sql("select count(*) from people") == [(3,)] and not env.log("TRUNCATE")


_OWNER_RAN = """
create function app.owner_ran() returns text language plpgsql as $$
begin
    perform set_config('test.ran_as', current_user, false);
    return 'x';
end $$;
"""


def _rows_mode_as_app(env: AuditEnv) -> None:
    _people(env, "rows")
    env.script(
        f"create schema app authorization {env.roles.app};"
        f"grant create on schema public to {env.roles.app};"
    )


@pytest.mark.parametrize(
    "change",
    [
        # swapping two columns' names: the stale read would store email under "status", plain
        "alter table people rename column email to tmp;"
        " alter table people rename column status to email;"
        " alter table people rename column tmp to status",
        # a column of a type whose cast the app owns, under an old built-in column's name
        _OWNER_RAN + "create type app.mood as enum ('x');"
        " create function app.mood_json(app.mood) returns json language sql"
        " as $$ select to_json(app.owner_ran()) $$;"
        " create cast (app.mood as json) with function app.mood_json(app.mood);"
        " alter table people drop column status;"
        " alter table people add column status app.mood default 'x'",
    ],
    ids=["swapped-names", "retyped-by-drop-and-add"],
)
def test_rows_mode_refuses_after_columns_change_until_apply(env: AuditEnv, change: str) -> None:
    _rows_mode_as_app(env)
    env.script(change, role=env.roles.app)
    with psycopg.connect(env.app_dsn) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="columns changed"):
            conn.execute("truncate people")
        conn.rollback()
        ran = conn.execute("select current_setting('test.ran_as', true)").fetchone()
    assert ran in ((None,), ("",))  # the app's cast never ran, as the owner or anyone
    assert env.sql("select count(*) from people") == [(3,)]
    assert "a@x.org" not in str(env.log()) and not env.log("TRUNCATE")
    env.apply()  # regenerated for the new columns: TRUNCATE itemizes again
    env.sql("truncate people", role=env.roles.app)
    assert len([r for r in env.log("TRUNCATE") if r["old_values"] is not None]) == 3


@pytest.mark.parametrize("decoy", ["view", "table"])
def test_rows_mode_refuses_when_its_table_name_is_taken_by_a_decoy(
    env: AuditEnv, decoy: str
) -> None:
    _rows_mode_as_app(env)
    made = (
        "create view public.people as select 42 as id, 'f@x.org'::text as email,"
        " app.owner_ran() as status"
        if decoy == "view"
        else "create table public.people (id int primary key, email text, status text)"
    )
    env.script(
        _OWNER_RAN + "alter table people rename to people_real;" + made + ";"
        f"grant select on public.people to {env.roles.owner}",
        role=env.roles.app,
    )
    with psycopg.connect(env.app_dsn) as conn:
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match="renamed"):
            conn.execute("truncate people_real")
        conn.rollback()
        ran = conn.execute("select current_setting('test.ran_as', true)").fetchone()
    assert ran in ((None,), ("",))
    assert env.sql("select count(*) from people_real") == [(3,)] and not env.log("TRUNCATE")
