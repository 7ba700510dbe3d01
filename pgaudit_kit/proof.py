"""Inclusion proofs: show one audit row to someone who trusts only a signed digest.

A proof holds the row (its canonical leaf and payload lines, exactly as hashed), its position and
RFC 9162 inclusion path in its block, and the block headers from its block up to the head (or to
a given digest's block). ``check`` needs no database: it rebuilds the leaf, climbs the path to the
block's Merkle root, recomputes each header hash and link, and requires the digest's block to be
on that chain with the digest's hash; the digest's signature is checked by ``digest.load``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from . import chain, jsonfile, sqlfiles
from . import digest as digest_module
from .chain import BlockHeader
from .digest import Digest
from .errors import InputError, NotInstalled
from .results import NOT_JSON, Result, json_name
from .verify import read_headers, read_side_tables, snapshot, split_row, stored_leaves

FORMAT = "pgaudit-kit proof v1"
#: The largest proof read: about 150,000 block headers. A proof needs the headers from its row's
#: block to its digest's, so a proof up to the first digest after the row stays small.
MAX_PROOF_BYTES = 64 * 2**20
#: An inclusion path is one hash per level of a block's tree: 64 covers any bigint row count.
MAX_PATH = 64
_HINT = "pass a file written by pgaudit-kit prove"


@dataclass(frozen=True)
class ProofCheck:
    """The result of checking a proof: what it proves, or why it does not."""

    row_id: int
    block_no: int
    digest_block: int
    fields: dict[str, str | None]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def build(
    conn: psycopg.Connection[Any], schema: str, row_id: int, origin: str, up_to: int | None = None
) -> dict[str, Any]:
    """A proof for the sealed row ``row_id``, with headers up to block ``up_to`` (default: head),
    read inside ``verify.snapshot`` (one view, rows as COPY writes them under the canonical
    settings).

    :raises NotInstalled: when the row does not exist or is not sealed yet.
    """
    ident = sql.Identifier(schema)
    lines = list(
        _copy(
            conn, sqlfiles.render("queries/proof_row.sql", schema=ident, row_id=sql.Literal(row_id))
        )
    )
    if not lines:
        raise NotInstalled(
            f"there is no audit row {row_id}", where=schema, hint="take the id from the log"
        )
    if len(lines) > 1:
        raise InputError(
            f"{len(lines)} audit rows have the id {row_id}: a proof of one of them proves nothing",
            where=schema,
            hint="run pgaudit-kit verify: the trail has been tampered with (duplicate_id)",
        )
    line = lines[0]
    erased = next((r for r in read_side_tables(conn, schema)[2] if r.row_id == row_id), None)
    if erased is not None:
        raise InputError(
            f"audit row {row_id} was redacted on {erased.redacted_at:%Y-%m-%d} "
            f"({erased.reason!r}): its payload no longer exists to prove",
            where=schema,
            hint="verify shows the row as redacted, and the chain still covers it",
        )
    fields = line.decode().split("\t")
    txid, tx_time = int(fields[1]), fields[2]
    headers = read_headers(conn, schema)
    block = next(
        (
            h
            for h in headers
            if h.txid_lo <= txid < h.txid_hi and h.bucket_start <= tx_time < h.bucket_end
        ),
        None,
    )
    if block is None:
        raise NotInstalled(
            f"audit row {row_id} is not sealed yet",
            where=schema,
            hint="run pgaudit-kit seal, then prove it",
        )
    ids, leaves = stored_leaves(conn, schema, block.block_no)
    if row_id not in ids:
        raise NotInstalled(
            f"audit row {row_id} is not among the rows sealed in block {block.block_no}",
            where=schema,
            hint="run pgaudit-kit verify: the trail has been tampered with",
        )
    index = ids.index(row_id)
    last = up_to if up_to is not None else headers[-1].block_no
    if last < block.block_no:
        raise InputError(
            f"the digest's block {last} is older than the row's block {block.block_no}",
            hint="make a newer digest with pgaudit-kit digest",
        )
    chain_headers = [h for h in headers if block.block_no <= h.block_no <= last]
    header, payload = split_row(line)
    return {
        "format": FORMAT,
        "origin": origin,
        "row_id": row_id,
        "leaf_line": header.decode() + "\t" + chain.payload_hash(payload).hex(),
        "payload_line": payload.decode(),
        "leaf_index": index,
        "tree_size": len(leaves),
        "path": [h.hex() for h in chain.inclusion_path(index, leaves)],
        "blocks": [
            {"fields": list(h.fields), "block_hash": h.stored_hash.hex()} for h in chain_headers
        ],
    }


def _copy(conn: psycopg.Connection[Any], query: sql.Composed) -> list[bytes]:
    with conn.cursor().copy(query) as copy:
        return [bytes(data).rstrip(b"\n") for data in copy]


def load(path: Path) -> dict[str, Any]:
    """A proof file, its shape checked (sizes bounded, every field of its type).

    :raises InputError: when the file is not a pgaudit-kit proof.
    """
    document = jsonfile.read(path, what="proof", hint=_HINT, max_bytes=MAX_PROOF_BYTES)

    def bad(key: str) -> InputError:
        return InputError(f"not a pgaudit-kit proof (missing or bad {key!r})", where=str(path),
                          hint=_HINT)  # fmt: skip

    if not isinstance(document, dict):
        raise bad("format")
    if document.get("format") != FORMAT:
        if isinstance(document.get("format"), str):
            raise InputError(
                f"unsupported proof format {document['format'][:60]!r}",
                where=str(path),
                hint=f"this version reads {FORMAT!r}",
            )
        raise bad("format")
    for key in ("origin", "leaf_line", "payload_line"):
        if not isinstance(document.get(key), str):
            raise bad(key)
    for key in ("row_id", "leaf_index", "tree_size"):
        if jsonfile.integer(document.get(key)) is None:
            raise bad(key)
    path_hashes = document.get("path")
    if not isinstance(path_hashes, list) or len(path_hashes) > MAX_PATH:
        raise bad("path")
    if not all(isinstance(h, str) and len(h) == 64 for h in path_hashes):
        raise bad("path")
    blocks = document.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        raise bad("blocks")
    for block in blocks:
        fields = block.get("fields") if isinstance(block, dict) else None
        if (
            not isinstance(fields, list)
            or len(fields) not in (len(chain.BLOCK_COLUMNS_V1), len(chain.BLOCK_COLUMNS))
            or not all(f is None or isinstance(f, str) for f in fields)
            or not isinstance(block.get("block_hash"), str)
        ):
            raise bad("blocks")
    checked: dict[str, Any] = document
    return checked


def check(document: dict[str, Any], digest: Digest, *, where: str = "proof") -> ProofCheck:
    """Check a proof against a (signature-checked) digest, offline.

    :raises InputError: when a field of the proof cannot even be read.
    """
    problems: list[str] = []
    try:
        leaf_line = document["leaf_line"].encode()
        payload_line = document["payload_line"].encode()
        header = leaf_line[: leaf_line.rfind(b"\t")]
        path = [bytes.fromhex(h) for h in document["path"]]
        first_no = int(document["blocks"][0]["fields"][1])
        # the headers after the digest's block prove nothing: they are not even read
        wanted = document["blocks"][: max(digest.block_no - first_no + 1, 1)]
        blocks = [BlockHeader(tuple(b["fields"]), bytes.fromhex(b["block_hash"])) for b in wanted]
        hashes = [b.computed_hash for b in blocks]
        _readable = [(b.block_no, b.row_count, b.merkle_root, b.prev_hash) for b in blocks]
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as e:
        raise InputError(f"malformed proof: {str(e)[:100]}", where=where, hint=_HINT) from e
    values = header.decode().split("\t")
    fields: dict[str, str | None] = {
        name: (None if value == "\\N" else value)
        for name, value in zip(chain.HEADER_COLUMNS, values, strict=False)
    }
    fields.update(
        zip(
            chain.PAYLOAD_COLUMNS,
            (None if v == "\\N" else v for v in payload_line.decode().split("\t")),
            strict=False,
        )
    )
    if values[0] != str(document["row_id"]):
        problems.append(f"the row in the proof is {values[0]}, not {document['row_id']}")
    payload_digest = chain.payload_hash(payload_line)
    if leaf_line[leaf_line.rfind(b"\t") + 1 :] != payload_digest.hex().encode():
        problems.append("the row's values do not match its payload hash")
    leaf = chain.leaf_hash(header, payload_digest)
    first = blocks[0]
    try:
        root = chain.root_from_path(document["leaf_index"], document["tree_size"], leaf, path)
    except ValueError as e:
        raise InputError(f"malformed proof: {e}", where=where) from e
    if document["tree_size"] != first.row_count:
        problems.append(
            f"the proof's tree has {document['tree_size']} leaves, "
            f"block {first.block_no} has {first.row_count}"
        )
    if root != first.merkle_root:
        problems.append(f"the row is not in block {first.block_no}: its path leads to another root")
    for (previous, previous_hash), (current, _) in pairwise(zip(blocks, hashes, strict=True)):
        if current.block_no != previous.block_no + 1 or current.prev_hash != previous_hash:
            problems.append(f"block {current.block_no} does not follow block {previous.block_no}")
    for block, computed in zip(blocks, hashes, strict=True):
        if computed != block.stored_hash:
            problems.append(f"block {block.block_no}'s header does not match its hash")
    if digest_module.chain_of(digest.origin)[0] != digest_module.chain_of(document["origin"])[0]:
        problems.append(f"the digest is for {digest.origin}, the proof for {document['origin']}")
    on_chain = next(
        (h for b, h in zip(blocks, hashes, strict=True) if b.block_no == digest.block_no), None
    )
    if on_chain is None:
        problems.append(
            f"the digest signs block {digest.block_no}; the proof's chain covers blocks "
            f"{first.block_no}-{blocks[-1].block_no}"
        )
    elif on_chain != digest.block_hash:
        problems.append(
            f"block {digest.block_no} in the proof differs from the one the digest signed"
        )
    return ProofCheck(
        row_id=document["row_id"],
        block_no=first.block_no,
        digest_block=digest.block_no,
        fields=fields,
        problems=tuple(problems),
    )


# --- the commands: prove, verify-proof -----------------------------------------------------------


@dataclass(frozen=True)
class ProveResult(Result):
    path: Path
    row_id: int
    block_no: int
    blocks: int = field(metadata=json_name("chain_blocks"))


@dataclass(frozen=True)
class ProofReport(Result):
    """What checking a proof file found."""

    check: ProofCheck = field(metadata=NOT_JSON)

    _json_properties = ("ok", "row_id", "block_no", "digest_block", "row", "problems")

    @property
    def ok(self) -> bool:
        return self.check.ok

    @property
    def row_id(self) -> int:
        return self.check.row_id

    @property
    def block_no(self) -> int:
        return self.check.block_no

    @property
    def digest_block(self) -> int:
        return self.check.digest_block

    @property
    def row(self) -> dict[str, str | None]:
        return self.check.fields

    @property
    def problems(self) -> tuple[str, ...]:
        return self.check.problems


def digest_block(digest_path: Path | None, pubkey: Path | None) -> int | None:
    """The block of the digest a proof goes up to (``--digest``, checked with ``--pubkey``).

    :raises InputError: when ``--digest`` comes without ``--pubkey``, or cannot be read.
    """
    if digest_path is None:
        return None
    if pubkey is None:
        raise InputError(
            "--digest needs --pubkey", hint="pass the public key the digest was signed with"
        )
    return digest_module.load(digest_path, digest_module.load_public_key(pubkey)).block_no


def write_proof(
    conn: psycopg.Connection[Any], schema: str, row_id: int, out: Path, up_to: int | None
) -> ProveResult:
    """Write an inclusion proof for audit row ``row_id`` into ``out``, with the chain up to the
    head, or up to block ``up_to``."""
    with snapshot(conn):
        head = digest_module.chain_head(conn, schema)
        document = build(conn, schema, row_id, head.origin, up_to)
    try:
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the proof: {e}", where=str(out)) from e
    first_block = int(document["blocks"][0]["fields"][1])
    return ProveResult(out, row_id, first_block, len(document["blocks"]))


def verify_proof_file(proof_path: Path, *, digest_path: Path, pubkey: Path) -> ProofReport:
    """Check an inclusion proof offline against a signed digest: no database is needed."""
    document = load(proof_path)
    signed = digest_module.load(digest_path, digest_module.load_public_key(pubkey))
    return ProofReport(check(document, signed, where=str(proof_path)))
