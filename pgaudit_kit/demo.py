"""``pgaudit-kit demo``: the whole DBA path on an embedded PostgreSQL, in a few seconds.

Starts a server in a local data directory, creates a small shop with personal data, annotates and
applies auditing through :mod:`pgaudit_kit.api`, runs a workload as the application role, shows
what the trail holds (PII hashed or masked), shows the application role failing to tamper with
it, and stops the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from . import api, sqlfiles
from .embedded import EmbeddedServer

DATABASE = "shop"
APP_ROLE = "shop_app"
AUDITOR_ROLE = "shop_auditor"

CONFIG = f"""\
[audit]
schema = "audit"
app_roles = ["{APP_ROLE}"]
auditor_roles = ["{AUDITOR_ROLE}"]
default_policy = "hash"
skip_unchanged_updates = true

[tables."public.customers".columns]
id = "plain"
email = "hash"
full_name = "hash"
card_number = "mask:card"
password = "omit"
status = "plain"

[tables."public.orders"]
columns = {{ id = "plain", customer_id = "plain", placed_on = "plain", amount = "plain" }}
"""

#: What the application tries, as itself, against its own trail; every one must fail.
TAMPERING = (
    ("delete audit rows", "delete from audit.log"),
    ("rewrite an audit row", "update audit.log set new_values = '{}'"),
    ("truncate the trail", "truncate audit.log"),
    ("read the HMAC key", "select * from audit.hmac_keys"),
    ("disable an audit trigger", "alter table customers disable trigger pgaudit_update"),
    ("drop an audit trigger", "drop trigger pgaudit_insert on customers"),
    ("switch capture off", "set session_replication_role = replica"),
)


def run(data_dir: Path, echo: Callable[[str], Any]) -> None:
    """Run the demo, printing as it goes."""
    started = time.monotonic()
    with EmbeddedServer(data_dir) as server:
        echo(
            f"1. started PostgreSQL {server.version} in {data_dir} ({server.startup_seconds:.1f} s)"
        )
        admin = server.dsn(dbname="postgres")
        _create_shop(admin, server.dsn(dbname=DATABASE))
        echo(
            f"2. created database {DATABASE!r}: customers (with email, name, card, password) and "
            "orders (partitioned by month); roles shop_app (the app) and shop_auditor"
        )
        config_path = data_dir / "pgaudit.toml"
        config_path.write_text(CONFIG, encoding="utf-8")
        result = api.apply(config_path, server.dsn(dbname=DATABASE))
        echo(f"3. pgaudit-kit apply ({config_path}): {len(result.steps)} steps in one transaction")
        for step in result.steps:
            echo(f"     {step.description}")
        app = server.dsn(dbname=DATABASE, user=APP_ROLE)
        _workload(app)
        echo("4. the app wrote, as shop_app: 3 customers, 2 orders, an update, a delete")
        echo("5. the trail, as the auditor sees it:")
        for line in _trail(server.dsn(dbname=DATABASE, user=AUDITOR_ROLE)):
            echo("     " + line)
        leaked = _plaintext_found(server.dsn(dbname=DATABASE))
        echo("6. plaintext PII anywhere in the audit schema: " + (", ".join(leaked) or "none"))
        echo("7. the app tries to tamper with its trail:")
        for what, outcome in _tamper(app):
            echo(f"     {what}: {outcome}")
        status = api.status(config_path, server.dsn(dbname=DATABASE))
        healthy = all(t.healthy for t in status.tables) and not status.problems
        guard = "on" if status.guard_enabled else "off"
        echo(
            f"8. status: {sum(t.rows for t in status.tables)} audited changes, triggers "
            f"{'all healthy' if healthy else 'NOT healthy'}, guard {guard}"
        )
    echo(
        f"done in {time.monotonic() - started:.1f} s; the server is stopped "
        f"(its files stay in {data_dir})"
    )


def _create_shop(admin_dsn: str, shop_dsn: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(DATABASE))
        )
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(DATABASE)))
        for role in (APP_ROLE, AUDITOR_ROLE):
            exists = conn.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
            if not exists:
                conn.execute(sql.SQL("create role {} login").format(sql.Identifier(role)))
    with psycopg.connect(shop_dsn, autocommit=True) as conn:
        conn.execute(sqlfiles.render("demo/shop.sql", app=sql.Identifier(APP_ROLE)))


def _workload(app_dsn: str) -> None:
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        conn.execute(sqlfiles.render("demo/workload.sql"))


def _trail(auditor_dsn: str) -> list[str]:
    with psycopg.connect(auditor_dsn) as conn:
        rows = conn.execute(
            "select id, op, coalesce(table_name, ''), effective_role, request_id,"
            " coalesce(new_values, old_values)::text, changed_columns"
            " from audit.log where op in ('INSERT', 'UPDATE', 'DELETE') order by id"
        ).fetchall()
    lines = []
    for id_, op, table, role, request, values, changed in rows:
        shown = values if len(values) <= 110 else values[:107] + "..."
        extra = f" changed={','.join(changed)}" if changed else ""
        lines.append(f"#{id_} {op:<6} {table:<16} by {role} ({request}){extra} {shown}")
    return lines


def _plaintext_found(admin_dsn: str) -> list[str]:
    secrets = (
        "alice@example.com",
        "Alice Liddell",
        "4111 1111 1111 1234",
        "rabbit-hole",
        "new-rabbit",
    )
    with psycopg.connect(admin_dsn) as conn:
        dump = "\n".join(
            str(r[0]) for r in conn.execute("select l::text from audit.log l").fetchall()
        )
    return [s for s in secrets if s in dump]


def _tamper(app_dsn: str) -> list[tuple[str, str]]:
    outcomes = []
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        for what, statement in TAMPERING:
            try:
                conn.execute(statement)
                outcomes.append((what, "ALLOWED (this is a bug)"))
            except psycopg.Error as e:
                outcomes.append((what, "refused: " + str(e).splitlines()[0]))
    return outcomes
