"""What the triggers capture, for every kind of change and table, checked row by row."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from pgaudit_kit import ConfigError, api
from pgaudit_kit.policies import hmac_token_from_pads
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers, key_pads


def test_insert_captures_every_row_of_a_multi_row_statement(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@example.com', '4111 1111 1111 1234', 'pw', 'new', null),"
        " (2, 'b@example.com', null, 'pw2', 'new', 'x')",
        role=env.roles.app,
    )
    rows = env.log("INSERT")
    assert [r["row_key"] for r in rows] == [{"id": 1}, {"id": 2}]
    key_id, k_in, k_out = key_pads(env)
    assert rows[0]["new_values"] == {
        "id": 1,
        "email": hmac_token_from_pads(k_in, k_out, "a@example.com"),
        "card_number": "****-****-****-1234",
        "status": "new",
        "note": None,
    }
    assert "password" not in rows[0]["new_values"]
    assert rows[0]["old_values"] is None and rows[0]["changed_columns"] is None
    assert rows[0]["table_name"] == "public.customers"
    assert rows[0]["key_id"] == key_id
    assert rows[0]["txid"] == rows[1]["txid"]


def test_the_key_is_read_only_for_rows_that_hold_a_token(env: AuditEnv) -> None:
    """An UPDATE that changes no hashed column stores no token, so it names no key (and the row
    function skips reading it); one that does names the current key."""
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    env.sql("update customers set status = 'paid' where id = 1", role=env.roles.app)
    env.sql("update customers set email = 'b@example.com' where id = 1", role=env.roles.app)
    key_id, k_in, k_out = key_pads(env)
    status, email = env.log("UPDATE")
    assert status["key_id"] is None and status["changed_columns"] == ["status"]
    assert email["key_id"] == key_id
    assert email["new_values"]["email"] == hmac_token_from_pads(k_in, k_out, "b@example.com")


def test_update_stores_only_changed_columns_and_lists_omitted_ones(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    env.sql(
        "update customers set status = 'active', password = 'pw2' where id = 1", role=env.roles.app
    )
    (row,) = env.log("UPDATE")
    assert row["row_key"] == {"id": 1}
    assert row["old_values"] == {"status": "new"}
    assert row["new_values"] == {"status": "active"}
    assert sorted(row["changed_columns"]) == ["password", "status"]


def test_update_of_a_hashed_column_stores_both_tokens(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@example.com', null, 'pw', 'new', null)",
        role=env.roles.app,
    )
    env.sql("update customers set email = 'b@example.com' where id = 1", role=env.roles.app)
    (row,) = env.log("UPDATE")
    _, k_in, k_out = key_pads(env)
    assert row["old_values"] == {"email": hmac_token_from_pads(k_in, k_out, "a@example.com")}
    assert row["new_values"] == {"email": hmac_token_from_pads(k_in, k_out, "b@example.com")}


def test_unchanged_updates_are_skipped_when_configured(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    env.sql("update customers set status = status where id = 1", role=env.roles.app)
    assert env.log("UPDATE") == []


def test_unchanged_updates_are_kept_when_not_skipped(env: AuditEnv) -> None:
    audited_customers(env, audit="skip_unchanged_updates = false")
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    env.sql("update customers set status = status where id = 1", role=env.roles.app)
    (row,) = env.log("UPDATE")
    assert row["changed_columns"] == [] and row["old_values"] == {} and row["new_values"] == {}


def test_full_update_images_when_configured(env: AuditEnv) -> None:
    audited_customers(env, audit='update_images = "full"')
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    env.sql("update customers set status = 'active' where id = 1", role=env.roles.app)
    (row,) = env.log("UPDATE")
    assert set(row["old_values"]) == {"id", "email", "card_number", "status", "note"}
    assert row["new_values"]["status"] == "active" and row["changed_columns"] == ["status"]


def test_a_key_change_is_recorded_under_the_old_key(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    env.sql("update customers set id = 10 where id = 1", role=env.roles.app)
    (row,) = env.log("UPDATE")
    assert row["row_key"] == {"id": 1}
    assert row["new_values"] == {"id": 10} and row["old_values"] == {"id": 1}


def test_delete_captures_the_old_image_of_every_row(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers select g, 'u' || g || '@x.org', null, 'pw', 'new', null from generate_series(1, 50) g",
        role=env.roles.app,
    )
    env.sql("delete from customers where id <= 20", role=env.roles.app)
    rows = env.log("DELETE")
    assert sorted(r["row_key"]["id"] for r in rows) == list(range(1, 21))
    assert all(r["new_values"] is None and r["old_values"]["status"] == "new" for r in rows)


def test_truncate_is_captured_as_one_statement_event(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    env.sql("truncate customers", role=env.roles.app)
    (row,) = env.log("TRUNCATE")
    assert row["table_name"] == "public.customers" and row["new_values"] is None


def test_rolled_back_transactions_and_savepoints_leave_no_rows(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("insert into customers values (1, 'kept@x.org', null, 'pw', 'new', null)")
        with pytest.raises(psycopg.errors.UniqueViolation), conn.transaction():
            conn.execute("insert into customers values (2, 'sp@x.org', null, 'pw', 'new', null)")
            conn.execute("insert into customers values (2, 'dup@x.org', null, 'pw', 'new', null)")
        conn.execute("update customers set status = 'x' where id = 1")
        conn.rollback()
        conn.execute("insert into customers values (3, 'three@x.org', null, 'pw', 'new', null)")
        with conn.transaction():
            conn.execute("savepoint s")
            conn.execute("delete from customers where id = 3")
            conn.execute("rollback to savepoint s")
        conn.commit()
    assert [(r["op"], r["row_key"]) for r in env.log("INSERT", "UPDATE", "DELETE")] == [
        ("INSERT", {"id": 3})
    ]


def test_who_and_where_are_recorded(env: AuditEnv) -> None:
    audited_customers(env)
    env.sql(f"grant {env.roles.app} to {env.roles.other}")
    with psycopg.connect(env.dsn_as(env.roles.other), application_name="billing") as conn:
        conn.execute(f"set role {env.roles.app}")
        conn.execute("set local pgaudit.request_id = 'req-7'")
        conn.execute("set local pgaudit.trace_id = '4bf92f3577b34da6'")
        conn.execute("insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)")
        conn.commit()
        conn.execute("insert into customers values (2, 'b@x.org', null, 'pw', 'new', null)")
        conn.commit()
    first, second = env.log("INSERT")
    assert first["login_role"] == env.roles.other
    assert first["effective_role"] == env.roles.app
    assert first["application_name"] == "billing"
    assert (first["request_id"], first["trace_id"]) == ("req-7", "4bf92f3577b34da6")
    assert (second["request_id"], second["trace_id"]) == (None, None)
    assert first["tx_time"] <= first["stmt_time"] and first["txid"] != second["txid"]


def test_transaction_ids_are_64_bit_and_match_the_writer(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.app_dsn) as conn:
        conn.execute("insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)")
        (txid,) = conn.execute("select pg_current_xact_id()::text::bigint").fetchone() or (None,)
        conn.commit()
    assert env.log("INSERT")[0]["txid"] == txid


def test_copy_and_on_conflict_and_merge_are_captured(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.app_dsn) as conn:
        with conn.cursor().copy("copy customers (id, email, password, status) from stdin") as copy:
            copy.write_row((1, "a@x.org", "pw", "new"))
            copy.write_row((2, "b@x.org", "pw", "new"))
        conn.execute(
            "insert into customers (id, email, password, status) values (2, 'b@x.org', 'pw', 'dup'),"
            " (3, 'c@x.org', 'pw', 'new') on conflict (id) do update set status = excluded.status"
        )
        conn.execute(
            "merge into customers c using (values (3, 'merged'), (4, 'inserted')) v(id, status) on c.id = v.id"
            " when matched then update set status = v.status"
            " when not matched then insert (id, email, password, status) values (v.id, 'd@x.org', 'pw', v.status)"
        )
        conn.commit()
    # within one statement, row triggers (the UPDATE) fire before statement triggers (the INSERT)
    ops = sorted((r["op"], r["row_key"]["id"]) for r in env.log("INSERT", "UPDATE", "DELETE"))
    assert ops == [
        ("INSERT", 1),
        ("INSERT", 2),
        ("INSERT", 3),
        ("INSERT", 4),
        ("UPDATE", 2),
        ("UPDATE", 3),
    ]


def test_every_common_type_round_trips_into_the_image(env: AuditEnv) -> None:
    env.script(
        f"""
        create type mood as enum ('sad', 'happy');
        create domain positive as integer check (value > 0);
        create table public.things (
            id int primary key, n numeric(12, 3), f float8, b boolean, arr text[], j jsonb, js json,
            raw bytea, m mood, p positive, ts timestamptz, d date, iv interval, u uuid, pt point,
            big text, twice int generated always as (id * 2) stored
        );
        alter table public.things owner to {env.roles.app};
        """
    )
    env.write_config(
        '[tables."public.things"]\ncolumns = { '
        + ", ".join(
            f'{c} = "plain"'
            for c in [
                "id",
                "n",
                "f",
                "b",
                "arr",
                "j",
                "js",
                "raw",
                "m",
                "p",
                "ts",
                "d",
                "iv",
                "u",
                "pt",
                "big",
                "twice",
            ]
        )
        + " }\n"
    )
    env.apply()
    long_text = "ü" * 100_000
    env.sql(
        "insert into things values (1, 12.5, 0.1, true, '{a,\"b c\"}',"
        " '{\"k\": [1, 2]}', '{\"x\": 1}', '\\x00ff', 'happy', 5, '2026-01-02 03:04:05+00',"
        " '2026-01-02', '1 day 2 hours', '00000000-0000-0000-0000-000000000001', '(1,2)', %s)",
        [long_text],
        role=env.roles.app,
    )
    env.sql("insert into things (id) values (2)", role=env.roles.app)
    first, second = env.log("INSERT")
    assert first["new_values"] == {
        "id": 1,
        "n": 12.5,
        "f": 0.1,
        "b": True,
        "arr": ["a", "b c"],
        "j": {"k": [1, 2]},
        "js": {"x": 1},
        "raw": "\\x00ff",
        "m": "happy",
        "p": 5,
        "ts": "2026-01-02T03:04:05+00:00",
        "d": "2026-01-02",
        "iv": "1 day 02:00:00",
        "u": "00000000-0000-0000-0000-000000000001",
        "pt": "(1,2)",
        "big": long_text,
        "twice": 2,
    }
    assert {k for k, v in second["new_values"].items() if v is not None} == {"id", "twice"}
    env.sql("update things set pt = '(1,2)', js = '{\"x\":  1}' where id = 1", role=env.roles.app)
    (update,) = env.log("UPDATE")
    assert update["changed_columns"] == ["js"]  # point compared by text; json text changed


def test_tables_without_a_key_store_full_images(env: AuditEnv) -> None:
    env.script(
        f"create table public.events (kind text, payload text); alter table public.events owner to {env.roles.app};"
    )
    env.write_config('[tables."public.events"]\ncolumns = { kind = "plain", payload = "plain" }\n')
    env.apply()
    env.sql("insert into events values ('a', 'one')", role=env.roles.app)
    env.sql("update events set payload = 'two'", role=env.roles.app)
    insert, update = env.log("INSERT", "UPDATE")
    assert insert["row_key"] is None
    assert update["old_values"] == {"kind": "a", "payload": "one"}
    assert update["new_values"] == {"kind": "a", "payload": "two"}


def test_a_configured_key_and_composite_keys(env: AuditEnv) -> None:
    env.script(
        f"""
        create table public.lines (order_no int, line_no int, sku text, primary key (order_no, line_no));
        create table public.ledger (entry_ref text not null, amount numeric);
        alter table public.lines owner to {env.roles.app}; alter table public.ledger owner to {env.roles.app};
        """
    )
    env.write_config(
        '[tables."public.lines"]\ncolumns = { order_no = "plain", line_no = "plain", sku = "plain" }\n'
        '[tables."public.ledger"]\ncolumns = { entry_ref = "plain", amount = "plain" }\nkey = ["entry_ref"]\n'
    )
    env.apply()
    env.sql("insert into lines values (7, 1, 'A')", role=env.roles.app)
    env.sql("insert into ledger values ('E-1', 10)", role=env.roles.app)
    assert [r["row_key"] for r in env.log("INSERT")] == [
        {"order_no": 7, "line_no": 1},
        {"entry_ref": "E-1"},
    ]


def test_quoted_names_with_spaces_and_capitals(env: AuditEnv) -> None:
    env.script(
        f'create schema "Sales Co"; create table "Sales Co"."Order Lines" ("Line No" int primary key, "E-Mail" text);'
        f' alter table "Sales Co"."Order Lines" owner to {env.roles.app}; grant usage on schema "Sales Co" to {env.roles.app};'
    )
    env.write_config('[tables.\'"Sales Co"."Order Lines"\']\ncolumns = { "Line No" = "plain" }\n')
    env.apply()
    env.sql('insert into "Sales Co"."Order Lines" values (1, \'x@y.z\')', role=env.roles.app)
    (row,) = env.log("INSERT")
    assert row["table_name"] == '"Sales Co"."Order Lines"'
    assert row["row_key"] == {"Line No": 1}
    assert row["new_values"]["E-Mail"].startswith("hmac:")


PARTITIONED = """
create table public.orders (id int, placed date, amount numeric, primary key (id, placed))
    partition by range (placed);
create table public.orders_1 partition of public.orders for values from ('2026-01-01') to ('2026-02-01');
create table public.orders_2 partition of public.orders for values from ('2026-02-01') to ('2026-03-01');
alter table public.orders owner to {app};
alter table public.orders_1 owner to {app};
alter table public.orders_2 owner to {app};
"""


def _audited_orders(env: AuditEnv) -> None:
    env.script(PARTITIONED.format(app=env.roles.app))
    env.write_config(
        '[tables."public.orders"]\ncolumns = { id = "plain", placed = "plain", amount = "plain" }\n'
    )
    env.apply()


def test_partitioned_tables_capture_writes_through_parent_and_partitions(env: AuditEnv) -> None:
    _audited_orders(env)
    env.sql(
        "insert into orders values (1, '2026-01-05', 10), (2, '2026-02-05', 20)", role=env.roles.app
    )
    env.sql("insert into orders_1 values (3, '2026-01-06', 30)", role=env.roles.app)
    env.sql("update orders_2 set amount = 21 where id = 2", role=env.roles.app)
    env.sql("delete from orders where id = 3", role=env.roles.app)
    ops = [
        (r["op"], r["table_name"], r["row_key"]["id"])
        for r in env.log("INSERT", "UPDATE", "DELETE")
    ]
    assert ops == [
        ("INSERT", "public.orders", 1),
        ("INSERT", "public.orders", 2),
        ("INSERT", "public.orders", 3),
        ("UPDATE", "public.orders", 2),
        ("DELETE", "public.orders", 3),
    ]


def test_a_cross_partition_update_appears_as_delete_and_insert(env: AuditEnv) -> None:
    _audited_orders(env)
    env.sql("insert into orders values (1, '2026-01-05', 10)", role=env.roles.app)
    env.sql("update orders set placed = '2026-02-05' where id = 1", role=env.roles.app)
    moved = env.log("INSERT", "UPDATE", "DELETE")[1:]
    assert [(r["op"], r["row_key"]) for r in moved] == [
        ("DELETE", {"id": 1, "placed": "2026-01-05"}),
        ("INSERT", {"id": 1, "placed": "2026-02-05"}),
    ]
    assert moved[0]["txid"] == moved[1]["txid"]


def test_truncating_a_partition_or_the_parent_is_captured(env: AuditEnv) -> None:
    _audited_orders(env)
    env.sql("truncate orders_1", role=env.roles.app)
    env.sql("truncate orders", role=env.roles.app)
    partitions = [r["new_values"]["partition"] for r in env.log("TRUNCATE")]
    assert partitions == ["public.orders_1", "public.orders_1", "public.orders_2"]


def test_a_partition_created_later_is_audited_including_truncate(env: AuditEnv) -> None:
    _audited_orders(env)
    env.sql(f"grant create on schema public to {env.roles.app}")
    env.sql(
        "create table public.orders_3 partition of public.orders for values from ('2026-03-01') to ('2026-04-01')",
        role=env.roles.app,
    )
    env.sql("insert into orders_3 values (9, '2026-03-09', 90)", role=env.roles.app)
    env.sql("truncate orders_3", role=env.roles.app)
    assert [r["op"] for r in env.log("INSERT", "TRUNCATE")] == ["INSERT", "TRUNCATE"]
    ddl = env.log("DDL")
    assert ddl and ddl[0]["new_values"]["command_tag"] == "CREATE TABLE"


def test_baseline_records_one_snapshot_per_existing_row(env: AuditEnv) -> None:
    env.script(
        f"create table public.customers (id int primary key, email text, status text);"
        f" insert into public.customers select g, 'u' || g || '@x.org', 'old' from generate_series(1, 25) g;"
        f" alter table public.customers owner to {env.roles.app};"
    )
    env.write_config('[tables."public.customers"]\ncolumns = { id = "plain", status = "plain" }\n')
    env.apply(baseline=True)
    snapshots = env.log("SNAPSHOT")
    assert sorted(r["row_key"]["id"] for r in snapshots) == list(range(1, 26))
    assert all(r["new_values"]["email"].startswith("hmac:") for r in snapshots)
    env.apply(baseline=True)
    assert len(env.log("SNAPSHOT")) == 25  # only newly audited tables get a baseline


def test_unlisted_columns_get_the_default_policy_or_a_tightening_comment_tag(
    env: AuditEnv,
) -> None:
    env.script(
        f"create table public.people (id int primary key, nickname text, ssn text, secret text, phone text);"
        f" comment on column public.people.secret is 'never kept. pgaudit:omit';"
        f" comment on column public.people.phone is 'pgaudit:plain';"
        f" alter table public.people owner to {env.roles.app};"
    )
    env.write_config('[tables."public.people"]\ncolumns = { id = "plain", phone = "hash" }\n')
    env.apply()
    env.sql(
        "insert into people values (1, 'Bobby', '123-45-6789', 's', '555-1234')", role=env.roles.app
    )
    (row,) = env.log("INSERT")
    assert row["new_values"]["ssn"].startswith("hmac:")  # default_policy = "hash"
    assert row["new_values"]["phone"].startswith("hmac:")  # the config file wins over the comment
    assert "secret" not in row["new_values"]  # the comment tightens hash to omit


def test_a_comment_tag_cannot_loosen_a_column(env: AuditEnv) -> None:
    """The app owns its tables, so it may comment on them: a tag looser than default_policy is
    ignored (the value stays hashed, or omitted) and reported by plan and check."""
    env.script(
        f"create table public.people (id int primary key, ssn text, nickname text);"
        f" alter table public.people owner to {env.roles.app};"
    )
    env.write_config(
        '[tables."public.people"]\ncolumns = { id = "plain" }\n', audit='default_policy = "omit"'
    )
    env.apply()
    env.sql(
        "comment on column public.people.ssn is 'national id. pgaudit:plain';"
        " comment on column public.people.nickname is 'pgaudit:mask:last4'",
        role=env.roles.app,
    )
    plan = api.plan(env.config_path, env.dsn)
    assert any(
        n.startswith("public.people.ssn: the comment tag pgaudit:plain is ignored")
        for n in plan.plan.notes
    )
    env.apply()  # the next routine apply changes nothing
    env.sql("insert into people values (1, '123-45-6789', 'Bobby Tables Jr')", role=env.roles.app)
    (row,) = env.log("INSERT")
    assert row["new_values"] == {"id": 1}
    findings = {(f.check, f.subject) for f in api.check(env.config_path, env.dsn).findings}
    assert ("comment-loosens", "public.people.ssn") in findings
    assert ("comment-loosens", "public.people.nickname") in findings
    assert ("unclassified", "public.people.ssn") in findings


def test_capture_ignores_session_settings_that_change_text_output(env: AuditEnv) -> None:
    env.script(
        f"create table public.t (id int primary key, at timestamptz, f float8, b bytea, who text);"
        f" alter table public.t owner to {env.roles.app};"
    )
    env.write_config(
        '[tables."public.t"]\ncolumns = { id = "plain", at = "plain", f = "plain", b = "plain" }\n'
    )
    env.apply()
    env.script(
        "set timezone = 'Asia/Tokyo'; set datestyle = 'German'; set extra_float_digits = -10;"
        " set bytea_output = 'escape';"
        " insert into t values (1, '2026-05-01 12:00:00+00', 1.0/3, '\\x41', 'same');"
        " reset all; insert into t values (2, '2026-05-01 12:00:00+00', 1.0/3, '\\x41', 'same');",
        role=env.roles.app,
    )
    first, second = env.log("INSERT")
    assert {k: v for k, v in first["new_values"].items() if k != "id"} == {
        k: v for k, v in second["new_values"].items() if k != "id"
    }
    assert first["new_values"]["who"] == second["new_values"]["who"]


ODD_SETTINGS = (
    "set timezone = 'Asia/Tokyo'; set datestyle = 'German'; set extra_float_digits = -10;"
    " set bytea_output = 'escape'; set intervalstyle = 'sql_standard';"
)


def _audited_t(env: AuditEnv, columns: str, policies: str, *, partitioned: bool) -> None:
    """public.t (id int key and ``columns``), owned by the app, audited with ``policies``; a
    table or partitioned into one partition."""
    partition = " partition by range (id)" if partitioned else ""
    env.script(
        f"create table public.t (id int primary key, {columns}){partition};"
        + ("create table public.t_all partition of public.t for values from (0) to (100);"
           if partitioned else "")
        + f" alter table public.t owner to {env.roles.app};"
    )  # fmt: skip
    env.write_config(f'[tables."public.t"]\ncolumns = {{ id = "plain", {policies} }}\n')
    env.apply()


def _in_odd_and_default_sessions(env: AuditEnv, workload: str) -> None:
    """``workload`` for id 1 as the app in a session with ODD_SETTINGS, for id 2 in a plain one."""
    env.script(ODD_SETTINGS + workload.format(id=1), role=env.roles.app)
    env.script(workload.format(id=2), role=env.roles.app)


@pytest.mark.parametrize("partitioned", [False, True], ids=["table", "partitioned"])
def test_every_capture_path_ignores_session_settings(env: AuditEnv, partitioned: bool) -> None:
    """INSERT, UPDATE and DELETE, through the statement and the row functions, hashed and plain:
    values whose text depends on a setting give the same images and tokens in any session."""
    _audited_t(
        env,
        "at timestamptz, d date, i interval, f float8, r real, b bytea, who text",
        'at = "hash", d = "hash", i = "plain", f = "plain", r = "hash", b = "hash", who = "plain"',
        partitioned=partitioned,
    )
    workload = (
        "insert into t values ({id}, '2026-05-01 12:00:00+00', '2026-05-01', '1 day 02:00:00',"
        " 1.0/3, 2.0/3, '\\x41', 'same');"
        " update t set at = at + interval '1 hour', d = d + 1, i = i * 2, f = f * 2, r = r * 2,"
        " b = b || '\\x42'::bytea where id = {id};"
        " delete from t where id = {id};"
    )
    _in_odd_and_default_sessions(env, workload)
    by_id: dict[int, list[tuple[Any, ...]]] = {1: [], 2: []}
    for row in env.log("INSERT", "UPDATE", "DELETE"):
        images = [
            {k: v for k, v in (row[c] or {}).items() if k != "id"}
            for c in ("old_values", "new_values")
        ]
        by_id[row["row_key"]["id"]].append((row["op"], *map(str, images), row["key_id"]))
    assert [op for op, *_ in by_id[1]] == ["INSERT", "UPDATE", "DELETE"]
    assert by_id[1] == by_id[2]


@pytest.mark.parametrize("partitioned", [False, True], ids=["table", "partitioned"])
def test_plain_dates_and_times_need_only_the_time_zone_pinned(
    env: AuditEnv, partitioned: bool
) -> None:
    """json prints dates and timestamps in ISO 8601 whatever DateStyle says (timestamptz in the
    session's time zone): capture of plain ones pins the time zone only, one SET clause less per
    call, and the images are the same under any DateStyle."""
    _audited_t(
        env,
        "pd date, pt timestamp, ptz timestamptz, pta timestamp[]",
        'pd = "plain", pt = "plain", ptz = "plain", pta = "plain"',
        partitioned=partitioned,
    )
    configs = dict(
        env.sql(
            "select proname, proconfig from pg_proc where pronamespace = 'audit'::regnamespace"
            " and proname like 'capture_public_t_%' and proname not like '%truncate'"
        )
    )
    assert len(configs) == (1 if partitioned else 2)
    assert all(c == ["search_path=pg_catalog, pg_temp", "TimeZone=UTC"] for c in configs.values())
    workload = (
        "insert into t values ({id}, '2026-05-01', '2026-05-01 12:00:00',"
        " '2026-05-01 12:00:00+00', array[timestamp '2026-05-01 12:00:00']);"
        " update t set pd = pd + 1, pt = pt + interval '1 day', ptz = ptz + interval '1 day',"
        " pta = pta || timestamp '2026-05-02 00:00:00' where id = {id};"
        " delete from t where id = {id};"
    )
    _in_odd_and_default_sessions(env, workload)
    images = env.sql(
        "select row_key->>'id', op, old_values::text, new_values::text from audit.log_rows"
        " where table_name = 'public.t' order by id"
    )
    by_id = {
        n: [tuple(str(v).replace(f'"id" : {n},', '"id" : ?,') for v in row[1:])
            for row in images if row[0] == n]
        for n in ("1", "2")
    }  # fmt: skip
    assert [op for op, *_ in by_id["1"]] == ["INSERT", "UPDATE", "DELETE"]
    assert by_id["1"] == by_id["2"]
    assert '"pd" : "2026-05-01", "pt" : "2026-05-01T12:00:00"' in str(by_id["1"][0])


def test_attaching_an_existing_table_as_a_partition_audits_it(env: AuditEnv) -> None:
    _audited_orders(env)
    env.sql(f"grant create on schema public to {env.roles.app}")
    env.sql(
        "create table public.orders_3 (id int not null, placed date not null, amount numeric)",
        role=env.roles.app,
    )
    env.sql(
        "alter table orders attach partition orders_3 for values from ('2026-03-01') to ('2026-04-01')",
        role=env.roles.app,
    )
    env.sql("insert into orders_3 values (5, '2026-03-02', 1)", role=env.roles.app)
    env.sql("truncate orders_3", role=env.roles.app)
    assert [r["op"] for r in env.log("INSERT", "TRUNCATE")] == ["INSERT", "TRUNCATE"]


@pytest.mark.pg(">=18")
def test_virtual_generated_columns_are_left_out(env: AuditEnv) -> None:
    """PostgreSQL 18's virtual generated columns store nothing and read as NULL in AFTER
    triggers; the columns they are computed from are captured."""
    env.script(
        f"create table public.v (id int primary key, a int, tenfold int generated always as (a * 10) virtual);"
        f" alter table public.v owner to {env.roles.app};"
    )
    env.write_config('[tables."public.v"]\ncolumns = { id = "plain", a = "plain" }\n')
    env.apply()
    env.sql("insert into v (id, a) values (1, 2)", role=env.roles.app)
    env.sql("update v set a = 3", role=env.roles.app)
    insert, update = env.log("INSERT", "UPDATE")
    assert insert["new_values"] == {"id": 1, "a": 2}
    assert update["changed_columns"] == ["a"]


@pytest.mark.pg(">=18")
def test_plan_check_and_init_say_what_becomes_of_a_virtual_generated_column(
    env: AuditEnv,
) -> None:
    env.script(
        "create table public.v (id int primary key, a int,"
        " tenfold int generated always as (a * 10) virtual);"
        f" alter table public.v owner to {env.roles.app};"
    )
    env.write_config('[tables."public.v"]\ncolumns = { id = "plain", a = "plain" }\n')
    (note,) = api.plan(env.config_path, env.dsn).notes
    assert note.startswith("public.v.tenfold: a VIRTUAL generated column, not captured")
    env.apply()
    findings = [
        f for f in api.check(env.config_path, env.dsn).findings if f.check == "virtual-column"
    ]
    assert [f.subject for f in findings] == ["public.v.tenfold"]
    # listed as omit: acknowledged, so check is quiet and the plan's note has no advice
    env.write_config(
        '[tables."public.v"]\ncolumns = { id = "plain", a = "plain", tenfold = "omit" }\n'
    )
    assert not [
        f for f in api.check(env.config_path, env.dsn).findings if f.check == "virtual-column"
    ]
    assert "set it to" not in api.plan(env.config_path, env.dsn).notes[0]
    # any other policy is refused with the line, since capture cannot honour it
    env.write_config(
        '[tables."public.v"]\ncolumns = { id = "plain", a = "plain", tenfold = "hash" }\n'
    )
    before = env.catalog_fingerprint()
    with pytest.raises(ConfigError, match=r"'tenfold' of public\.v is a VIRTUAL generated column"):
        env.apply()
    assert env.catalog_fingerprint() == before
    init = env.tmp / "init.toml"
    api.init(init, env.dsn, schemas=["public"])
    assert 'tenfold = "omit"  # virtual: generated column, computed on read' in init.read_text()


def test_wide_tables_beyond_fifty_columns(env: AuditEnv) -> None:
    columns = ", ".join(f"c{i} int" for i in range(120))
    env.script(
        f"create table public.wide (id int primary key, {columns}); alter table public.wide owner to {env.roles.app};"
    )
    env.write_config('[tables."public.wide"]\n', audit='default_policy = "omit"')
    env.config_path.write_text(
        env.config_path.read_text()
        + 'columns = { id = "plain", '
        + ", ".join(f'c{i} = "plain"' for i in range(120))
        + " }\n"
    )
    env.apply()
    env.sql("insert into wide (id, c0, c119) values (1, 5, 7)", role=env.roles.app)
    env.sql("update wide set c60 = 3", role=env.roles.app)
    insert, update = env.log("INSERT", "UPDATE")
    assert len(insert["new_values"]) == 121 and insert["new_values"]["c119"] == 7
    assert update["new_values"] == {"c60": 3}
