"""Retention (issue 4): purging a month of audit rows by dropping its partition, against a DELETE
of the same number of rows.

Two past months (2020-01 and 2020-02, far beyond the default class's 2 years) are filled with
``purge_rows`` rows each, written straight into ``audit.log_rows`` as capture writes them (the
rows land in the default partition); ``premake_partitions`` moves them into their monthly
partitions and ``seal()`` seals them, untimed. Then, each after a checkpoint: a superuser's
``DELETE`` of February's rows, the ``VACUUM`` a DELETE needs before its space is reusable, and
``<schema>.purge()``, which drops January's partition (and February's, by then empty) and
records the PURGE event. Report only: the issue asks for the ratio.
"""

from __future__ import annotations

import time
from typing import Any

from .audit import install_pgaudit_kit
from .cluster import BenchDatabase, Cluster, fresh_database
from .log import progress
from .results import Check
from .sizes import Sizes

MONTHS = ("2020-01", "2020-02")

_FILL = """
insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                            changed_columns, login_role, effective_role, key_id)
select pg_current_xact_id()::text::bigint, '{month}-15 12:00:00+00', '{month}-15 12:00:00+00',
       'INSERT', 'public.customers', json_build_object('id', g),
       json_build_object('id', g, 'status', 'active',
                         'email', 'hmac:' || encode(sha256(('e' || g)::bytea), 'hex')),
       null, 'shop_app', 'shop_app', (select max(key_id) from audit.hmac_keys)
from generate_series({lo}::bigint, {hi}::bigint) as g
"""

_DELETE = """
delete from audit.log_rows
where tx_time >= '{month}-01 00:00:00+00' and tx_time < '{month}-01 00:00:00+00'::timestamptz
                                                          + interval '1 month'
"""


def _timed(db: BenchDatabase, statement: str) -> tuple[float, Any]:
    with db.connect() as conn:
        conn.autocommit = True
        conn.execute("checkpoint")
        started = time.perf_counter()
        cursor = conn.execute(statement)
        result = cursor.fetchall() if cursor.description else None
        return time.perf_counter() - started, result


def run(cluster: Cluster, sizes: Sizes) -> tuple[list[Check], dict[str, Any]]:
    rows = sizes.purge_rows
    with fresh_database(cluster, "purge") as db:
        db.execute("create table public.customers (id bigint primary key, status text)")
        install_pgaudit_kit(
            db,
            {"public.customers": {"id": "plain", "status": "plain"}},
            retention={"default": "2 years"},
        )
        for month in MONTHS:
            for lo in range(1, rows + 1, sizes.verify_rows_per_tx):
                hi = min(lo + sizes.verify_rows_per_tx - 1, rows)
                db.execute(_FILL.format(month=month, lo=lo, hi=hi))
        started = time.perf_counter()
        db.execute("select audit.premake_partitions(1)")  # places the rows in their months
        db.execute("select * from audit.seal()")
        progress(
            f"purge: {2 * rows:,} rows placed and sealed in {time.perf_counter() - started:.1f}s"
        )
        deleted, _ = _timed(db, _DELETE.format(month=MONTHS[1]))
        progress(f"purge: DELETE of {rows:,} rows {deleted:.2f}s")
        # a DELETE leaves dead rows that only VACUUM makes reusable: its full cost
        vacuumed, _ = _timed(db, "vacuum audit.log_rows")
        progress(f"purge: VACUUM after the DELETE {vacuumed:.2f}s")
        purged, actions = _timed(db, "select * from audit.purge()")
        progress(f"purge: purge() of a {rows:,}-row partition {purged:.2f}s")
        # (partition, from, to, row_count, retention, keep_until, action, detail)
        assert any(r[3] == rows and r[6] == "dropped" for r in actions), actions
    return [
        Check(
            "retention",
            f"purge() of a {rows:,}-row partition",
            purged,
            "s",
            deleted,
            f"DELETE of {rows:,} rows",
            None,
            samples=[purged],
        ),
        Check(
            "retention",
            f"purge() of a {rows:,}-row partition, against DELETE then VACUUM",
            purged,
            "s",
            deleted + vacuumed,
            f"DELETE + VACUUM of {rows:,} rows",
            None,
            detail=f"VACUUM {vacuumed:.2f}s",
            samples=[purged],
        ),
    ], {
        "rows": rows,
        "purge_seconds": purged,
        "delete_seconds": deleted,
        "vacuum_seconds": vacuumed,
    }
