"""``status``: what is audited, how, whether it is whole, and how far sealing and retention are.

Reads only (catalogs and the audit schema) through the caller's connection and transaction, so
``report`` can read it in the same snapshot as everything else. Problems are results, listed in
``StatusResult.problems``; the CLI exits 1 when there are any.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from . import check, install, sqlfiles, toolkit_schema
from .catalog import GuardState, Installed, InstalledTable, IntegrityProblem, TriggerState
from .config import Config
from .identifiers import quote
from .results import Result, rows_as
from .trail import Hold
from .witness import WitnessStatus

#: Operations that record a change of business data (the rest record configuration, DDL, keys...).
DATA_OPS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "SNAPSHOT")


@dataclass(frozen=True)
class TableStatus:
    table: str
    partitioned: bool
    key: tuple[str, ...]
    policies: dict[str, str]
    triggers: tuple[TriggerState, ...]
    rows: int
    last_change: datetime | None
    #: "fast", or "generic" since the guard saw the table's columns change (see drift).
    capture: str = "fast"
    drift: str | None = None

    _json_properties = ("healthy",)

    @property
    def healthy(self) -> bool:
        return all(t.state == "ok" for t in self.triggers) and bool(self.triggers)


@dataclass(frozen=True)
class KeyStatus:
    key_id: int
    created_at: datetime
    retired_at: datetime | None
    shredded_at: datetime | None
    shred_reason: str | None = None


@dataclass(frozen=True)
class HorizonHolder:
    """A transaction that holds the sealing horizon back."""

    kind: str
    who: str
    role: str | None
    database: str | None
    state: str | None
    since: datetime | None
    age_in_transactions: int


@dataclass(frozen=True)
class SealLag:
    """How far sealing lags behind, and what holds the horizon back."""

    last_block: int | None
    sealed_horizon: int
    horizon_now: int
    unsealed_rows: int
    oldest_unsealed: datetime | None
    holders: tuple[HorizonHolder, ...]


@dataclass(frozen=True)
class MaintenanceRun:
    started_at: datetime
    finished_at: datetime
    ok: bool
    summary: dict[str, Any]


@dataclass(frozen=True)
class ArchiveState:
    """The archives the database recorded, and the sealed blocks none holds yet."""

    archives: int
    last_block: int | None
    last_recorded: datetime | None
    blocks_behind: int
    #: When the oldest block no archive holds was sealed.
    oldest_unarchived: datetime | None


@dataclass(frozen=True)
class RetentionStatus:
    """Partitions, rows waiting in the default partition, classes, holds, last maintenance,
    and archives."""

    partition_interval: str
    partitions: int
    first_partition: datetime | None
    last_partition_end: datetime | None
    default_partition_rows: int
    classes: dict[str, str]
    active_holds: int
    last_maintenance: MaintenanceRun | None
    #: Tiered classes: how long archives keep their rows (revision 0008 on).
    archive_classes: dict[str, str] = field(default_factory=dict)
    archives: ArchiveState | None = None


@dataclass(frozen=True)
class StatusResult(Result):
    """What is audited, how, whether its triggers are whole, and how much the trail holds."""

    schema: str
    installed: bool
    revision: str | None
    head_revision: str
    guard_enabled: bool = False
    guard: tuple[GuardState, ...] = ()
    integrity: tuple[IntegrityProblem, ...] = ()
    tables: tuple[TableStatus, ...] = ()
    keys: tuple[KeyStatus, ...] = ()
    other_rows: int = 0
    seal: SealLag | None = None
    retention: RetentionStatus | None = None
    #: The witness (``status --witness``): its height, lag and subscription.
    witness: WitnessStatus | None = None
    problems: tuple[str, ...] = field(default=())


def not_installed(config: Config) -> StatusResult:
    """The status of a database without pgaudit-kit in the configured schema."""
    return StatusResult(
        schema=config.schema,
        installed=False,
        revision=None,
        head_revision=toolkit_schema.head(),
        problems=(f"pgaudit-kit is not installed in schema {quote(config.schema)}",),
    )


def read_status(
    conn: psycopg.Connection[Any], config: Config, installed: Installed
) -> StatusResult:
    """The status of ``installed`` (read by the caller), in the caller's transaction."""
    head = toolkit_schema.head()
    if not installed.installed:
        return not_installed(config)
    schema = sql.Identifier(config.schema)
    data_ops = {"data_ops": list(DATA_OPS)}
    counts = {
        name: (int(rows), last)
        for name, rows, last in conn.execute(
            sqlfiles.render("queries/status_counts.sql", schema=schema), data_ops
        ).fetchall()
    }
    other = conn.execute(
        sqlfiles.render("queries/status_other_events.sql", schema=schema), data_ops
    ).fetchone()
    keys = rows_as(
        KeyStatus, conn.execute(sqlfiles.render("queries/status_keys.sql", schema=schema))
    )
    tables = tuple(
        _table_status(item, installed, *counts.pop(item.table_name, (0, None)))
        for item in installed.tables.values()
    )
    retention = retention_status(conn, schema, installed)
    return StatusResult(
        schema=config.schema,
        installed=True,
        revision=installed.revision,
        head_revision=head,
        guard_enabled=installed.guard_enabled,
        guard=installed.guard,
        integrity=installed.integrity,
        tables=tables,
        keys=keys,
        other_rows=int(other[0]) if other else 0,
        seal=seal_lag(conn, schema),
        retention=retention,
        problems=tuple(
            _problems(installed, tables, retention)
            + [f"{p.message} ({p.hint})" for p in install.role_problems(conn, config)]
        ),
    )


def _table_status(
    item: InstalledTable, installed: Installed, rows: int, last: datetime | None
) -> TableStatus:
    return TableStatus(
        table=item.table_name,
        partitioned=item.partitioned,
        key=item.key_columns,
        policies=dict(item.policies),
        triggers=tuple(h for h in installed.health if h.table_name == item.table_name),
        rows=rows,
        last_change=last,
        capture=item.capture_mode,
        drift=item.drift_detail,
    )


def drift_problem(table: InstalledTable) -> str:
    """What a table captured generically since its columns changed needs."""
    since = f" on {table.drift_detected_at:%Y-%m-%d %H:%M}" if table.drift_detected_at else ""
    return (
        f"its columns changed{since} ({table.drift_detail}); captured generically, new columns "
        "hashed, until pgaudit-kit apply regenerates capture"
    )


def _problems(
    installed: Installed, tables: tuple[TableStatus, ...], retention: RetentionStatus
) -> list[str]:
    problems: list[str] = []
    for item, table in zip(installed.tables.values(), tables, strict=True):
        if item.capture_mode != "fast":
            problems.append(f"{item.table_name}: {drift_problem(item)}")
        if not table.triggers:
            problems.append(f"{item.table_name}: the table no longer exists")
        problems += [
            f"{item.table_name}: trigger {t.trigger_name} on {t.relation} is {t.state} "
            "(run pgaudit-kit apply)"
            for t in table.triggers
            if t.state != "ok"
        ]
    if retention.default_partition_rows:
        problems.append(
            f"{retention.default_partition_rows} row(s) wait in the default partition "
            "(no partition covers their time; run pgaudit-kit maintain to place them)"
        )
    run = retention.last_maintenance
    if run and not run.ok:
        problems.append(
            f"the last maintenance run ({run.finished_at:%Y-%m-%d %H:%M}) did not finish "
            f"cleanly: {run.summary}"
        )
    problems += [f"{f.subject}: {f.message}" for f in check.integrity_findings(installed)]
    head = toolkit_schema.head()
    if installed.revision != head:
        problems.append(
            f"toolkit schema is at revision {installed.revision}, {head} is available "
            "(run pgaudit-kit apply)"
        )
    return problems


def read_holds(conn: psycopg.Connection[Any], schema: sql.Identifier) -> tuple[Hold, ...]:
    """Every legal hold, oldest first."""
    return rows_as(Hold, conn.execute(sqlfiles.render("queries/holds.sql", schema=schema)))


def retention_status(
    conn: psycopg.Connection[Any], schema: sql.Identifier, installed: Installed
) -> RetentionStatus:
    ranges = installed.partition_ranges
    active = 0
    last = None
    if toolkit_schema.revision_at_least(installed.revision, "0002"):
        active = sum(1 for hold in read_holds(conn, schema) if hold.released_at is None)
        runs = rows_as(
            MaintenanceRun,
            conn.execute(sqlfiles.render("queries/last_maintenance.sql", schema=schema)),
        )
        last = runs[0] if runs else None
    archives = None
    if toolkit_schema.revision_at_least(installed.revision, "0008"):
        (archives,) = rows_as(
            ArchiveState,
            conn.execute(sqlfiles.render("queries/status_archives.sql", schema=schema)),
        )
    return RetentionStatus(
        partition_interval=installed.partition_interval,
        partitions=len(ranges),
        first_partition=ranges[0][0] if ranges else None,
        last_partition_end=ranges[-1][1] if ranges else None,
        default_partition_rows=installed.default_partition_rows,
        classes=dict(installed.retention_classes),
        active_holds=active,
        last_maintenance=last,
        archive_classes=dict(installed.archive_classes),
        archives=archives,
    )


def seal_lag(conn: psycopg.Connection[Any], schema: sql.Identifier) -> SealLag:
    row = conn.execute(sqlfiles.render("queries/seal_lag.sql", schema=schema)).fetchone()
    assert row is not None
    sealed_horizon, last_block, horizon_now = row
    unsealed = conn.execute(
        sqlfiles.render("queries/unsealed.sql", schema=schema), {"horizon": sealed_horizon}
    ).fetchone()
    assert unsealed is not None
    return SealLag(
        last_block=last_block,
        sealed_horizon=int(sealed_horizon),
        horizon_now=int(horizon_now),
        unsealed_rows=int(unsealed[0]),
        oldest_unsealed=unsealed[1],
        holders=rows_as(
            HorizonHolder, conn.execute(sqlfiles.render("queries/horizon_holders.sql"))
        ),
    )
