"""The SQL sealer computes the hashes exactly as chain.py does (shared vectors): rows and roots
as in every format, block headers in format 2."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import psycopg
from psycopg import sql

from pgaudit_kit import chain, verify
from tests.fixtures.db import AuditEnv

VECTORS = json.loads(
    (
        Path(__file__).resolve().parents[1] / "vectors" / f"chain_v{chain.FORMAT_VERSION}.json"
    ).read_text()
)
COLUMNS = (*chain.HEADER_COLUMNS, *chain.PAYLOAD_COLUMNS)
HARD = [
    "",
    "\\N",
    "a\tb",
    "x\ny\rz",
    "\b\f\v",
    "back\\slash",
    "\x01\x7f",
    "ünïcødé 🚀",
    "'quoted' \"d\"",
]


def _installed(env: AuditEnv) -> None:
    env.write_config()
    env.apply()


def test_sql_copy_text_equals_python(env: AuditEnv) -> None:
    _installed(env)
    rows = env.sql(
        "select audit.copy_text(v) from unnest(%s::text[]) with ordinality u(v, i) order by i",
        [[*HARD, None]],
    )
    assert [r[0] for r in rows] == [chain.copy_text(v) for v in [*HARD, None]]


def test_sql_merkle_root_equals_python_for_many_sizes(env: AuditEnv) -> None:
    _installed(env)
    leaves = [hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(70)]
    with psycopg.connect(env.dsn) as conn:
        for size in range(1, len(leaves) + 1):
            (root,) = conn.execute(
                "select audit.merkle_root(%s)", [b"".join(leaves[:size])]
            ).fetchone() or (None,)
            assert bytes(root) == chain.merkle_root(leaves[:size]), size


def test_sealing_the_shared_vectors_reproduces_their_hashes(env: AuditEnv) -> None:
    _installed(env)
    with psycopg.connect(env.dsn, autocommit=True) as conn:
        conn.execute("delete from audit.log_rows")
        for row in VECTORS["rows"]:
            conn.execute(
                sql.SQL("insert into audit.log_rows ({}) values ({})").format(
                    sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
                    sql.SQL(", ").join(sql.Placeholder() for _ in COLUMNS),
                ),
                [row["values"][c] for c in COLUMNS],
            )
        for name, value in chain.CANONICAL_SETTINGS.items():
            conn.execute(sql.SQL("set {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        leaves = conn.execute(
            "select encode(audit.row_leaf(l), 'hex') from audit.log_rows l order by txid, id"
        ).fetchall()
        assert [r[0] for r in leaves] == [r["leaf_hash"] for r in VECTORS["rows"]]
        assert conn.execute("select count(*) from audit.seal()").fetchone() == (1,)
        (header,) = verify.read_headers(conn, "audit")
    assert header.merkle_root.hex() == VECTORS["merkle_roots"][str(len(VECTORS["rows"]))]
    assert header.computed_hash == header.stored_hash
    assert header.format == chain.FORMAT_VERSION
    table_names = chain.BLOCK_COLUMNS.index("table_names")
    assert header.fields[table_names] == VECTORS["block"]["fields"][table_names]
