"""Item 5: audit storage per UPDATE event (narrow and wide tables) and added single-row latency.

Storage: the growth of ``pg_total_relation_size`` over every leaf partition of ``audit.log_rows``
across one ``UPDATE`` of every row (one int column changed), divided by the events it recorded.
Latency: ``pgbench -f`` at one client running a single-row ``UPDATE`` of a random row, on an
audited and an identical unaudited table, interleaved; the added latency is the difference of the
median average latencies pgbench reports.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from psycopg import sql

from .audit import audit_log_bytes, audit_row_count, install_pgaudit_kit
from .cluster import BenchDatabase, Cluster, fresh_database
from .log import progress
from .pgbench import parse_output
from .results import Check, Target, median
from .sizes import Sizes

#: 4 columns: the one the UPDATE changes is ``counter``.
_NARROW = """
create table {schema}.narrow (
    id integer primary key,
    counter integer not null,
    label text not null,
    updated_at timestamptz not null
) with (autovacuum_enabled = off);
insert into {schema}.narrow
select g, 0, 'label ' || g, timestamptz '2025-01-01' + g * interval '1 second'
from generate_series(1, {rows}) as g;
"""


def _wide_columns() -> list[tuple[str, str, str, str]]:
    """(name, type, value expression over g, policy) for the 30 columns of the wide table."""
    columns = [
        ("id", "integer primary key", "g", "plain"),
        ("counter", "integer not null", "0", "plain"),
        ("email", "text", "'user' || g || '@example.com'", "hash"),
        ("phone", "text", "'+44 20 7946 ' || lpad((g % 10000)::text, 4, '0')", "hash"),
    ]
    for i in range(26):
        kind = (
            ("text", "'value ' || g || ' of column {i}'"),
            ("bigint", "g * {i}"),
            ("numeric", "(g % 1000) / 10.0 + {i}"),
            ("timestamptz", "now()"),
        )
        sql_type, value = kind[i % 4]
        columns.append((f"c{i:02}", sql_type, value.format(i=i), "plain"))
    return columns


def _wide_sql(schema: str, rows: int) -> str:
    """The 30-column table's DDL and rows (built from the constants above, hence the noqa)."""
    columns = _wide_columns()
    definitions = ", ".join(f"{name} {sql_type}" for name, sql_type, _, _ in columns)
    values = ", ".join(value for _, _, value, _ in columns)
    create = f"create table {schema}.wide ({definitions}) with (autovacuum_enabled = off);"
    fill = f"insert into {schema}.wide select {values} from generate_series(1, {rows}) as g;"  # noqa: S608
    return f"{create}\n{fill}\n"


AUDITED_TABLES = {
    "audited.narrow": {"id": "plain", "counter": "plain", "label": "plain", "updated_at": "plain"},
    "audited.wide": {name: policy for name, _, _, policy in _wide_columns()},
}

_LATENCY_SCRIPT = """\\set id random(1, {rows})
update {schema}.narrow set counter = counter + 1 where id = :id;
"""


@dataclass(frozen=True)
class LatencyRun:
    config: str
    round: int
    latency_ms: float
    tps: float


def prepare(db: BenchDatabase, sizes: Sizes) -> None:
    for schema in ("plain", "audited"):
        db.execute(f"create schema {schema}")
        db.execute(_NARROW.format(schema=schema, rows=sizes.footprint_rows))
    db.execute(_wide_sql("audited", sizes.footprint_rows))
    for table in ("plain.narrow", "audited.narrow", "audited.wide"):
        db.execute(f"vacuum analyze {table}")
    install_pgaudit_kit(db, AUDITED_TABLES)


def bytes_per_update(db: BenchDatabase, table: str) -> tuple[float, int, int]:
    """(bytes per event, events, bytes) of one UPDATE of every row of ``table``."""
    bytes_before, rows_before = audit_log_bytes(db), audit_row_count(db)
    db.execute(
        sql.SQL("update {} set counter = counter + 1").format(sql.Identifier(*table.split(".")))
    )
    db.execute("checkpoint")
    grown = audit_log_bytes(db) - bytes_before
    events = audit_row_count(db) - rows_before
    return grown / events, events, grown


def trigger_time_per_row(db: BenchDatabase, rows: int) -> tuple[float, float]:
    """(capture trigger µs per row, whole UPDATE µs per row) from EXPLAIN ANALYZE of an UPDATE of
    ``rows`` rows of audited.narrow, in a transaction rolled back afterwards."""
    with db.connect() as conn, conn.transaction(force_rollback=True):
        row = conn.execute(
            "explain (analyze, format json) "
            "update audited.narrow set counter = counter + 1 where id <= %s",
            (rows,),
        ).fetchone()
    assert row is not None
    plan = row[0][0]
    trigger_ms = sum(t["Time"] for t in plan.get("Triggers", []))
    return trigger_ms * 1000 / rows, plan["Execution Time"] * 1000 / rows


def latency_runs(db: BenchDatabase, sizes: Sizes) -> list[LatencyRun]:
    """Interleaved pgbench -f runs at one client; three times the usual rounds, shorter (the
    figure is small and commit latency on a shared disk is noisy)."""
    scripts = {}
    folder = Path(tempfile.mkdtemp(prefix="pgaudit-bench-latency-"))
    for config in ("plain", "audited"):
        scripts[config] = folder / f"{config}.sql"
        scripts[config].write_text(_LATENCY_SCRIPT.format(rows=sizes.footprint_rows, schema=config))
    runs: list[LatencyRun] = []
    for rnd in range(sizes.rounds * 3):
        for config in ("plain", "audited") if rnd % 2 == 0 else ("audited", "plain"):
            db.execute("checkpoint")
            output = db.pgbench(
                "-n", "-c", "1", "-T", str(sizes.latency_seconds), "-f", str(scripts[config])
            )
            tps, latency, _ = parse_output(output)
            runs.append(LatencyRun(config, rnd, latency, tps))
            progress(f"latency round {rnd + 1}: {config:7} {latency:.3f} ms ({tps:,.0f} tps)")
    return runs


def run(cluster: Cluster, sizes: Sizes) -> tuple[list[Check], dict[str, Any]]:
    """Item 5."""
    with fresh_database(cluster, "footprint") as db:
        prepare(db, sizes)
        narrow = bytes_per_update(db, "audited.narrow")
        progress(f"footprint: narrow UPDATE {narrow[0]:.0f} bytes/event ({narrow[1]:,} events)")
        wide = bytes_per_update(db, "audited.wide")
        progress(f"footprint: wide UPDATE {wide[0]:.0f} bytes/event ({wide[1]:,} events)")
        trigger_us, update_us = trigger_time_per_row(db, min(10_000, sizes.footprint_rows))
        progress(
            f"footprint: capture trigger {trigger_us:.1f} µs per UPDATE row "
            f"(whole UPDATE {update_us:.1f} µs per row)"
        )
        runs = latency_runs(db, sizes)
    plain = median([r.latency_ms for r in runs if r.config == "plain"])
    audited = median([r.latency_ms for r in runs if r.config == "audited"])
    checks = [
        Check(
            "5 footprint",
            "audit bytes per UPDATE event, 4-column table",
            narrow[0],
            "bytes",
            target=Target("<", 300, on="value"),
            detail=f"{narrow[1]:,} events",
        ),
        Check(
            "5 footprint",
            "audit bytes per UPDATE event, 30-column table",
            wide[0],
            "bytes",
            detail=f"{wide[1]:,} events, one int column changed",
        ),
        Check(
            "5 footprint",
            "added latency, single-row UPDATE, 1 client",
            audited - plain,
            "ms",
            target=Target("<", 0.2, on="value"),
            detail=f"audited {audited:.3f} ms vs plain {plain:.3f} ms",
        ),
        Check(
            "5 footprint",
            "capture trigger time per UPDATE row, EXPLAIN ANALYZE",
            trigger_us / 1000,
            "ms",
            detail=f"whole UPDATE {update_us / 1000:.4f} ms per row, 4-column table",
        ),
    ]
    details = {
        "rows": sizes.footprint_rows,
        "narrow": {"bytes_per_event": narrow[0], "events": narrow[1], "bytes": narrow[2]},
        "wide": {"bytes_per_event": wide[0], "events": wide[1], "bytes": wide[2]},
        "explain_trigger_us_per_row": trigger_us,
        "explain_update_us_per_row": update_us,
        "latency_runs": [asdict(r) for r in runs],
        "latency_median_ms": {"plain": plain, "audited": audited},
    }
    return checks, details
