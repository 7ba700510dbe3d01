"""``python -m bench``: run every benchmark and write bench/results/latest.{json,md}.

Usage (from the repository root)::

    .venv/bin/python -m bench [--dsn DSN] [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import bulk, footprint, pgbench, purge, results, startup, verify
from .cluster import Cluster, open_cluster
from .log import elapsed, progress
from .results import Check
from .sizes import FULL, QUICK, Sizes

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ("pgbench", "bulk", "footprint", "verify", "purge", "startup")
SETTINGS = (
    "shared_buffers",
    "synchronous_commit",
    "fsync",
    "max_wal_size",
    "wal_level",
    "work_mem",
    "jit",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark pgaudit-kit against plain PostgreSQL."
    )
    parser.add_argument(
        "--dsn",
        help="superuser DSN to a maintenance database such as postgres "
        "(default: start an embedded PostgreSQL 18)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke run in under 2 minutes"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=FAMILIES,
        metavar="FAMILY",
        help=f"run only this family (repeatable; one of {', '.join(FAMILIES)})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench" / "results",
        help="folder for latest.json and latest.md (default: bench/results)",
    )
    return parser.parse_args(argv)


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else "unknown"


def machine_facts(cluster: Cluster, sizes: Sizes) -> dict[str, Any]:
    """What the figures were measured on."""
    with open("/proc/meminfo") as meminfo:
        mem_kb = int(meminfo.readline().split()[1])
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--", "pgaudit_kit", "sql", "migrations")),
        "cpu_count": os.cpu_count(),
        "memory_gb": round(mem_kb / 2**20, 1),
        "load_average_at_start": os.getloadavg(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgresql_version": cluster.scalar("show server_version"),
        "postgresql_version_full": cluster.scalar("select version()"),
        "server": "embedded" if cluster.embedded else "--dsn",
        "pgbench": str(cluster.pgbench),
        "settings": {name: cluster.scalar(f"show {name}") for name in SETTINGS},
        "quick": sizes.quick,
        "sizes": vars(sizes),
    }


def run_all(
    cluster: Cluster, sizes: Sizes, only: list[str] | None
) -> tuple[list[Check], dict[str, Any]]:
    """Every benchmark family in turn; a family that fails is recorded and the rest still run."""
    checks: list[Check] = []
    details: dict[str, Any] = {"errors": {}}
    write_rate: pgbench.WriteRate | None = None

    def family(name: str, body: Callable[[], tuple[list[Check], dict[str, Any]]]) -> None:
        if only and name not in only:
            return
        progress(f"=== {name} ===")
        started = elapsed()
        try:
            found, detail = body()
        except Exception as e:
            progress(f"{name} FAILED: {e}")
            traceback.print_exc()
            details["errors"][name] = f"{type(e).__name__}: {e}"
            return
        checks.extend(found)
        details[name] = {**detail, "seconds": round(elapsed() - started, 1)}

    def pgbench_family() -> tuple[list[Check], dict[str, Any]]:
        nonlocal write_rate
        found, detail, write_rate = pgbench.run(cluster, sizes)
        return found, detail

    family("pgbench", pgbench_family)
    family("bulk", lambda: bulk.run(cluster, sizes))
    family("footprint", lambda: footprint.run(cluster, sizes))
    family("verify", lambda: verify.run(cluster, sizes, write_rate))
    family("purge", lambda: purge.run(cluster, sizes))
    family("startup", lambda: startup.run(sizes))
    checks.sort(key=lambda c: c.item)
    return checks, details


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    with open_cluster(args.dsn) as cluster:
        machine = machine_facts(cluster, sizes)
        progress(
            f"PostgreSQL {machine['postgresql_version']}, {machine['cpu_count']} CPUs, "
            f"commit {machine['git_commit'][:12]}, {'quick' if sizes.quick else 'full'} run"
        )
        checks, details = run_all(cluster, sizes, args.only)
    machine["load_average_at_end"] = os.getloadavg()
    json_path, md_path = results.write(args.out, checks, machine, details, elapsed())
    print(md_path.read_text())
    progress(f"wrote {json_path} and {md_path} in {elapsed() / 60:.1f} min")
    return 1 if details["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
