"""Verifying the audit trail outside the database's trust.

The database only sends data: block headers and rows, as COPY text under the canonical settings
(``chain.CANONICAL_SETTINGS``), all in one REPEATABLE READ snapshot. Everything else happens here:
every leaf hash, Merkle root, block hash and link is recomputed in Python (``chain``), rows are
streamed (memory does not grow with the log), and each failure is reported with its kind, block
and row. A block whose root matches needs nothing more; only a block that fails is read again,
with its stored leaves, to say which rows are edited, deleted, inserted or swapped.

Every row is accounted for: the whole log streams by, so a row outside every block's range is
found whatever its transaction id. The trail's own events (PURGE, REDACT, HOLD, CONFIG, KEY) are
collected from the blocks that verified, and the side tables are judged by them (``trail``):
nothing verify reports or accepts comes from a table it did not check against the chain.

Digests (signed checkpoints kept outside the database) catch what a chain alone cannot: a cut
tail, or a chain recomputed from scratch by someone with full rights.

Hashing every row costs a few microseconds of Python, so with ``jobs`` > 1 the chunks of the log
are verified by worker processes, each on its own connection but in the coordinator's exported
snapshot (``pg_export_snapshot``): one consistent view, all cores busy.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import combinations
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from . import chain, settings, sqlfiles, trail
from .chain import BlockHeader, MerkleBuilder
from .errors import InputError
from .identifiers import quote
from .problems import PROBLEM_KINDS, Problem
from .results import Result
from .trail import (
    CLOCK_SLACK,
    REDACTION_MARKER,
    TRAIL_OPS,
    Event,
    Hold,
    KeyRow,
    PurgeClaim,
    Redaction,
    RedactionRow,
    RetentionPolicy,
)

if TYPE_CHECKING:
    from .witness import WitnessStatus

__all__ = ["PROBLEM_KINDS", "Problem", "PurgeClaim", "Redaction", "RetentionPolicy"]

#: Rows per COPY query: bounds the server-side sort of each chunk (and balances the workers).
CHUNK_ROWS = 200_000
#: Edited rows per block searched pairwise for swaps.
MAX_SWAP_SEARCH = 1000


@dataclass(frozen=True)
class DigestCheck:
    """What a verified digest asserted (from digest.Digest), for verify to compare."""

    source: str
    block_no: int
    block_hash: bytes
    txid_horizon: int = 0
    #: Rows sealed up to the block; ``rows_signed``: whether the signature covers that count.
    rows_sealed: int | None = None
    rows_signed: bool = True


#: Redacted row id -> (hex payload digest its leaf commits to, hex digest of the redacted row).
RedactedDigests = dict[int, tuple[bytes, bytes]]
#: Where the first chunk starts: below every transaction id, so no row escapes the stream.
_LOWEST_TXID = -(2**63)
_TRAIL_OPS = frozenset(op.encode() for op in TRAIL_OPS)


@dataclass
class VerifyResult(Result):
    """What verify found: counts, purged and redacted rows, and every problem (``ok`` when none).

    Built up as the log streams by, so not frozen."""

    rows_verified: int = 0
    blocks_verified: int = 0
    unsealed_rows: int = 0
    oldest_unsealed: str | None = None
    sealed_horizon: int = 0
    digests_checked: int = 0
    purged_blocks: list[int] = field(default_factory=list)
    purges: list[PurgeClaim] = field(default_factory=list)
    redacted: list[Redaction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: The digest files checked.
    digests: list[str] = field(default_factory=list)
    #: The witness compared with (``verify --witness``), and its lag.
    witness: WitnessStatus | None = None

    _json_properties = ("ok",)

    @property
    def ok(self) -> bool:
        return not self.problems


Progress = Callable[[int], None]


@contextmanager
def snapshot(conn: psycopg.Connection[Any]) -> Iterator[psycopg.Connection[Any]]:
    """One REPEATABLE READ, READ ONLY transaction under the canonical settings, in which verify
    (and report, around it) reads everything: one consistent view of the trail.

    :raises InputError: when the connection is already inside a transaction, whose snapshot
        verify cannot choose.
    """
    if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        raise InputError(
            "verify needs a snapshot of its own, and the connection is inside a transaction",
            hint="commit or roll back first, or give pgaudit-kit a connection of its own",
        )
    with conn.transaction():
        conn.execute("set transaction isolation level repeatable read, read only")
        conn.execute(settings.settings_statements(chain.CANONICAL_SETTINGS, local=True))
        yield conn


def verify(
    conn: psycopg.Connection[Any],
    schema: str,
    *,
    digests: Sequence[DigestCheck] = (),
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    dsn: str | None = None,
    jobs: int = 1,
    retention: RetentionPolicy | None = None,
) -> VerifyResult:
    """Verify the whole trail in ``schema``.

    :param conn: a connection inside :func:`snapshot`.
    :param digests: checkpoints already checked for signature and origin (``digest.load``).
    :param progress: called with the number of rows just processed.
    :param on_start: called once with the number of sealed rows to verify.
    :param dsn: how workers connect; needed for ``jobs`` > 1.
    :param jobs: worker processes hashing in parallel (1: all in this process).
    :param retention: the auditor's own retention policy; each purge must respect it.
    """
    headers = read_headers(conn, schema)
    by_number = {h.block_no: h for h in headers}
    result = VerifyResult(blocks_verified=len(headers))
    result.problems += check_chain(headers, now=datetime.now(UTC))
    result.sealed_horizon = max((h.txid_hi for h in headers), default=0)
    if on_start:
        on_start(sum(h.row_count for h in headers))
    holds, keys, redactions = read_side_tables(conn, schema)
    redacted = {
        r.row_id: (r.payload_digest.encode(), r.redacted_digest.encode()) for r in redactions
    }
    chunks = [(*chunk, redacted) for chunk in sealing_chunks(headers)]
    outcomes: Iterator[ChunkOutcome]
    pool: ProcessPoolExecutor | None = None
    if jobs > 1 and dsn is not None and len(chunks) > 1:
        snapshot_row = conn.execute("select pg_export_snapshot()").fetchone()
        assert snapshot_row is not None
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(chunks)),
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(dsn, str(snapshot_row[0])),
        )
        outcomes = pool.map(_run_chunk, [(schema, *chunk) for chunk in chunks])
    else:
        outcomes = (verify_chunk(conn, schema, *chunk) for chunk in chunks)
    duplicates = read_duplicate_ids(conn, schema)  # while the workers hash
    failed: list[BlockHeader] = []
    empty: set[int] = set()
    events: list[Event] = []
    try:
        for outcome in outcomes:
            result.rows_verified += outcome.rows
            failed += outcome.failed
            empty.update(outcome.empty)
            events += outcome.events
            result.problems += outcome.problems
            if progress:
                progress(outcome.rows)
    finally:
        if pool is not None:
            pool.shutdown()
    events.sort(key=lambda e: (e.txid, e.row_id))
    complete = not failed and not any(p.kind == "block_missing" for p in result.problems)
    findings = trail.judge(
        events + read_unsealed_events(conn, schema, result.sealed_horizon),
        headers,
        empty,
        holds=holds,
        keys=keys,
        redactions=redactions,
        policy=retention,
        complete=complete,
    )
    result.purges, result.redacted = findings.purges, findings.redacted
    result.purged_blocks = sorted(findings.purged_blocks)
    result.problems += findings.problems
    failed += [by_number[n] for n in sorted(empty - findings.purged_blocks)]
    for block in sorted(failed, key=lambda b: b.block_no):
        result.problems += diagnose(conn, schema, block, redacted)
    reported = {p.row_id for p in result.problems if p.kind == "duplicate_id"}
    result.problems += [
        Problem("duplicate_id", None, row_id, f"{count} rows have this id")
        for row_id, count in duplicates
        if row_id not in reported
    ]
    count, oldest = _unsealed(conn, schema, result.sealed_horizon)
    result.unsealed_rows = count
    result.oldest_unsealed = oldest
    result.problems += check_unsealed(conn, schema, result.sealed_horizon, bool(headers))
    if progress and count:
        progress(count)
    result.problems += check_digests(headers, digests)
    result.digests_checked = len(digests)
    return result


@dataclass
class ChunkOutcome:
    """What verifying one chunk of rows found (sent back from worker processes)."""

    rows: int = 0
    failed: list[BlockHeader] = field(default_factory=list)
    #: Blocks none of whose rows are left (purged, or deleted: the trail's events tell).
    empty: list[int] = field(default_factory=list)
    #: The trail's own events found in blocks whose root matched.
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


_worker_conn: psycopg.Connection[Any] | None = None


def _init_worker(dsn: str, snapshot: str) -> None:
    """Worker start: one connection, in the coordinator's snapshot, with the canonical settings."""
    global _worker_conn
    _worker_conn = psycopg.connect(dsn)
    _worker_conn.execute("set transaction isolation level repeatable read, read only")
    _worker_conn.execute(sql.SQL("set transaction snapshot {}").format(sql.Literal(snapshot)))
    _worker_conn.execute(settings.settings_statements(chain.CANONICAL_SETTINGS, local=True))


def _run_chunk(task: tuple[str, int, int, list[SealingRange], RedactedDigests]) -> ChunkOutcome:
    assert _worker_conn is not None
    return verify_chunk(_worker_conn, *task)


def copy_lines(conn: psycopg.Connection[Any], query: sql.Composed) -> Iterator[bytes]:
    """The lines a COPY ... TO STDOUT sends, without their newline."""
    with conn.cursor().copy(query) as copy:
        rest = b""
        for data in copy:
            lines = (rest + bytes(data)).split(b"\n")
            rest = lines.pop()
            yield from lines
        if rest:
            yield rest


def read_headers(conn: psycopg.Connection[Any], schema: str) -> list[BlockHeader]:
    """Every block header, in block-number order, as the canonical text COPY sends."""
    has_table_names = conn.execute(
        sqlfiles.render("queries/column_exists.sql"),
        {"table": f"{quote(schema)}.blocks", "column": "table_names"},
    ).fetchone()
    query = sqlfiles.render(
        "queries/verify_blocks.sql",
        schema=sql.Identifier(schema),
        # revision 0002 added the column; blocks sealed before have none
        table_names=(
            sql.SQL("table_names") if has_table_names and has_table_names[0] else sql.SQL("null")
        ),
    )
    headers = []
    for line in copy_lines(conn, query):
        *fields, stored = chain.copy_fields(line)
        headers.append(BlockHeader(tuple(fields), bytes.fromhex(stored or "")))
    return headers


def read_side_tables(
    conn: psycopg.Connection[Any], schema: str
) -> tuple[list[Hold], list[KeyRow], list[RedactionRow]]:
    """The holds, keys and redactions tables verify judges by the trail's events (each small:
    one row per hold, key or erasure order); a table a revision before the installed one lacks
    reads as empty."""
    ident = sql.Identifier(schema)

    def rows(table: str, query: str) -> list[tuple[Any, ...]]:
        relation = sql.Literal(f"{quote(schema)}.{table}")
        exists = conn.execute(
            sqlfiles.render("queries/relation_exists.sql", relation=relation)
        ).fetchone()
        if not exists or not exists[0]:
            return []
        return conn.execute(sqlfiles.render(f"queries/{query}.sql", schema=ident)).fetchall()

    return (
        [Hold(*r) for r in rows("holds", "holds")],
        [KeyRow(*r) for r in rows("keys", "verify_keys")],
        [RedactionRow(*r) for r in rows("redactions", "redactions")],
    )


def read_unsealed_events(conn: psycopg.Connection[Any], schema: str, horizon: int) -> list[Event]:
    """The trail's events above the sealed horizon, in chain order (they prove nothing yet)."""
    query = sqlfiles.render(
        "queries/unsealed_events.sql", schema=sql.Identifier(schema), horizon=sql.Literal(horizon)
    )
    return [
        Event.from_fields(chain.copy_fields(line), sealed=False) for line in copy_lines(conn, query)
    ]


def read_duplicate_ids(conn: psycopg.Connection[Any], schema: str) -> list[tuple[int, int]]:
    query = sqlfiles.render("queries/duplicate_ids.sql", schema=sql.Identifier(schema))
    return [(int(row_id), int(count)) for row_id, count in conn.execute(query).fetchall()]


def check_unsealed(
    conn: psycopg.Connection[Any], schema: str, horizon: int, any_block: bool
) -> list[Problem]:
    """Unsealed rows are legitimate only while a seal can still take them: a transaction id the
    server has not assigned, or a time after the verifier's clock, is forged; before the first
    block, so is an id below zero, where sealing starts."""
    rows = conn.execute(
        sqlfiles.render("queries/unsealed_suspects.sql", schema=sql.Identifier(schema)),
        {
            "horizon": horizon,
            "floor": horizon if not any_block else _LOWEST_TXID,
            "latest": datetime.now(UTC) + CLOCK_SLACK,
        },
    ).fetchall()
    why = {
        "below": "is below where sealing starts: no block will ever hold it",
        "unassigned": "has not been assigned by the server yet: no block will ever hold it",
        "future": "is dated after now",
    }
    return [
        Problem(
            "dated_after_seal" if reason == "future" else "hidden_insert",
            None,
            int(row_id),
            f"the row's transaction {txid} {why[reason]}"
            if reason != "future"
            else f"the unsealed row is dated {tx_time}, after now",
        )
        for row_id, txid, tx_time, reason in rows
    ]


def check_chain(headers: Sequence[BlockHeader], *, now: datetime) -> list[Problem]:
    """Numbering, header hashes, links, transaction-id ranges and sealing times of the chain."""
    problems: list[Problem] = []
    problems += _check_sealing_times(headers, now)
    position_of = {h.stored_hash: i for i, h in enumerate(headers)}
    expected_no = 1
    previous: BlockHeader | None = None
    for index, header in enumerate(headers):
        number = header.block_no
        if header.computed_hash != header.stored_hash:
            problems.append(
                Problem("block_edited", number, None, "header fields do not match the block hash")
            )
        gap = number > expected_no
        if gap:
            missing = (
                f"{expected_no}" if number == expected_no + 1 else f"{expected_no}-{number - 1}"
            )
            problems.append(
                Problem(
                    "block_missing",
                    expected_no,
                    None,
                    f"block(s) {missing} missing before {number}",
                )
            )
        expected_hash = previous.stored_hash if previous else chain.GENESIS_HASH
        if header.prev_hash != expected_hash and not gap:
            linked = position_of.get(header.prev_hash)
            if linked is not None and linked != index - 1:
                problems.append(
                    Problem(
                        "block_reordered",
                        number,
                        None,
                        f"links to block {headers[linked].block_no}, not to the block before it",
                    )
                )
            else:
                problems.append(
                    Problem(
                        "broken_link",
                        number,
                        None,
                        "previous-hash does not match the block before it",
                    )
                )
        if previous is not None and not gap:
            same_range = (header.txid_lo, header.txid_hi) == (previous.txid_lo, previous.txid_hi)
            if not same_range and header.txid_lo != previous.txid_hi:
                problems.append(
                    Problem(
                        "range_gap",
                        number,
                        None,
                        f"covers transactions from {header.txid_lo}; "
                        f"the block before ended at {previous.txid_hi}",
                    )
                )
        expected_no = max(expected_no, number) + 1
        previous = header
    return problems


def _check_sealing_times(headers: Sequence[BlockHeader], now: datetime) -> list[Problem]:
    """Each block sealed no earlier than the one before it (give or take CLOCK_SLACK), not in
    the future, and after its bucket began."""
    problems = []
    latest: datetime | None = None
    for header in headers:
        sealed_at = trail.parse_time(header.fields[chain.BLOCK_COLUMNS.index("sealed_at")])
        bucket_start = trail.parse_time(header.bucket_start)
        why = None
        if sealed_at is None or bucket_start is None:
            why = "its sealing time or bucket cannot be read"
        elif sealed_at > now + CLOCK_SLACK:
            why = f"sealed at {sealed_at:%Y-%m-%d %H:%M:%S}, after now"
        elif latest is not None and sealed_at < latest - CLOCK_SLACK:
            why = f"sealed at {sealed_at:%Y-%m-%d %H:%M:%S}, before the block before it"
        elif sealed_at < bucket_start and header.format >= 2:
            why = f"sealed at {sealed_at:%Y-%m-%d %H:%M:%S}, before its rows' bucket began"
        if why:
            problems.append(Problem("sealed_out_of_order", header.block_no, None, why))
        if sealed_at is not None:
            latest = max(latest, sealed_at) if latest else sealed_at
    return problems


def check_digests(headers: Sequence[BlockHeader], digests: Sequence[DigestCheck]) -> list[Problem]:
    """Every digest's block must still exist with the hash the digest recorded."""
    by_number = {h.block_no: h for h in headers}
    last = max(by_number, default=0)
    problems = []
    for digest in digests:
        header = by_number.get(digest.block_no)
        horizon = max((h.txid_hi for h in headers), default=0)
        if header is None and horizon >= digest.txid_horizon > 0:
            problems.append(
                Problem(
                    "chain_rewritten",
                    digest.block_no,
                    None,
                    f"{digest.source} recorded block {digest.block_no} over transactions below "
                    f"{digest.txid_horizon}; the chain covers them in {last} block(s) now",
                )
            )
        elif header is None:
            problems.append(
                Problem(
                    "tail_cut",
                    digest.block_no,
                    None,
                    f"{digest.source} recorded block {digest.block_no}; "
                    f"the chain ends at block {last}",
                )
            )
        elif header.stored_hash != digest.block_hash or header.computed_hash != digest.block_hash:
            problems.append(
                Problem(
                    "chain_rewritten",
                    digest.block_no,
                    None,
                    f"{digest.source} recorded another hash for block {digest.block_no}",
                )
            )
        elif digest.rows_sealed is not None:
            rows = sum(h.row_count for h in headers if h.block_no <= digest.block_no)
            if rows != digest.rows_sealed:
                kind = "chain_rewritten" if digest.rows_signed else "digest_altered"
                problems.append(
                    Problem(
                        kind,
                        digest.block_no,
                        None,
                        f"{digest.source} says {digest.rows_sealed} rows were sealed up to block "
                        f"{digest.block_no}; the chain holds {rows}"
                        + ("" if digest.rows_signed else " (a field its signature does not cover)"),
                    )
                )
    return problems


@dataclass
class SealingRange:
    """The blocks sealed from one transaction range [lo, hi), one per bucket."""

    lo: int
    hi: int
    blocks: list[BlockHeader]


def sealing_ranges(headers: Sequence[BlockHeader]) -> list[SealingRange]:
    """The blocks grouped by the transaction range they were sealed from, in range order (the
    blocks of one range, one per bucket, share one query of rows)."""
    ranges: list[SealingRange] = []
    for header in sorted(headers, key=lambda h: (h.txid_lo, h.txid_hi, h.bucket_start, h.block_no)):
        if ranges and (ranges[-1].lo, ranges[-1].hi) == (header.txid_lo, header.txid_hi):
            ranges[-1].blocks.append(header)
        else:
            ranges.append(SealingRange(header.txid_lo, header.txid_hi, [header]))
    return ranges


def sealing_chunks(headers: Sequence[BlockHeader]) -> Iterator[tuple[int, int, list[SealingRange]]]:
    """Consecutive sealing ranges grouped into chunks of about CHUNK_ROWS rows. Together the
    chunks read every transaction id below the sealed horizon: the first from the lowest id,
    each from where the one before stopped, so rows in a gap reach the stream too."""
    ranges = sealing_ranges(headers)
    chunk: list[SealingRange] = []
    rows = 0
    start = _LOWEST_TXID
    for item in ranges:
        if chunk and (rows >= CHUNK_ROWS or item.lo != chunk[-1].hi):
            yield start, chunk[-1].hi, chunk
            start, chunk, rows = chunk[-1].hi, [], 0
        chunk.append(item)
        rows += sum(b.row_count for b in item.blocks)
    if chunk:
        yield start, chunk[-1].hi, chunk


def split_row(line: bytes) -> tuple[bytes, bytes]:
    """A COPY line of ``verify_rows.sql`` -> (header line, payload line)."""
    cut = line.rfind(b"\t", 0, line.rfind(b"\t", 0, line.rfind(b"\t")))
    return line[:cut], line[cut + 1 :]


def row_leaf(line: bytes, redacted: RedactedDigests | None = None) -> bytes:
    """The leaf of a row's COPY line; for a redacted row holding the redaction marker, over the
    payload digest its redaction recorded (so any other change still fails)."""
    header, payload = split_row(line)
    digest = hashlib.sha256(payload).hexdigest().encode()
    row_id = int(line[: line.find(b"\t")])
    if redacted and row_id in redacted and is_redacted(payload):
        digest = redacted[row_id][0]
    return chain.leaf_hash(header, bytes.fromhex(digest.decode()))


def is_redacted(payload: bytes) -> bool:
    """Whether a payload line (row_key, old_values, new_values) holds the redaction marker in
    both images (a NULL image stays NULL)."""
    _, old, new = payload.split(b"\t")
    return old in (b"\\N", REDACTION_MARKER) and new in (b"\\N", REDACTION_MARKER)


def verify_chunk(
    conn: psycopg.Connection[Any],
    schema: str,
    start: int,
    stop: int,
    ranges: list[SealingRange],
    redacted: RedactedDigests | None = None,
) -> ChunkOutcome:
    """Recompute the roots of the blocks of one chunk from its streamed rows, and collect the
    trail's events of the blocks that verify.

    Rows come in (txid, id) order; each goes to the block of its sealing range whose bucket holds
    its tx_time, compared as canonical text (ISO, UTC). A row that fits no block is a hidden
    insert; a row dated after its block was sealed is reported too.
    """
    query = sqlfiles.render(
        "queries/verify_rows.sql",
        schema=sql.Identifier(schema),
        lo=sql.Literal(start),
        hi=sql.Literal(stop),
    )
    sha256 = hashlib.sha256
    leaf_prefix = chain.LEAF_PREFIX
    trail_ops = _TRAIL_OPS
    redacted_ids = {str(k).encode(): v for k, v in (redacted or {}).items()}
    outcome = ChunkOutcome()
    range_iter = iter(ranges)
    current = next(range_iter)
    builders: dict[int, MerkleBuilder] = {}
    event_lines: dict[int, list[bytes]] = {}

    def open_range(
        item: SealingRange,
    ) -> list[tuple[bytes, bytes, bytes, BlockHeader, Callable[[bytes], None]]]:
        builders.update((b.block_no, MerkleBuilder()) for b in item.blocks)
        # format 1 seals read their time before the horizon, so a row may postdate it slightly
        return [
            (
                b.bucket_start.encode(),
                b.bucket_end.encode(),
                b.field("sealed_at").encode() if b.format >= 2 else b"\xff",
                b,
                builders[b.block_no].push,  # looked up once per block, not once per row
            )
            for b in item.blocks
        ]

    def close(item: SealingRange) -> None:
        for block in item.blocks:
            builder = builders.pop(block.block_no)
            lines = event_lines.pop(block.block_no, [])
            if builder.count == 0 and block.row_count > 0:
                outcome.empty.append(block.block_no)
            elif (
                builder.count != block.row_count
                or builder.count == 0
                or builder.root() != block.merkle_root
            ):
                outcome.failed.append(block)
            else:
                sealed_at = block.field("sealed_at")
                outcome.events += [
                    Event.from_fields(chain.copy_fields(line), sealed=True, sealed_at=sealed_at)
                    for line in lines
                ]

    bounds = open_range(current)
    for line in copy_lines(conn, query):
        first = line.find(b"\t")
        second = line.find(b"\t", first + 1)
        third = line.find(b"\t", second + 1)
        txid = int(line[first + 1 : second])
        while txid >= current.hi:
            close(current)
            current = next(range_iter)
            bounds = open_range(current)
        tx_time = line[second + 1 : third]
        block = push = None
        sealed_at = b""
        if txid >= current.lo:
            for bucket_start, bucket_end, block_sealed_at, candidate, candidate_push in bounds:
                if bucket_start <= tx_time < bucket_end:
                    block, sealed_at, push = candidate, block_sealed_at, candidate_push
                    break
        cut = line.rfind(b"\t", 0, line.rfind(b"\t", 0, line.rfind(b"\t")))
        if block is None or push is None:
            outcome.problems.append(
                Problem(
                    "hidden_insert",
                    None,
                    int(line[:first]),
                    f"transaction {txid} is below the sealed horizon but the row is in no block"
                    + (" (no block's transaction range holds it)" if txid < current.lo else ""),
                )
            )
        else:
            payload = line[cut + 1 :]
            payload_digest = sha256(payload).hexdigest().encode()
            if redacted_ids:
                known = redacted_ids.get(line[:first])
                if known is not None:
                    payload_digest = _redacted_digest(
                        int(line[:first]), payload, payload_digest, known, outcome
                    )
            push(sha256(leaf_prefix + line[:cut] + b"\t" + payload_digest).digest())
            if tx_time > sealed_at:
                outcome.problems.append(
                    Problem(
                        "dated_after_seal",
                        block.block_no,
                        int(line[:first]),
                        f"dated {tx_time.decode()}, after its block was sealed at "
                        f"{sealed_at.decode()}",
                    )
                )
            fourth = line.find(b"\t", third + 1)
            if line[fourth + 1 : line.find(b"\t", fourth + 1)] in trail_ops:
                event_lines.setdefault(block.block_no, []).append(line)
        outcome.rows += 1
    close(current)
    for rest in range_iter:
        open_range(rest)
        close(rest)
    return outcome


def _redacted_digest(
    row_id: int, payload: bytes, digest: bytes, known: tuple[bytes, bytes], outcome: ChunkOutcome
) -> bytes:
    """The payload digest a redacted row's leaf commits to, when the row holds the marker and
    exactly its recorded redacted payload; else its own digest (and the block fails)."""
    recorded, redacted = known
    if not is_redacted(payload):
        outcome.problems.append(
            Problem(
                "forged_redaction",
                None,
                row_id,
                "recorded as redacted, but the row holds other values than the redaction marker",
            )
        )
        return digest
    if digest != redacted:
        outcome.problems.append(
            Problem(
                "redaction_edited",
                None,
                row_id,
                "the row holds the redaction marker, but not the redacted payload its record names",
            )
        )
        return digest
    return recorded


def _block_rows(
    conn: psycopg.Connection[Any], schema: str, block: BlockHeader
) -> list[tuple[int, bytes]]:
    query = sqlfiles.render(
        "queries/verify_block_rows.sql",
        schema=sql.Identifier(schema),
        lo=sql.Literal(block.txid_lo),
        hi=sql.Literal(block.txid_hi),
        bucket_start=sql.Literal(block.bucket_start),
        bucket_end=sql.Literal(block.bucket_end),
    )
    return [(int(line[: line.find(b"\t")]), line) for line in copy_lines(conn, query)]


def stored_leaves(
    conn: psycopg.Connection[Any], schema: str, block_no: int
) -> tuple[list[int], list[bytes]]:
    """The ids and leaf hashes recorded when ``block_no`` was sealed."""
    row = conn.execute(
        sqlfiles.render("queries/block_leaves.sql", schema=sql.Identifier(schema)),
        {"block_no": block_no},
    ).fetchone()
    if row is None:
        return [], []
    ids_blob, leaves_blob = bytes(row[0]), bytes(row[1])
    ids = [
        int.from_bytes(ids_blob[i : i + 8], "big", signed=True) for i in range(0, len(ids_blob), 8)
    ]
    leaves = [leaves_blob[i : i + 32] for i in range(0, len(leaves_blob), 32)]
    return ids, leaves


def diagnose(
    conn: psycopg.Connection[Any],
    schema: str,
    block: BlockHeader,
    redacted: RedactedDigests | None = None,
) -> list[Problem]:
    """Name what is wrong in a block whose rows no longer give its root."""
    number = block.block_no
    ids, leaves = stored_leaves(conn, schema, number)
    rows = _block_rows(conn, schema, block)
    if not leaves and not rows:
        return [
            Problem(
                "deleted",
                number,
                None,
                f"all {block.row_count} sealed row(s) are gone, and so is the block's leaf list",
            )
        ]
    if not leaves or len(ids) != len(leaves) or chain.merkle_root(leaves) != block.merkle_root:
        return [
            Problem(
                "leaves_edited",
                number,
                None,
                "cannot name the rows: the stored leaf list was changed too",
            )
        ]
    sealed = {row_id: leaf for row_id, leaf in zip(ids, leaves, strict=True)}
    problems: list[Problem] = []
    edited: list[tuple[int, bytes]] = []
    seen: set[int] = set()
    for row_id, line in rows:
        if row_id in seen:
            problems.append(
                Problem("duplicate_id", number, row_id, "more than one row has this id")
            )
            continue
        seen.add(row_id)
        if row_id not in sealed:
            problems.append(
                Problem("inserted", number, row_id, "not among the rows sealed in this block")
            )
        elif row_leaf(line, redacted) != sealed[row_id]:
            edited.append((row_id, line))
    swapped: set[int] = set()
    for (a, line_a), (b, line_b) in combinations(edited[:MAX_SWAP_SEARCH], 2):
        if _leaf_as(line_a, b) == sealed[b] and _leaf_as(line_b, a) == sealed[a]:
            problems.append(
                Problem("swapped", number, a, f"rows {a} and {b} exchanged their contents")
            )
            swapped |= {a, b}
    problems += [
        Problem("edited", number, row_id, "content differs from what was sealed")
        for row_id, _ in edited
        if row_id not in swapped
    ]
    problems += [
        Problem("deleted", number, row_id, "sealed, now missing")
        for row_id in ids
        if row_id not in seen
    ]
    if not problems:
        problems.append(
            Problem("block_edited", number, None, "the rows are as sealed but the root differs")
        )
    return problems


def _leaf_as(line: bytes, row_id: int) -> bytes:
    """The leaf this row would have if its id were ``row_id`` (to recognise swapped contents)."""
    return row_leaf(str(row_id).encode() + line[line.find(b"\t") :])


def _unsealed(conn: psycopg.Connection[Any], schema: str, horizon: int) -> tuple[int, str | None]:
    row = conn.execute(
        sqlfiles.render("queries/unsealed.sql", schema=sql.Identifier(schema)), {"horizon": horizon}
    ).fetchone()
    assert row is not None
    return int(row[0]), (str(row[1]) if row[1] is not None else None)
