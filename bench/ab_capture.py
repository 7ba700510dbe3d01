"""Write overhead of two checkouts' capture, side by side: ``before`` and ``after`` a change.

    .venv/bin/python -m bench.ab_capture --before ../old-checkout [--after .] [--dsn DSN]
        [--rows 200000] [--singles 5000] [--rounds 3]

Each checkout installs its own capture (``pgaudit-kit apply``, run from that checkout) on the
same table in a database of its own on one server; then each round times, on both databases in
alternating order, a bulk INSERT, UPDATE and DELETE of ``--rows`` rows and ``--singles``
single-row UPDATEs in one transaction (the per-call cost of a trigger), each in autocommit after
a checkpoint. Noise on a shared machine moves the after/before ratio far less than either
figure. Writes bench/results/ab_capture.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from .audit import write_config
from .bulk import _COLUMNS, _CREATE, STATEMENTS
from .cluster import BenchDatabase, fresh_database, open_cluster
from .log import progress
from .results import median
from .verify import source_env

REPO = Path(__file__).resolve().parent.parent
SINGLES = """
do $$
begin
    for i in 1..{singles} loop
        update audited.customers set amount = amount + 1 where id = i;
    end loop;
end
$$
"""


def _timed(db: BenchDatabase, statement: str) -> float:
    with db.connect() as conn:
        conn.execute("checkpoint")
        started = time.perf_counter()
        conn.execute(statement)
        return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab_capture", description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="checkout before the change")
    parser.add_argument("--after", type=Path, default=REPO, help="checkout after (default: this)")
    parser.add_argument("--dsn", help="superuser DSN (default: an embedded PostgreSQL 18)")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--singles", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "ab_capture.md")
    args = parser.parse_args(argv)
    sources = {"before": args.before, "after": args.after}
    work = {
        "INSERT": STATEMENTS["INSERT"].format(config="audited", rows=args.rows),
        f"{args.singles:,} single-row UPDATEs": SINGLES.format(singles=args.singles),
        "UPDATE": STATEMENTS["UPDATE"].format(config="audited"),
        "DELETE": STATEMENTS["DELETE"].format(config="audited"),
    }
    times: dict[tuple[str, str], list[float]] = {(n, w): [] for n in sources for w in work}
    with open_cluster(args.dsn) as cluster, ExitStack() as stack:
        dbs = {n: stack.enter_context(fresh_database(cluster, f"ab{n}")) for n in sources}
        for name, db in dbs.items():
            db.execute(_CREATE.format(config="audited"))
            config = write_config(db, {"audited.customers": _COLUMNS})
            subprocess.run(
                [sys.executable, "-m", "pgaudit_kit", "--dsn", db.dsn, "--config", str(config),
                 "apply"],
                check=True, env=source_env(sources[name]), stdout=subprocess.DEVNULL,
            )  # fmt: skip
        with dbs["after"].connect() as conn:
            server = conn.execute("show server_version").fetchone()
        for rnd in range(args.rounds):
            order = ("before", "after") if rnd % 2 == 0 else ("after", "before")
            for what, statement in work.items():
                for name in order:
                    seconds = _timed(dbs[name], statement)
                    times[(name, what)].append(seconds)
                    progress(f"round {rnd} {name:6} {what}: {seconds:.2f}s")
    lines = [
        f"# capture overhead, before and after ({args.rows:,}-row bulk statements, "
        f"{args.rounds} rounds, interleaved)",
        "",
        f"PostgreSQL {server[0] if server else '?'}; before: `{args.before}`, after: "
        f"`{args.after}`; {time.strftime('%Y-%m-%d')}",
        "",
        "| statement | before (median s) | after (median s) | after / before |",
        "|---|---|---|---|",
    ]
    for what in work:
        before, after = median(times[("before", what)]), median(times[("after", what)])
        lines.append(f"| {what} | {before:.3f} | {after:.3f} | {after / before:.2f}x |")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
