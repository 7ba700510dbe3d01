"""Write tests/vectors/chain_v<format>.json: rows with hard values, their canonical lines and hashes.

    python tools/make_vectors.py POSTGRES_SUPERUSER_DSN

Installs pgaudit-kit in a scratch database, inserts the rows below into the log as they are,
reads them back with COPY (the lines any verifier receives), computes every hash with
pgaudit_kit.chain, seals them with the SQL sealer and checks it agrees, then writes the file.
The SQL and Python implementations are both tested against it (tests/*/test_chain*.py).
"""

from __future__ import annotations

import json
import sys
import tempfile
import uuid
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pgaudit_kit import api, chain  # noqa: E402
from pgaudit_kit.verify import read_headers, split_row  # noqa: E402

COLUMNS = (*chain.HEADER_COLUMNS, *chain.PAYLOAD_COLUMNS)
BIG = "ünïcødé-🚀-" * 2000

ROWS: list[dict[str, object]] = [
    {
        "id": 1,
        "txid": 100,
        "tx_time": "2026-01-02 03:04:05.123456+00",
        "stmt_time": "2026-01-02 03:04:05.5+00",
        "op": "INSERT",
        "table_name": "public.customers",
        "changed_columns": None,
        "login_role": "app",
        "effective_role": "app",
        "application_name": "shop",
        "client_addr": "192.168.0.1",
        "request_id": "req-1",
        "trace_id": None,
        "key_id": 1,
        "row_key": '{"id" : 1}',
        "old_values": None,
        "new_values": '{"id" : 1, "email" : "hmac:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "card_number" : "****-****-****-1234", "status" : "new"}',
    },
    {
        "id": 4294967396,
        "txid": 101,
        "tx_time": "2026-01-31 23:59:59.999999+00",
        "stmt_time": "2026-01-31 23:59:59.999999+00",
        "op": "UPDATE",
        "table_name": '"Sales Co"."Order Lines"',
        "changed_columns": '{"Line No","e\tx",plain}',
        "login_role": "rôle",
        "effective_role": "a\\b",
        "application_name": "tab\there\nnewline\rcr\bbs\fff\vvt",
        "client_addr": "2001:db8::1",
        "request_id": "",
        "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
        "key_id": None,
        "row_key": '{"Line No" : 7}',
        "old_values": '{"note" : "x\\"y\\\\z\\n"}',
        "new_values": '{"note":\t"multi\\u0000-free"\n}',
    },
    {
        "id": 9223372036854775807,
        "txid": 101,
        "tx_time": "2026-01-15 12:00:00+00",
        "stmt_time": "2026-01-15 12:00:00+00",
        "op": "DELETE",
        "table_name": "public.big",
        "changed_columns": None,
        "login_role": "app",
        "effective_role": "app",
        "application_name": None,
        "client_addr": None,
        "request_id": None,
        "trace_id": None,
        "key_id": 2,
        "row_key": None,
        "old_values": json.dumps({"payload": BIG}, ensure_ascii=False),
        "new_values": None,
    },
    {
        "id": 4,
        "txid": 102,
        "tx_time": "2026-01-20 08:00:00+00",
        "stmt_time": "2026-01-20 08:00:00.000001+00",
        "op": "DDL",
        "table_name": None,
        "changed_columns": "{}",
        "login_role": "postgres",
        "effective_role": "postgres",
        "application_name": "",
        "client_addr": "10.0.0.0/8",
        "request_id": None,
        "trace_id": None,
        "key_id": None,
        "row_key": None,
        "old_values": None,
        "new_values": '{"command_tag" : "ALTER TABLE", "object_identity" : "public.\\"we\\\\ird\\""}',
    },
    {
        "id": 5,
        "txid": 103,
        "tx_time": "2026-01-21 00:00:00+00",
        "stmt_time": "2026-01-21 00:00:00+00",
        "op": "TRUNCATE",
        "table_name": "public.t",
        "changed_columns": None,
        "login_role": "app",
        "effective_role": "app",
        "application_name": "\\N",
        "client_addr": None,
        "request_id": "\\",
        "trace_id": None,
        "key_id": None,
        "row_key": None,
        "old_values": None,
        "new_values": "null",
    },
]


def main(dsn: str) -> None:
    name = f"pgaudit_vectors_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    target = psycopg.conninfo.make_conninfo(dsn, dbname=name)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "pgaudit.toml"
            config.write_text(f'[audit]\nowner_role = "vectors_owner_{uuid.uuid4().hex[:6]}"\n')
            api.apply(config, target)
            document = build(target)
            api.uninstall(config, target, drop_data=True)
        out = ROOT / "tests" / "vectors" / f"chain_v{chain.FORMAT_VERSION}.json"
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)}")
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database {} with (force)").format(sql.Identifier(name)))


def build(dsn: str) -> dict[str, object]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("delete from audit.log_rows")
        for row in ROWS:
            conn.execute(
                sql.SQL("insert into audit.log_rows ({}) values ({})").format(
                    sql.SQL(", ").join(map(sql.Identifier, COLUMNS)),
                    sql.SQL(", ").join(sql.Placeholder() for _ in COLUMNS),
                ),
                [row[c] for c in COLUMNS],
            )
        for name, value in chain.CANONICAL_SETTINGS.items():
            conn.execute(sql.SQL("set {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        lines = []
        with conn.cursor().copy(
            sql.SQL("copy (select {} from audit.log_rows order by txid, id) to stdout").format(
                sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
            )
        ) as copy:
            lines = [bytes(data).rstrip(b"\n") for data in copy]
        sealed = conn.execute("select block_no, row_count from audit.seal()").fetchall()
        header = [
            (*headers.fields, headers.stored_hash.hex()) for headers in read_headers(conn, "audit")
        ]
    rows = []
    leaves = []
    for row, line in zip(sorted(ROWS, key=lambda r: (r["txid"], r["id"])), lines, strict=True):
        head, payload = split_row(line)
        digest = chain.payload_hash(payload)
        leaf = chain.leaf_hash(head, digest)
        leaves.append(leaf)
        rows.append(
            {
                "values": row,
                "leaf_line": head.decode() + "\t" + digest.hex(),
                "payload_line": payload.decode(),
                "payload_hash": digest.hex(),
                "leaf_hash": leaf.hex(),
            }
        )
    roots = {str(n): chain.merkle_root(leaves[:n]).hex() for n in range(1, len(leaves) + 1)}
    assert sealed == [(1, len(ROWS))], sealed
    (fields,) = header
    block = chain.BlockHeader(fields[:-1], bytes.fromhex(str(fields[-1])))
    assert block.merkle_root.hex() == roots[str(len(leaves))], "SQL and Python roots differ"
    assert block.computed_hash == block.stored_hash, "SQL and Python block hashes differ"
    return {
        "format": chain.FORMAT_VERSION,
        "about": "Rows as stored in log_rows; their canonical lines and hashes (see pgaudit_kit/chain.py).",
        "rows": rows,
        "merkle_roots": roots,
        "block": {"fields": list(block.fields), "block_hash": block.stored_hash.hex()},
    }


if __name__ == "__main__":
    main(sys.argv[1])
