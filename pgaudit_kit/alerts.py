"""``alerts``: the patterns a security team watches for, judged over the trail since the last run.

Each run judges the audit rows between the alert cursor (``<schema>.alert_cursor``) and the
transaction horizon: every row below the horizon is committed or rolled back, so a transaction
that commits late is judged by the next run, never skipped, and each row is judged once. The
rules are SQL (``sql/alerts``), one aggregate over the window each, with the thresholds of
``[alerts]``; state rules (seal, archive and witness lag) look at the trail as it is now. The
cursor moves (``alerts_advance``, forwards only, from where it stood) before any alert is
printed: of two runs judging the same rows, one reports them and the other nothing.

Severities, lowest first: info, low, medium, high. ``--notify CHANNEL`` also sends each alert as
JSON with ``pg_notify``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from . import sqlfiles, status, witness
from .config import Config
from .errors import InputError
from .results import Result, as_json, rows_as, to_json_text

SEVERITIES = ("info", "low", "medium", "high")


@dataclass(frozen=True)
class Alert:
    """One alert: the rule, how severe, about what, and the first audit row behind it."""

    rule: str
    severity: str
    subject: str
    detail: str
    first_id: int | None
    events: int
    at: datetime | None

    def line(self) -> str:
        when = f" at {self.at:%Y-%m-%d %H:%M:%S%z}" if self.at else ""
        row = f" (first row {self.first_id})" if self.first_id is not None else ""
        return f"{self.severity.upper()} {self.rule} {self.subject}: {self.detail}{when}{row}"


@dataclass(frozen=True)
class AlertsResult(Result):
    """One run: the window judged, and the alerts it raised (none when another run won it)."""

    judged_from: int
    judged_to: int
    events: int
    alerts: tuple[Alert, ...]
    #: False when another run moved the cursor first: this run reports nothing.
    advanced: bool = True

    def at_least(self, severity: str) -> list[Alert]:
        rank = SEVERITIES.index(severity)
        return [a for a in self.alerts if SEVERITIES.index(a.severity) >= rank]


def _window_rules(config: Config) -> list[tuple[str, dict[str, Any]]]:
    """The rules over the window (their sql/alerts file) and their thresholds."""
    settings = config.alerts
    rules: list[tuple[str, dict[str, Any]]] = [
        ("bulk_change", {"bulk_rows": settings.bulk_rows}),
        ("capture_changed", {}),
        ("ddl", {}),
        ("trail_events", {}),
        ("truncate", {}),
        ("lookup_spike", {"lookups": settings.lookups}),
    ]
    if config.app_roles:
        rules.append(("break_glass", {"app_roles": list(config.app_roles)}))
    if settings.hours is not None:
        start, end = settings.hours
        rules.append(("off_hours", {"start": start, "end": end, "timezone": settings.timezone}))
    return rules


def evaluate(
    conn: psycopg.Connection[Any], config: Config, *, witness_dsn: str | None = None
) -> tuple[int, int, int, list[Alert]]:
    """The window (cursor, horizon), how many rows it holds, and the alerts it raises, read in
    the caller's snapshot (``verify.snapshot``)."""
    schema = sql.Identifier(config.schema)
    row = conn.execute(sqlfiles.render("alerts/window.sql", schema=schema)).fetchone()
    assert row is not None  # alert_cursor always has its row
    lo, hi = int(row[0]), int(row[1])
    counted = conn.execute(
        sql.SQL("select count(*) from {}.log_rows where txid >= %s and txid < %s").format(schema),
        [lo, hi],
    ).fetchone()
    events = int(counted[0]) if counted else 0
    alerts: list[Alert] = []
    for rule, params in _window_rules(config):
        cursor = conn.execute(
            sqlfiles.render(f"alerts/{rule}.sql", schema=schema), {"lo": lo, "hi": hi, **params}
        )
        alerts += [Alert(rule, *values) for values in cursor.fetchall()]
    alerts += _state_alerts(conn, config, witness_dsn)
    alerts.sort(key=lambda a: (-SEVERITIES.index(a.severity), a.first_id or 0, a.rule))
    return lo, hi, events, alerts


def _state_alerts(
    conn: psycopg.Connection[Any], config: Config, witness_dsn: str | None
) -> list[Alert]:
    """Lags, judged on the trail as it is now."""
    settings = config.alerts
    schema = sql.Identifier(config.schema)
    now = datetime.now(UTC)
    alerts = []
    lag = status.seal_lag(conn, schema)
    if lag.oldest_unsealed and (now - lag.oldest_unsealed).total_seconds() > settings.seal_lag:
        alerts.append(
            Alert("seal_lag", "high", "the trail",
                  f"{lag.unsealed_rows} row(s) not sealed, the oldest since "
                  f"{lag.oldest_unsealed:%Y-%m-%d %H:%M:%S%z}: run pgaudit-kit maintain",
                  None, lag.unsealed_rows, lag.oldest_unsealed)
        )  # fmt: skip
    archived = rows_as(
        status.ArchiveState,
        conn.execute(sqlfiles.render("queries/status_archives.sql", schema=schema)),
    )
    oldest = archived[0].oldest_unarchived if archived and archived[0].archives else None
    if oldest and (now - oldest).total_seconds() > settings.archive_lag:
        alerts.append(
            Alert("archive_lag", "medium", "the archive",
                  f"{archived[0].blocks_behind} sealed block(s) not archived, the oldest sealed "
                  f"{oldest:%Y-%m-%d %H:%M:%S%z}: run pgaudit-kit archive",
                  None, archived[0].blocks_behind, oldest)
        )  # fmt: skip
    if witness_dsn is not None:
        seen = witness.lag(conn, config.schema, witness_dsn)
        if (
            seen.problems
            or not seen.subscription_running
            or seen.seconds_behind > settings.witness_lag
        ):
            alerts.append(
                Alert("witness_lag", "high", seen.witness,
                      f"{seen.blocks_behind} block(s) ({seen.seconds_behind:.0f} s) behind, "
                      f"subscription {'running' if seen.subscription_running else 'NOT RUNNING'}"
                      + "".join(f"; {p.kind}: {p.detail}" for p in seen.problems),
                      None, seen.blocks_behind, None)
            )  # fmt: skip
    return alerts


def advance(conn: psycopg.Connection[Any], schema: str, lo: int, hi: int) -> bool:
    """Move the cursor from ``lo`` to ``hi``; False when another run moved it first."""
    row = conn.execute(
        sql.SQL("select {}.alerts_advance(%s, %s)").format(sql.Identifier(schema)), [lo, hi]
    ).fetchone()
    return bool(row and row[0])


_CHANNEL = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def require_channel(channel: str) -> str:
    """:raises InputError: for a channel name that is not a plain lower-case identifier."""
    if not _CHANNEL.fullmatch(channel):
        raise InputError(
            f"notify channel {channel!r} is not a plain name",
            hint="use lower-case letters, digits and _ (e.g. --notify pgaudit_alerts); "
            "listeners LISTEN on the same name",
        )
    return channel


def notify(conn: psycopg.Connection[Any], channel: str, alerts: list[Alert]) -> None:
    """Send each alert as JSON on ``channel`` (pg_notify: delivered when the caller commits)."""
    for alert in alerts:
        conn.execute("select pg_notify(%s, %s)", [channel, to_json_text(as_json(alert))])


def jsonl(result: AlertsResult) -> str:
    """The alerts as JSON Lines, one object per alert, for a SIEM."""
    return "\n".join(json.dumps(as_json(a), separators=(",", ":")) for a in result.alerts)
