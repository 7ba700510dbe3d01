"""Proofs and digests come from anyone: a malformed or crafted one is bad input (exit 2, one line
naming the file and the problem), never a crash, and its size is bounded before it is read.

The proof and digest here are built offline, exactly as prove and digest write them, over a
one-row chain made with pgaudit_kit.chain: no database is needed to check either.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pgaudit_kit import chain, digest, proof
from tests.cli.helpers import run, run_ok

ROW = ["7", "100", "2026-11-02 10:00:00+00", "2026-11-02 10:00:00+00", "INSERT", "public.t",
       "\\N", "app", "app", "\\N", "\\N", "\\N", "\\N", "1"]  # fmt: skip
PAYLOAD = '{"id" : 7}\t\\N\t{"id" : 7, "name" : "x"}'


def _chain(tmp_path: Path, *, extra_blocks: int = 0) -> tuple[dict[str, Any], Path, Path]:
    """A proof of one row in block 1, a digest of block 1, and the public key."""
    keys = tmp_path / "keys"
    run_ok("keygen", "--out", str(keys))
    payload_hash = chain.payload_hash(PAYLOAD.encode())
    header = "\t".join(ROW).encode()
    root = chain.leaf_hash(header, payload_hash)
    fields = ["2", "1", "2026-11-01 00:00:00+00", "2026-12-01 00:00:00+00", "0", "200", "1",
              root.hex(), "00" * 32, "2026-11-02 11:00:00+00", "{public.t}"]  # fmt: skip
    block = chain.BlockHeader(tuple(fields), b"")
    head = digest.ChainHead("c0ffee00-0000-4000-8000-000000000000", "shop", "audit", 1,
                            block.computed_hash, 200, 1)  # fmt: skip
    signed = digest.create(head, digest.load_private_key(keys / digest.PRIVATE_KEY_FILE), tmp_path)
    blocks = [{"fields": fields, "block_hash": block.computed_hash.hex()}]
    previous = block.computed_hash
    for number in range(2, 2 + extra_blocks):  # headers after the digest's block
        later = [*fields[:1], str(number), *fields[2:8], previous.hex(), *fields[9:]]
        previous = chain.BlockHeader(tuple(later), b"").computed_hash
        blocks.append({"fields": later, "block_hash": previous.hex()})
    document = {
        "format": proof.FORMAT,
        "origin": head.origin,
        "row_id": 7,
        "leaf_line": header.decode() + "\t" + payload_hash.hex(),
        "payload_line": PAYLOAD,
        "leaf_index": 0,
        "tree_size": 1,
        "path": [],
        "blocks": blocks,
    }
    return document, signed, keys / digest.PUBLIC_KEY_FILE


def _check(proof_path: Path, digest_path: Path, pubkey: Path) -> Any:
    return run("verify-proof", str(proof_path), "--digest", str(digest_path),
               "--pubkey", str(pubkey))  # fmt: skip


def _one_line_exit_2(result: Any, path: Path, message: str) -> None:
    assert result.exit_code == 2, result.output + result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"{path}: ") and message in result.stderr, result.stderr


def test_the_offline_proof_checks(tmp_path: Path) -> None:
    document, signed, pubkey = _chain(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(document))
    result = _check(tmp_path / "p.json", signed, pubkey)
    assert result.exit_code == 0, result.output + result.stderr


def test_headers_after_the_digests_block_are_not_even_read(tmp_path: Path) -> None:
    document, signed, pubkey = _chain(tmp_path, extra_blocks=20_000)
    for block in document["blocks"][1:]:
        block["block_hash"] = "not hex"  # never looked at
    (tmp_path / "p.json").write_text(json.dumps(document))
    assert _check(tmp_path / "p.json", signed, pubkey).exit_code == 0


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (("path",), ["zz" * 32], "malformed proof"),
        (("path",), ["ab"] * 65, "missing or bad 'path'"),
        (("blocks", 0, "block_hash"), "not hex", "malformed proof"),
        (("blocks", 0, "fields", 1), "one", "malformed proof"),
        (("blocks", 0, "fields", 6), "9" * 5000, "malformed proof"),
        (("blocks", 0, "fields", 0), "9", "header does not match"),
        (("blocks", 0, "fields"), [{"a": 1}] * 11, "missing or bad 'blocks'"),
        (("blocks", 0, "fields"), ["1"] * 3, "missing or bad 'blocks'"),
        (("blocks",), [], "missing or bad 'blocks'"),
        (("leaf_index",), "0", "missing or bad 'leaf_index'"),
        (("row_id",), True, "missing or bad 'row_id'"),
        (("tree_size",), 1.5, "missing or bad 'tree_size'"),
        (("tree_size",), 2**70, "missing or bad 'tree_size'"),
        (("leaf_index",), 5, "malformed proof"),
        (("format",), {"nested": True}, "missing or bad 'format'"),
    ],
)
def test_a_crafted_proof_is_bad_input(
    tmp_path: Path, where: tuple[Any, ...], value: Any, message: str
) -> None:
    document, signed, pubkey = _chain(tmp_path)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_set(document, where, value)))
    result = _check(path, signed, pubkey)
    if "does not match" in message:  # readable, but it proves nothing
        assert result.exit_code == 1 and message in result.output, result.output
    else:
        _one_line_exit_2(result, path, message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "pgaudit-kit proof v1", "origin": "\\ud800"}', "(a lone surrogate)"),
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        ('{"row_id": ' + "9" * 5000 + "}", "a number with too many digits"),
        ("\xff\xfe", "not UTF-8"),
        ("", "not JSON"),
    ],
)
def test_a_hostile_proof_file_is_bad_input(tmp_path: Path, text: str, message: str) -> None:
    _, signed, pubkey = _chain(tmp_path)
    path = tmp_path / "p.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if text != "\xff\xfe" else b"\xff\xfe")
    _one_line_exit_2(_check(path, signed, pubkey), path, message)


def test_a_proof_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """Like a crafted proof of 700,000 headers: refused by its size, in no time."""
    _, signed, pubkey = _chain(tmp_path)
    path = tmp_path / "p.json"
    with path.open("wb") as handle:
        handle.truncate(proof.MAX_PROOF_BYTES + 1)  # sparse: nothing is written
    _one_line_exit_2(_check(path, signed, pubkey), path, "more than a proof can be")


# --- digests --------------------------------------------------------------------------------


def _signed_note(tmp_path: Path, body: str) -> str:
    key = digest.load_private_key(tmp_path / "keys" / digest.PRIVATE_KEY_FILE)
    name = digest.key_name(key.public_key())
    import base64

    signature = digest._key_hash(name, key.public_key()) + key.sign(body.encode())
    return f"{body}\n— {name} {base64.b64encode(signature).decode()}\n"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"note": "extra field"}, "fields its signature does not cover: note"),
        ({"time": "2000-01-01T00:00:00Z"}, "readable time disagree"),
        ({"signer": "someone"}, "readable signer disagree"),
        ({"txid_horizon": 1}, "readable txid_horizon disagree"),
        ({"rows_sealed": 99}, "readable rows_sealed disagree"),
        ({"block_no": "1"}, "readable block_no disagree"),
        ({"checkpoint": ["x"]}, "no signed checkpoint"),
    ],
)
def test_a_digest_with_fields_its_signature_does_not_cover_is_refused(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    document, signed, pubkey = _chain(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(document))
    edited = json.loads(signed.read_text()) | change
    signed.write_text(json.dumps(edited))
    _one_line_exit_2(_check(tmp_path / "p.json", signed, pubkey), signed, message)


@pytest.mark.parametrize(
    "body",
    [
        "pgaudit-kit/c/shop/audit\nx\nAAAA\ntxid-horizon 1\ntime t\n",
        "pgaudit-kit/c/shop/audit\n" + "9" * 5000 + "\nAAAA\ntxid-horizon 1\ntime t\n",
        "pgaudit-kit/c/shop/audit\n1\n!!!\ntxid-horizon 1\ntime t\n",
        "pgaudit-kit/c/shop/audit\n1\nAAAA\ntxid-horizon -4\ntime t\n",
        "pgaudit-kit/c/shop/audit\n1\nAAAA\nhorizon 1\ntime t\n",
        "pgaudit-kit/c/shop/audit\n1\nAAAA\ntxid-horizon 1\ntime t\nrows-sealed 1\nmore 2\n",
    ],
)
def test_a_signed_but_malformed_checkpoint_is_bad_input(tmp_path: Path, body: str) -> None:
    document, signed, pubkey = _chain(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(document))
    signed.write_text(
        json.dumps({"format": digest.FORMAT, "checkpoint": _signed_note(tmp_path, body)})
    )
    _one_line_exit_2(_check(tmp_path / "p.json", signed, pubkey), signed, "checkpoint is malformed")


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "pgaudit-kit digest v1", "checkpoint": "\\udfff"}',
        "{" * 100 + "}" * 100,
        "[" * 200_000 + "]" * 200_000,
        '{"format": "pgaudit-kit digest v1", "block_no": ' + "1" * 5000 + "}",
        " " * (digest.MAX_DIGEST_BYTES + 1),
    ],
)
def test_a_hostile_digest_file_is_bad_input(tmp_path: Path, text: str) -> None:
    document, signed, pubkey = _chain(tmp_path)
    (tmp_path / "p.json").write_text(json.dumps(document))
    signed.write_text(text)
    result = _check(tmp_path / "p.json", signed, pubkey)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"{signed}: ") and "Traceback" not in result.stderr
