"""Archive retention: ``archive prune`` removes segments past their retention, with a signed record.

A segment goes only when every one of its blocks is past its retention: the block's end plus the
longest period among the classes of the tables its rows belong to (their ``keep``, the archive
period of a tiered class; a class with no period keeps rows for ever), and past ``--older-than``
when that is given too; and when no active legal hold overlaps any of its blocks. Classes come
from the auditor's config, holds from the database, the blocks' times and tables from the
segment itself, read and checked against its signed manifest first: a database whose superuser
rewrote its block headers cannot make prune remove an archive early.

Before it removes anything, prune writes the signed prune record naming each segment, the
SHA-256 its manifest signed and its blocks; the manifests stay. So ``verify --archive`` still
checks the whole chain across the gap, tells a pruned segment from a deleted one, and lists what
was pruned and when beside what the database purged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from . import archive, digest
from .archive import ArchiveVerifyResult, Manifest, PrunedSegment, PruneRecord
from .config import Config
from .errors import InputError
from .results import Result
from .retention import retention_policy
from .status import read_holds
from .trail import Hold, RetentionPolicy, add_period, parse_time


@dataclass(frozen=True)
class KeptSegment:
    """A segment prune left, and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class PruneResult(Result):
    """What ``archive prune`` removed (or, for a dry run, would remove), and what it kept."""

    out_dir: Path
    dry_run: bool
    record: Path | None = None
    removed: tuple[PrunedSegment, ...] = ()
    kept: tuple[KeptSegment, ...] = field(default_factory=tuple)


def prune_archive(
    conn: psycopg.Connection[Any],
    config: Config,
    signing_key: Path,
    out_dir: Path,
    *,
    older_than: str | None,
    dry_run: bool,
    now: datetime | None = None,
) -> PruneResult:
    """Remove the segments of ``out_dir`` past their retention, after a signed record of them.

    :param older_than: a period as PostgreSQL prints it; None: each class's own keep decides.
    :raises InputError: when the folder does not verify, or holds another chain.
    """
    now = now or datetime.now(UTC)
    private_key = digest.load_private_key(signing_key)
    public_key = private_key.public_key()
    folder = archive.verify_folder(out_dir, public_key, manifests_only=True)
    if folder.problems:
        first = folder.problems[0]
        raise InputError(
            f"the archive folder does not verify ({first.kind}: {first.detail})",
            where=str(out_dir),
            hint="run pgaudit-kit verify --archive on it; prune removes nothing from a folder "
            "that does not verify",
        )
    last = folder.last_manifest
    assert last is not None  # verify_folder refuses a folder without manifests
    head = digest.chain_head(conn, config.schema)
    if last.chain_id != head.chain_id:
        raise InputError(
            f"the folder archives chain {last.chain_id}, this schema holds chain {head.chain_id}",
            where=str(out_dir),
            hint="prune each folder with the database whose chain it holds",
        )
    holds = [h for h in read_holds(conn, sql.Identifier(config.schema)) if h.released_at is None]
    table_class, periods = retention_policy(config)
    periods |= config.archive_retention  # a tiered class is kept in archives for its keep
    already = {s.name for r in folder.prune_records for s in r.segments}
    removed: list[PrunedSegment] = []
    kept: list[KeptSegment] = []
    for manifest in folder.signed_manifests:
        for item in manifest.files:
            path = out_dir / item.name
            if item.name in already or not path.exists():
                continue
            reason = _why_kept(path, item, manifest, (table_class, periods), holds, older_than, now)
            if reason is None:
                removed.append(_pruned(manifest, item))
            else:
                kept.append(KeptSegment(item.name, reason))
    if dry_run or not removed:
        return PruneResult(out_dir, dry_run, None, tuple(removed), tuple(kept))
    number = max((r.number for r in folder.prune_records), default=0) + 1
    record = PruneRecord(
        out_dir / f"prune-{last.chain_id.replace('-', '')[:8]}-{number:06d}.json",
        last.origin,
        number,
        older_than or "class keep",
        tuple(removed),
        now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    body = archive.prune_body(
        record.origin, record.number, record.older_than, record.segments, record.time
    )
    note = digest.sign_note(body, private_key)
    # the record first: a crash after it leaves a listed segment that is still there (checked
    # as usual), never a segment gone with no signed word for it
    archive.write_signed(record.path, archive.prune_document(record, note))
    for segment in removed:
        (out_dir / segment.name).unlink(missing_ok=True)
    return PruneResult(out_dir, dry_run, record.path, tuple(removed), tuple(kept))


def _pruned(manifest: Manifest, item: archive.ArchiveFile) -> PrunedSegment:
    return PrunedSegment(
        manifest.sequence,
        item.name,
        item.sha256,
        item.size,
        manifest.first_block,
        manifest.last_block,
        manifest.note_sha256,
    )


def _why_kept(
    path: Path,
    item: archive.ArchiveFile,
    manifest: Manifest,
    policy: RetentionPolicy,
    holds: list[Hold],
    older_than: str | None,
    now: datetime,
) -> str | None:
    """None when the segment may go; else why it stays."""
    checked = ArchiveVerifyResult(path.parent)
    blocks = archive.read_segment(path, item, checked)
    if checked.problems:
        return f"it does not verify ({checked.problems[0].kind}): run pgaudit-kit verify --archive"
    table_class, periods = policy
    for block_no in range(manifest.first_block, manifest.last_block + 1):
        block = blocks.get(block_no)
        start = parse_time(block.bucket_start) if block else None
        end = parse_time(block.bucket_end) if block else None
        if block is None or start is None or end is None:
            return f"block {block_no} cannot be dated"
        tables = block.table_names
        classes = (
            {table_class.get(t, "default") if t else "default" for t in tables}
            if tables is not None
            else {*table_class.values(), "default"}  # a format-1 block: any class
        )
        unbounded = sorted(c for c in classes if c not in periods)
        if unbounded:
            return f"class {unbounded[0]} has no retention period: kept for ever"
        for period in [periods[c] for c in classes] + ([older_than] if older_than else []):
            until = add_period(end, period)
            if until > now:
                return f"block {block_no} is kept until {until:%Y-%m-%d} ({period})"
        for hold in holds:
            if (
                (hold.table_name is None or tables is None or hold.table_name in tables)
                and (hold.from_time is None or hold.from_time < end)
                and (hold.to_time is None or hold.to_time > start)
            ):
                return f"legal hold {hold.hold_id} covers block {block_no}"
    return None
