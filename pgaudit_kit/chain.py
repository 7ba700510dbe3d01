"""The tamper-evidence format: the one place that defines it. Pure: no I/O.

Its twin is the SQL sealer (``sql/toolkit/functions/seal.sql`` with ``row_leaf.sql``,
``copy_text.sql`` and ``merkle_root.sql``); ``tests/vectors/chain_v1.json`` and
``chain_v2.json`` hold vectors both must reproduce.

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
    ``block line`` = canonical text of the block's columns (:func:`block_columns`; hashes as
    lower-case hex); ``block hash`` = SHA-256(0x02 || block line). ``prev_hash`` of block 1 is 32
    zero bytes. Format 2 adds ``table_names``: the tables whose rows the block holds (``""`` for
    trail events), a text[] in "C" order, so which retention classes a block's rows followed
    survives a purge of the rows themselves, and its ``sealed_at`` is read after the sealing
    horizon, so no row of a block is dated after it. Format 1 blocks (sealed before toolkit
    revision 0006) keep their shorter line.

What verify trusts
    Only what it hashed. Every side table that changes how verify judges rows is checked against
    the trail's own events, sealed into the chain like any change (op, then what the event
    records), and any disagreement is a problem of its own kind:

    ======================  ======================================================================
    ``purge claims``        PURGE events, sealed: which blocks, when, which tables and classes
                            (forged_purge, early_purge, held_purge); an unsealed purge is pending
    ``redactions``          REDACT events, sealed: row, reason, author, time and both digests
                            (forged_redaction, redaction_edited); the row must hold the marker
    ``holds``               HOLD events: add and release, with reason, range, who and when
                            (hold_mismatch)
    ``retention_classes``   CONFIG events: retention classes (action ``retention``) and each
                            table's class (``start``/``change``/``stop``), replayed in chain
                            order to judge each purge by the retention in force when it ran
    ``hmac_keys``/``keys``  KEY events: rotation and shredding times (key_mismatch)
    ``blocks.table_names``  hashed into format-2 block headers
    ======================  ======================================================================

    An event whose partition was purged can no longer be checked; the PURGE event records the
    retention it ran under, and purge carries a dropped REDACT event forward while its row lives.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: The block format seal writes now; verify reads every format up to it.
FORMAT_VERSION = 2
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
BLOCK_COLUMNS_V1 = (
    "format", "block_no", "bucket_start", "bucket_end", "txid_lo", "txid_hi", "row_count",
    "merkle_root", "prev_hash", "sealed_at",
)  # fmt: skip
#: The columns of a block header as stored and sent (every format's line is a prefix of them).
BLOCK_COLUMNS = (*BLOCK_COLUMNS_V1, "table_names")


def block_columns(format_version: int) -> tuple[str, ...]:
    """The columns a block line of this format hashes.

    :raises ValueError: for a format this version does not know.
    """
    if format_version == 1:
        return BLOCK_COLUMNS_V1
    if format_version == 2:
        return BLOCK_COLUMNS
    raise ValueError(f"unknown block format {format_version}")


_ESCAPES = {
    "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
}  # fmt: skip
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_UNESCAPES = {v[1]: k for k, v in _ESCAPES.items()}
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def copy_text(value: str | None) -> str:
    """One field in COPY text format (``\\N`` for NULL)."""
    if value is None:
        return "\\N"
    # most fields need no escape: a printable text without backslash is as COPY writes it
    if value.isprintable() and "\\" not in value:
        return value
    return value.translate(_ESCAPE_TABLE)


def copy_unescape(text: str) -> str | None:
    """The value of one field COPY text format wrote (None for ``\\N``); the inverse of
    :func:`copy_text`."""
    if text == "\\N":
        return None
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda m: _UNESCAPES.get(m.group(1), m.group(1)), text)


def copy_fields(line: bytes) -> list[str | None]:
    """The values of one COPY text line."""
    return [copy_unescape(f) for f in line.decode().split("\t")]


def text_array(text: str) -> list[str | None]:
    """The elements of a one-dimensional text[] as PostgreSQL prints it (``{a,"b c",NULL}``).

    :raises ValueError: when ``text`` is not such an array.
    """
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError(f"not an array: {text[:40]!r}")
    body, i = text[1:-1], 0
    items: list[str | None] = []
    while i < len(body):
        if body[i] == '"':
            value, i = [], i + 1
            while i < len(body) and body[i] != '"':
                if body[i] == "\\":
                    i += 1
                value.append(body[i : i + 1])
                i += 1
            if i >= len(body):
                raise ValueError("unterminated quoted array element")
            items.append("".join(value))
            i += 1
        else:
            end = body.find(",", i)
            end = len(body) if end < 0 else end
            word = body[i:end]
            if not word or any(c in word for c in '{}"\\'):
                raise ValueError(f"malformed array element {word!r}")
            items.append(None if word.upper() == "NULL" else word)
            i = end
        if i < len(body):
            if body[i] != ",":
                raise ValueError("array elements must be separated by commas")
            i += 1
            if i == len(body):
                raise ValueError("array ends with a comma")
    return items


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

    fields: tuple[str | None, ...]
    stored_hash: bytes

    @property
    def format(self) -> int:
        return int(self.field("format"))

    @property
    def line(self) -> bytes:
        """The block line its format hashes.

        :raises ValueError: for an unknown format or too few fields.
        """
        columns = block_columns(self.format)
        if len(self.fields) < len(columns):
            raise ValueError(f"a format-{self.format} block has {len(columns)} fields")
        return copy_line(self.fields[: len(columns)])

    @property
    def computed_hash(self) -> bytes:
        """The hash of its line; for a header that cannot be a block, a hash nothing matches."""
        try:
            return block_hash(self.line)
        except ValueError:
            return b""

    def field(self, name: str) -> str:
        value = self.fields[BLOCK_COLUMNS.index(name)]
        if value is None:
            raise ValueError(f"block field {name} is NULL")
        return value

    @property
    def table_names(self) -> tuple[str, ...] | None:
        """The tables whose rows a format-2 block holds ('' for trail events); None in format 1,
        which did not hash them."""
        if self.format < 2 or len(self.fields) < len(BLOCK_COLUMNS):
            return None
        text = self.fields[BLOCK_COLUMNS.index("table_names")]
        return tuple(t or "" for t in text_array(text)) if text is not None else None

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
