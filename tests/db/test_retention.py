"""Partitions, retention classes, legal holds and purges, on rows written with past times.

Back-dating (documented in the README): a superuser transaction inserts rows into log_rows with
past tx_time, exactly as capture would have written them then. They land in the default partition
(no partition covers that time), and maintain must place, seal and, once expired, purge them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from pgaudit_kit import api
from pgaudit_kit.errors import ConfigError, ServerError
from pgaudit_kit.retention import PurgeResult
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, seal_all

TABLES = """
[retention]
pci = "1 year"
hipaa = "6 years"
default = "2 years"

[tables."public.customers"]
columns = { id = "plain", email = "hash", card_number = "mask:card", password = "omit", status = "plain", note = "plain" }
retention = "pci"

[tables."public.patients"]
columns = { id = "plain" }
retention = "hipaa"
"""


def _install(env: AuditEnv, *, audit: str = "", tables: str = TABLES) -> None:
    env.script(
        CUSTOMERS_DDL
        + "create table public.patients (id int primary key);"
        + f"alter table public.customers owner to {env.roles.app};"
        + f"alter table public.patients owner to {env.roles.app};"
    )
    env.write_config(tables, audit=audit)
    env.apply()


def backdate(env: AuditEnv, table: str | None, when: str, rows: int = 5) -> None:
    """Rows with a past transaction time, as capture wrote them then (one transaction)."""
    env.sql(
        "insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,"
        " login_role, effective_role)"
        " select pg_current_xact_id()::text::bigint, %s::timestamptz, %s::timestamptz, 'INSERT', %s,"
        " json_build_object('id', g), json_build_object('id', g), 'app', 'app'"
        " from generate_series(1, %s) as g",
        [when, when, table, rows],
    )


def _actions(result: PurgeResult) -> dict[str, str]:
    return {f"{p.range_from:%Y-%m}": p.action for p in result.partitions}


def test_partitions_follow_the_configured_interval(env: AuditEnv) -> None:
    _install(env, audit='partition_interval = "day"\npremake = 4')
    ranges = env.sql("select range_from, range_to from audit.partitions() where not is_default")
    assert len(ranges) == 5
    assert all((end - start).days == 1 for start, end in ranges)
    assert ranges[0][0].date() == datetime.now(UTC).date()
    assert not env.apply().changed


def test_the_interval_changes_only_while_the_log_is_empty(env: AuditEnv) -> None:
    _install(env, tables="")
    env.sql("truncate audit.log_rows")
    env.write_config("", audit='partition_interval = "week"')
    env.apply()
    weekly = env.sql("select range_from from audit.partitions() where not is_default")
    assert all(start.weekday() == 0 for (start,) in weekly)
    backdate(env, None, "2020-01-15 00:00:00+00")
    env.write_config("", audit='partition_interval = "month"')
    with pytest.raises(ConfigError, match="it cannot change once the trail has rows"):
        env.apply()


def test_rows_without_a_partition_are_kept_and_placed_by_maintain(env: AuditEnv) -> None:
    _install(env)
    when = datetime.now(UTC) - timedelta(days=45)  # before the first partition, not yet expired
    backdate(env, "public.customers", when.isoformat(), rows=7)
    assert env.sql("select count(*) from audit.log_rows_default") == [(7,)]
    problems = api.status(env.config_path, env.dsn).problems
    assert any("7 row(s) wait in the default partition" in p for p in problems)
    result = api.maintain(env.config_path, env.dsn)
    assert result.ok and result.partitions_created >= 1
    assert env.sql("select count(*) from audit.log_rows_default") == [(0,)]
    month = when.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    placed = env.sql(
        "select count(*) from audit.partitions() p where p.range_from = %s and p.range_to > %s",
        [month, when],
    )
    assert placed == [(1,)]
    assert api.verify(env.config_path, env.dsn).ok


def test_purge_drops_expired_partitions_and_verify_reports_them(env: AuditEnv) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00", rows=30)
    backdate(env, "public.customers", "2020-03-15 00:00:00+00", rows=10)
    # One maintain places, seals and purges. On a shared server another session's transaction
    # may hold the sealing horizon for a moment (purge then says "unsealed"), as cron would see.
    for _ in range(200):
        api.maintain(env.config_path, env.dsn)
        if env.sql("select count(*) from audit.log_rows where tx_time < '2021-01-01'") == [(0,)]:
            break
        time.sleep(0.05)
    kept_blocks = env.sql("select count(*) from audit.blocks")[0][0]
    assert env.sql("select count(*) from audit.log_rows where tx_time < '2021-01-01'") == [(0,)]
    assert env.sql(
        "select count(*) from audit.block_leaves l join audit.blocks b using (block_no)"
        " where b.bucket_start < '2021-01-01'"
    ) == [(0,)]
    assert env.sql("select count(*) from audit.blocks") == [(kept_blocks,)]  # headers stay
    purges = env.log("PURGE")
    assert [(p["new_values"]["rows"], p["new_values"]["classes"]) for p in purges] == [
        (30, ["pci"]),
        (10, ["pci"]),
    ]
    report = api.verify(env.config_path, env.dsn)
    assert report.ok, report.problems
    assert len(report.purged_blocks) == 2 and {c.sealed for c in report.purges} == {False}
    seal_all(env)
    report = api.verify(env.config_path, env.dsn)
    assert report.ok and {c.sealed for c in report.purges} == {True}


def test_dry_run_says_what_it_would_drop_and_changes_nothing(env: AuditEnv) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    fingerprint = env.catalog_fingerprint()
    result = api.purge(env.config_path, env.dsn, dry_run=True)
    assert _actions(result)["2020-01"] == "would drop"
    assert env.catalog_fingerprint() == fingerprint and env.log("PURGE") == []


def test_a_partition_holding_a_longer_class_is_kept_for_that_class(env: AuditEnv) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-10 00:00:00+00")  # pci: 1 year
    backdate(env, "public.customers", "2022-05-10 00:00:00+00")  # pci only
    backdate(env, "public.patients", "2022-05-20 00:00:00+00")  # hipaa: 6 years, same month
    backdate(env, None, "2019-06-01 00:00:00+00")  # a trail event: class default, 2 years
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    actions = _actions(api.purge(env.config_path, env.dsn))
    assert actions["2020-01"] == "dropped" and actions["2019-06"] == "dropped"
    assert actions["2022-05"] == "retained"
    detail = next(
        p
        for p in api.purge(env.config_path, env.dsn, dry_run=True).partitions
        if f"{p.range_from:%Y-%m}" == "2022-05"
    )
    assert detail.retention == "hipaa, pci" and f"{detail.keep_until:%Y-%m-%d}" == "2028-06-01"


def test_a_class_without_a_period_keeps_rows_for_ever(env: AuditEnv) -> None:
    _install(env, tables=TABLES.replace('default = "2 years"\n', ""))
    backdate(env, None, "2001-01-01 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    (row,) = [
        p for p in api.purge(env.config_path, env.dsn).partitions if p.range_from.year == 2001
    ]
    assert (row.action, row.detail) == (
        "retained",
        "class default has no retention period: kept for ever",
    )


def test_unsealed_rows_are_never_purged(env: AuditEnv) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    assert _actions(api.purge(env.config_path, env.dsn))["2020-01"] == "unsealed"


def test_a_legal_hold_stops_purge_until_released(env: AuditEnv) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    backdate(env, "public.customers", "2020-05-15 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    hold = api.hold_add(
        env.config_path,
        env.dsn,
        reason="case 2026-17",
        table="public.customers",
        start=datetime(2020, 1, 1, tzinfo=UTC),
        end=datetime(2020, 2, 1, tzinfo=UTC),
    )
    actions = _actions(api.purge(env.config_path, env.dsn))
    assert actions["2020-01"] == "held" and actions["2020-05"] == "dropped"
    (listed,) = api.hold_list(env.config_path, env.dsn).holds
    assert listed.reason == "case 2026-17" and listed.released_at is None
    api.hold_release(env.config_path, env.dsn, hold.hold_id, reason="case closed")
    seal_all(env)
    assert _actions(api.purge(env.config_path, env.dsn))["2020-01"] == "dropped"
    events = [(e["new_values"]["action"], e["new_values"]["hold_id"]) for e in env.log("HOLD")]
    assert events == [("add", hold.hold_id), ("release", hold.hold_id)]
    with pytest.raises(ServerError, match=f"there is no active legal hold {hold.hold_id}"):
        api.hold_release(env.config_path, env.dsn, hold.hold_id, reason="again")


def test_a_partition_deleted_by_hand_is_tampering(env: AuditEnv) -> None:
    _install(env)
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    env.script("select audit.begin_maintenance('by hand'); drop table audit.log_rows_p20200101;")
    kinds = {p.kind for p in api.verify(env.config_path, env.dsn).problems}
    assert kinds == {"deleted"}


def _forge_purge(env: AuditEnv, *, when: str = "now()", **claim: str) -> None:
    """Someone with full rights drops this month's partition and records it as purged, with a
    claim as purge writes it (its tables, retention and classes), dated ``when``; ``claim``
    replaces parts of it (SQL expressions)."""
    (start, end, name) = env.sql(
        "select range_from::text, range_to::text, partition::text from audit.partitions()"
        " where range_from <= now() and range_to > now()"
    )[0]
    (blocks,) = env.sql(
        "select string_agg(block_no::text, ',') from audit.blocks"
        " where bucket_start >= %s::timestamptz and bucket_end <= %s::timestamptz",
        [start, end],
    )[0]
    parts = {
        "partition": f"'{name}'",
        "from": f"'{start}'::timestamptz",
        "to": f"'{end}'::timestamptz",
        "rows": "1",
        "tables": "(select array_agg(distinct t) from audit.blocks b, unnest(b.table_names) t"
        f" where b.block_no in ({blocks}))",
        "classes": "array['pci']",
        "blocks": f"array[{blocks}]",
        "retention": "(select json_object_agg(name, keep::text) from audit.retention_classes)",
        "table_classes": "(select json_object_agg(table_name, retention_class)"
        " from audit.audited_tables)",
        **claim,
    }
    details = ", ".join(f"'{k}', {v}" for k, v in parts.items())
    env.script(
        f"select audit.begin_maintenance('fake'); drop table {name};"
        f" select audit.record_event('PURGE', null, json_build_object({details}));"
        f" update audit.log_rows set tx_time = {when} where op = 'PURGE';"
    )


def _with_a_sealed_row(env: AuditEnv) -> None:
    _install(env)
    env.sql(
        "insert into customers values (1, 'a@x.org', null, 'pw', 'new', null)", role=env.roles.app
    )
    seal_all(env)


def test_a_recorded_purge_the_retention_in_force_did_not_allow_is_reported(env: AuditEnv) -> None:
    _with_a_sealed_row(env)
    _forge_purge(env)
    for _ in ("pending", "sealed"):
        problems = api.verify(env.config_path, env.dsn).problems
        assert [p.kind for p in problems] == ["early_purge"], problems
        assert "its retention (default 2 years, hipaa 6 years, pci 1 year) ran until" in (
            problems[0].detail
        )
        seal_all(env)


def test_a_purge_the_trail_allowed_but_the_auditors_config_does_not_is_reported(
    env: AuditEnv,
) -> None:
    """Retention shortened by a config applied for the purpose, then a purge it allowed: the
    trail records both, and the auditor's own config (pci: 1 year) refutes the purge."""
    _install(env)
    backdate(env, "public.customers", "2026-06-15 00:00:00+00")
    env.sql("select audit.premake_partitions(3)")
    seal_all(env)
    env.write_config(TABLES.replace('pci = "1 year"', 'pci = "1 day"'))
    env.apply()
    assert _actions(api.purge(env.config_path, env.dsn))["2026-06"] == "dropped"
    seal_all(env)
    assert api.verify(env.config_path, env.dsn).ok  # by the config that purged
    env.write_config(TABLES)
    problems = api.verify(env.config_path, env.dsn).problems
    assert [p.kind for p in problems] == ["early_purge"], problems
    assert problems[0].detail.endswith("(your config's retention)")


@pytest.mark.parametrize(
    ("claim", "when", "why"),
    [
        ({}, "now() + interval '10 years'", "after the seal that sealed it"),
        ({"tables": "array['public.customers']"}, "now()", "which it does not name"),
        ({"blocks": "array[1]", "from": "'2001-01-01'::timestamptz", "to": "'2001-02-01'::timestamptz"},
         "now()", "lies outside"),
        ({"retention": "null"}, "now()", "does not record the retention it ran under"),
    ],
)  # fmt: skip
def test_a_forged_purge_event_excuses_nothing(
    env: AuditEnv, claim: dict[str, str], when: str, why: str
) -> None:
    """A PURGE event dated years ahead, or naming less than its blocks held, or blocks outside
    its range, or without the retention it ran under: forged, and its blocks count as deleted."""
    _with_a_sealed_row(env)
    _forge_purge(env, when=when, **claim)
    seal_all(env)
    report = api.verify(env.config_path, env.dsn)
    kinds = {p.kind for p in report.problems}
    assert "forged_purge" in kinds and "deleted" in kinds, report.problems
    (forged,) = [p for p in report.problems if p.kind == "forged_purge"]
    assert why in forged.detail
    assert report.purged_blocks == []


def test_maintain_twice_at_once_runs_once(env: AuditEnv) -> None:
    _install(env)
    with psycopg.connect(env.dsn) as first:
        first.execute("select audit.maintain(3)")
        (pid,) = first.execute("select pg_backend_pid()").fetchone() or (None,)
        with pytest.raises(
            psycopg.errors.LockNotAvailable,
            match=f"another maintain run is in progress \\(pid {pid}, role postgres",
        ):
            env.sql("select audit.maintain(3)::text")
        first.commit()
    (runs,) = env.sql("select count(*) from audit.maintenance_runs")[0]
    assert runs == 1


@pytest.mark.parametrize(
    "call",
    [
        "select audit.purge()",
        "select audit.maintain()",
        "select audit.hold_add('x')",
        "select audit.hold_release(1, 'x')",
        "select audit.seal()",
        "select audit.premake_partitions(1)",
    ],
)
def test_the_app_role_cannot_run_upkeep(env: AuditEnv, call: str) -> None:
    _install(env)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql(call, role=env.roles.app)


def test_an_admin_role_runs_upkeep_without_reading_keys(env: AuditEnv) -> None:
    _install(env, audit=f'admin_roles = ["{env.roles.other}"]')
    backdate(env, "public.customers", "2020-01-15 00:00:00+00")
    summary = env.sql("select audit.maintain(3)::text", role=env.roles.other)[0][0]
    assert '"errors" : {}' in summary
    assert env.sql("select count(*) from audit.log_rows_default") == [(0,)]
    hold_id = env.sql("select audit.hold_add('audit 2026')", role=env.roles.other)[0][0]
    assert env.sql("select reason, created_by from audit.holds where hold_id = %s", [hold_id]) == [
        ("audit 2026", env.roles.other)
    ]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql("select * from audit.hmac_keys", role=env.roles.other)


def test_status_shows_partitions_holds_and_the_last_maintenance(env: AuditEnv) -> None:
    _install(env)
    api.hold_add(env.config_path, env.dsn, reason="keep everything")
    api.maintain(env.config_path, env.dsn)
    retention = api.status(env.config_path, env.dsn).retention
    assert retention is not None
    assert retention.partitions >= 4 and retention.active_holds == 1
    assert retention.classes == {"default": "2 years", "hipaa": "6 years", "pci": "1 year"}
    assert retention.last_maintenance is not None and retention.last_maintenance.ok
