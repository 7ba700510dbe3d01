"""Keys and investigations: ``key rotate``, ``key shred``, ``lookup``, ``redact``.

Each runs one SECURITY DEFINER function of the toolkit (granted to admin or investigator roles)
in the caller's transaction: the key never leaves the database, and each act is an event of the
trail (KEY, LOOKUP, REDACT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from . import sqlfiles
from .errors import InputError, require_text
from .identifiers import parse_column_path
from .results import Result, rows_as


@dataclass(frozen=True)
class KeyRotateResult(Result):
    key_id: int


@dataclass(frozen=True)
class KeyShredResult(Result):
    key_id: int
    reason: str


@dataclass(frozen=True)
class LookupRow:
    """An audit row whose hashed column held the value looked up (which is never shown)."""

    id: int
    txid: int
    tx_time: datetime
    op: str
    row_key: Any
    in_old: bool
    in_new: bool
    key_id: int


@dataclass(frozen=True)
class LookupResult(Result):
    """Audit rows of ``table`` whose hashed ``column`` held the value looked up."""

    table: str
    column: str
    rows: tuple[LookupRow, ...]


@dataclass(frozen=True)
class RedactResult(Result):
    row_id: int
    redacted_at: datetime
    reason: str
    #: Whether the REDACT event is sealed (redact seals at once; until then verify reports the
    #: redaction, which only a sealed event vouches for).
    sealed: bool = False


def rotate_key(conn: psycopg.Connection[Any], schema: str) -> KeyRotateResult:
    """Create a new HMAC key for new rows; existing rows keep the key id they were hashed with."""
    row = conn.execute(sql.SQL("select {}.rotate_key()").format(sql.Identifier(schema))).fetchone()
    assert row is not None
    return KeyRotateResult(int(row[0]))


def require_reason(reason: str, what: str) -> None:
    """Erasures are recorded with their reason: an empty one is refused before anything runs
    (the database function refuses it too)."""
    if not reason.strip():
        raise InputError(f"{what} needs a reason", hint='give --reason "the order it carries out"')
    require_text(reason, "the reason")


def shred_key(
    conn: psycopg.Connection[Any], schema: str, key_id: int, reason: str
) -> KeyShredResult:
    """Crypto-shred a key: destroy its material so its tokens can never again be linked to a
    value (the current key is first rotated out). Rows, tokens and the chain are untouched, so
    verify still passes. Recorded as a KEY event. For admin roles.

    :raises ServerError: when the key does not exist or is already shredded, or the connected
        role may not shred.
    """
    require_reason(reason, "shredding a key")
    conn.execute(
        sql.SQL("select {}.shred_key(%s, %s)").format(sql.Identifier(schema)), [key_id, reason]
    )
    return KeyShredResult(key_id, reason)


def check_lookup(target: str, value: str) -> tuple[str, str]:
    """The table and column of ``target`` (``schema.table.column``), refusing an empty value.

    :raises IdentifierError: when ``target`` is not ``schema.table.column``.
    """
    table, column = parse_column_path(target)
    require_text(value, "the value to look up")
    if not value:
        raise InputError(
            "nothing to look up: the value is empty",
            hint="pipe the value on standard input, or type it at the prompt",
        )
    return str(table), column


def lookup(conn: psycopg.Connection[Any], schema: str, target: str, value: str) -> LookupResult:
    """The audit rows whose hashed column ``target`` held ``value``, under any key not
    shredded, in the caller's transaction. The token is computed in the database by a SECURITY
    DEFINER function granted to investigator roles: the key never leaves it. Each lookup is a
    LOOKUP event (who, table, column, how many rows), never the value.

    :raises InputError: when the column is not a hashed column of an audited table.
    """
    table, column = check_lookup(target, value)
    row = conn.execute(
        sqlfiles.render("queries/column_policy.sql", schema=sql.Identifier(schema)),
        {"table": table, "column": column},
    ).fetchone()
    if row is None or not row[1]:
        if row is None:
            problem = f"{table} is not an audited table"
        elif row[0] is None:
            problem = f"{table} has no audited column {column}"
        else:
            problem = f"{table}.{column} is {row[0]}, not hashed"
        raise InputError(
            problem,
            hint="lookup finds values of hashed columns only (pgaudit-kit status shows each "
            "column's policy)",
        )
    return LookupResult(table, column, lookup_rows(conn, schema, table, column, value))


def lookup_rows(
    conn: psycopg.Connection[Any], schema: str, table: str, column: str, value: str
) -> tuple[LookupRow, ...]:
    """The rows ``<schema>.lookup()`` finds. The value goes to the server by COPY, never in a
    statement or a bind parameter, so log_statement = all (which logs parameters) never writes it
    to the server log."""
    conn.execute(sqlfiles.render("queries/lookup_value.sql"))
    with conn.cursor().copy(sqlfiles.render("queries/lookup_copy.sql")) as copy:
        copy.write_row([value])
    return rows_as(
        LookupRow,
        conn.execute(
            sqlfiles.render("queries/lookup.sql", schema=sql.Identifier(schema)),
            {"table": table, "column": column},
        ),
    )


def redact(
    conn: psycopg.Connection[Any], schema: str, row_id: int, reason: str
) -> tuple[RedactResult, int]:
    """Replace a sealed row's old and new values with a redaction marker, for a legal erasure
    order; the chain still verifies and verify lists the row as redacted. Recorded as a REDACT
    event; returns the result and the transaction that wrote it (for :func:`seal_event`). For
    admin roles.

    :raises ServerError: when the row does not exist, is not sealed yet, is already redacted, or
        the connected role may not redact.
    """
    require_reason(reason, "a redaction")
    row = conn.execute(
        sql.SQL(
            "select redacted_at, pg_current_xact_id()::text::bigint from {}.redact(%s, %s)"
        ).format(sql.Identifier(schema)),
        [row_id, reason],
    ).fetchone()
    assert row is not None
    return RedactResult(row_id, row[0], reason), int(row[1])


def seal_event(conn: psycopg.Connection[Any], schema: str, txid: int) -> bool:
    """Seal now, so the event transaction ``txid`` wrote is sealed; False when it cannot be yet
    (another seal is running, or an older transaction holds the horizon)."""
    from .sealing import seal

    try:
        with conn.transaction():
            seal(conn, schema, max_rows=100_000)
            row = conn.execute(
                sql.SQL("select coalesce(max(txid_hi), 0) > %s from {}.blocks").format(
                    sql.Identifier(schema)
                ),
                [txid],
            ).fetchone()
    except psycopg.errors.LockNotAvailable:
        return False
    return bool(row and row[0])
