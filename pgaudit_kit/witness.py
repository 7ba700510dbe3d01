"""A witness: a live copy of the trail on another server, kept by PostgreSQL's logical replication.

``witness setup`` publishes the audit schema's rows, blocks, leaves and settings from the primary
(inserts only, partitions through their root) and subscribes a second server to them. Nothing but
INSERT reaches the witness: an UPDATE, DELETE, TRUNCATE or dropped partition on the primary, by
its superuser too, stays there, and the witness's own tables refuse every other change (also one
replication would apply). The witness belongs to another team: its tables are owned by a role of
its own server, which no role of the primary holds.

``verify --witness`` then compares the two: the witness's own chain is verified like the
primary's (every row hash, root and link), the chains must agree block by block up to the shorter
height, every block the witness holds must still be on the primary, and every row the witness
holds must still be on the primary unless a purge of its time range says why. So a primary
rewritten and resealed by its superuser is caught with no digest at all, and so are rows deleted
before they were sealed, which no chain can show.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from . import db, digest, sqlfiles, verify
from .chain import BlockHeader
from .errors import InputError, NotInstalled, ServerUnsupported
from .identifiers import quote
from .problems import Problem
from .results import NOT_JSON, Result
from .trail import PurgeClaim, parse_time
from .verify import VerifyResult

WITNESS_TABLES = ("log_rows", "blocks", "block_leaves", "settings")
DEFAULT_OWNER = "pgaudit_witness"
#: Lost rows named one by one; beyond this, runs of ids.
MAX_LOST_RANGES = 20


def replication_name(chain_id: str) -> str:
    """The publication's, subscription's and replication slot's name: one per chain (a slot name
    allows lower-case letters, digits and underscores only)."""
    return "pgaudit_kit_" + chain_id.replace("-", "")[:16]


@dataclass(frozen=True)
class WitnessSetupResult(Result):
    publication: str
    subscription: str
    witness: str
    owner: str
    readers: str


def setup(
    primary: psycopg.Connection[Any],
    schema: str,
    witness_dsn: str,
    *,
    publisher_dsn: str,
    owner: str = DEFAULT_OWNER,
) -> WitnessSetupResult:
    """Publish the trail on the primary and subscribe the witness to it.

    The primary's publication and the witness's tables are each made in one transaction; the
    subscription (which cannot run in one) last. When it fails, both are removed again.

    :raises ServerUnsupported: when the primary's ``wal_level`` is not ``logical``.
    :raises InputError: when the witness already holds the schema.
    """
    (wal_level,) = _one(primary, "show wal_level")
    if wal_level != "logical":
        raise ServerUnsupported(
            f"the primary's wal_level is {wal_level}; logical replication needs logical",
            hint="run ALTER SYSTEM SET wal_level = logical on the primary and restart it",
        )
    head = digest.chain_head(primary, schema)
    name = replication_name(head.chain_id)
    readers = f"{owner}_reader"
    with db.connect(witness_dsn, autocommit=True) as witness:
        if _one(witness, "select to_regnamespace(%s) is not null", [quote(schema)])[0]:
            raise InputError(
                f"the witness already has a schema {quote(schema)}",
                where=db.describe(witness_dsn),
                hint="set up each witness once; to start over, drop its subscription and schema",
            )
        with primary.transaction():
            primary.execute(
                sqlfiles.render(
                    "witness/publication.sql",
                    publication=sql.Identifier(name),
                    schema=sql.Identifier(schema),
                )
            )
        try:
            _create_witness_tables(witness, schema, owner, readers)
            witness.execute(
                sqlfiles.render(
                    "witness/subscription.sql",
                    subscription=sql.Identifier(name),
                    conninfo=sql.Literal(publisher_dsn),
                    publication=sql.Identifier(name),
                )
            )
        except psycopg.Error:
            with witness.transaction():
                witness.execute(
                    sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema))
                )
            with primary.transaction():
                primary.execute(
                    sql.SQL("drop publication if exists {}").format(sql.Identifier(name))
                )
            raise
    return WitnessSetupResult(name, name, db.describe(witness_dsn), owner, readers)


def _create_witness_tables(
    witness: psycopg.Connection[Any], schema: str, owner: str, readers: str
) -> None:
    with witness.transaction():
        for role in (owner, readers):
            if not _one(witness, "select to_regrole(%s) is not null", [quote(role)])[0]:
                witness.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        names = {
            "schema": sql.Identifier(schema),
            "owner": sql.Identifier(owner),
            "readers": sql.Identifier(readers),
        }
        witness.execute(sqlfiles.render("witness/tables.sql", **names))
        witness.execute(sqlfiles.render("witness/refuse_change.sql", schema=names["schema"]))
        for table in WITNESS_TABLES:
            witness.execute(
                sqlfiles.render(
                    "witness/table_guard.sql", table=sql.Identifier(schema, table), **names
                )
            )
        witness.execute(
            sql.SQL("grant usage on schema {} to {}").format(names["schema"], names["readers"])
        )


def _one(conn: psycopg.Connection[Any], query: str, params: Any = None) -> tuple[Any, ...]:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return tuple(row)


# --- comparing ----------------------------------------------------------------------------------


@dataclass
class WitnessStatus(Result):
    """The witness as ``verify --witness`` saw it."""

    witness: str
    primary_height: int = 0
    witness_height: int = 0
    #: Blocks sealed on the primary that the witness does not hold yet, and for how long the
    #: oldest of them has been sealed.
    blocks_behind: int = 0
    seconds_behind: float = 0.0
    rows_on_witness: int = 0
    subscription_enabled: bool | None = None
    subscription_running: bool | None = None
    subscription_errors: int | None = None
    problems: list[Problem] = field(default_factory=list, metadata=NOT_JSON)


def compare(
    primary: psycopg.Connection[Any], schema: str, witness_dsn: str, result: VerifyResult
) -> WitnessStatus:
    """Verify the witness's copy and hold the primary to it (``primary`` is inside the snapshot
    ``result`` was verified in). Adds every problem found to ``result`` too."""
    status = WitnessStatus(db.describe(witness_dsn))
    primary_headers = verify.read_headers(primary, schema)
    with db.connect(witness_dsn, autocommit=True) as witness, verify.snapshot(witness):
        witness_headers = _read_witness(primary, witness, schema, status)
        status.problems += _verify_witness_copy(
            witness, schema, witness_headers, status, set(result.purged_blocks)
        )
        status.problems += _compare_blocks(primary_headers, witness_headers, status)
        status.problems += _lost_rows(primary, witness, schema, result.purges)
    result.problems += status.problems
    return status


def lag(primary: psycopg.Connection[Any], schema: str, witness_dsn: str) -> WitnessStatus:
    """The witness's height, lag and subscription, and whether the block headers of the two
    agree: what ``status`` and ``report`` show. Reads headers only; ``verify --witness`` checks
    every row as well."""
    status = WitnessStatus(db.describe(witness_dsn))
    primary_headers = verify.read_headers(primary, schema)
    with db.connect(witness_dsn, autocommit=True) as witness, verify.snapshot(witness):
        witness_headers = _read_witness(primary, witness, schema, status)
        status.problems += _compare_blocks(primary_headers, witness_headers, status)
    return status


def _read_witness(
    primary: psycopg.Connection[Any],
    witness: psycopg.Connection[Any],
    schema: str,
    status: WitnessStatus,
) -> list[BlockHeader]:
    """The witness's block headers, and its subscription's state into ``status``.

    :raises NotInstalled: when the witness holds no trail in ``schema``.
    """
    if not _one(witness, "select to_regclass(%s) is not null", [f"{quote(schema)}.blocks"])[0]:
        raise NotInstalled(
            f"the witness holds no trail in schema {quote(schema)}",
            where=status.witness,
            hint="run pgaudit-kit witness setup first",
        )
    head = digest.chain_head(primary, schema)
    state = witness.execute(
        sqlfiles.render("witness/subscription_state.sql"),
        {"name": replication_name(head.chain_id)},
    ).fetchone()
    if state is not None:
        status.subscription_enabled, status.subscription_running = state[0], state[1]
        status.subscription_errors = int(state[2])
    return verify.read_headers(witness, schema)


def _verify_witness_copy(
    witness: psycopg.Connection[Any],
    schema: str,
    headers: list[BlockHeader],
    status: WitnessStatus,
    purged: set[int],
) -> list[Problem]:
    """The witness's own chain: links, and every block's rows against its root (no redaction
    reaches a witness, so its rows are as sealed); a block with no row left must be one whose
    purge the primary's verify accepted (``purged``: witness maintain follows those)."""
    problems = [
        Problem("witness_invalid", p.block, p.row_id, f"on the witness: {p.kind}: {p.detail}")
        for p in verify.check_chain(headers, now=datetime.now(UTC))
    ]
    for chunk in verify.sealing_chunks(headers):
        outcome = verify.verify_chunk(witness, schema, *chunk)
        status.rows_on_witness += outcome.rows
        problems += [
            Problem(
                "witness_invalid", b.block_no, None, "on the witness: its rows do not give its root"
            )
            for b in outcome.failed
        ]
        problems += [
            Problem(
                "witness_invalid",
                n,
                None,
                "on the witness: its rows are gone, and no purge says why",
            )
            for n in outcome.empty
            if n not in purged
        ]
    return problems


@dataclass(frozen=True)
class WitnessMaintainResult(Result):
    """What ``witness maintain`` removed from the witness, or why it removed nothing."""

    witness: str
    blocks: tuple[int, ...] = ()
    rows: int = 0
    problems: tuple[Problem, ...] = field(default=(), metadata=NOT_JSON)

    _json_properties = ("ok",)

    @property
    def ok(self) -> bool:
        return not self.problems


def maintain(
    primary: psycopg.Connection[Any], schema: str, witness_dsn: str, verified: VerifyResult
) -> WitnessMaintainResult:
    """The witness's own retention: remove from it the rows and leaves of every block whose
    purge the primary's verify accepted (``verified``, made in the snapshot ``primary`` is in:
    retention, holds and the chain judged by the auditor's config), keeping the headers, as the
    primary does. Nothing is removed while the primary does not verify or the two chains' block
    headers disagree.
    """
    where = db.describe(witness_dsn)
    if not verified.ok:
        return WitnessMaintainResult(where, problems=tuple(verified.problems))
    by_number = {h.block_no: h for h in verify.read_headers(primary, schema)}
    ident = sql.Identifier(schema)
    rows = 0
    with db.connect(witness_dsn) as witness:
        status = WitnessStatus(where)
        witness_headers = _read_witness(primary, witness, schema, status)
        on_witness = {h.block_no for h in witness_headers}
        problems = _compare_blocks(list(by_number.values()), witness_headers, status)
        if problems:
            return WitnessMaintainResult(where, problems=tuple(problems))
        blocks = sorted(set(verified.purged_blocks) & on_witness)
        witness.execute(sqlfiles.render("witness/refuse_change.sql", schema=ident))
        witness.execute("set local pgaudit_witness.purging = 'on'")
        emptied = []
        for block_no in blocks:
            block = by_number[block_no]
            removed = witness.execute(
                sqlfiles.render("witness/purge_rows.sql", schema=ident),
                {
                    "txid_lo": block.txid_lo,
                    "txid_hi": block.txid_hi,
                    "start": block.bucket_start,
                    "end": block.bucket_end,
                },
            ).rowcount
            if removed > 0:
                emptied.append(block_no)
                rows += removed
        witness.execute(
            sqlfiles.render("witness/purge_leaves.sql", schema=ident), {"blocks": blocks}
        )
    return WitnessMaintainResult(where, tuple(emptied), rows)


def _compare_blocks(
    primary: list[BlockHeader], witness: list[BlockHeader], status: WitnessStatus
) -> list[Problem]:
    on_primary = {h.block_no: h for h in primary}
    status.primary_height = max(on_primary, default=0)
    status.witness_height = max((h.block_no for h in witness), default=0)
    problems = []
    for header in witness:
        mine = on_primary.get(header.block_no)
        if mine is None:
            problems.append(
                Problem(
                    "witness_block_missing",
                    header.block_no,
                    None,
                    "the witness holds this block; the primary lost it",
                )
            )
        elif mine.stored_hash != header.stored_hash:
            problems.append(
                Problem(
                    "witness_block_differs",
                    header.block_no,
                    None,
                    "the primary's block differs from the one the witness received",
                )
            )
    behind = [h for h in primary if h.block_no > status.witness_height]
    status.blocks_behind = len(behind)
    if behind:
        sealed = parse_time(behind[0].field("sealed_at"))
        if sealed is not None:
            status.seconds_behind = max(0.0, (datetime.now(UTC) - sealed).total_seconds())
    return problems


def _ids(conn: psycopg.Connection[Any], schema: str) -> Iterator[tuple[int, bytes]]:
    query = sqlfiles.render("witness/ids.sql", schema=sql.Identifier(schema))
    for line in verify.copy_lines(conn, query):
        tab = line.find(b"\t")
        yield int(line[:tab]), line[tab + 1 :]


def _lost_rows(
    primary: psycopg.Connection[Any],
    witness: psycopg.Connection[Any],
    schema: str,
    purges: list[PurgeClaim],
) -> list[Problem]:
    """Rows the witness holds and the primary does not, but for those a purge accounts for."""
    purged = [(parse_time(c.range_from), parse_time(c.range_to)) for c in purges]
    lost: list[int] = []
    mine = _ids(primary, schema)
    current = next(mine, None)
    for row_id, tx_time in _ids(witness, schema):
        while current is not None and current[0] < row_id:
            current = next(mine, None)
        if current is not None and current[0] == row_id:
            continue
        when = parse_time(tx_time.decode())
        if not any(s and e and when and s <= when < e for s, e in purged):
            lost.append(row_id)
    return [
        Problem(
            "witness_rows_lost",
            None,
            first,
            f"{count} row(s), ids {first} to {last}, are on the witness but gone from the primary"
            if count > 1
            else "on the witness but gone from the primary",
        )
        for first, last, count in _runs(lost)[:MAX_LOST_RANGES]
    ]


def _runs(ids: list[int]) -> list[tuple[int, int, int]]:
    runs: list[tuple[int, int, int]] = []
    for row_id in ids:
        if runs and runs[-1][1] == row_id - 1:
            first, _, count = runs[-1]
            runs[-1] = (first, row_id, count + 1)
        else:
            runs.append((row_id, row_id, 1))
    return runs
