"""chain.py against RFC 6962/9162 reference vectors and against the shared vectors of each
block format."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pgaudit_kit import chain

VECTOR_FILES = {
    n: json.loads(
        (Path(__file__).resolve().parents[1] / "vectors" / f"chain_v{n}.json").read_text()
    )
    for n in (1, 2)
}
VECTORS = VECTOR_FILES[1]

# Certificate Transparency's reference tree (RFC 6962 test data): leaf inputs and the tree head of
# the first n leaves.
CT_INPUTS = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = {
    0: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    5: [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}
CT_LEAVES = [hashlib.sha256(b"\x00" + bytes.fromhex(x)).digest() for x in CT_INPUTS]


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH straight from RFC 9162's recursive definition."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return chain.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_certificate_transparency(size: int) -> None:
    assert chain.merkle_root(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


@pytest.mark.parametrize("index", sorted(CT_PATHS))
def test_inclusion_paths_match_certificate_transparency(index: int) -> None:
    assert [h.hex() for h in chain.inclusion_path(index, CT_LEAVES)] == CT_PATHS[index]


def test_streaming_builder_equals_the_recursive_definition_for_every_size() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(70)]
    for size in range(1, len(leaves) + 1):
        assert chain.merkle_root(leaves[:size]) == reference_root(leaves[:size])


def test_every_inclusion_path_leads_to_the_root_and_nothing_else_does() -> None:
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(37)]
    for size in range(1, len(leaves) + 1):
        root = chain.merkle_root(leaves[:size])
        for index in range(size):
            path = chain.inclusion_path(index, leaves[:size])
            assert chain.root_from_path(index, size, leaves[index], path) == root
            if size > 1:
                assert chain.root_from_path(index, size, leaves[(index + 1) % size], path) != root


@pytest.mark.parametrize(
    ("index", "size", "path_length", "message"),
    [
        (3, 3, 2, "outside a tree"),
        (0, 8, 2, "shorter than"),
        (0, 2, 3, "longer than"),
    ],
)
def test_malformed_paths_are_refused(index: int, size: int, path_length: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        chain.root_from_path(index, size, bytes(32), [bytes(32)] * path_length)


def test_domain_separation_keeps_leaves_nodes_and_blocks_apart() -> None:
    data = bytes(64)
    assert (
        len(
            {
                hashlib.sha256(p + data).digest()
                for p in (chain.LEAF_PREFIX, chain.NODE_PREFIX, chain.BLOCK_PREFIX)
            }
        )
        == 3
    )
    assert chain.node_hash(data[:32], data[32:]) != hashlib.sha256(data).digest()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "\\N"),
        ("", ""),
        ("\\N", "\\\\N"),
        ("a\tb\nc\rd", "a\\tb\\nc\\rd"),
        ("\b\f\v", "\\b\\f\\v"),
        ("back\\slash", "back\\\\slash"),
        ("\x01\x1f", "\x01\x1f"),
        ("ünï", "ünï"),
    ],
)
def test_copy_text_escapes_like_copy(value: str | None, text: str) -> None:
    assert chain.copy_text(value) == text
    assert chain.copy_unescape(text) == value


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("{}", []),
        ('{"",public.t}', ["", "public.t"]),
        ('{"\\"Sales Co\\".\\"Lines\\"",a}', ['"Sales Co"."Lines"', "a"]),
        ('{"back\\\\slash","a,b",NULL}', ["back\\slash", "a,b", None]),
    ],
)
def test_text_array_reads_what_postgresql_prints(text: str, items: list[str | None]) -> None:
    assert chain.text_array(text) == items


@pytest.mark.parametrize("text", ["", "{", "{a,}", '{"a}', "{a b\\c}", "{{a}}", '{"a"b}'])
def test_text_array_refuses_what_postgresql_does_not_print(text: str) -> None:
    with pytest.raises(ValueError):
        chain.text_array(text)


@pytest.mark.parametrize("row", VECTORS["rows"], ids=lambda r: str(r["values"]["id"]))
def test_shared_vectors_row_hashes(row: dict[str, object]) -> None:
    payload = str(row["payload_line"]).encode()
    leaf_line = str(row["leaf_line"]).encode()
    assert chain.payload_hash(payload).hex() == row["payload_hash"]
    header = leaf_line[: leaf_line.rfind(b"\t")]
    assert chain.leaf_hash(header, chain.payload_hash(payload)).hex() == row["leaf_hash"]
    values = row["values"]
    assert isinstance(values, dict)
    assert header == chain.copy_line(
        None if values[c] is None else str(values[c]) for c in chain.HEADER_COLUMNS
    )
    assert payload == chain.copy_line(
        None if values[c] is None else str(values[c]) for c in chain.PAYLOAD_COLUMNS
    )


@pytest.mark.parametrize("format_version", sorted(VECTOR_FILES))
def test_shared_vectors_roots_and_block_hash(format_version: int) -> None:
    vectors = VECTOR_FILES[format_version]
    leaves = [bytes.fromhex(r["leaf_hash"]) for r in vectors["rows"]]
    for size, root in vectors["merkle_roots"].items():
        assert chain.merkle_root(leaves[: int(size)]).hex() == root
    block = chain.BlockHeader(
        tuple(vectors["block"]["fields"]), bytes.fromhex(vectors["block"]["block_hash"])
    )
    assert block.format == vectors["format"] == format_version
    assert block.computed_hash == block.stored_hash
    assert block.merkle_root.hex() == vectors["merkle_roots"][str(len(leaves))]
    names = {r["values"]["table_name"] or "" for r in vectors["rows"]}
    assert block.table_names == (tuple(sorted(names)) if format_version == 2 else None)


def test_a_format_2_header_hashes_its_table_names() -> None:
    vectors = VECTOR_FILES[2]
    fields = list(vectors["block"]["fields"])
    fields[-1] = fields[-1].replace("public.big,", "")
    edited = chain.BlockHeader(tuple(fields), bytes.fromhex(vectors["block"]["block_hash"]))
    assert edited.computed_hash != edited.stored_hash
    assert chain.BlockHeader(tuple(["9", *fields[1:]]), b"").computed_hash == b""  # unknown format
