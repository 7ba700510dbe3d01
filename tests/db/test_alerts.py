"""alerts: a workload that fires every rule, a quiet one that fires none, each event judged once.

Runs go through the CLI as the auditor; the workload's writers are the app, an admin (who is also
the investigator), and the superuser for the break-glass write.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgaudit_kit import api
from pgaudit_kit.config import loads
from pgaudit_kit.errors import ConfigError
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv

from .helpers import CUSTOMERS_DDL, CUSTOMERS_TOML, seal_all
from .test_retention import backdate


def _hours(offset_from: int, offset_to: int) -> str:
    hour = datetime.now(UTC).hour
    return f"{(hour + offset_from) % 24:02d}:00-{(hour + offset_to) % 24:02d}:00"


def _install(env: AuditEnv, alerts: str, tables: str = CUSTOMERS_TOML) -> None:
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(
        tables + '\n[retention]\ndefault = "1 year"\n' + f"\n[alerts]\n{alerts}\n",
        audit=f'admin_roles = ["{env.roles.other}"]\ninvestigator_roles = ["{env.roles.other}"]',
    )
    env.apply()
    # the install itself (auditing started, the first key): judged once, here
    _alerts_until(env, {"capture_changed"})


def _alerts(env: AuditEnv, *options: str) -> tuple[int, list[dict[str, object]]]:
    result = run("--dsn", env.dsn_as(env.roles.other), "--config", str(env.config_path),
                 "alerts", "--format", "jsonl", *options)  # fmt: skip
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, [json.loads(line) for line in result.output.splitlines()]


def _alerts_until(
    env: AuditEnv, rules: set[str], *options: str, timeout: float = 30.0
) -> tuple[int, list[dict[str, object]]]:
    """Runs until every rule of ``rules`` fired: rows above the transaction horizon (another
    session's open transaction on a shared server holds it back) wait for a later run."""
    deadline = time.monotonic() + timeout
    seen: list[dict[str, object]] = []
    worst = 0
    while True:
        code, alerts = _alerts(env, *options)
        seen += alerts
        worst = max(worst, code)
        if rules <= {str(a["rule"]) for a in seen} or time.monotonic() > deadline:
            return worst, seen
        time.sleep(0.2)


def _app_writes(env: AuditEnv, first: int, count: int) -> None:
    env.sql(
        "insert into customers select g, 'u' || g || '@example.org', null, 'pw', 'new', null"
        " from generate_series(%s::int, %s::int) g",
        [first, first + count - 1],
        role=env.roles.app,
    )


def test_a_workload_fires_every_rule_and_each_event_is_judged_once(
    env: AuditEnv, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    _install(
        env,
        f'bulk_rows = 50\nlookups = 3\nhours = "{_hours(2, 3)}"\nseal_lag = "1 second"\n'
        'archive_lag = "1 second"',
    )
    admin = env.dsn_as(env.roles.other)
    _app_writes(env, 1, 60)  # bulk_change, off_hours
    env.sql("update customers set status = 'vip' where id = 1")  # break_glass (the superuser)
    seal_all(env)
    api.archive(env.config_path, admin, signing_key=keys[0], out_dir=tmp_path / "a")
    (hold,) = env.sql("select audit.hold_add('case 12')")[0]
    api.hold_release(env.config_path, admin, hold, reason="case closed")
    env.sql("alter table customers add column loyalty text", role=env.roles.app)  # ddl
    env.config_path.write_text(  # capture_changed: a policy changes
        env.config_path.read_text().replace('status = "plain"', 'status = "hash"')
    )
    env.apply()
    (row_id,) = env.sql("select max(id) from audit.log_rows where op = 'INSERT'")[0]
    api.redact(env.config_path, admin, row_id, "erasure order 5")  # trail_events: REDACT
    rotated = api.rotate_key(env.config_path, admin)  # KEY rotate
    api.shred_key(env.config_path, admin, rotated.key_id - 1, "erasure order 6")  # KEY shred
    for _ in range(4):  # lookup_spike
        api.lookup(env.config_path, admin, "public.customers.email", "u2@example.org")
    backdate(env, "public.customers", "2020-01-15 00:00:00+00", rows=3)
    for _ in range(200):  # trail_events: PURGE
        api.maintain(env.config_path, admin)
        if env.log("PURGE"):
            break
        time.sleep(0.05)
    env.sql("truncate customers", role=env.roles.app)  # truncate
    _app_writes(env, 500, 2)  # unsealed: seal_lag
    time.sleep(1.2)
    expected = {
        "bulk_change", "break_glass", "ddl", "capture_changed", "trail_events", "lookup_spike",
        "off_hours", "truncate", "seal_lag", "archive_lag",
    }  # fmt: skip
    code, alerts = _alerts_until(env, expected)
    assert {str(a["rule"]) for a in alerts} == expected
    assert code == 1  # high alerts fired
    details = " | ".join(str(a["detail"]) for a in alerts)
    assert "60 rows changed in one transaction" in details
    assert "which is not an app role" in details and "4 lookups by" in details
    assert "shred" in details and "rotate" in details and "redacted" in details
    assert "purged" in details and "truncated by" in details
    assert f"legal hold {hold} released by" in details and "archive 1 of blocks" in details
    assert {a["severity"] for a in alerts if a["rule"] == "break_glass"} == {"high"}
    # judged once: the next run raises only what is still true now (the lags)
    code, again = _alerts(env)
    assert {a["rule"] for a in again} <= {"seal_lag", "archive_lag"}
    # a new bulk change is judged by the run after it, exactly once
    _app_writes(env, 1000, 51)
    _, third = _alerts_until(env, {"bulk_change"}, "--fail-on", "info")
    assert [a["rule"] for a in third if a["rule"] == "bulk_change"] == ["bulk_change"]


def test_a_quiet_day_raises_nothing(env: AuditEnv) -> None:
    _install(env, f'hours = "{_hours(-1, 2)}"')
    for n in range(5):
        _app_writes(env, 10 * n + 1, 3)
        env.sql(f"update customers set status = 'paid' where id = {10 * n + 1}", role=env.roles.app)
    env.sql("delete from customers where id = 2", role=env.roles.app)
    seal_all(env)
    result = run("--dsn", env.dsn_as(env.roles.other), "--config", str(env.config_path), "alerts")
    assert result.exit_code == 0, result.output + result.stderr
    assert result.output.splitlines()[0].endswith(": 0 alert(s)")
    assert "judged" in result.output and "audit row(s)" in result.output


def test_alerts_reach_listeners_with_pg_notify(env: AuditEnv) -> None:
    _install(env, "bulk_rows = 5")
    _app_writes(env, 1, 6)
    with psycopg.connect(env.auditor_dsn, autocommit=True) as listener:
        listener.execute("listen pgaudit_alerts")
        code, alerts = _alerts_until(
            env, {"bulk_change"}, "--notify", "pgaudit_alerts", "--fail-on", "medium"
        )
        assert code == 1 and [a["rule"] for a in alerts] == ["bulk_change"]
        (note,) = list(listener.notifies(timeout=5, stop_after=1))
    assert note.channel == "pgaudit_alerts" and json.loads(note.payload)["rule"] == "bulk_change"


def test_alerts_that_cannot_be_delivered_are_judged_again(env: AuditEnv) -> None:
    _install(env, "bulk_rows = 5")
    _app_writes(env, 1, 6)
    admin = env.dsn_as(env.roles.other)
    (before,) = env.sql("select horizon from audit.alert_cursor")[0]

    def broken_pipe(result: object) -> None:
        raise BrokenPipeError("the SIEM went away")

    with pytest.raises(BrokenPipeError):
        api.alerts(env.config_path, admin, deliver=broken_pipe)
    assert env.sql("select horizon from audit.alert_cursor") == [(before,)]
    _, alerts = _alerts_until(env, {"bulk_change"})
    assert [a["rule"] for a in alerts] == ["bulk_change"]


def test_the_cursor_moves_forwards_once_and_only_for_admins(env: AuditEnv) -> None:
    _install(env, "")
    (lo,) = env.sql("select horizon from audit.alert_cursor")[0]
    (hi,) = env.sql("select pg_snapshot_xmin(pg_current_snapshot())::text::bigint")[0]
    move = "select audit.alerts_advance(%s, %s)"
    admin = env.roles.other
    assert env.sql(move, [lo, hi], role=admin) == [(True,)]
    # a run that read the cursor before it moved: another run won, this one moves nothing
    assert env.sql(move, [hi - 1, hi], role=admin) == [(False,)]
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="moves forwards"):
        env.sql(move, [hi, hi + 1_000_000], role=admin)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="moves forwards"):
        env.sql(move, [hi, 0], role=admin)
    # an auditor reads alerts in the SIEM; skipping what they judge is not theirs to do
    for role in (env.roles.app, env.roles.auditor):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            env.sql(move, [hi, hi], role=role)
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        env.sql(sql.SQL("update audit.alert_cursor set horizon = 0").as_string(None),
                role=env.roles.auditor)  # fmt: skip


def test_bad_input_to_alerts(env: AuditEnv) -> None:
    _install(env, "")
    base = ["--dsn", env.dsn_as(env.roles.other), "--config", str(env.config_path), "alerts"]
    bad = run(*base, "--notify", "Bad-Channel")
    assert bad.exit_code == 2 and "notify channel 'Bad-Channel' is not a plain name" in bad.stderr
    assert run(*base, "--fail-on", "urgent").exit_code == 2
    for text, message in [
        ("[alerts]\nbulk_rows = 0\n", "bulk_rows must be a whole number from 1"),
        ('[alerts]\nhours = "9-17"\n', "hours '9-17' is not a window"),
        ('[alerts]\nhours = "09:00-09:00"\n', "hours '09:00-09:00' is an empty window"),
        ('[alerts]\ntimezone = "Mars/Olympus"\n', "timezone 'Mars/Olympus' is not known"),
        ('[alerts]\nseal_lag = "soon"\n', "seal_lag 'soon' is not understood"),
        ("[alerts]\nbulk = 5\n", "unknown key 'bulk' in [alerts]"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(message)):
            loads(text)
    # a toolkit schema from before the cursor: told to upgrade, in one line
    env.sql("update audit.schema_version set version_num = '0007'")
    old = run(*base)
    assert old.exit_code == 3 and "alerts needs toolkit schema revision 0008" in old.stderr
    assert "run pgaudit-kit apply" in old.stderr and len(old.stderr.strip().splitlines()) == 1
    settings = loads('[alerts]\nhours = "22:00-06:00"\nwitness_lag = "2 hours"\n').alerts
    assert settings.hours == ("22:00", "06:00") and settings.witness_lag == 7200
