"""Signed digests: a checkpoint of the chain head, signed with Ed25519, kept outside the database.

A digest is a C2SP signed note (https://c2sp.org/signed-note, as transparency-log checkpoints
are), wrapped in a small JSON file with the same facts spelled out for people::

    pgaudit-kit/<chain id>/<database>/<schema>      origin: which chain (id and schema; the
                                                    database name is shown, not required)
    42                                              number of the head block
    <base64 block hash>                             its hash
    txid-horizon 81234                              every transaction below was sealed
    time 2026-11-23T20:07:01Z
    rows-sealed 1200345                             rows sealed up to the head (since 0.x)

    — pgaudit-kit-1a2b3c4d <base64(key hash[:4] || Ed25519 signature of the text above)>

Ship it to WORM storage (S3 Object Lock, immutable blob storage). ``verify --digests`` checks
that the chain still holds each digest's block with the recorded hash: this catches a cut tail,
or a chain recomputed by someone with full rights, which the chain alone cannot show.

Every readable field of the JSON must equal its signed counterpart, and a field the note does
not sign is refused, except ``rows_sealed`` in digests written before it was signed: verify
compares that one with the chain.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from psycopg import sql

from . import jsonfile, sqlfiles, verify
from .errors import InputError, NotInstalled
from .problems import Problem
from .results import Result
from .verify import DigestCheck, Progress, RetentionPolicy, VerifyResult

FORMAT = "pgaudit-kit digest v1"
PRIVATE_KEY_FILE = "pgaudit-kit-signing.key"
PUBLIC_KEY_FILE = "pgaudit-kit-signing.pub"
_ED25519 = b"\x01"  # signed-note signature type of Ed25519
#: A digest is a few hundred bytes; anything much larger is not one.
MAX_DIGEST_BYTES = 64 * 1024
_HINT = "pass files written by pgaudit-kit digest"
_FIELDS = frozenset(
    {"format", "origin", "block_no", "block_hash", "txid_horizon", "rows_sealed", "time",
     "signer", "checkpoint"}
)  # fmt: skip


@dataclass(frozen=True)
class ChainHead:
    """What the database says its chain is (from ``queries/chain_identity.sql``)."""

    chain_id: str
    database: str
    schema: str
    block_no: int
    block_hash: bytes
    txid_horizon: int
    rows: int

    @property
    def origin(self) -> str:
        return f"pgaudit-kit/{self.chain_id}/{self.database}/{self.schema}"


@dataclass(frozen=True)
class Digest:
    """A digest file whose signature has been checked."""

    path: Path
    origin: str
    block_no: int
    block_hash: bytes
    txid_horizon: int
    time: str
    signer: str
    rows_sealed: int | None = None
    #: False for digests written before the note signed the row count.
    rows_signed: bool = True

    def check(self) -> DigestCheck:
        return DigestCheck(
            source=self.path.name,
            block_no=self.block_no,
            block_hash=self.block_hash,
            txid_horizon=self.txid_horizon,
            rows_sealed=self.rows_sealed,
            rows_signed=self.rows_signed,
        )


def keygen(out_dir: Path, *, force: bool = False) -> tuple[Path, Path]:
    """Create an Ed25519 key pair: the private key readable by its owner only (mode 0600).

    :raises InputError: when the files exist and ``force`` is not set, or cannot be written.
    """
    private_path, public_path = out_dir / PRIVATE_KEY_FILE, out_dir / PUBLIC_KEY_FILE
    if not force and (private_path.exists() or public_path.exists()):
        raise InputError(
            "a signing key already exists",
            where=str(private_path),
            hint="pass --force to replace it",
        )
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if private_path.exists():
            private_path.unlink()
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private_pem)
        public_path.write_bytes(public_pem)
    except OSError as e:
        raise InputError(f"cannot write the key pair: {e}", where=str(out_dir)) from e
    return private_path, public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """:raises InputError: when the file is missing or not an Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError as e:
        raise InputError(
            "signing key not found", where=str(path), hint="create one with pgaudit-kit keygen"
        ) from e
    except (ValueError, TypeError, OSError) as e:
        raise InputError(
            "not a PEM private key",
            where=str(path),
            hint="use the .key file pgaudit-kit keygen wrote",
        ) from e
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            "not an Ed25519 key", where=str(path), hint="use the .key file pgaudit-kit keygen wrote"
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """:raises InputError: when the file is missing or not an Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except FileNotFoundError as e:
        raise InputError(
            "public key not found",
            where=str(path),
            hint="pass the .pub file pgaudit-kit keygen wrote",
        ) from e
    except (ValueError, TypeError, OSError) as e:
        raise InputError(
            "not a PEM public key",
            where=str(path),
            hint="pass the .pub file pgaudit-kit keygen wrote",
        ) from e
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(
            "not an Ed25519 public key",
            where=str(path),
            hint="pass the .pub file pgaudit-kit keygen wrote",
        )
    return key


def key_name(public_key: Ed25519PublicKey) -> str:
    """The signer name in notes: stable for a key, different for another."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "pgaudit-kit-" + hashlib.sha256(raw).hexdigest()[:8]


def _key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + raw).digest()[:4]


def chain_head(conn: psycopg.Connection[Any], schema: str) -> ChainHead:
    """The chain's identity and head block (block 0, with no hash, when no block exists: a
    digest still says how many there were)."""
    row = conn.execute(
        sqlfiles.render("queries/chain_identity.sql", schema=sql.Identifier(schema))
    ).fetchone()
    assert row is not None  # settings always has its one row
    chain_id, database, block_no, block_hash, horizon, rows = row
    return ChainHead(
        str(chain_id),
        str(database),
        schema,
        int(block_no or 0),
        bytes.fromhex(block_hash or ""),
        int(horizon or 0),
        int(rows),
    )


def sign_note(body: str, private_key: Ed25519PrivateKey) -> str:
    """A signed note (C2SP signed-note) of ``body`` (text ending in a newline), by this key."""
    name = key_name(private_key.public_key())
    signature = _key_hash(name, private_key.public_key()) + private_key.sign(body.encode())
    return f"{body}\n— {name} {base64.b64encode(signature).decode()}\n"


class NoteError(ValueError):
    """A note whose signature by the key does not verify."""


class NotSignedByKey(NoteError):
    """A note that bears no signature of the key at all."""


def open_note(note: str, public_key: Ed25519PublicKey) -> str:
    """The body of a signed note, once its signature by ``public_key`` verifies.

    :raises NotSignedByKey: when the note has no signature by this key.
    :raises NoteError: when its signature does not verify.
    """
    body, separator, signatures = note.partition("\n\n")
    body += "\n"
    name = key_name(public_key)
    signature_line = next((s for s in signatures.splitlines() if s.startswith(f"— {name} ")), None)
    if not separator or signature_line is None:
        raise NotSignedByKey(f"not signed by key {name}")
    try:
        blob = base64.b64decode(signature_line.rsplit(" ", 1)[1], validate=True)
        if blob[:4] != _key_hash(name, public_key):
            raise InvalidSignature
        public_key.verify(blob[4:], body.encode())
    except (InvalidSignature, ValueError) as e:
        raise NoteError("the signature does not verify") from e
    return body


def note_body(head: ChainHead, time: str) -> str:
    return (
        f"{head.origin}\n{head.block_no}\n{base64.b64encode(head.block_hash).decode()}\n"
        f"txid-horizon {head.txid_horizon}\ntime {time}\nrows-sealed {head.rows}\n"
    )


def create(head: ChainHead, private_key: Ed25519PrivateKey, out_dir: Path) -> Path:
    """Sign the chain head and write the digest file into ``out_dir``."""
    time = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    note = sign_note(note_body(head, time), private_key)
    document = {
        "format": FORMAT,
        "origin": head.origin,
        "block_no": head.block_no,
        "block_hash": head.block_hash.hex(),
        "txid_horizon": head.txid_horizon,
        "rows_sealed": head.rows,
        "time": time,
        "signer": key_name(private_key.public_key()),
        "checkpoint": note,
    }
    path = out_dir / f"digest-{head.chain_id[:8]}-{head.block_no:08d}-{time.replace(':', '')}.json"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the digest: {e}", where=str(out_dir)) from e
    return path


def load(path: Path, public_key: Ed25519PublicKey) -> Digest:
    """Read a digest file and check its signature with ``public_key``.

    :raises InputError: when the file is not a digest, its fields disagree with its signed
        checkpoint, or the signature is not by this key (one line naming the file and why).
    """

    def bad(message: str, hint: str | None = None) -> InputError:
        return InputError(message, where=str(path), hint=hint)

    document = jsonfile.read(path, what="digest", hint=_HINT, max_bytes=MAX_DIGEST_BYTES)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise bad("not a pgaudit-kit digest", _HINT)
    note = document.get("checkpoint")
    if not isinstance(note, str):
        raise bad("not a pgaudit-kit digest (no signed checkpoint)", _HINT)
    unknown = sorted(str(k)[:40] for k in document.keys() - _FIELDS)
    if unknown:
        raise bad(
            f"the digest holds fields its signature does not cover: {', '.join(unknown)}",
            "trust only what pgaudit-kit digest wrote; get the file again",
        )
    name = key_name(public_key)
    try:
        body = open_note(note, public_key)
    except NotSignedByKey as e:
        raise bad(str(e), "pass the public key that matches the signing key") from e
    except NoteError as e:
        raise bad(
            "the signature does not verify: the digest was altered or signed by another key"
        ) from e
    lines = body.splitlines()
    try:
        if len(lines) not in (5, 6):
            raise ValueError("a checkpoint has 5 or 6 lines")
        origin, block_no, block_hash_b64, horizon_line, time_line = lines[:5]
        rows_line = lines[5] if len(lines) == 6 else None
        if not (
            horizon_line.startswith("txid-horizon ")
            and time_line.startswith("time ")
            and (rows_line is None or rows_line.startswith("rows-sealed "))
        ):
            raise ValueError("unknown checkpoint line")
        digest = Digest(
            path=path,
            origin=origin,
            block_no=jsonfile.decimal(block_no),
            block_hash=base64.b64decode(block_hash_b64, validate=True),
            txid_horizon=jsonfile.decimal(horizon_line.removeprefix("txid-horizon ")),
            time=time_line.removeprefix("time "),
            signer=name,
            rows_sealed=(
                jsonfile.decimal(rows_line.removeprefix("rows-sealed "))
                if rows_line is not None
                else jsonfile.integer(document.get("rows_sealed"))
            ),
            rows_signed=rows_line is not None,
        )
    except ValueError as e:
        raise bad("the signed checkpoint is malformed") from e
    signed = {
        "origin": digest.origin,
        "block_no": digest.block_no,
        "block_hash": digest.block_hash.hex(),
        "txid_horizon": digest.txid_horizon,
        "time": digest.time,
        "signer": digest.signer,
        "rows_sealed": digest.rows_sealed,
    }
    differing = sorted(k for k, v in signed.items() if k in document and document[k] != v)
    if differing:
        raise bad(
            f"its readable {', '.join(differing)} disagree(s) with the signed checkpoint",
            "trust only the checkpoint; get the file again",
        )
    return digest


def load_dir(directory: Path, public_key: Ed25519PublicKey) -> list[Digest]:
    """Every ``*.json`` digest in ``directory``, checked.

    :raises InputError: when the folder is missing or holds no digest.
    """
    if not directory.is_dir():
        raise InputError(
            "digest folder not found",
            where=str(directory),
            hint="pass the folder pgaudit-kit digest writes to",
        )
    digests = [load(path, public_key) for path in sorted(directory.glob("*.json"))]
    if not digests:
        raise InputError(
            "no digest in folder", where=str(directory), hint="create one with pgaudit-kit digest"
        )
    return digests


# --- the commands: keygen, digest, and verify against digests ---------------------------------


@dataclass(frozen=True)
class KeygenResult(Result):
    private_key: Path
    public_key: Path


@dataclass(frozen=True)
class DigestResult(Result):
    path: Path
    block_no: int
    block_hash: str
    rows_sealed: int


def sign_head(
    conn: psycopg.Connection[Any], schema: str, signing_key: Path, out_dir: Path
) -> DigestResult:
    """Sign the chain head and write a digest file into ``out_dir`` (``--out``)."""
    key = load_private_key(signing_key)
    head = chain_head(conn, schema)
    if head.block_no == 0:
        raise NotInstalled(
            "nothing is sealed yet, so there is no chain head to sign",
            where=schema,
            hint="run pgaudit-kit seal first",
        )
    path = create(head, key, out_dir)
    return DigestResult(path, head.block_no, head.block_hash.hex(), head.rows)


def load_for_verify(digests_dir: Path | None, pubkey: Path | None) -> list[Digest]:
    """The digests ``verify --digests DIR --pubkey PATH`` checks against, read and with their
    signatures checked before anything else runs (none when both are absent).

    :raises InputError: when only one of the two is given, or a file cannot be read, is not signed
        by this key, or is not a digest.
    """
    if (digests_dir is None) != (pubkey is None):
        raise InputError(
            "--digests and --pubkey go together",
            hint="pass both, or neither to verify the chain alone",
        )
    if digests_dir is None or pubkey is None:
        return []
    return load_dir(digests_dir, load_public_key(pubkey))


def chain_of(origin: str) -> tuple[str, str]:
    """An origin's chain id and the ``database/schema`` it was signed in."""
    chain_id, _, place = origin.removeprefix("pgaudit-kit/").partition("/")
    return chain_id, place


def match_chain(loaded: list[Digest], head: ChainHead) -> tuple[list[DigestCheck], list[Problem]]:
    """The digests of this chain, to check block by block, and a ``chain_rewritten`` problem for
    each digest of the same database and schema that signs another chain.

    A chain is its chain id (random, kept in the database) and schema: the database name a digest
    was signed in is shown, not required, so a copy restored under another name still verifies.

    :raises InputError: when a digest is of another chain in another database or schema.
    """
    checks: list[DigestCheck] = []
    problems: list[Problem] = []
    here = f"{head.database}/{head.schema}"
    for item in loaded:
        chain_id, place = chain_of(item.origin)
        if chain_id == head.chain_id and (place == here or place.endswith(f"/{head.schema}")):
            checks.append(item.check())
        elif place == here:
            problems.append(
                Problem(
                    "chain_rewritten",
                    item.block_no,
                    None,
                    f"{item.path.name} signs chain {chain_id}; this "
                    f"schema now holds chain {head.chain_id}: the whole trail was replaced",
                )
            )
        else:
            raise InputError(
                f"digest is for {item.origin}, not {head.origin}",
                where=str(item.path),
                hint="pass the digests of this chain and schema",
            )
    return checks, problems


def verify_trail(
    conn: psycopg.Connection[Any],
    schema: str,
    loaded: list[Digest],
    *,
    retention: RetentionPolicy | None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    dsn: str | None = None,
    jobs: int = 1,
) -> VerifyResult:
    """``verify.verify`` against the digests ``loaded`` (already signature-checked), inside a
    ``verify.snapshot``: what the verify command and the evidence report both run."""
    head = chain_head(conn, schema) if loaded else None
    checks, problems = match_chain(loaded, head) if head else ([], [])
    result = verify.verify(
        conn, schema, digests=checks, progress=progress, on_start=on_start, dsn=dsn, jobs=jobs,
        retention=retention,
    )  # fmt: skip
    result.problems += problems
    result.digests_checked = len(loaded)
    result.digests = [str(d.path) for d in loaded]
    return result
