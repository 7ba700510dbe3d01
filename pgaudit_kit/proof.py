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

from . import chain, sqlfiles
from . import digest as digest_module
from .chain import BlockHeader
from .digest import Digest
from .errors import InputError, NotInstalled
from .results import NOT_JSON, Result, json_name
from .verify import read_headers, read_redactions, snapshot, split_row, stored_leaves

FORMAT = "pgaudit-kit proof v1"


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
    line = lines[0]
    erased = next((r for r in read_redactions(conn, schema) if r.row_id == row_id), None)
    if erased is not None:
        raise InputError(
            f"audit row {row_id} was redacted on {erased.redacted_at} ({erased.reason!r}): its "
            "payload no longer exists to prove",
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
    """:raises InputError: when the file is not a pgaudit-kit proof."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError("proof file not found", where=str(path)) from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(
            "not a pgaudit-kit proof (not JSON)",
            where=str(path),
            hint="pass a file written by pgaudit-kit prove",
        ) from e
    required = {
        "format": str,
        "origin": str,
        "row_id": int,
        "leaf_line": str,
        "payload_line": str,
        "leaf_index": int,
        "tree_size": int,
        "path": list,
        "blocks": list,
    }
    for key, kind in required.items():
        if not isinstance(document, dict) or not isinstance(document.get(key), kind):
            raise InputError(
                f"not a pgaudit-kit proof (missing or bad {key!r})",
                where=str(path),
                hint="pass a file written by pgaudit-kit prove",
            )
    if document["format"] != FORMAT:
        raise InputError(
            f"unsupported proof format {document['format']!r}",
            where=str(path),
            hint=f"this version reads {FORMAT!r}",
        )
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
        blocks = [
            BlockHeader(tuple(str(f) for f in b["fields"]), bytes.fromhex(b["block_hash"]))
            for b in document["blocks"]
        ]
        if not blocks or len(blocks[0].fields) != len(chain.BLOCK_COLUMNS):
            raise ValueError("no block header")
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError(
            f"malformed proof: {e}", where=where, hint="pass a file written by pgaudit-kit prove"
        ) from e
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
    for previous, current in pairwise(blocks):
        if current.block_no != previous.block_no + 1 or current.prev_hash != previous.computed_hash:
            problems.append(f"block {current.block_no} does not follow block {previous.block_no}")
    for block in blocks:
        if block.computed_hash != block.stored_hash:
            problems.append(f"block {block.block_no}'s header does not match its hash")
    if digest.origin != document["origin"]:
        problems.append(f"the digest is for {digest.origin}, the proof for {document['origin']}")
    on_chain = next((b for b in blocks if b.block_no == digest.block_no), None)
    if on_chain is None:
        problems.append(
            f"the digest signs block {digest.block_no}; the proof's chain covers blocks "
            f"{first.block_no}-{blocks[-1].block_no}"
        )
    elif on_chain.computed_hash != digest.block_hash:
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
