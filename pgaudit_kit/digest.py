"""Signed digests: a checkpoint of the chain head, signed with Ed25519, kept outside the database.

A digest is a C2SP signed note (https://c2sp.org/signed-note, as transparency-log checkpoints
are), wrapped in a small JSON file with the same facts spelled out for people::

    pgaudit-kit/<chain id>/<database>/<schema>      origin: which chain
    42                                              number of the head block
    <base64 block hash>                             its hash
    txid-horizon 81234                              every transaction below was sealed
    time 2026-11-23T20:07:01Z

    — pgaudit-kit-1a2b3c4d <base64(key hash[:4] || Ed25519 signature of the text above)>

Ship it to WORM storage (S3 Object Lock, immutable blob storage). ``verify --digests`` checks
that the chain still holds each digest's block with the recorded hash: this catches a cut tail,
or a chain recomputed by someone with full rights, which the chain alone cannot show.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from psycopg import sql

from . import sqlfiles
from .errors import InputError, NotInstalled
from .results import Result
from .verify import DigestCheck, Problem

FORMAT = "pgaudit-kit digest v1"
PRIVATE_KEY_FILE = "pgaudit-kit-signing.key"
PUBLIC_KEY_FILE = "pgaudit-kit-signing.pub"
_ED25519 = b"\x01"  # signed-note signature type of Ed25519


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

    def check(self) -> DigestCheck:
        return DigestCheck(
            source=self.path.name,
            block_no=self.block_no,
            block_hash=self.block_hash,
            txid_horizon=self.txid_horizon,
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
    """The chain's identity and head block.

    :raises NotInstalled: when nothing has been sealed yet (there is no head to sign).
    """
    row = conn.execute(
        sqlfiles.render("queries/chain_identity.sql", schema=sql.Identifier(schema))
    ).fetchone()
    if row is None or row[2] is None:
        raise NotInstalled(
            "nothing is sealed yet, so there is no chain head to sign",
            where=schema,
            hint="run pgaudit-kit seal first",
        )
    chain_id, database, block_no, block_hash, horizon, rows = row
    return ChainHead(
        str(chain_id),
        str(database),
        schema,
        int(block_no),
        bytes.fromhex(block_hash),
        int(horizon),
        int(rows),
    )


def note_body(head: ChainHead, time: str) -> str:
    return (
        f"{head.origin}\n{head.block_no}\n{base64.b64encode(head.block_hash).decode()}\n"
        f"txid-horizon {head.txid_horizon}\ntime {time}\n"
    )


def create(head: ChainHead, private_key: Ed25519PrivateKey, out_dir: Path) -> Path:
    """Sign the chain head and write the digest file into ``out_dir``."""
    time = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = note_body(head, time)
    name = key_name(private_key.public_key())
    signature = _key_hash(name, private_key.public_key()) + private_key.sign(body.encode())
    note = f"{body}\n— {name} {base64.b64encode(signature).decode()}\n"
    document = {
        "format": FORMAT,
        "origin": head.origin,
        "block_no": head.block_no,
        "block_hash": head.block_hash.hex(),
        "txid_horizon": head.txid_horizon,
        "rows_sealed": head.rows,
        "time": time,
        "signer": name,
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

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        note = document["checkpoint"]
        if document.get("format") != FORMAT or not isinstance(note, str):
            raise KeyError("format")
    except FileNotFoundError as e:
        raise bad("digest file not found") from e
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as e:
        raise bad("not a pgaudit-kit digest", "pass files written by pgaudit-kit digest") from e
    body, separator, signatures = note.partition("\n\n")
    body += "\n"
    name = key_name(public_key)
    signature_line = next((s for s in signatures.splitlines() if s.startswith(f"— {name} ")), None)
    if not separator or signature_line is None:
        raise bad(f"not signed by key {name}", "pass the public key that matches the signing key")
    try:
        blob = base64.b64decode(signature_line.rsplit(" ", 1)[1], validate=True)
        if blob[:4] != _key_hash(name, public_key):
            raise InvalidSignature
        public_key.verify(blob[4:], body.encode())
    except (InvalidSignature, ValueError) as e:
        raise bad(
            "the signature does not verify: the digest was altered or signed by another key"
        ) from e
    lines = body.splitlines()
    try:
        origin, block_no, block_hash_b64, horizon_line, time_line = lines
        digest = Digest(
            path=path,
            origin=origin,
            block_no=int(block_no),
            block_hash=base64.b64decode(block_hash_b64, validate=True),
            txid_horizon=int(horizon_line.removeprefix("txid-horizon ")),
            time=time_line.removeprefix("time "),
            signer=name,
        )
    except ValueError as e:
        raise bad("the signed checkpoint is malformed") from e
    readable = (document.get("origin"), document.get("block_no"), document.get("block_hash"))
    if readable != (digest.origin, digest.block_no, digest.block_hash.hex()):
        raise bad(
            "its readable fields disagree with the signed checkpoint",
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


def match_chain(loaded: list[Digest], head: ChainHead) -> tuple[list[DigestCheck], list[Problem]]:
    """The digests of this chain, to check block by block, and a ``chain_rewritten`` problem for
    each digest of the same database and schema that signs another chain.

    :raises InputError: when a digest is of another database or schema.
    """
    checks: list[DigestCheck] = []
    problems: list[Problem] = []
    for item in loaded:
        same_place = item.origin.split("/", 2)[-1] == head.origin.split("/", 2)[-1]
        if item.origin == head.origin:
            checks.append(item.check())
        elif same_place:
            problems.append(
                Problem(
                    "chain_rewritten",
                    item.block_no,
                    None,
                    f"{item.path.name} signs chain {item.origin.split('/')[1]}; this "
                    f"schema now holds chain {head.chain_id}: the whole trail was replaced",
                )
            )
        else:
            raise InputError(
                f"digest is for {item.origin}, not {head.origin}",
                where=str(item.path),
                hint="pass the digests of this database and schema",
            )
    return checks, problems
