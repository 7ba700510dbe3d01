"""Verifying the audit trail outside the database's trust.

The database only sends data: block headers and rows, as COPY text under the canonical settings
(``chain.CANONICAL_SETTINGS``), all in one REPEATABLE READ snapshot. Everything else happens here:
every leaf hash, Merkle root, block hash and link is recomputed in Python (``chain``), rows are
streamed (memory does not grow with the log), and each failure is reported with its kind, block
and row. A block whose root matches needs nothing more; only a block that fails is read again,
with its stored leaves, to say which rows are edited, deleted, inserted or swapped.

Digests (signed checkpoints kept outside the database) catch what a chain alone cannot: a cut
tail, or a chain recomputed from scratch by someone with full rights.

Hashing every row costs a few microseconds of Python, so with ``jobs`` > 1 the chunks of the log
are verified by worker processes, each on its own connection but in the coordinator's exported
snapshot (``pg_export_snapshot``): one consistent view, all cores busy.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

import psycopg
from psycopg import sql

from . import chain, sqlfiles
from .chain import BlockHeader, MerkleBuilder
from .errors import InputError
from .identifiers import quote
from .results import NOT_JSON, Result, json_name

#: The kinds of problem verify reports, and what each means.
PROBLEM_KINDS = {
    "edited": "a sealed row's content differs from what was sealed",
    "deleted": "a sealed row is missing",
    "inserted": "a row appeared inside a sealed block's range",
    "swapped": "two sealed rows exchanged their contents",
    "duplicate_id": "two rows share an id",
    "hidden_insert": "an unsealed row has a transaction id below the sealed horizon",
    "block_edited": "a block header's fields no longer match its hash",
    "leaves_edited": "a block's stored leaf list no longer matches its Merkle root",
    "block_missing": "a block is missing from the chain",
    "block_reordered": "a block links to a block that is not its predecessor",
    "broken_link": "a block's previous-hash does not match the block before it",
    "range_gap": "blocks do not cover contiguous transaction-id ranges",
    "tail_cut": "a block a digest recorded no longer exists (the chain was cut)",
    "early_purge": "rows were purged before their retention period, or by no known policy",
    "chain_rewritten": "a block's hash differs from the one a digest recorded",
    "redaction_unrecorded": "a row is marked redacted but no REDACT event records that redaction",
}
#: Rows per COPY query: bounds the server-side sort of each chunk (and balances the workers).
CHUNK_ROWS = 200_000
#: Edited rows per block searched pairwise for swaps.
MAX_SWAP_SEARCH = 1000


@dataclass(frozen=True)
class Problem:
    kind: str
    block: int | None
    row_id: int | None
    detail: str


@dataclass(frozen=True)
class DigestCheck:
    """What a verified digest asserted (from digest.Digest), for verify to compare."""

    source: str
    block_no: int
    block_hash: bytes
    txid_horizon: int = 0


@dataclass(frozen=True)
class PurgeClaim:
    """A PURGE event: the blocks it dropped and the policy it claims."""

    event_id: int
    sealed: bool
    purged_at: str
    partition: str
    range_from: str = field(metadata=json_name("from"))
    range_to: str = field(metadata=json_name("to"))
    tables: tuple[str, ...]
    classes: tuple[str, ...]
    blocks: tuple[int, ...]


@dataclass(frozen=True)
class Redaction:
    """A row whose payload a legal erasure order replaced (``pgaudit-kit redact``)."""

    row_id: int
    redacted_at: str
    redacted_by: str
    reason: str
    payload_digest: str = field(metadata=NOT_JSON)
    redacted_digest: str = field(metadata=NOT_JSON)
    recorded: bool = field(metadata=NOT_JSON)


#: Redacted row id -> (hex payload digest its leaf commits to, hex digest of its redacted payload).
RedactedDigests = dict[int, tuple[bytes, bytes]]


#: How a retention policy is checked: (table -> class, class -> period as PostgreSQL prints it).
RetentionPolicy = tuple[dict[str, str], dict[str, str]]


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
        for name, value in chain.CANONICAL_SETTINGS.items():
            conn.execute(
                sql.SQL("set local {} = {}").format(sql.Identifier(name), sql.Literal(value))
            )
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
    result = VerifyResult(blocks_verified=len(headers))
    result.problems += check_chain(headers)
    if headers:
        result.sealed_horizon = max(h.txid_hi for h in headers)
    if on_start:
        on_start(sum(h.row_count for h in headers))
    result.purges = read_purges(conn, schema, result.sealed_horizon)
    claimed = frozenset(b for claim in result.purges for b in claim.blocks)
    result.redacted = read_redactions(conn, schema)
    result.problems += [
        Problem(
            "redaction_unrecorded",
            None,
            r.row_id,
            f"marked redacted on {r.redacted_at} ({r.reason!r}) but no REDACT event records it",
        )
        for r in result.redacted
        if not r.recorded
    ]
    redacted = redacted_digests(result.redacted)
    chunks = [(*chunk, claimed, redacted) for chunk in _chunks(headers)]
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
    failed: list[BlockHeader] = []
    try:
        for outcome in outcomes:
            result.rows_verified += outcome.rows
            failed += outcome.failed
            result.problems += outcome.problems
            if progress:
                progress(outcome.rows)
    finally:
        if pool is not None:
            pool.shutdown()
    for block in failed:
        result.problems += diagnose(conn, schema, block, redacted)
    result.purged_blocks = sorted(
        claimed & {h.block_no for h in headers} - {b.block_no for b in failed}
    )
    result.problems += check_purges(result.purges, headers, retention)
    count, oldest = _unsealed(conn, schema, result.sealed_horizon)
    result.unsealed_rows = count
    result.oldest_unsealed = oldest
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
    problems: list[Problem] = field(default_factory=list)


_worker_conn: psycopg.Connection[Any] | None = None


def _init_worker(dsn: str, snapshot: str) -> None:
    """Worker start: one connection, in the coordinator's snapshot, with the canonical settings."""
    global _worker_conn
    _worker_conn = psycopg.connect(dsn)
    _worker_conn.execute("set transaction isolation level repeatable read, read only")
    _worker_conn.execute(sql.SQL("set transaction snapshot {}").format(sql.Literal(snapshot)))
    for name, value in chain.CANONICAL_SETTINGS.items():
        _worker_conn.execute(
            sql.SQL("set local {} = {}").format(sql.Identifier(name), sql.Literal(value))
        )


def _run_chunk(
    task: tuple[str, int, int, list[_Range], frozenset[int], RedactedDigests],
) -> ChunkOutcome:
    assert _worker_conn is not None
    return verify_chunk(_worker_conn, *task)


def _copy_lines(conn: psycopg.Connection[Any], query: sql.Composed) -> Iterator[bytes]:
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
    query = sqlfiles.render("queries/verify_blocks.sql", schema=sql.Identifier(schema))
    headers = []
    for line in _copy_lines(conn, query):
        *fields, stored = line.decode().split("\t")
        headers.append(BlockHeader(tuple(fields), bytes.fromhex(stored)))
    return headers


def check_chain(headers: Sequence[BlockHeader]) -> list[Problem]:
    """Numbering, header hashes, links and transaction-id ranges of the block chain."""
    problems: list[Problem] = []
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
    return problems


@dataclass
class _Range:
    lo: int
    hi: int
    blocks: list[BlockHeader]


def _chunks(headers: Sequence[BlockHeader]) -> Iterator[tuple[int, int, list[_Range]]]:
    """Consecutive sealing ranges grouped into chunks of about CHUNK_ROWS rows."""
    ranges: list[_Range] = []
    for header in sorted(headers, key=lambda h: (h.txid_lo, h.txid_hi, h.bucket_start, h.block_no)):
        if ranges and (ranges[-1].lo, ranges[-1].hi) == (header.txid_lo, header.txid_hi):
            ranges[-1].blocks.append(header)
        else:
            ranges.append(_Range(header.txid_lo, header.txid_hi, [header]))
    chunk: list[_Range] = []
    rows = 0
    for item in ranges:
        if chunk and (rows >= CHUNK_ROWS or item.lo != chunk[-1].hi):
            yield chunk[0].lo, chunk[-1].hi, chunk
            chunk, rows = [], 0
        chunk.append(item)
        rows += sum(b.row_count for b in item.blocks)
    if chunk:
        yield chunk[0].lo, chunk[-1].hi, chunk


def split_row(line: bytes) -> tuple[bytes, bytes]:
    """A COPY line of ``verify_rows.sql`` -> (header line, payload line)."""
    cut = line.rfind(b"\t", 0, line.rfind(b"\t", 0, line.rfind(b"\t")))
    return line[:cut], line[cut + 1 :]


def row_leaf(line: bytes, redacted: RedactedDigests | None = None) -> bytes:
    """The leaf of a row's COPY line; for a redacted row, over the payload digest the redaction
    recorded, provided the row holds exactly its redacted payload."""
    header, payload = split_row(line)
    digest = hashlib.sha256(payload).hexdigest().encode()
    if redacted:
        digest = _unredacted(int(line[: line.find(b"\t")]), digest, redacted)
    return chain.leaf_hash(header, bytes.fromhex(digest.decode()))


def _unredacted(row_id: int, digest: bytes, redacted: RedactedDigests) -> bytes:
    """The payload digest a row's leaf commits to: its redaction's, when the row is redacted and
    holds exactly the redacted payload; else its own (so any other change still fails)."""
    known = redacted.get(row_id)
    return known[0] if known is not None and digest == known[1] else digest


def read_redactions(conn: psycopg.Connection[Any], schema: str) -> list[Redaction]:
    """Every redaction (the table is small: one row per erasure order carried out); none
    before toolkit revision 0005, which added the table."""
    table = sql.Literal(f"{quote(schema)}.redactions")
    exists = conn.execute(sqlfiles.render("queries/relation_exists.sql", relation=table)).fetchone()
    if not exists or not exists[0]:
        return []
    query = sqlfiles.render("queries/redactions.sql", schema=sql.Identifier(schema))
    return [
        Redaction(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), bool(r[6]))
        for r in conn.execute(query).fetchall()
    ]


def redacted_digests(redactions: Sequence[Redaction]) -> RedactedDigests:
    return {
        r.row_id: (r.payload_digest.encode(), r.redacted_digest.encode())
        for r in redactions
        if r.recorded
    }


def verify_chunk(
    conn: psycopg.Connection[Any],
    schema: str,
    start: int,
    stop: int,
    ranges: list[_Range],
    purged: frozenset[int] = frozenset(),
    redacted: RedactedDigests | None = None,
) -> ChunkOutcome:
    """Recompute the roots of the blocks of one chunk from its streamed rows.

    A block a PURGE event names, whose rows are all gone, is purged, not failed.

    Rows come in (txid, id) order; each goes to the block of its sealing range whose bucket holds
    its tx_time, compared as canonical text (ISO, UTC). A row that fits no block is a hidden insert.
    """
    query = sqlfiles.render(
        "queries/verify_rows.sql",
        schema=sql.Identifier(schema),
        lo=sql.Literal(start),
        hi=sql.Literal(stop),
    )
    sha256 = hashlib.sha256
    leaf_prefix = chain.LEAF_PREFIX
    outcome = ChunkOutcome()
    range_iter = iter(ranges)
    current = next(range_iter)
    builders: dict[int, MerkleBuilder] = {}
    bounds: list[tuple[bytes, bytes, BlockHeader]] = []

    def open_range(item: _Range) -> list[tuple[bytes, bytes, BlockHeader]]:
        builders.update((b.block_no, MerkleBuilder()) for b in item.blocks)
        return [(b.bucket_start.encode(), b.bucket_end.encode(), b) for b in item.blocks]

    def close(item: _Range) -> None:
        for block in item.blocks:
            builder = builders.pop(block.block_no)
            if builder.count == 0 and block.block_no in purged:
                continue
            if (
                builder.count != block.row_count
                or builder.count == 0
                or builder.root() != block.merkle_root
            ):
                outcome.failed.append(block)

    bounds = open_range(current)
    for line in _copy_lines(conn, query):
        first = line.find(b"\t")
        second = line.find(b"\t", first + 1)
        txid = int(line[first + 1 : second])
        while txid >= current.hi:
            close(current)
            current = next(range_iter)
            bounds = open_range(current)
        tx_time = line[second + 1 : line.find(b"\t", second + 1)]
        block = next((b for start_, end_, b in bounds if start_ <= tx_time < end_), None)
        cut = line.rfind(b"\t", 0, line.rfind(b"\t", 0, line.rfind(b"\t")))
        if block is None:
            outcome.problems.append(
                Problem(
                    "hidden_insert",
                    None,
                    int(line[:first]),
                    f"transaction {txid} is below the sealed horizon but the row is in no block",
                )
            )
        else:
            payload_digest = sha256(line[cut + 1 :]).hexdigest().encode()
            if redacted:
                payload_digest = _unredacted(int(line[:first]), payload_digest, redacted)
            builders[block.block_no].push(
                sha256(leaf_prefix + line[:cut] + b"\t" + payload_digest).digest()
            )
        outcome.rows += 1
    close(current)
    for rest in range_iter:
        open_range(rest)
        close(rest)
    return outcome


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
    return [(int(line[: line.find(b"\t")]), line) for line in _copy_lines(conn, query)]


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
    for row_id, line in _block_rows(conn, schema, block):
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


def read_purges(conn: psycopg.Connection[Any], schema: str, horizon: int) -> list[PurgeClaim]:
    """The PURGE events of the log (their own integrity is checked with the other rows)."""
    claims = []
    query = sqlfiles.render("queries/purge_claims.sql", schema=sql.Identifier(schema))
    for event_id, txid, tx_time, text in conn.execute(query).fetchall():
        try:
            details = json.loads(text)
            claims.append(
                PurgeClaim(
                    event_id=int(event_id),
                    sealed=int(txid) < horizon,
                    purged_at=str(tx_time),
                    partition=str(details["partition"]),
                    range_from=str(details["from"]),
                    range_to=str(details["to"]),
                    tables=tuple(str(t) for t in details.get("tables") or ()),
                    classes=tuple(str(c) for c in details.get("classes") or ()),
                    blocks=tuple(int(b) for b in details.get("blocks") or ()),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue  # not a purge claim pgaudit-kit wrote: it excuses nothing
    return claims


def check_purges(
    claims: Sequence[PurgeClaim], headers: Sequence[BlockHeader], policy: RetentionPolicy | None
) -> list[Problem]:
    """Each purge must match its blocks and respect the auditor's retention policy.

    The policy comes from the auditor's config, not the database: a purge the policy did not
    allow (too early, or of rows a class keeps for ever) is reported, however it was recorded.
    """
    problems: list[Problem] = []
    by_number = {h.block_no: h for h in headers}
    for claim in claims:
        for number in claim.blocks:
            header = by_number.get(number)
            if header is not None and not (
                claim.range_from <= _iso(header.bucket_start)
                and _iso(header.bucket_end) <= claim.range_to
            ):
                problems.append(
                    Problem(
                        "early_purge",
                        number,
                        claim.event_id,
                        f"purge event {claim.event_id} names block {number}, which lies outside "
                        f"{claim.partition}",
                    )
                )
        if policy is None:
            continue
        table_class, periods = policy
        classes = {table_class.get(t, "default") if t else "default" for t in claim.tables} or {
            "default"
        }
        kept = [c for c in classes if c not in periods]
        if kept:
            problems.append(
                Problem(
                    "early_purge",
                    None,
                    claim.event_id,
                    f"{claim.partition} was purged but class {', '.join(sorted(kept))} "
                    "keeps rows for ever",
                )
            )
            continue
        keep_until = max(_add_interval(claim.range_to, periods[c]) for c in classes)
        purged_at = datetime.fromisoformat(claim.purged_at.replace(" ", "T"))
        if purged_at < keep_until:
            problems.append(
                Problem(
                    "early_purge",
                    None,
                    claim.event_id,
                    f"{claim.partition} was purged on {purged_at:%Y-%m-%d}; its retention ("
                    + ", ".join(f"{c} {periods[c]}" for c in sorted(classes))
                    + f") ran until {keep_until:%Y-%m-%d}",
                )
            )
    return problems


def _iso(canonical: str) -> str:
    """A canonical timestamp ('2026-01-01 00:00:00+00') in json_build_object's ISO form."""
    moment = datetime.fromisoformat(canonical.replace(" ", "T"))
    return moment.isoformat()


def _add_interval(moment_text: str, period: str) -> datetime:
    """``moment + period`` for periods as PostgreSQL prints them ('1 year 6 mons', '90 days')."""
    moment = datetime.fromisoformat(moment_text)
    words = period.split()
    months = days = 0
    for amount, unit in zip(words[::2], words[1::2], strict=True):
        if unit.startswith("year"):
            months += 12 * int(amount)
        elif unit.startswith("mon"):
            months += int(amount)
        else:
            days += int(amount)
    year, month = divmod(moment.month - 1 + months, 12)
    last_day = calendar.monthrange(moment.year + year, month + 1)[1]
    moved = moment.replace(year=moment.year + year, month=month + 1, day=min(moment.day, last_day))
    return moved + timedelta(days=days)


def _unsealed(conn: psycopg.Connection[Any], schema: str, horizon: int) -> tuple[int, str | None]:
    row = conn.execute(
        sqlfiles.render("queries/unsealed.sql", schema=sql.Identifier(schema)), {"horizon": horizon}
    ).fetchone()
    assert row is not None
    return int(row[0]), (str(row[1]) if row[1] is not None else None)
