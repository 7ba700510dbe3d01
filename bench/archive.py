"""Archive throughput: ``archive`` writing a sealed log, ``verify --archive`` checking it offline,
beside ``verify`` of the same log in the database, in interleaved rounds.

    .venv/bin/python -m bench.archive [--dsn DSN] [--rows 1000000] [--rounds 2]

The log is filled and sealed as ``bench.verify`` does. Each round writes a fresh archive of the
whole log, checks it offline, and verifies the database (``--jobs 1``), so the three figures
come from the same moments on a noisy machine. Writes bench/results/archive.md.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from pgaudit_kit import api

from .audit import install_pgaudit_kit
from .cluster import fresh_database, open_cluster
from .log import progress
from .results import median
from .verify import _COLUMNS, _CUSTOMERS, fill, seal

REPO = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.archive", description=__doc__)
    parser.add_argument("--dsn", help="superuser DSN (default: an embedded PostgreSQL 18)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "archive.md")
    args = parser.parse_args(argv)
    timings: dict[str, list[float]] = {"archive": [], "verify --archive": [], "verify": []}
    sizes: list[int] = []
    work = Path(tempfile.mkdtemp(prefix="pgaudit-kit-archive-bench-"))
    try:
        keys = api.keygen(work / "keys")
        with open_cluster(args.dsn) as cluster, fresh_database(cluster, "archive") as db:
            db.execute(_CUSTOMERS)
            config = install_pgaudit_kit(db, {"public.customers": _COLUMNS})
            fill(db, 1, args.rows, 10)
            db.execute("vacuum analyze audit.log_rows")
            sealed = seal(db)
            progress(f"filled and sealed {sealed.rows:,} rows")
            for rnd in range(args.rounds):
                out = work / f"archive-{rnd}"
                started = time.perf_counter()
                written = api.archive(config, db.dsn, signing_key=keys.private_key, out_dir=out)
                timings["archive"].append(time.perf_counter() - started)
                assert written.ok and written.rows == sealed.rows, written.problems
                sizes.append(sum(p.stat().st_size for p in out.iterdir()))
                started = time.perf_counter()
                checked = api.verify_archive(out, pubkey=keys.public_key)
                timings["verify --archive"].append(time.perf_counter() - started)
                assert checked.ok and checked.rows == sealed.rows, checked.problems
                started = time.perf_counter()
                assert api.verify(config, db.dsn).ok
                timings["verify"].append(time.perf_counter() - started)
                progress(
                    f"round {rnd}: " + ", ".join(f"{k} {v[-1]:.1f}s" for k, v in timings.items())
                )
                shutil.rmtree(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = sealed.rows
    lines = [
        f"# archive throughput ({rows:,}-row log, {args.rounds} interleaved rounds)",
        "",
        "| step | median s | rows/s | runs (s) |",
        "|---|---|---|---|",
        *(
            f"| {name} | {median(v):.1f} | {rows / median(v):,.0f} "
            f"| {', '.join(f'{s:.1f}' for s in v)} |"
            for name, v in timings.items()
        ),
        "",
        f"archive size: {median([float(s) for s in sizes]) / rows:.0f} bytes per row",
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
