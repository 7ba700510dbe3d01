"""Archives: the sealed trail as files for WORM storage or a SIEM, verifiable with no database.

``archive --out DIR`` writes every sealed block not archived yet into one *segment* (JSON Lines)
and a signed *manifest*; ``verify --archive DIR`` checks a folder of them offline.

Segment ``segment-<chain>-<sequence>.jsonl``, one JSON object per line:

* ``{"block": {...}}``: a block header, every field as the canonical text verify hashes
  (``chain.BLOCK_COLUMNS``) and its ``block_hash`` in hex (a block whose rows were purged before
  it was archived has its header only: it still links the chain);
* ``{"row": {...}}``: one audit row of that block (``block_no``), every column as stored, in the
  canonical text the chain hashes (``chain.HEADER_COLUMNS`` then ``chain.PAYLOAD_COLUMNS``; the
  images are JSON text, PII only as HMAC tokens or masks), and for a redacted row
  ``sealed_payload_sha256``: the payload digest its leaf committed to before the erasure.

Rows come in chain order, (txid, id), after the headers of their sealing range. Values stay text
so that a verifier rebuilds the exact bytes the chain hashed; a SIEM parses the images as JSON.

Manifest ``manifest-<chain>-<sequence>.json``: a C2SP signed note (as digests are) naming the
chain, the sequence number, the blocks the segment holds, the head block's hash, the rows, the
SHA-256 of the previous manifest's note (manifests chain like blocks), and each file with its
SHA-256 and size; beside it the same facts spelled out as JSON for people.

Prune record ``prune-<chain>-<number>.json`` (``archive prune``): a signed note naming each
segment removed past its retention, with the SHA-256 its manifest signed and its blocks; the
manifests stay, so the chain still links across what was pruned.

What verify --archive proves, with the public key alone: every manifest is signed and none is
missing (sequence and hash links), every file is there, unaltered and listed, every header
hashes to itself and links to the one before from block 1, and every block's rows give its
Merkle root; a segment that is gone is excused only by a signed prune record. An archive is
written only from blocks that verify, so it never signs a tampered trail, and once shipped to
object-lock storage nobody, the database's superuser included, can rewrite it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from psycopg import sql

from . import chain, digest, jsonfile, sqlfiles, verify
from .chain import BlockHeader, MerkleBuilder
from .errors import InputError
from .identifiers import quote
from .problems import Problem
from .results import Result
from .trail import Event

FORMAT = "pgaudit-kit archive v1"
ORIGIN_PREFIX = "pgaudit-kit-archive/"
#: Columns of a row line, in the order the chain hashes them.
ROW_COLUMNS = (*chain.HEADER_COLUMNS, *chain.PAYLOAD_COLUMNS)
#: A manifest names a few files; anything much larger is not one.
MAX_MANIFEST_BYTES = 1024 * 1024
_MANIFEST = re.compile(r"manifest-([0-9a-f]{8})-(\d{6,})\.json")
_SEGMENT = re.compile(r"segment-([0-9a-f]{8})-(\d{6,})\.jsonl")
_PRUNE = re.compile(r"prune-([0-9a-f]{8})-(\d{6,})\.json")
PRUNE_FORMAT = "pgaudit-kit archive prune v1"
_HINT = "pass a folder pgaudit-kit archive wrote"
_READ_SIZE = 1 << 20


@dataclass(frozen=True)
class ArchiveFile:
    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """A manifest whose signature has been checked."""

    path: Path
    origin: str
    sequence: int
    first_block: int
    last_block: int
    head_hash: bytes
    rows: int
    previous: str
    files: tuple[ArchiveFile, ...]
    time: str
    #: SHA-256 of its signed note, which the next manifest names as ``previous``.
    note_sha256: str

    @property
    def chain_id(self) -> str:
        return self.origin.removeprefix(ORIGIN_PREFIX).split("/", 1)[0]

    def check(self) -> verify.DigestCheck:
        """The head it signed, for ``verify.check_digests`` to hold the database to."""
        return verify.DigestCheck(self.path.name, self.last_block, self.head_hash)


def manifest_body(
    origin: str,
    sequence: int,
    blocks: tuple[int, int],
    head_hash: bytes,
    rows: int,
    previous: str,
    files: Sequence[ArchiveFile],
    time: str,
) -> str:
    lines = [
        origin,
        f"sequence {sequence}",
        f"blocks {blocks[0]} {blocks[1]}",
        f"head {blocks[1]} {base64.b64encode(head_hash).decode()}",
        f"rows {rows}",
        f"previous {previous}",
        *(f"file {f.name} {f.sha256} {f.size}" for f in files),
        f"time {time}",
    ]
    return "\n".join(lines) + "\n"


class ManifestError(ValueError):
    """A manifest that is not signed by the key, or not one at all."""


def _open_signed(
    path: Path, public_key: Ed25519PublicKey, format_name: str, what: str
) -> tuple[dict[str, Any], str]:
    """A signed file of the folder (manifest or prune record) and its note's body, verified."""
    try:
        document = jsonfile.read(path, what=what, hint=_HINT, max_bytes=MAX_MANIFEST_BYTES)
    except InputError as e:
        raise ManifestError(e.message) from e
    if not isinstance(document, dict) or document.get("format") != format_name:
        raise ManifestError(f"not a pgaudit-kit archive {what}")
    note = document.get("note")
    if not isinstance(note, str):
        raise ManifestError("no signed note")
    try:
        body = digest.open_note(note, public_key)
    except digest.NoteError as e:
        raise ManifestError(f"{e}: the {what} was altered or signed by another key") from e
    return document, body


def read_manifest(path: Path, public_key: Ed25519PublicKey) -> Manifest:
    """A manifest file, its signature checked and its readable fields held to the signed note.

    :raises ManifestError: when it is not a manifest, or is not signed by this key.
    """
    document, body = _open_signed(path, public_key, FORMAT, "manifest")
    lines = body.splitlines()
    try:
        origin, sequence, blocks, head, rows, previous, *files, time = lines
        words = {
            "sequence": sequence.split(" "),
            "blocks": blocks.split(" "),
            "head": head.split(" "),
            "rows": rows.split(" "),
            "previous": previous.split(" "),
            "time": time.split(" "),
        }
        if any(w[0] != key for key, w in words.items()) or not origin.startswith(ORIGIN_PREFIX):
            raise ValueError("unknown line")
        listed = []
        for line in files:
            kind, name, sha, size = line.split(" ")
            if kind != "file" or not _SEGMENT.fullmatch(name):
                raise ValueError("bad file line")
            listed.append(ArchiveFile(name, sha, jsonfile.decimal(size)))
        manifest = Manifest(
            path=path,
            origin=origin,
            sequence=jsonfile.decimal(words["sequence"][1]),
            first_block=jsonfile.decimal(words["blocks"][1]),
            last_block=jsonfile.decimal(words["blocks"][2]),
            head_hash=base64.b64decode(words["head"][2], validate=True),
            rows=jsonfile.decimal(words["rows"][1]),
            previous=words["previous"][1],
            files=tuple(listed),
            time=words["time"][1],
            note_sha256=hashlib.sha256(body.encode()).hexdigest(),
        )
    except (ValueError, IndexError) as e:
        raise ManifestError("the signed note is malformed") from e
    if document.get("sequence") != manifest.sequence or document.get("origin") != origin:
        raise ManifestError("its readable fields disagree with its signed note")
    return manifest


@dataclass(frozen=True)
class PrunedSegment:
    """A segment a prune record says was removed: its manifest, file and blocks."""

    sequence: int
    name: str
    sha256: str
    size: int
    first_block: int
    last_block: int
    #: The signed note of the manifest that listed it (``Manifest.note_sha256``): a record
    #: excuses only the segment of that very manifest.
    manifest_sha256: str


@dataclass(frozen=True)
class PruneRecord:
    """A prune record whose signature has been checked."""

    path: Path
    origin: str
    number: int
    #: The period it pruned by ("1 year"), or "class keep" when each class's own keep decided.
    older_than: str
    segments: tuple[PrunedSegment, ...]
    time: str


def prune_body(
    origin: str, number: int, older_than: str, segments: Sequence[PrunedSegment], time: str
) -> str:
    lines = [
        origin,
        f"prune {number}",
        f"older-than {older_than}",
        *(
            f"removed {s.sequence} {s.name} {s.sha256} {s.size} {s.first_block} {s.last_block} "
            f"{s.manifest_sha256}"
            for s in segments
        ),
        f"time {time}",
    ]
    return "\n".join(lines) + "\n"


def prune_document(record: PruneRecord, note: str) -> dict[str, Any]:
    return {
        "format": PRUNE_FORMAT,
        "origin": record.origin,
        "prune": record.number,
        "older_than": record.older_than,
        "removed": [
            {
                "manifest": s.sequence,
                "name": s.name,
                "sha256": s.sha256,
                "size": s.size,
                "blocks": [s.first_block, s.last_block],
                "manifest_sha256": s.manifest_sha256,
            }
            for s in record.segments
        ],
        "time": record.time,
        "note": note,
    }


def read_prune_record(path: Path, public_key: Ed25519PublicKey) -> PruneRecord:
    """A prune record, its signature checked.

    :raises ManifestError: when it is not one, or is not signed by this key.
    """
    document, body = _open_signed(path, public_key, PRUNE_FORMAT, "prune record")
    lines = body.splitlines()
    try:
        origin, number, older_than, *removed, time = lines
        if not (
            origin.startswith(ORIGIN_PREFIX)
            and number.startswith("prune ")
            and older_than.startswith("older-than ")
            and time.startswith("time ")
        ):
            raise ValueError("unknown line")
        segments = []
        for line in removed:
            kind, sequence, name, sha, size, first, last, manifest_sha = line.split(" ")
            if kind != "removed" or not _SEGMENT.fullmatch(name):
                raise ValueError("bad removed line")
            segments.append(
                PrunedSegment(
                    jsonfile.decimal(sequence),
                    name,
                    sha,
                    jsonfile.decimal(size),
                    jsonfile.decimal(first),
                    jsonfile.decimal(last),
                    manifest_sha,
                )
            )
        record = PruneRecord(
            path,
            origin,
            jsonfile.decimal(number.removeprefix("prune ")),
            older_than.removeprefix("older-than "),
            tuple(segments),
            time.removeprefix("time "),
        )
    except (ValueError, IndexError) as e:
        raise ManifestError("the signed note is malformed") from e
    if document.get("prune") != record.number or document.get("origin") != origin:
        raise ManifestError("its readable fields disagree with its signed note")
    return record


def _manifest_document(manifest: Manifest, note: str) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "origin": manifest.origin,
        "sequence": manifest.sequence,
        "blocks": [manifest.first_block, manifest.last_block],
        "head_hash": manifest.head_hash.hex(),
        "rows": manifest.rows,
        "previous": manifest.previous,
        "files": [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in manifest.files],
        "time": manifest.time,
        "note": note,
    }


# --- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveResult(Result):
    """What ``archive`` wrote (nothing, and ``problems``, when the trail does not verify)."""

    out_dir: Path
    manifest: Path | None = None
    segment: Path | None = None
    blocks: tuple[int, int] | None = None
    rows: int = 0
    #: Blocks archived as headers only: their rows were gone (purged) before they were archived.
    headers_only: tuple[int, ...] = ()
    problems: tuple[Problem, ...] = ()
    #: The database's record of this archive (archive_record), once read back and recorded.
    archive_id: int | None = None
    written: Manifest | None = field(default=None, metadata={"json": False})

    _json_properties = ("ok",)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Refused(Exception):
    def __init__(self, problem: Problem) -> None:
        self.problem = problem


def write_archive(
    conn: psycopg.Connection[Any], schema: str, signing_key: Path, out_dir: Path
) -> ArchiveResult:
    """Archive every sealed block the folder does not hold yet: one segment and its manifest.

    :param conn: a connection inside :func:`verify.snapshot` (one consistent view).
    :raises InputError: when the folder holds archives that do not verify, or another chain's.
    """
    private_key = digest.load_private_key(signing_key)
    existing = verify_folder(
        out_dir, private_key.public_key(), missing_ok=True, manifests_only=True
    )
    if existing.problems:
        first = existing.problems[0]
        raise InputError(
            f"the archive folder does not verify ({first.kind}: {first.detail})",
            where=str(out_dir),
            hint="run pgaudit-kit verify --archive on it, and archive into a new folder",
        )
    head = digest.chain_head(conn, schema)
    origin = f"{ORIGIN_PREFIX}{head.chain_id}/{head.database}/{schema}"
    last = existing.last_manifest
    if last is not None and last.chain_id != head.chain_id:
        raise InputError(
            f"the folder archives chain {last.chain_id}, this schema holds chain {head.chain_id}",
            where=str(out_dir),
            hint="archive each chain into a folder of its own",
        )
    headers = verify.read_headers(conn, schema)
    if last is not None:
        # the last manifest is a signed checkpoint of the head, like a digest
        rewritten = verify.check_digests(headers, [last.check()])
        if rewritten:
            return ArchiveResult(out_dir, problems=tuple(rewritten))
    start = last.last_block + 1 if last else 1
    todo = [h for h in headers if h.block_no >= start]
    if not todo:
        return ArchiveResult(out_dir)
    # the blocks to write must hash to themselves and link, block start to the archived head
    # (which the database still holds with the hash the last manifest signed)
    problems = [
        p
        for p in verify.check_chain(headers, now=datetime.now(UTC))
        if p.block is None or p.block >= start
    ]
    if problems:
        return ArchiveResult(out_dir, problems=tuple(problems))
    sequence = last.sequence + 1 if last else 1
    chain8 = head.chain_id.replace("-", "")[:8]
    segment = out_dir / f"segment-{chain8}-{sequence:06d}.jsonl"
    _, _, redactions = verify.read_side_tables(conn, schema)
    redacted = {str(r.row_id).encode(): r.payload_digest for r in redactions}
    out_dir.mkdir(parents=True, exist_ok=True)
    temporary = segment.with_name(f".{segment.name}.part")
    try:
        with temporary.open("wb") as handle:
            rows, headers_only = _write_segment(conn, schema, todo, redacted, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except _Refused as refused:
        temporary.unlink(missing_ok=True)
        return ArchiveResult(out_dir, problems=(refused.problem,))
    except OSError as e:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write the archive: {e.strerror}", where=str(out_dir)) from e
    temporary.replace(segment)
    sha, size = _file_digest(segment)
    time = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    blocks = (todo[0].block_no, todo[-1].block_no)
    files = (ArchiveFile(segment.name, sha, size),)
    previous = last.note_sha256 if last else "-"
    body = manifest_body(
        origin, sequence, blocks, todo[-1].stored_hash, rows, previous, files, time
    )
    note = digest.sign_note(body, private_key)
    manifest = Manifest(
        out_dir / f"manifest-{chain8}-{sequence:06d}.json", origin, sequence, *blocks,
        todo[-1].stored_hash, rows, previous, files, time,
        hashlib.sha256(body.encode()).hexdigest(),
    )  # fmt: skip
    write_signed(manifest.path, _manifest_document(manifest, note))
    return ArchiveResult(
        out_dir, manifest.path, segment, blocks, rows, tuple(headers_only),
        problems=tuple(_check_written(manifest, last, private_key.public_key())),
        written=manifest,
    )  # fmt: skip


def _check_written(
    manifest: Manifest, previous: Manifest | None, public_key: Ed25519PublicKey
) -> list[Problem]:
    """Read back from disk what was just written, as verify --archive will (its signature, the
    segment's bytes, headers, links and Merkle roots): only an archive that verifies is
    recorded, and so only such an archive lets purge drop a tiered class's rows."""
    result = ArchiveVerifyResult(manifest.path.parent)
    try:
        read_manifest(manifest.path, public_key)
    except ManifestError as e:
        return [Problem("manifest_forged", None, None, f"{manifest.path.name}: {e}")]
    state = _ChainState()
    for item in manifest.files:
        _check_file(manifest.path.parent / item.name, item, state, result)
    start = previous.head_hash if previous else chain.GENESIS_HASH
    _check_links(state, manifest.first_block, manifest.last_block, start, result)
    _check_head(manifest, state, result)
    return result.problems


def may_record(conn: psycopg.Connection[Any], schema: str) -> bool:
    """Whether the connected role may record archives (admin roles may; see privileges), in a
    toolkit schema that records them (revision 0008 on)."""
    # to_regprocedure: before revision 0008 there is no such function, and nothing to record
    row = conn.execute(
        "select coalesce(has_function_privilege(to_regprocedure(%s), 'execute'), false)",
        [f"{quote(schema)}.archive_record(text, integer, bigint, bigint, bytea, bigint, text)"],
    ).fetchone()
    return bool(row and row[0])


def record_archive(conn: psycopg.Connection[Any], schema: str, manifest: Manifest) -> int:
    """Record in the database an archive that was written and read back (``archive_record``,
    which holds its head to the chain): what purge needs before it drops a tiered class's rows."""
    row = conn.execute(
        sql.SQL("select {}.archive_record(%s, %s, %s, %s, %s, %s, %s)").format(
            sql.Identifier(schema)
        ),
        [
            manifest.origin, manifest.sequence, manifest.first_block, manifest.last_block,
            manifest.head_hash, manifest.rows, manifest.note_sha256,
        ],
    ).fetchone()  # fmt: skip
    assert row is not None
    return int(row[0])


def _write_segment(
    conn: psycopg.Connection[Any],
    schema: str,
    blocks: Sequence[BlockHeader],
    redacted: dict[bytes, str],
    handle: IO[bytes],
) -> tuple[int, list[int]]:
    """Write the blocks and their rows; each block's rows must give its Merkle root."""
    rows = 0
    headers_only: list[int] = []
    for item in verify.sealing_ranges(blocks):
        lo, hi, group = item.lo, item.hi, item.blocks
        builders = {b.block_no: MerkleBuilder() for b in group}
        bounds = [(b.bucket_start, b.bucket_end, b) for b in group]
        for block in group:
            handle.write(_dumps({"block": _header_document(block)}))
        query = sqlfiles.render(
            "queries/verify_rows.sql",
            schema=sql.Identifier(schema),
            lo=sql.Literal(lo),
            hi=sql.Literal(hi),
        )
        for line in verify.copy_lines(conn, query):
            values = chain.copy_fields(line)
            row_id, tx_time = values[0], values[2] or ""
            owner = next((b for start, end, b in bounds if start <= tx_time < end), None)
            if owner is None:
                raise _Refused(
                    Problem(
                        "hidden_insert",
                        None,
                        int(row_id or 0),
                        "the row is in no block: verify the trail before archiving it",
                    )
                )
            document: dict[str, Any] = {"block_no": owner.block_no}
            document.update(zip(ROW_COLUMNS, values, strict=True))
            header, payload = verify.split_row(line)
            payload_digest = hashlib.sha256(payload).hexdigest()
            sealed = redacted.get(line[: line.find(b"\t")])
            if sealed is not None and verify.is_redacted(payload):
                document["sealed_payload_sha256"] = payload_digest = sealed
            builders[owner.block_no].push(chain.leaf_hash(header, bytes.fromhex(payload_digest)))
            handle.write(_dumps({"row": document}))
            rows += 1
        for block in group:
            builder = builders[block.block_no]
            if builder.count == 0:
                headers_only.append(block.block_no)
            elif builder.count != block.row_count or builder.root() != block.merkle_root:
                raise _Refused(
                    Problem(
                        "block_edited",
                        block.block_no,
                        None,
                        "its rows no longer give its Merkle root: run pgaudit-kit verify; "
                        "nothing was archived",
                    )
                )
    return rows, headers_only


def _header_document(block: BlockHeader) -> dict[str, Any]:
    document: dict[str, Any] = dict(zip(chain.BLOCK_COLUMNS, block.fields, strict=False))
    document["block_hash"] = block.stored_hash.hex()
    return document


def _dumps(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _file_digest(path: Path) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_READ_SIZE):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def write_signed(path: Path, document: dict[str, Any]) -> None:
    """Write a manifest or prune record (its JSON document) atomically."""
    _write_atomically(path, json.dumps(document, indent=2))


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        temporary.replace(path)
    except OSError as e:
        temporary.unlink(missing_ok=True)
        raise InputError(f"cannot write {path.name}: {e.strerror}", where=str(path.parent)) from e


# --- verifying, offline -----------------------------------------------------------------------


@dataclass
class ArchiveVerifyResult(Result):
    """What ``verify --archive`` found in a folder (``ok`` when no problem)."""

    archive: Path
    manifests: int = 0
    files: int = 0
    blocks: int = 0
    rows: int = 0
    #: The chain head the last manifest signs.
    head_block: int | None = None
    head_hash: str | None = None
    headers_only: list[int] = field(default_factory=list)
    #: PURGE events the archived rows hold: what was purged from the database, and when.
    purges: list[dict[str, Any]] = field(default_factory=list)
    #: Prune records: what was removed from the archive past its retention, and when.
    prunes: list[dict[str, Any]] = field(default_factory=list)
    #: Blocks whose segment a prune record excuses (their manifests still sign their head).
    pruned_blocks: int = 0
    problems: list[Problem] = field(default_factory=list)
    prune_records: list[PruneRecord] = field(default_factory=list, metadata={"json": False})
    #: Every manifest whose signature verified, in sequence order.
    signed_manifests: list[Manifest] = field(default_factory=list, metadata={"json": False})
    last_manifest: Manifest | None = field(default=None, metadata={"json": False})

    _json_properties = ("ok",)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_folder(
    directory: Path,
    public_key: Ed25519PublicKey,
    *,
    missing_ok: bool = False,
    manifests_only: bool = False,
) -> ArchiveVerifyResult:
    """Check a folder of archives offline: manifests, files, headers, links and Merkle roots
    (with ``manifests_only``, what ``archive`` checks before it appends: the signed manifests and
    their chain, not every file again).

    :raises InputError: when the folder does not exist (unless ``missing_ok``), or holds no
        manifest at all.
    """
    result = ArchiveVerifyResult(directory)
    if not directory.is_dir():
        if missing_ok:
            return result
        raise InputError("archive folder not found", where=str(directory), hint=_HINT)
    names = sorted(p.name for p in directory.iterdir())
    manifest_paths = [directory / n for n in names if _MANIFEST.fullmatch(n)]
    if not manifest_paths and not missing_ok:
        raise InputError("no archive manifest in folder", where=str(directory), hint=_HINT)
    manifests: list[Manifest] = []
    for path in manifest_paths:
        try:
            manifests.append(read_manifest(path, public_key))
        except ManifestError as e:
            result.problems.append(Problem("manifest_forged", None, None, f"{path.name}: {e}"))
    manifests.sort(key=lambda m: m.sequence)
    result.manifests = len(manifests)
    result.signed_manifests = manifests
    _check_manifest_chain(manifests, result)
    pruned = _read_prune_records(directory, names, public_key, manifests, result)
    listed = {f.name for m in manifests for f in m.files}
    result.problems += [
        Problem("archive_file_unlisted", None, None, f"{n}: no signed manifest names this file")
        for n in names
        if _SEGMENT.fullmatch(n) and n not in listed
    ]
    if manifests_only:
        result.last_manifest = manifests[-1] if manifests else None
        return result
    state = _ChainState()
    for manifest in manifests:
        for item in manifest.files:
            if item.name in pruned and not (directory / item.name).exists():
                state.pruned[manifest.first_block] = manifest
                continue
            _check_file(directory / item.name, item, state, result)
        _check_head(manifest, state, result)
    _check_archived_chain(state, manifests, result)
    if manifests:
        result.last_manifest = manifests[-1]
        result.head_block = manifests[-1].last_block
        result.head_hash = manifests[-1].head_hash.hex()
    return result


def _check_manifest_chain(manifests: Sequence[Manifest], result: ArchiveVerifyResult) -> None:
    previous: Manifest | None = None
    origins = {m.chain_id for m in manifests}
    if len(origins) > 1:
        result.problems.append(
            Problem(
                "manifest_forged",
                None,
                None,
                f"the folder mixes chains {', '.join(sorted(origins))}",
            )
        )
    for manifest in manifests:
        expected = previous.sequence + 1 if previous else 1
        if manifest.sequence != expected:
            result.problems.append(
                Problem(
                    "manifest_missing",
                    None,
                    None,
                    f"manifest {expected} is missing (the next is {manifest.sequence})",
                )
            )
        elif previous is not None and manifest.previous != previous.note_sha256:
            result.problems.append(
                Problem(
                    "manifest_forged",
                    None,
                    None,
                    f"{manifest.path.name} does not name {previous.path.name} as its previous",
                )
            )
        elif previous is None and manifest.previous != "-":
            result.problems.append(
                Problem("manifest_missing", None, None, "the first manifest names a previous one")
            )
        first = previous.last_block + 1 if previous else 1
        if manifest.first_block != first or manifest.last_block < manifest.first_block:
            result.problems.append(
                Problem(
                    "block_missing",
                    first,
                    None,
                    f"{manifest.path.name} holds blocks {manifest.first_block}-"
                    f"{manifest.last_block}, but block {first} comes next",
                )
            )
        previous = manifest


def _read_prune_records(
    directory: Path,
    names: Sequence[str],
    public_key: Ed25519PublicKey,
    manifests: Sequence[Manifest],
    result: ArchiveVerifyResult,
) -> set[str]:
    """The segments signed prune records excuse, each held to the manifest that listed it."""
    listed = {(m.sequence, f.name): (f, m) for m in manifests for f in m.files}
    pruned: set[str] = set()
    for name in names:
        if not _PRUNE.fullmatch(name):
            continue
        try:
            record = read_prune_record(directory / name, public_key)
        except ManifestError as e:
            result.problems.append(Problem("manifest_forged", None, None, f"{name}: {e}"))
            continue
        for segment in record.segments:
            item, manifest = listed.get((segment.sequence, segment.name), (None, None))
            if (
                item is None
                or manifest is None
                or manifest.note_sha256 != segment.manifest_sha256
                or manifest.origin != record.origin
                or (item.sha256, item.size) != (segment.sha256, segment.size)
                or (manifest.first_block, manifest.last_block)
                != (segment.first_block, segment.last_block)
            ):
                result.problems.append(
                    Problem(
                        "manifest_forged",
                        None,
                        None,
                        f"{name}: it names {segment.name} as no manifest signed it",
                    )
                )
                continue
            pruned.add(segment.name)
        result.prune_records.append(record)
        result.prunes.append(
            {
                "record": name,
                "pruned_at": record.time,
                "older_than": record.older_than,
                "segments": [
                    {"name": s.name, "blocks": [s.first_block, s.last_block]}
                    for s in record.segments
                ],
            }
        )
    return pruned


@dataclass
class _ChainState:
    blocks: dict[int, BlockHeader] = field(default_factory=dict)
    builders: dict[int, MerkleBuilder] = field(default_factory=dict)
    #: Manifests of pruned segments, by their first block.
    pruned: dict[int, Manifest] = field(default_factory=dict)


def read_segment(
    path: Path, item: ArchiveFile, result: ArchiveVerifyResult
) -> dict[int, BlockHeader]:
    """The block headers of one segment, its bytes, lines and roots checked (into ``result``)
    as verify --archive checks them."""
    state = _ChainState()
    _check_file(path, item, state, result)
    return state.blocks


def _check_file(
    path: Path, item: ArchiveFile, state: _ChainState, result: ArchiveVerifyResult
) -> None:
    try:
        sha, size = _file_digest(path)
    except FileNotFoundError:
        result.problems.append(
            Problem(
                "archive_file_missing", None, None, f"{item.name}: listed, but not in the folder"
            )
        )
        return
    result.files += 1
    if (sha, size) != (item.sha256, item.size):
        result.problems.append(
            Problem(
                "archive_file_altered",
                None,
                None,
                f"{item.name}: its SHA-256 or size differs from what its manifest signed",
            )
        )
    opened: list[int] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                _read_line(json.loads(line), state, opened, result)
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
                result.problems.append(
                    Problem(
                        "archive_file_altered",
                        None,
                        None,
                        f"{item.name} line {number}: not an archive line ({type(e).__name__})",
                    )
                )
    for block_no in opened:
        _close_block(state, block_no, result)


def _read_line(
    document: dict[str, Any], state: _ChainState, opened: list[int], result: ArchiveVerifyResult
) -> None:
    if "block" in document:
        fields = document["block"]
        header = BlockHeader(
            tuple(_text(fields.get(c)) for c in chain.BLOCK_COLUMNS),
            bytes.fromhex(fields["block_hash"]),
        )
        state.blocks[header.block_no] = header
        state.builders[header.block_no] = MerkleBuilder()
        opened.append(header.block_no)
        return
    row = document["row"]
    block_no = row["block_no"]
    builder = state.builders.get(block_no)
    if builder is None:
        result.problems.append(
            Problem(
                "archive_block_altered", None, _int(row.get("id")), "a row of no archived block"
            )
        )
        return
    values = [_text(row[c]) for c in ROW_COLUMNS]
    payload = chain.copy_line(values[-3:])
    digest_hex = hashlib.sha256(payload).hexdigest()
    sealed = row.get("sealed_payload_sha256")
    if sealed is not None:
        if not verify.is_redacted(payload):
            result.problems.append(
                Problem(
                    "archive_block_altered",
                    block_no,
                    _int(row.get("id")),
                    "a sealed payload digest on a row that is not redacted",
                )
            )
        else:
            digest_hex = str(sealed)
    builder.push(chain.leaf_hash(chain.copy_line(values[:-3]), bytes.fromhex(digest_hex)))
    result.rows += 1
    if values[4] == "PURGE":
        event = Event.from_fields(values, sealed=True)
        result.purges.append(
            {"row_id": event.row_id, "purged_at": event.time_text, **dict(event.details)}
        )


def _close_block(state: _ChainState, block_no: int, result: ArchiveVerifyResult) -> None:
    header = state.blocks[block_no]
    builder = state.builders.pop(block_no)
    if header.computed_hash != header.stored_hash:
        result.problems.append(
            Problem("archive_block_altered", block_no, None, "the header does not hash to itself")
        )
    if builder.count == 0:
        result.headers_only.append(block_no)
    elif builder.count != header.row_count or builder.root() != header.merkle_root:
        result.problems.append(
            Problem(
                "archive_block_altered",
                block_no,
                None,
                f"its {builder.count} archived row(s) do not give the block's Merkle root",
            )
        )


def _check_head(manifest: Manifest, state: _ChainState, result: ArchiveVerifyResult) -> None:
    """The manifest's head block, as read, has the hash the manifest signed."""
    block = state.blocks.get(manifest.last_block)
    if block is not None and block.stored_hash != manifest.head_hash:
        result.problems.append(
            Problem(
                "archive_block_altered",
                manifest.last_block,
                None,
                f"{manifest.path.name} signs another hash for its head block",
            )
        )


def _check_archived_chain(
    state: _ChainState, manifests: Sequence[Manifest], result: ArchiveVerifyResult
) -> None:
    """Every block from 1 to the last manifest's head, each linked to the one before."""
    if manifests:
        _check_links(state, 1, manifests[-1].last_block, chain.GENESIS_HASH, result)


def _check_links(
    state: _ChainState, first: int, last: int, previous: bytes | None, result: ArchiveVerifyResult
) -> None:
    """Blocks ``first`` to ``last`` are there (or pruned, their manifest signing the head that
    the next block links to), each linked to ``previous``, the hash before ``first``."""
    missing: list[int] = []
    block_no = first
    while block_no <= last:
        header = state.blocks.get(block_no)
        pruned = state.pruned.get(block_no) if header is None else None
        if missing and (header is not None or pruned is not None):
            result.problems.append(_missing(missing))
            missing = []
        if pruned is not None:
            result.pruned_blocks += pruned.last_block - pruned.first_block + 1
            previous = pruned.head_hash
            block_no = pruned.last_block + 1
            continue
        if header is None:
            missing.append(block_no)
            previous = None
        else:
            if previous is not None and header.prev_hash != previous:
                result.problems.append(
                    Problem(
                        "broken_link", block_no, None, "it does not link to the block before it"
                    )
                )
            previous = header.stored_hash
            result.blocks += 1
        block_no += 1
    if missing:
        result.problems.append(_missing(missing))


def _missing(blocks: list[int]) -> Problem:
    span = f"blocks {blocks[0]}-{blocks[-1]}" if len(blocks) > 1 else f"block {blocks[0]}"
    return Problem("block_missing", blocks[0], None, f"no archive file holds {span}")


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError("archive values are text or null")


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
