"""Alert evaluation speed: ``alerts`` judging a log of --rows events, in interleaved rounds
beside a plain scan of the same log.

    .venv/bin/python -m bench.alerts [--dsn DSN] [--rows 1000000] [--rounds 3]

The log is filled as ``bench.verify`` fills it (ten rows per transaction); each round moves the
alert cursor back to the start (as the superuser) and runs every rule over the whole log, then
times ``select count(*)`` of the log for scale. Writes bench/results/alerts.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pgaudit_kit import api

from .audit import install_pgaudit_kit
from .cluster import fresh_database, open_cluster
from .log import progress
from .results import median
from .verify import _COLUMNS, _CUSTOMERS, fill

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.alerts", description=__doc__)
    parser.add_argument("--dsn", help="superuser DSN (default: an embedded PostgreSQL 18)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "alerts.md")
    args = parser.parse_args(argv)
    timings: dict[str, list[float]] = {"alerts (every rule)": [], "count(*) of the log": []}
    with open_cluster(args.dsn) as cluster, fresh_database(cluster, "alerts") as db:
        db.execute(_CUSTOMERS)
        config = install_pgaudit_kit(db, {"public.customers": _COLUMNS})
        fill(db, 1, args.rows, 10)
        db.execute("vacuum analyze audit.log_rows")
        events = 0
        for rnd in range(args.rounds):
            db.execute("update audit.alert_cursor set horizon = 0")
            started = time.perf_counter()
            result = api.alerts(config, db.dsn)
            timings["alerts (every rule)"].append(time.perf_counter() - started)
            events = result.events
            started = time.perf_counter()
            db.execute("select count(*) from audit.log_rows")
            timings["count(*) of the log"].append(time.perf_counter() - started)
            progress(
                f"round {rnd}: {events:,} events, {len(result.alerts)} alert(s); "
                + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in timings.items())
            )
    lines = [
        f"# alert evaluation ({events:,} events, {args.rounds} interleaved rounds)",
        "",
        "| step | median s | events/s | runs (s) |",
        "|---|---|---|---|",
        *(
            f"| {name} | {median(v):.2f} | {events / median(v):,.0f} "
            f"| {', '.join(f'{s:.2f}' for s in v)} |"
            for name, v in timings.items()
        ),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
