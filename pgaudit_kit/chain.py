"""The tamper-evidence format, version 1: the one place that defines it. Pure: no I/O.

Its twin is the SQL sealer (``sql/toolkit/functions/seal.sql`` with ``row_leaf.sql``,
``copy_text.sql`` and ``merkle_root.sql``); ``tests/vectors/chain_v1.json`` holds vectors both must
reproduce.

Canonical text
    Every value is written as PostgreSQL's ``COPY ... TO STDOUT`` text format writes it: the
    type's output function under the settings in :data:`CANONICAL_SETTINGS` (UTF-8, TimeZone UTC,
    DateStyle ISO, ...), NULL as ``\\N``, and backslash, backspace, form feed, newline, carriage
    return, tab and vertical tab escaped as ``\\\\``, ``\\b``, ``\\f``, ``\\n``, ``\\r``, ``\\t``,
    ``\\v``. Fields are joined by TAB. This encoding is unambiguous, documented by PostgreSQL, and
    is exactly what a verifier receives from COPY, so it hashes the bytes it is sent.

Row
    ``payload line`` = canonical text of (row_key, old_values, new_values);
    ``leaf line`` = canonical text of :data:`HEADER_COLUMNS` + TAB + hex(SHA-256(payload line));
    ``leaf hash`` = SHA-256(0x00 || leaf line).
    The leaf commits to a hash of the payload, not the payload, so a payload can be redacted (a
    legal erasure order) while the chain still verifies from the recorded payload hash.

Block
    The rows of one sealing range (transaction ids ``[txid_lo, txid_hi)``, all finished when it
    was sealed) whose ``tx_time`` falls in one bucket ``[bucket_start, bucket_end)`` (the log's
    partition interval), in (txid, id) order. Its Merkle root is RFC 9162's MTH over the leaf
    hashes: node = SHA-256(0x01 || left || right), split at the largest power of two below n.
    ``block line`` = canonical text of :data:`BLOCK_COLUMNS` (hashes as lower-case hex);
    ``block hash`` = SHA-256(0x02 || block line). ``prev_hash`` of block 1 is 32 zero bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FORMAT_VERSION = 1
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
BLOCK_PREFIX = b"\x02"
GENESIS_HASH = bytes(32)

#: Session settings under which every value is rendered, by the sealer and the verifier alike.
CANONICAL_SETTINGS = {
    "client_encoding": "UTF8",
    "timezone": "UTC",
    "datestyle": "ISO, YMD",
    "intervalstyle": "postgres",
    "extra_float_digits": "1",
    "bytea_output": "hex",
}
#: What every function that renders values pins (capture, baseline, seal, redact): the canonical
#: settings but the client's encoding, which only a client sets. The one home of these values:
#: toolkit_schema renders them into the toolkit's SQL, generate into capture's.
RENDER_SETTINGS = {k: v for k, v in CANONICAL_SETTINGS.items() if k != "client_encoding"}
PAYLOAD_COLUMNS = ("row_key", "old_values", "new_values")
HEADER_COLUMNS = (
    "id", "txid", "tx_time", "stmt_time", "op", "table_name", "changed_columns", "login_role",
    "effective_role", "application_name", "client_addr", "request_id", "trace_id", "key_id",
)  # fmt: skip
BLOCK_COLUMNS = (
    "format", "block_no", "bucket_start", "bucket_end", "txid_lo", "txid_hi", "row_count",
    "merkle_root", "prev_hash", "sealed_at",
)  # fmt: skip

_ESCAPES = {
    "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
}  # fmt: skip
_ESCAPE_TABLE = str.maketrans(_ESCAPES)


def copy_text(value: str | None) -> str:
    """One field in COPY text format (``\\N`` for NULL)."""
    return "\\N" if value is None else value.translate(_ESCAPE_TABLE)


def copy_line(values: Iterable[str | None]) -> bytes:
    """Fields in COPY text format, TAB-joined, UTF-8 (no trailing newline)."""
    return "\t".join(copy_text(v) for v in values).encode()


def payload_hash(payload_line: bytes) -> bytes:
    return hashlib.sha256(payload_line).digest()


def leaf_hash(header_line: bytes, payload_digest: bytes) -> bytes:
    """The leaf of a row from its header fields' line and its payload hash."""
    return hashlib.sha256(
        LEAF_PREFIX + header_line + b"\t" + payload_digest.hex().encode()
    ).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def block_hash(block_line: bytes) -> bytes:
    return hashlib.sha256(BLOCK_PREFIX + block_line).digest()


class MerkleBuilder:
    """Streams leaves into an RFC 9162 Merkle tree in O(log n) memory.

    Keeps the roots of the complete subtrees seen so far (as a binary counter keeps its bits);
    ``root()`` folds them right to left, which is the same tree as splitting at the largest power
    of two below n.
    """

    __slots__ = ("_stack", "count")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self.count = 0

    def push(self, leaf: bytes) -> None:
        stack = self._stack
        stack.append(leaf)
        n = self.count
        self.count = n + 1
        while n & 1:
            right = stack.pop()
            stack[-1] = hashlib.sha256(NODE_PREFIX + stack[-1] + right).digest()
            n >>= 1

    def root(self) -> bytes:
        if not self._stack:
            raise ValueError("a Merkle tree needs at least one leaf")
        accumulated = self._stack[-1]
        for subtree in reversed(self._stack[:-1]):
            accumulated = node_hash(subtree, accumulated)
        return accumulated


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH(leaves) per RFC 9162 section 2.1.1."""
    builder = MerkleBuilder()
    for leaf in leaves:
        builder.push(leaf)
    return builder.root()


def _largest_power_of_two_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(index, leaves) per RFC 9162 section 2.1.3.1: the sibling hashes, leaf upwards."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _largest_power_of_two_below(len(leaves))
    if index < k:
        return [*inclusion_path(index, leaves[:k]), merkle_root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), merkle_root(leaves[:k])]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root an inclusion path leads to (RFC 9162 section 2.1.3.2).

    :raises ValueError: when the path cannot belong to a tree of ``size`` leaves.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    fn, sn = index, size - 1
    result = leaf
    for sibling in path:
        if sn == 0:
            raise ValueError("the inclusion path is longer than the tree is deep")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the inclusion path is shorter than the tree is deep")
    return result


@dataclass(frozen=True)
class BlockHeader:
    """A block header as stored, with its fields in canonical text (as COPY sends them)."""

    fields: tuple[str, ...]
    stored_hash: bytes

    @property
    def line(self) -> bytes:
        return copy_line(self.fields)

    @property
    def computed_hash(self) -> bytes:
        return block_hash(self.line)

    def field(self, name: str) -> str:
        return self.fields[BLOCK_COLUMNS.index(name)]

    @property
    def block_no(self) -> int:
        return int(self.field("block_no"))

    @property
    def txid_lo(self) -> int:
        return int(self.field("txid_lo"))

    @property
    def txid_hi(self) -> int:
        return int(self.field("txid_hi"))

    @property
    def row_count(self) -> int:
        return int(self.field("row_count"))

    @property
    def merkle_root(self) -> bytes:
        return bytes.fromhex(self.field("merkle_root"))

    @property
    def prev_hash(self) -> bytes:
        return bytes.fromhex(self.field("prev_hash"))

    @property
    def bucket_start(self) -> str:
        return self.field("bucket_start")

    @property
    def bucket_end(self) -> str:
        return self.field("bucket_end")
