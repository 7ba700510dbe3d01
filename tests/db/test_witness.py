"""The witness: a second server fed by logical replication, and verify --witness comparing both.

Two real clusters: the primary is an embedded PostgreSQL 18 of its own with wal_level = logical
(started once per session), the witness is the suite's embedded server. The machine's PostgreSQL
15 cannot be either here: its wal_level is replica, and it runs as another OS user than the one
that owns the embedded server's socket. Every attack is made as the primary's superuser.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgaudit_kit import api
from pgaudit_kit.embedded import EmbeddedServer
from pgaudit_kit.verify import VerifyResult
from pgaudit_kit.witness import replication_name
from tests.cli.helpers import run
from tests.fixtures.db import AuditEnv, Roles
from tests.fixtures.server import PgServer

from .helpers import CUSTOMERS_TOML, audited_customers, seal_all
from .test_retention import backdate


@pytest.fixture(scope="session")
def logical_server() -> Iterator[PgServer]:
    data_dir = Path(tempfile.mkdtemp(prefix="pgaudit-kit-logical-"))
    server = EmbeddedServer(data_dir).start()
    with psycopg.connect(server.dsn(dbname="postgres"), autocommit=True) as conn:
        for setting, value in (
            ("wal_level", "logical"),
            ("fsync", "off"),
            ("synchronous_commit", "off"),
        ):
            conn.execute(
                sql.SQL("alter system set {} = {}").format(
                    sql.Identifier(setting), sql.Literal(value)
                )
            )
    server.stop()
    server = EmbeddedServer(data_dir).start()
    dsn = server.dsn(dbname="postgres")
    with psycopg.connect(dsn) as conn:
        version = conn.info.server_version
    yield PgServer("pg18-logical", dsn, version)
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class Pair:
    primary: AuditEnv
    witness_dsn: str
    owner: str
    reader: str

    def reader_dsn(self) -> str:
        return psycopg.conninfo.make_conninfo(self.witness_dsn, user=self.reader)


def _drop(dsn: str, statements: list[sql.SQL | sql.Composed]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _drop_slots(dsn: str, database: str, timeout: float = 30.0) -> None:
    """Drop the primary's replication slots; a walsender of the dropped subscription may hold
    one for a moment after the subscription is gone (on a busy machine): end it and retry."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            conn.execute(
                "select pg_terminate_backend(active_pid) from pg_replication_slots"
                " where database = %s and active_pid is not null",
                [database],
            )
            try:
                conn.execute(
                    "select pg_drop_replication_slot(slot_name) from pg_replication_slots"
                    " where database = %s",
                    [database],
                )
                return
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)


@pytest.fixture
def pair(
    pg_server: PgServer, logical_server: PgServer, database: str, tmp_path: Path
) -> Iterator[Pair]:
    if pg_server.id != "pg18-embedded":
        pytest.skip("the witness tests pair two embedded clusters (see the module docstring)")
    suffix = uuid.uuid4().hex[:8]
    roles = Roles(f"app_{suffix}", f"auditor_{suffix}", f"other_{suffix}", f"audit_owner_{suffix}")
    name = f"pgaudit_primary_{suffix}"
    with psycopg.connect(logical_server.admin_dsn, autocommit=True) as conn:
        for role in roles.logins:
            conn.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
        conn.execute(sql.SQL("create database {} template template0").format(sql.Identifier(name)))
    primary = AuditEnv(logical_server, logical_server.dsn(dbname=name), roles, tmp_path)
    owner, reader = f"witness_{suffix}", f"witness_reader_{suffix}"
    _drop(pg_server.admin_dsn, [sql.SQL("create role {} login").format(sql.Identifier(reader))])
    yield Pair(primary, database, owner, reader)
    with psycopg.connect(database, autocommit=True) as conn:
        for (sub,) in conn.execute("select subname from pg_subscription").fetchall():
            conn.execute(sql.SQL("alter subscription {} disable").format(sql.Identifier(sub)))
            conn.execute(
                sql.SQL("alter subscription {} set (slot_name = none)").format(sql.Identifier(sub))
            )
            conn.execute(sql.SQL("drop subscription {}").format(sql.Identifier(sub)))
    _drop_slots(logical_server.admin_dsn, name)
    _drop(
        logical_server.admin_dsn,
        [
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)),
            *(
                sql.SQL("drop role if exists {}").format(sql.Identifier(r))
                for r in (*roles.logins, roles.owner)
            ),
        ],
    )
    _drop(database, [sql.SQL("drop schema if exists audit cascade")])
    _drop(
        pg_server.admin_dsn,
        [
            sql.SQL("drop role if exists {}").format(sql.Identifier(r))
            for r in (reader, f"{owner}_reader", owner)
        ],
    )


def _write(env: AuditEnv, first: int, count: int) -> None:
    env.sql(
        "insert into customers select g, 'u' || g || '@example.org', '4111111111111111', 'pw',"
        " 'new', 'x' from generate_series(%s::int, %s::int) g",
        [first, first + count - 1],
        role=env.roles.app,
    )


def _set_up(pair: Pair) -> None:
    env = pair.primary
    audited_customers(env)
    _write(env, 1, 30)
    seal_all(env)
    result = run(
        "--dsn", env.dsn, "--config", str(env.config_path),
        "witness", "setup", "--witness-dsn", pair.witness_dsn, "--witness-owner", pair.owner,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    _drop(
        pair.witness_dsn,
        [sql.SQL("grant {} to {}").format(sql.Identifier(f"{pair.owner}_reader"), sql.Identifier(pair.reader))],
    )  # fmt: skip


def _caught_up(pair: Pair, *, timeout: float = 30.0) -> None:
    """Wait until the witness holds every row and block the primary has."""
    deadline = time.monotonic() + timeout
    query = "select (select count(*) from audit.log_rows), (select count(*) from audit.blocks)"
    while True:
        if pair.primary.sql(query) == _witness_sql(pair, query):
            return
        if time.monotonic() > deadline:
            raise AssertionError("the witness did not catch up")
        time.sleep(0.1)


def _witness_sql(pair: Pair, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(pair.witness_dsn, autocommit=True) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


def _verify(pair: Pair) -> VerifyResult:
    return api.verify(pair.primary.config_path, pair.primary.dsn, witness_dsn=pair.witness_dsn)


def _chain_id(env: AuditEnv) -> str:
    (chain_id,) = env.sql("select chain_id::text from audit.settings")[0]
    return str(chain_id)


def _kinds(pair: Pair) -> set[str]:
    return {p.kind for p in _verify(pair).problems}


def test_a_witness_follows_the_primary_and_an_auditor_compares_them(pair: Pair) -> None:
    _set_up(pair)
    env = pair.primary
    _write(env, 100, 20)
    env.sql("update customers set status = 'gold' where id < 10", role=env.roles.app)
    seal_all(env)
    _caught_up(pair)
    result = run(
        "--dsn", env.auditor_dsn, "--config", str(env.config_path),
        "verify", "--witness", pair.reader_dsn(), "--jobs", "1", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    witness = json.loads(result.output)["witness"]
    assert witness["blocks_behind"] == 0 and witness["witness_height"] >= 2
    assert witness["subscription_running"] is True
    # status shows the same height and lag, reading headers only
    shown = run(
        "--dsn", env.auditor_dsn, "--config", str(env.config_path),
        "status", "--witness", pair.reader_dsn(), "--format", "json",
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output + shown.stderr
    status = json.loads(shown.output)["witness"]
    assert (status["witness_height"], status["blocks_behind"]) == (witness["witness_height"], 0)
    # the subscription stopped, the primary goes on: status says how far behind, and why
    _witness_sql(pair, f"alter subscription {replication_name(_chain_id(env))} disable")
    _write(env, 200, 5)
    seal_all(env)
    behind = run(
        "--dsn", env.auditor_dsn, "--config", str(env.config_path),
        "status", "--witness", pair.reader_dsn(),
    )  # fmt: skip
    assert "1 behind" in behind.output and "subscription NOT RUNNING" in behind.output
    alerted = run(
        "--dsn", env.dsn, "--config", str(env.config_path),
        "alerts", "--witness", pair.reader_dsn(), "--format", "jsonl",
    )  # fmt: skip
    lag = [json.loads(line) for line in alerted.output.splitlines()]
    assert alerted.exit_code == 1 and "witness_lag" in {a["rule"] for a in lag}
    _witness_sql(pair, f"alter subscription {replication_name(_chain_id(env))} enable")
    _caught_up(pair)
    # the witness's copy keeps what it received, whoever asks
    with pytest.raises(
        psycopg.errors.InsufficientPrivilege, match="witness keeps what it received"
    ):
        _witness_sql(pair, "delete from audit.log_rows")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _witness_sql(pair, "truncate audit.blocks cascade")
    # someone with full rights on the witness edits its copy: its own verify catches it
    _witness_sql(
        pair,
        "alter table audit.log_rows disable trigger refuse_change;"
        " update audit.log_rows set op = 'DELETE' where op = 'UPDATE'",
    )
    assert "witness_invalid" in _kinds(pair)


def test_rows_the_primary_lost_are_named_even_unsealed_ones(pair: Pair) -> None:
    _set_up(pair)
    env = pair.primary
    _write(env, 100, 5)  # not sealed: no chain can miss these
    _caught_up(pair)
    (lo, hi) = env.sql(
        "select min(id), max(id) from audit.log_rows where txid = (select max(txid) from audit.log_rows)"
    )[0]
    env.sql("delete from audit.log_rows where id between %s and %s", [lo, hi])
    assert api.verify(env.config_path, env.dsn).ok  # the primary alone sees nothing
    problems = [p for p in _verify(pair).problems if p.kind == "witness_rows_lost"]
    assert [(p.row_id, p.kind) for p in problems] == [(lo, "witness_rows_lost")]
    assert f"ids {lo} to {hi}" in problems[0].detail
    # truncating the whole log on the primary reaches the witness no more than a DELETE does
    env.sql("truncate audit.log_rows")
    assert "witness_rows_lost" in _kinds(pair)
    (rows,) = _witness_sql(pair, "select count(*) from audit.log_rows")[0]
    assert int(str(rows)) > 30


def test_a_primary_rewritten_and_resealed_is_caught_with_no_digest(pair: Pair) -> None:
    _set_up(pair)
    env = pair.primary
    _caught_up(pair)
    # the superuser rewrites a row and reseals the whole history: the chain alone verifies
    env.sql(
        'update audit.log_rows set new_values = \'{"id": 1, "status": "vip"}\' where id = (select min(id) from audit.log_rows)'
    )
    env.sql("delete from audit.block_leaves; delete from audit.blocks")
    seal_all(env)
    assert api.verify(env.config_path, env.dsn).ok
    assert "witness_block_differs" in _kinds(pair)
    # status and the evidence report say so too, from the headers alone
    shown = api.status(env.config_path, env.auditor_dsn, witness_dsn=pair.witness_dsn)
    assert any(p.startswith("witness_block_differs: ") for p in shown.problems)
    report = api.report(
        env.config_path, env.auditor_dsn, pair.primary.tmp / "report", witness_dsn=pair.witness_dsn
    )
    assert not report.ok and "the witness disagrees" in report.headline
    # and a cut tail: blocks the witness holds, gone from the primary
    env.sql("delete from audit.block_leaves; delete from audit.blocks")
    assert "witness_block_missing" in _kinds(pair)


def test_the_witness_keeps_its_own_retention_following_accepted_purges(pair: Pair) -> None:
    _set_up(pair)
    env = pair.primary
    env.write_config(CUSTOMERS_TOML + '[retention]\ndefault = "1 year"\n')
    env.apply()
    backdate(env, "public.customers", "2020-01-15 00:00:00+00", rows=6)
    for _ in range(200):
        api.maintain(env.config_path, env.dsn)
        if env.log("PURGE"):
            break
        time.sleep(0.05)
    seal_all(env)
    blocks = "select count(*) from audit.blocks"
    old_rows = "select count(*) from audit.log_rows where tx_time < '2021-01-01'"
    _wait(lambda: _witness_sql(pair, blocks) == env.sql(blocks))
    assert env.sql(old_rows) == [(0,)] and _witness_sql(pair, old_rows) == [(6,)]
    assert _verify(pair).ok  # rows the primary purged by policy are not lost
    base = ["--dsn", env.auditor_dsn, "--config", str(env.config_path), "witness", "maintain"]
    removed = run(*base, "--witness-dsn", pair.witness_dsn)
    assert removed.exit_code == 0, removed.output + removed.stderr
    assert "removed 6 row(s) of 1 purged block(s)" in removed.output
    assert _witness_sql(pair, old_rows) == [(0,)]
    assert _verify(pair).ok, _verify(pair).problems
    again = run(*base, "--witness-dsn", pair.witness_dsn)
    assert "nothing the primary purged is left" in again.output
    # a block emptied on the witness by someone else is no purge
    _witness_sql(
        pair,
        "alter table audit.log_rows disable trigger refuse_change; delete from audit.log_rows",
    )
    assert any("no purge says why" in p.detail for p in _verify(pair).problems)
    # and a primary that does not verify makes the witness remove nothing
    env.sql(
        "update audit.log_rows set op = 'DELETE' where id = (select max(id) from audit.log_rows where op = 'UPDATE')"
    )
    env.sql(
        "update audit.log_rows set login_role = 'x' where id = (select min(id) from audit.log_rows)"
    )
    refused = run(*base, "--witness-dsn", pair.witness_dsn)
    assert refused.exit_code == 1 and "NOTHING REMOVED" in refused.output


def _wait(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the witness did not catch up")
        time.sleep(0.1)


def test_setup_needs_logical_wal_and_changes_nothing_without_it(
    env: AuditEnv, database: str
) -> None:
    audited_customers(env)
    (wal_level,) = env.sql("show wal_level")[0]
    if wal_level == "logical":
        pytest.skip("this server has logical WAL")
    result = run(
        "--dsn", env.dsn, "--config", str(env.config_path),
        "witness", "setup", "--witness-dsn", database,
    )  # fmt: skip
    assert result.exit_code == 3
    assert "wal_level is replica" in result.stderr and "ALTER SYSTEM SET wal_level" in result.stderr
    assert env.sql("select count(*) from pg_publication") == [(0,)]


def test_setup_refuses_a_witness_that_already_holds_the_schema(pair: Pair) -> None:
    _set_up(pair)
    env = pair.primary
    before = env.sql("select count(*) from pg_publication")
    result = run(
        "--dsn", env.dsn, "--config", str(env.config_path),
        "witness", "setup", "--witness-dsn", pair.witness_dsn,
    )  # fmt: skip
    assert result.exit_code == 2 and "already has a schema" in result.stderr
    assert env.sql("select count(*) from pg_publication") == before
    (chain_id,) = env.sql("select chain_id::text from audit.settings")[0]
    assert env.sql("select pubname from pg_publication") == [(replication_name(chain_id),)]


def test_verify_witness_and_setup_name_a_witness_that_is_not_one(pair: Pair) -> None:
    env = pair.primary
    audited_customers(env)
    seal_all(env)
    base = ["--dsn", env.dsn, "--config", str(env.config_path)]
    result = run(*base, "verify", "--witness", pair.witness_dsn, "--jobs", "1")
    assert result.exit_code == 3
    assert "the witness holds no trail in schema audit" in result.stderr
    assert "run pgaudit-kit witness setup first" in result.stderr
    gone = psycopg.conninfo.make_conninfo(pair.witness_dsn, dbname="no_such_witness")
    result = run(*base, "witness", "setup", "--witness-dsn", gone)
    assert result.exit_code == 3 and "cannot connect" in result.stderr
    assert env.sql("select count(*) from pg_publication") == [(0,)]
