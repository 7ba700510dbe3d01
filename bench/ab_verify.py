"""Verify throughput of two checkouts, side by side on one log: ``before`` and ``after`` a change.

    .venv/bin/python -m bench.ab_verify --before ../old-checkout [--after .] [--dsn DSN]
        [--rows 1000000] [--rounds 3] [--jobs 1]

The log is installed, filled (as ``bench.verify`` fills it) and sealed by ``before``'s toolkit,
whose schema both verifiers must read, then each round runs ``pgaudit-kit verify`` from both
checkouts, alternating which goes first, on the same machine at the same moment: a ratio that
noise on a shared machine moves far less than either figure. Writes bench/results/ab_verify.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from .audit import write_config
from .cluster import fresh_database, open_cluster
from .log import progress
from .results import median
from .verify import _COLUMNS, _CUSTOMERS, VerifyRun, fill, run_verify, seal, source_env

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab_verify", description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="checkout before the change")
    parser.add_argument("--after", type=Path, default=REPO, help="checkout after (default: this)")
    parser.add_argument("--dsn", help="superuser DSN (default: an embedded PostgreSQL 18)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ab_verify.md")
    args = parser.parse_args(argv)
    sources = {"before": args.before, "after": args.after}
    runs: dict[str, list[VerifyRun]] = {"before": [], "after": []}
    with open_cluster(args.dsn) as cluster, fresh_database(cluster, "abverify") as db:
        db.execute(_CUSTOMERS)
        config = write_config(db, {"public.customers": _COLUMNS})
        subprocess.run(
            [sys.executable, "-m", "pgaudit_kit", "--dsn", db.dsn, "--config", str(config),
             "apply"],
            check=True, env=source_env(args.before), stdout=subprocess.DEVNULL,
        )  # fmt: skip
        started = time.perf_counter()
        fill(db, 1, args.rows, 10)
        db.execute("vacuum analyze audit.log_rows")
        sealed = seal(db)
        progress(f"filled and sealed {sealed.rows:,} rows in {time.perf_counter() - started:.0f}s")
        for rnd in range(args.rounds):
            for name in ("before", "after") if rnd % 2 == 0 else ("after", "before"):
                run = run_verify(db, config, args.jobs, args.rows, rnd, sources[name])
                runs[name].append(run)
                progress(f"round {rnd} {name}: {run.rows_per_second:,.0f} rows/s, ok={run.ok}")
    before = median([r.rows_per_second for r in runs["before"]])
    after = median([r.rows_per_second for r in runs["after"]])
    lines = [
        f"# verify throughput, before and after ({args.rows:,}-row log, --jobs {args.jobs})",
        "",
        "| checkout | median rows/s | runs (rows/s) | ok |",
        "|---|---|---|---|",
        *(
            f"| {name} ({sources[name]}) | {median([r.rows_per_second for r in runs[name]]):,.0f} "
            f"| {', '.join(f'{r.rows_per_second:,.0f}' for r in runs[name])} "
            f"| {all(r.ok for r in runs[name])} |"
            for name in ("before", "after")
        ),
        "",
        f"after / before: **{after / before:.2f}x**",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
