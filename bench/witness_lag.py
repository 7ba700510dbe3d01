"""Witness lag under pgbench: how far a witness trails the primary while TPC-B runs and seals.

    .venv/bin/python -m bench.witness_lag [--seconds 60] [--clients 4] [--scale 10]

Two embedded PostgreSQL 18 clusters: the primary with wal_level = logical, audited pgbench
tables and the seal loop (every 100 ms), and a witness set up with ``witness setup``. Every
0.5 s the lag is sampled as ``verify --witness`` reports it (blocks sealed on the primary that
the witness lacks, and seconds since the oldest of them was sealed); at the end one
``verify --witness`` runs. Writes bench/results/witness_lag.md.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from pgaudit_kit import api
from pgaudit_kit.embedded import EmbeddedServer

from .audit import install_pgaudit_kit
from .cluster import Cluster, _embedded_pgbench, fresh_database
from .log import progress
from .pgbench import PGBENCH_TABLES, SealLoop, parse_output
from .results import median

REPO = Path(__file__).resolve().parent.parent
_HEAD = "select coalesce(max(block_no), 0), max(sealed_at) from audit.blocks"


def _lag(primary: str, witness: str) -> tuple[int, float]:
    with psycopg.connect(witness, autocommit=True) as conn:
        row = conn.execute(_HEAD).fetchone()
    height = int(row[0]) if row else 0
    with psycopg.connect(primary, autocommit=True) as conn:
        behind = conn.execute(
            "select count(*), min(sealed_at) from audit.blocks where block_no > %s", [height]
        ).fetchone()
    assert behind is not None
    seconds = (datetime.now(UTC) - behind[1]).total_seconds() if behind[1] else 0.0
    return int(behind[0]), max(0.0, seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.witness_lag", description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "witness_lag.md")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="pgaudit-kit-witness-bench-"))
    primary_server = EmbeddedServer(work / "primary").start()
    with psycopg.connect(primary_server.dsn(dbname="postgres"), autocommit=True) as conn:
        conn.execute("alter system set wal_level = logical")
    primary_server.stop()
    primary_server = EmbeddedServer(work / "primary").start()
    witness_server = EmbeddedServer(work / "witness").start()
    samples: list[tuple[int, float]] = []
    try:
        cluster = Cluster(primary_server.dsn(dbname="postgres"), _embedded_pgbench(), True)
        with fresh_database(cluster, "witness") as db:
            db.pgbench("-i", "-q", "-s", str(args.scale), "-I", "dtGvp")
            config = install_pgaudit_kit(db, PGBENCH_TABLES)
            witness_dsn = witness_server.dsn(dbname="postgres")
            api.witness_setup(config, db.dsn, witness_dsn)
            loop = SealLoop(db.dsn)
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    samples.append(_lag(db.dsn, witness_dsn))
                    done.wait(0.5)

            sampler = threading.Thread(target=sample, daemon=True)
            loop.start()
            sampler.start()
            output = db.pgbench("-n", "-c", str(args.clients), "-j", "2", "-T", str(args.seconds))
            done.set()
            loop.stop_event.set()
            loop.join()
            sampler.join()
            tps = parse_output(output)[0]
            deadline = time.monotonic() + 120
            while _lag(db.dsn, witness_dsn)[0] and time.monotonic() < deadline:
                time.sleep(0.2)
            started = time.perf_counter()
            result = api.verify(config, db.dsn, witness_dsn=witness_dsn)
            verify_seconds = time.perf_counter() - started
            assert result.ok, result.problems
            assert result.witness is not None
            with psycopg.connect(witness_dsn, autocommit=True) as conn:
                for (sub,) in conn.execute("select subname from pg_subscription").fetchall():
                    conn.execute(f'drop subscription "{sub}"')
    finally:
        witness_server.stop()
        primary_server.stop()
        shutil.rmtree(work, ignore_errors=True)
    blocks = [b for b, _ in samples]
    seconds = [s for _, s in samples]
    lines = [
        f"# witness lag under pgbench ({args.clients} clients, scale {args.scale}, "
        f"{args.seconds} s, seal every 100 ms)",
        "",
        f"pgbench: {tps:,.0f} TPS; {len(samples)} samples every 0.5 s; "
        f"{loop.rows:,} rows sealed in {loop.calls} seal calls",
        "",
        "| lag | median | max |",
        "|---|---|---|",
        f"| blocks behind | {median([float(b) for b in blocks]):.0f} | {max(blocks)} |",
        f"| seconds behind | {median(seconds):.2f} | {max(seconds):.2f} |",
        "",
        f"final verify --witness: ok, {result.rows_verified:,} rows, "
        f"{result.witness.witness_height} blocks on both, {verify_seconds:.1f} s",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    progress("done")


if __name__ == "__main__":
    main()
