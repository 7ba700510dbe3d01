"""The application as an attacker: everything it may do as the owner of its tables, replayed.

Each test plays one attack of the hardening issue as the app role (which owns its tables and
types, as most applications do) and proves it is refused or recorded: no application code runs
inside capture, the key is never readable, nothing is forged, no row changes unseen, and status,
check and report show whatever was silenced behind pgaudit-kit's back.
"""

from __future__ import annotations

import psycopg
import pytest

from pgaudit_kit import api, investigations
from pgaudit_kit.errors import ConfigError
from pgaudit_kit.policies import hmac_token_from_pads
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, key_pads, seal_all

#: The app's spy: a function that, wherever it runs, leaves who it ran as in a setting of the
#: session (set_config survives the SECURITY DEFINER function it would run inside), tries to read
#: the key and forge a row, and returns something to store.
SPY = """
create schema app authorization {app};
set role {app};
create type app.mood as enum ('sad', 'happy');
create function app.spy(text) returns text language plpgsql as $$
begin
    perform set_config('spy.ran_as', coalesce(current_setting('spy.ran_as', true), '') || current_user || ' ', false);
    begin
        perform set_config('spy.key', (select encode(k_in, 'hex') from audit.hmac_keys limit 1), false);
        insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, login_role, effective_role)
        values (1, now(), now(), 'INSERT', 'public.forged', 'ceo', 'ceo');
    exception when others then null;
    end;
    return 'forged:' || $1;
end $$;
create function app.mood_json(app.mood) returns json language sql as $$ select to_json(app.spy($1::text)) $$;
create function app.mood_jsonb(app.mood) returns jsonb language sql as $$ select to_jsonb(app.spy($1::text)) $$;
create function app.mood_text(app.mood) returns text language sql as $$ select app.spy($1::text) $$;
reset role;
"""
CASTS = """
set role {app};
create cast (app.mood as json) with function app.mood_json(app.mood);
create cast (app.mood as jsonb) with function app.mood_jsonb(app.mood);
create cast (app.mood as text) with function app.mood_text(app.mood) as assignment;
reset role;
"""


def _spy_ran(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    row = conn.execute("select coalesce(current_setting('spy.ran_as', true), '')").fetchone()
    return str(row[0]) if row else ""


def _moods(env: AuditEnv, *, baseline_rows: bool = False, casts_first: bool = True) -> None:
    """public.visits (owned by the app) with enum columns under each policy, audited."""
    env.script(SPY.format(app=env.roles.app))
    if casts_first:
        env.script(CASTS.format(app=env.roles.app))
    env.script(
        f"""
        create table public.visits (id int primary key, mood app.mood, secret app.mood,
                                    moods app.mood[], pair app.mood);
        alter table public.visits owner to {env.roles.app};
        grant usage on schema app to public;
        """
    )
    if baseline_rows:
        env.sql("insert into visits values (1, 'happy', 'sad', '{sad,happy}', 'sad')")
    env.write_config(
        '[tables."public.visits"]\ncolumns = { id = "plain", mood = "plain", secret = "hash",'
        ' moods = "plain", pair = "mask:last4" }\n'
    )
    env.apply(baseline=baseline_rows)
    if not casts_first:
        env.script(CASTS.format(app=env.roles.app))


def _assert_nothing_forged(env: AuditEnv) -> None:
    assert env.sql("select count(*) from audit.log_rows where table_name = 'public.forged'") == [
        (0,)
    ]


@pytest.mark.parametrize("casts_first", [True, False], ids=["casts-before-apply", "casts-after"])
def test_app_casts_never_run_inside_fast_capture(env: AuditEnv, casts_first: bool) -> None:
    _moods(env, casts_first=casts_first)
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("insert into visits values (1, 'happy', 'sad', '{sad,happy}', 'sad')")
        conn.execute("update visits set mood = 'sad', secret = 'happy', moods = '{happy}'")
        conn.execute("delete from visits")
        assert _spy_ran(conn) == ""
    insert, update, delete = env.log("INSERT", "UPDATE", "DELETE")
    _, k_in, k_out = key_pads(env)
    assert insert["new_values"] == {
        "id": 1,
        "mood": "happy",
        "secret": hmac_token_from_pads(k_in, k_out, "sad"),
        "moods": "{sad,happy}",
        "pair": "****",
    }
    assert update["changed_columns"] == ["mood", "secret", "moods"]
    assert update["new_values"]["secret"] == hmac_token_from_pads(k_in, k_out, "happy")
    assert delete["old_values"]["mood"] == "sad"
    _assert_nothing_forged(env)


def test_app_casts_never_run_in_the_baseline_a_superuser_applies(env: AuditEnv) -> None:
    _moods(env, baseline_rows=True)
    (snapshot,) = env.log("SNAPSHOT")
    assert snapshot["new_values"]["mood"] == "happy"  # the label, not the spy's "forged:happy"
    # the baseline ran as the audit owner, which gave back what it was lent for it
    assert snapshot["effective_role"] == env.roles.owner
    rights = env.sql(
        "select has_table_privilege(%s, 'public.visits', 'select'), rolbypassrls"
        " from pg_roles where rolname = %s",
        [env.roles.owner, env.roles.owner],
    )
    assert rights == [(False, False)]
    _assert_nothing_forged(env)


def test_app_casts_never_run_in_generic_capture_of_a_new_enum_column(env: AuditEnv) -> None:
    """No existing app type needed: a new enum and a new column, captured generically."""
    audited_customers(env)
    env.script(SPY.format(app=env.roles.app) + CASTS.format(app=env.roles.app))
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("alter table customers add column mood app.mood")
        conn.execute("insert into customers (id, status, mood) values (1, 'new', 'happy')")
        conn.execute("update customers set mood = 'sad'")
        conn.execute("delete from customers")
        assert _spy_ran(conn) == ""
    insert, update, delete = env.log("INSERT", "UPDATE", "DELETE")
    _, k_in, k_out = key_pads(env)
    assert insert["new_values"]["mood"] == hmac_token_from_pads(k_in, k_out, "happy")
    assert update["new_values"] == {"mood": hmac_token_from_pads(k_in, k_out, "sad")}
    assert delete["row_key"] == {"id": 1}
    _assert_nothing_forged(env)


def test_composite_range_and_domain_values_render_without_their_casts(env: AuditEnv) -> None:
    env.script(SPY.format(app=env.roles.app))
    env.script(
        f"""
        set role {env.roles.app};
        create type app.pair as (a app.mood, b int);
        create type app.moodrange as range (subtype = app.mood);
        create domain app.gloomy as app.mood check (value <> 'happy');
        create function app.pair_json(app.pair) returns json language sql as $$ select to_json(app.spy('p')) $$;
        create cast (app.pair as json) with function app.pair_json(app.pair);
        create function app.range_text(app.moodrange) returns text language sql as $$ select app.spy('r') $$;
        create cast (app.moodrange as text) with function app.range_text(app.moodrange);
        reset role;
        create table public.things (id int primary key, p app.pair, r app.moodrange, g app.gloomy);
        alter table public.things owner to {env.roles.app};
        """
    )
    env.write_config(
        '[tables."public.things"]\ncolumns = { id = "plain", p = "plain", r = "hash", g = "plain" }\n'
    )
    env.apply()
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("insert into things values (1, row('happy', 2), '[sad,happy]', 'sad')")
        assert _spy_ran(conn) == ""
    (row,) = env.log("INSERT")
    _, k_in, k_out = key_pads(env)
    assert row["new_values"] == {
        "id": 1,
        "p": "(happy,2)",
        "r": hmac_token_from_pads(k_in, k_out, "[sad,happy]"),
        "g": "sad",
    }


def test_the_baseline_reads_a_table_with_row_level_security_whole_without_its_policies(
    env: AuditEnv,
) -> None:
    env.script(SPY.format(app=env.roles.app))
    env.script(
        f"""
        create table public.notes (id int primary key, body text);
        insert into public.notes select g, 'n' || g from generate_series(1, 5) g;
        alter table public.notes owner to {env.roles.app};
        set role {env.roles.app};
        alter table public.notes enable row level security;
        alter table public.notes force row level security;
        create policy few on public.notes using (app.spy(body) is not null and id < 3);
        reset role;
        """
    )
    env.write_config('[tables."public.notes"]\ncolumns = { id = "plain", body = "plain" }\n')
    env.apply(baseline=True)
    assert sorted(r["row_key"]["id"] for r in env.log("SNAPSHOT")) == [1, 2, 3, 4, 5]
    _assert_nothing_forged(env)


# --- partitions and inheritance ---------------------------------------------------------------

ORDERS = """
create table public.orders (id int, placed date, amount numeric, primary key (id, placed))
    partition by range (placed);
create table public.orders_1 partition of public.orders for values from ('2026-01-01') to ('2026-02-01');
alter table public.orders owner to {app};
alter table public.orders_1 owner to {app};
grant create on schema public to {app};
"""


def _orders(env: AuditEnv) -> None:
    env.script(ORDERS.format(app=env.roles.app))
    env.write_config(
        '[tables."public.orders"]\ncolumns = { id = "plain", placed = "plain", amount = "plain" }\n'
    )
    env.apply()
    env.sql("insert into orders values (1, '2026-01-05', 10)", role=env.roles.app)


def _health(env: AuditEnv) -> set[tuple[str, str, str]]:
    return {
        (str(relation), name, state)
        for _, relation, name, state in env.sql("select * from audit.trigger_health()")
    }


def test_detaching_a_partition_with_rows_is_refused(env: AuditEnv) -> None:
    _orders(env)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would leave audited table"):
        env.sql("alter table orders detach partition orders_1", role=env.roles.app)
    assert env.sql("select count(*) from orders") == [(1,)]


def test_a_concurrent_detach_is_refused_and_shows_as_pending(env: AuditEnv) -> None:
    _orders(env)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would leave audited table"):
        env.sql("alter table orders detach partition orders_1 concurrently", role=env.roles.app)
    status = api.status(env.config_path, env.dsn)
    assert any("orders_1: detach pending" in p for p in status.problems)
    findings = api.check(env.config_path, env.dsn).findings
    assert any(f.check == "integrity" and "detach pending" in f.message for f in findings)
    # the rows stayed where capture sees them
    env.sql("update orders_1 set amount = 11", role=env.roles.app)
    assert [r["op"] for r in env.log("UPDATE")] == ["UPDATE"]


def test_attaching_a_table_with_rows_is_refused(env: AuditEnv) -> None:
    _orders(env)
    env.sql(
        "create table orders_2 (id int, placed date, amount numeric, primary key (id, placed));"
        " insert into orders_2 values (2, '2026-02-05', 99)",
        role=env.roles.app,
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would join audited table"):
        env.sql(
            "alter table orders attach partition orders_2"
            " for values from ('2026-02-01') to ('2026-03-01')",
            role=env.roles.app,
        )
    assert env.sql("select count(*) from orders") == [(1,)]


def test_detach_change_and_reattach_cannot_change_rows_unseen(env: AuditEnv) -> None:
    _orders(env)
    with psycopg.connect(env.app_dsn) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("alter table orders detach partition orders_1")
        conn.execute("update orders_1 set amount = 0")
        conn.execute(
            "alter table orders attach partition orders_1"
            " for values from ('2026-01-01') to ('2026-02-01')"
        )
    assert env.sql("select amount from orders") == [(10,)]


def test_empty_partitions_may_join_and_get_an_always_truncate_trigger(env: AuditEnv) -> None:
    _orders(env)
    env.sql(
        "create table orders_2 (id int, placed date, amount numeric, primary key (id, placed));"
        " alter table orders attach partition orders_2"
        " for values from ('2026-02-01') to ('2026-03-01');"
        " create table orders_3 partition of orders for values from ('2026-03-01') to ('2026-04-01')",
        role=env.roles.app,
    )
    assert {h for h in _health(env) if h[2] != "ok"} == set()
    env.sql("insert into orders values (2, '2026-02-05', 5), (3, '2026-03-05', 6)")
    env.sql("truncate orders_2, orders_3", role=env.roles.app)
    assert len(env.log("INSERT")) == 3 and len(env.log("TRUNCATE")) == 2


def test_a_foreign_table_cannot_become_a_partition(env: AuditEnv) -> None:
    """Its rows live elsewhere: they would join the audited table with no INSERT events."""
    env.script(
        "create table public.events (at date, what text) partition by range (at);"
        f" alter table public.events owner to {env.roles.app};"
        "create foreign data wrapper fdw_nothing;"
        " create server nowhere foreign data wrapper fdw_nothing;"
        f" grant usage on foreign server nowhere to {env.roles.app};"
        f" grant create on schema public to {env.roles.app};"
    )
    env.write_config('[tables."public.events"]\ncolumns = { at = "plain", what = "plain" }\n')
    env.apply()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="foreign table"):
        env.sql(
            "create foreign table events_9 partition of events"
            " for values from ('2027-01-01') to ('2027-02-01') server nowhere",
            role=env.roles.app,
        )


@pytest.mark.parametrize(
    "statement",
    [
        "create table child () inherits (customers)",
        "create table child (id bigint not null, email text, card_number text, password text,"
        " status text, note text); alter table child inherit customers",
        "create table parent (status text); alter table customers inherit parent",
    ],
    ids=["create-inherits", "alter-inherit", "audited-inherits"],
)
def test_inheritance_with_an_audited_table_is_refused(env: AuditEnv, statement: str) -> None:
    audited_customers(env)
    env.sql(f"grant create on schema public to {env.roles.app}")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="inheritance tree"):
        env.script(statement, role=env.roles.app)


@pytest.mark.parametrize(
    ("ddl", "table", "message"),
    [
        (
            "create table public.c (id int primary key) partition by range (id);"
            " create table public.c1 partition of public.c for values from (0) to (10);",
            "public.c1",
            "public.c1 is a partition of public.c",
        ),
        (
            "create table public.p (id int primary key);"
            " create table public.c () inherits (public.p);",
            "public.c",
            "public.c is in an inheritance tree with public.p",
        ),
        (
            "create table public.p (id int primary key);"
            " create table public.c () inherits (public.p);",
            "public.p",
            "public.p is in an inheritance tree with public.c",
        ),
    ],
    ids=["partition", "inheritance-child", "inheritance-parent"],
)
def test_apply_refuses_tables_whose_triggers_miss_writes(
    env: AuditEnv, ddl: str, table: str, message: str
) -> None:
    env.script(ddl)
    env.write_config(f'[tables."{table}"]\ncolumns = {{ id = "plain" }}\n')
    fingerprint = env.catalog_fingerprint()
    with pytest.raises(ConfigError, match=message):
        env.apply()
    assert env.catalog_fingerprint() == fingerprint


# --- triggers redefined -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "create or replace trigger pgaudit_update after update on customers for each row"
            " when (false) execute function {row_function}()",
            "would be redefined",
        ),
        (
            "create or replace trigger pgaudit_update after update of status on customers"
            " for each row execute function {row_function}()",
            "would be redefined",
        ),
        (
            "create or replace trigger pgaudit_truncate after truncate on customers"
            " for each statement execute function app.noop()",
            "would be wrong function",
        ),
    ],
    ids=["when-false", "update-of", "other-function"],
)
def test_audit_triggers_cannot_be_redefined(env: AuditEnv, statement: str, message: str) -> None:
    audited_customers(env)
    env.script(
        f"create schema app authorization {env.roles.app};"
        f" set role {env.roles.app};"
        " create function app.noop() returns trigger language plpgsql as $$ begin return null; end $$;"
    )
    (row_function,) = env.sql("select row_function::text from audit.audited_tables")[0]
    # a DBA's mistake (USAGE on the audit schema, EXECUTE on the function) must not open it
    env.sql(f"grant usage on schema audit to {env.roles.app}")
    env.sql(f"grant execute on function {row_function} to {env.roles.app}")
    fingerprint = env.catalog_fingerprint()
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=message):
        env.sql(statement.format(row_function=row_function.removesuffix("()")), role=env.roles.app)
    assert env.catalog_fingerprint() == fingerprint


def test_the_owner_of_a_partitioned_table_cannot_fire_the_row_function_before_writes(
    env: AuditEnv,
) -> None:
    """The owner of an audited partitioned table may execute its row function (PostgreSQL needs
    that to clone the trigger): a BEFORE trigger with it would log changes its NULL then cancels."""
    _orders(env)
    (row_function,) = env.sql("select row_function::text from audit.audited_tables")[0]
    env.sql(f"grant usage on schema audit to {env.roles.app}")
    for statement in (
        f"create trigger early before update on orders for each row execute function {row_function}",
        f"create trigger twice after insert on orders_1 for each row execute function {row_function}",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only its own audit"):
            env.sql(statement, role=env.roles.app)


@pytest.mark.parametrize(
    "statement",
    [
        "alter table orders_1 enable replica trigger pgaudit_truncate",
        "alter table orders_1 enable trigger pgaudit_truncate",
        "alter table orders_1 disable trigger pgaudit_row",
        "create or replace trigger pgaudit_truncate after truncate on orders_1"
        " for each statement execute function app.noop()",
    ],
    ids=["replica", "origin", "disable-row", "replace-truncate"],
)
def test_partition_triggers_cannot_be_silenced(env: AuditEnv, statement: str) -> None:
    _orders(env)
    env.script(
        f"create schema app authorization {env.roles.app};"
        f" set role {env.roles.app};"
        " create function app.noop() returns trigger language plpgsql as $$ begin return null; end $$;"
    )
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would be"):
        env.sql(statement, role=env.roles.app)
    assert {h for h in _health(env) if h[2] != "ok"} == set()


# --- what is live, checked -----------------------------------------------------------------------


def _open_window(env: AuditEnv, statement: str) -> None:
    """A superuser changes the trail inside a maintenance window (the guard lets it pass)."""
    env.script(f"select audit.begin_maintenance('by hand'); {statement}")


def test_a_replaced_capture_function_shows_everywhere_and_apply_puts_it_back(
    env: AuditEnv,
) -> None:
    audited_customers(env)
    (row_function,) = env.sql("select row_function::text from audit.audited_tables")[0]
    _open_window(
        env,
        f"create or replace function {row_function} returns trigger language plpgsql"
        " security definer set search_path = pg_catalog, pg_temp as $$ begin return null; end $$",
    )
    status = api.status(env.config_path, env.dsn)
    assert any("function changed" in p for p in status.problems)
    checked = api.check(env.config_path, env.dsn)
    assert any(
        f.check == "integrity" and row_function.split("(")[0] in f.subject for f in checked.findings
    )
    report = api.report(env.config_path, env.dsn, env.tmp / "report")
    assert not report.ok
    plan = api.plan(env.config_path, env.dsn).plan
    assert any(s.table is not None for s in plan.steps)  # the table's capture is reinstalled
    env.apply()
    assert not api.status(env.config_path, env.dsn).problems
    env.sql("insert into customers (id, status) values (1, 'new')", role=env.roles.app)
    env.sql("update customers set status = 'old'", role=env.roles.app)
    assert [r["op"] for r in env.log("INSERT", "UPDATE")] == ["INSERT", "UPDATE"]


def test_a_replaced_toolkit_function_is_put_back_from_its_template(env: AuditEnv) -> None:
    audited_customers(env)
    _open_window(
        env,
        "create or replace function audit.hmac_token(p_value text, p_k_in bytea, p_k_out bytea)"
        " returns text language sql stable parallel safe return 'hmac:0'",
    )
    assert any(
        f.check == "integrity" and f.subject.startswith("audit.hmac_token(")
        for f in api.check(env.config_path, env.dsn).findings
    )
    (step,) = [
        s for s in api.plan(env.config_path, env.dsn).plan.changes if "hmac_token" in s.description
    ]
    assert step.description.startswith("restore toolkit function audit.hmac_token")
    env.apply()
    assert not api.status(env.config_path, env.dsn).problems
    env.sql("insert into customers (id, email) values (1, 'a@example.com')", role=env.roles.app)
    _, k_in, k_out = key_pads(env)
    assert env.log("INSERT")[0]["new_values"]["email"] == hmac_token_from_pads(
        k_in, k_out, "a@example.com"
    )


def test_a_function_added_to_the_audit_schema_is_reported(env: AuditEnv) -> None:
    audited_customers(env)
    _open_window(env, "create function audit.backdoor() returns int language sql return 1")
    assert any(
        f.check == "integrity" and "function added" in f.message and "backdoor" in f.subject
        for f in api.check(env.config_path, env.dsn).findings
    )


@pytest.mark.parametrize(
    "statement",
    [
        "alter event trigger {ddl} enable replica",
        "alter event trigger {ddl} disable",
        "drop event trigger {rewrite}",
        "drop event trigger {ddl}; create event trigger {ddl} on ddl_command_end"
        " execute function audit.guard_sql_drop_fake()",
    ],
    ids=["replica", "disabled", "dropped", "swapped"],
)
def test_the_guard_is_checked_as_it_is_live(env: AuditEnv, statement: str) -> None:
    audited_customers(env)
    from pgaudit_kit.toolkit_schema import event_trigger_name

    names = {
        "ddl": event_trigger_name("audit", "ddl"),
        "rewrite": event_trigger_name("audit", "rewrite"),
    }
    env.script(
        "create function public.guard_sql_drop_fake() returns event_trigger language plpgsql"
        " as $$ begin end $$"
    )
    env.script(
        statement.format(**names).replace("audit.guard_sql_drop_fake", "public.guard_sql_drop_fake")
    )
    status = api.status(env.config_path, env.dsn)
    assert not status.guard_enabled
    assert any("event trigger is" in p for p in status.problems)
    assert any(f.check == "guard" for f in api.check(env.config_path, env.dsn).findings)
    env.apply()
    assert api.status(env.config_path, env.dsn).guard_enabled


def test_the_guard_fires_under_session_replication_role_replica(env: AuditEnv) -> None:
    audited_customers(env)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="would be disabled"):
        env.script(
            "set session_replication_role = replica;"
            " alter table customers disable trigger pgaudit_update"
        )


# --- sealing cannot be blocked; claims are bounded ----------------------------------------------


def test_no_other_role_can_block_sealing(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql("insert into customers (id) values (1)", role=env.roles.app)
    with psycopg.connect(env.app_dsn) as app, psycopg.connect(env.auditor_dsn) as auditor:
        # the keys the advisory locks of earlier revisions used, and every lock a role can take
        app.execute("select pg_advisory_lock(1885431925, hashtext('audit'))")
        auditor.execute("select pg_advisory_lock(1885431926, hashtext('audit'))")
        for conn in (app, auditor):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("select * from audit.locks for update")
            conn.rollback()
        seal_all(env)  # never blocked (on a shared server, other tests may hold the horizon)
        assert api.maintain(env.config_path, env.dsn).ok


def test_client_claims_are_stored_up_to_256_characters(env: AuditEnv) -> None:
    audited_customers(env)
    huge = "r" * 1_000_000
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("select set_config('pgaudit.request_id', %s, true)", [huge])
        conn.execute("select set_config('pgaudit.trace_id', %s, true)", ["t" * 300])
        conn.execute("insert into customers (id) select g from generate_series(1, 200) g")
    rows = env.log("INSERT")
    assert len(rows) == 200
    assert {r["request_id"] for r in rows} == {"r" * 240 + "...[truncated]"}
    assert {r["trace_id"] for r in rows} == {"t" * 240 + "...[truncated]"}
    (size,) = env.sql("select pg_total_relation_size('audit.log_rows') < 5 * 1024 * 1024")[0]
    assert size
    seal_all(env)
    assert api.verify(env.config_path, env.dsn).ok


def test_a_lookup_value_never_reaches_the_server_log(env: AuditEnv) -> None:
    """Under log_statement = all PostgreSQL logs statements and their bind parameters; lookup
    sends the value by COPY, whose data is never logged. LOG messages are read on the client
    (client_min_messages = log) so the test sees what the server log would hold."""
    audited_customers(env)
    env.sql(
        "insert into customers (id, email) values (1, 'secret.person@example.com')",
        role=env.roles.app,
    )
    env.sql(f"alter role {env.roles.auditor} set log_statement = 'all'")
    messages: list[str] = []
    with psycopg.connect(env.auditor_dsn) as conn:
        conn.add_notice_handler(
            lambda d: messages.append(f"{d.message_primary} {d.message_detail or ''}")
        )
        conn.execute("set client_min_messages = log")
        env.sql(f"grant execute on function audit.lookup(text, text, text) to {env.roles.auditor}")
        rows = investigations.lookup_rows(
            conn, "audit", "public.customers", "email", "secret.person@example.com"
        )
    assert [r.id for r in rows]
    assert any("lookup" in m for m in messages)  # statements were logged...
    assert not any("secret.person" in m for m in messages)  # ...never the value
