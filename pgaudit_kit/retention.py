"""Retention: ``purge``, ``maintain`` and legal holds, and the retention policy verify judges by.

The work is done by the toolkit's SECURITY DEFINER functions (``purge``, ``maintain``,
``hold_add``, ``hold_release``), so cron and pg_cron call the same; this module runs them in the
caller's transaction and types what they return.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from . import sqlfiles
from .config import Config
from .errors import InputError, require_text
from .identifiers import parse_qualified_name
from .results import Result, rows_as
from .sealing import SealedBlock
from .status import read_holds
from .trail import Hold, RetentionPolicy


@dataclass(frozen=True)
class PartitionPurge:
    """What purge did (or would do) to one past partition, and why."""

    partition: str
    range_from: datetime
    range_to: datetime
    row_count: int
    retention: str | None
    keep_until: datetime | None
    action: str
    detail: str


@dataclass(frozen=True)
class PurgeResult(Result):
    """What purge did (or, for a dry run, would do) to each past partition."""

    dry_run: bool
    partitions: tuple[PartitionPurge, ...]


@dataclass(frozen=True)
class MaintainResult(Result):
    """One maintenance run: partitions made, blocks sealed, what purge did, steps that failed."""

    partitions_created: int
    blocks: tuple[SealedBlock, ...]
    purge: tuple[PartitionPurge, ...]
    errors: dict[str, str] = field(default_factory=dict)

    _json_properties = ("ok",)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class HoldResult(Result):
    hold_id: int
    action: str


@dataclass(frozen=True)
class HoldList(Result):
    holds: tuple[Hold, ...]


def purge(conn: psycopg.Connection[Any], schema: str, *, dry_run: bool) -> PurgeResult:
    """Drop whole log partitions past their retention (never DELETE), skipping legal holds and
    unsealed rows; each drop is a PURGE event that the next seal seals. A dry run says what it
    would drop and why; the caller rolls it back."""
    cursor = conn.execute(
        sql.SQL("select * from {}.purge({})").format(sql.Identifier(schema), sql.Literal(dry_run))
    )
    return PurgeResult(dry_run, rows_as(PartitionPurge, cursor))


def maintain(conn: psycopg.Connection[Any], schema: str, *, ahead: int) -> MaintainResult:
    """One idempotent upkeep call: premake partitions (placing rows left in the default
    partition), seal, purge. Runs ``<schema>.maintain()``, so pg_cron can call the same."""
    row = conn.execute(
        sql.SQL("select {}.maintain({})").format(sql.Identifier(schema), sql.Literal(ahead))
    ).fetchone()
    assert row is not None
    summary: dict[str, Any] = row[0]
    return MaintainResult(
        partitions_created=int(summary.get("partitions_created") or 0),
        blocks=tuple(
            SealedBlock(b["block_no"], b["row_count"], b["txid_lo"], b["txid_hi"])
            for b in summary.get("blocks") or ()
        ),
        purge=tuple(
            PartitionPurge(
                **{
                    **p,
                    "range_from": datetime.fromisoformat(p["range_from"]),
                    "range_to": datetime.fromisoformat(p["range_to"]),
                    "keep_until": datetime.fromisoformat(p["keep_until"])
                    if p.get("keep_until")
                    else None,
                }
            )
            for p in summary.get("purge") or ()
        ),
        errors=dict(summary.get("errors") or {}),
    )


def hold_add(
    conn: psycopg.Connection[Any],
    schema: str,
    *,
    reason: str,
    table: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> HoldResult:
    """Place a legal hold: no partition overlapping it is purged until it is released.

    :param table: a table name as written in the config (``public.customers``); None: all tables.
    :param start: the hold's start (``--from``); None: unbounded.
    :param end: the hold's end (``--to``); None: unbounded.
    :raises InputError: for an empty reason, a malformed table name, a table the trail never
        held, or a range that ends first.
    """
    table_name = check_hold(reason, table, start, end)
    if table_name is not None:
        held = conn.execute(
            sqlfiles.render("queries/table_in_trail.sql", schema=sql.Identifier(schema)),
            {"table": table_name},
        ).fetchone()
        if not (held and held[0]):
            raise InputError(
                f"{table_name} is not a table the trail holds: it is not audited, and no audit "
                "row names it",
                hint="check the name (pgaudit-kit status lists the audited tables); a hold on "
                "it would protect nothing",
            )
    row = conn.execute(
        sql.SQL("select {}.hold_add(%s, %s, %s, %s)").format(sql.Identifier(schema)),
        [reason, table_name, start, end],
    ).fetchone()
    assert row is not None
    return HoldResult(int(row[0]), "added")


def check_hold(
    reason: str, table: str | None, start: datetime | None, end: datetime | None
) -> str | None:
    """The hold's table as the registry names it, once the hold is known to make sense.

    :raises InputError: for an empty reason, a malformed table name or a range that ends first.
    """
    if not reason.strip():
        raise InputError(
            "a legal hold needs a reason", hint='pass --reason "..." (for example the case number)'
        )
    require_text(reason, "the reason")
    if start is not None and end is not None and start >= end:
        raise InputError("the hold ends before it starts", hint="check --from and --to")
    return str(parse_qualified_name(table)) if table is not None else None


def hold_release(
    conn: psycopg.Connection[Any], schema: str, hold_id: int, *, reason: str
) -> HoldResult:
    """Release a legal hold; it stays listed, released.

    :raises ServerError: when there is no active hold with that id.
    """
    conn.execute(
        sql.SQL("select {}.hold_release(%s, %s)").format(sql.Identifier(schema)), [hold_id, reason]
    )
    return HoldResult(hold_id, "released")


def hold_list(conn: psycopg.Connection[Any], schema: str) -> HoldList:
    """Every legal hold, active and released."""
    return HoldList(read_holds(conn, sql.Identifier(schema)))


def retention_policy(config: Config) -> RetentionPolicy:
    """The config's retention policy, as verify checks purges against it."""
    return ({str(t.name): t.retention or "default" for t in config.tables}, dict(config.retention))
