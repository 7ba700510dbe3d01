"""Item 3: bulk INSERT ... SELECT, UPDATE and DELETE of every row, audited vs plain.

One database holds two identical tables, ``plain.customers`` and ``audited.customers`` (email
hashed, every other column plain). Each round empties both tables, then times on each, in
alternating order, the three statements in autocommit (so commit is included); a
checkpoint (untimed; autovacuum is off on these tables) precedes each statement. The UPDATE
(report only, and by far the slowest) is timed in the first round only, to keep the suite within
its time budget.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from .audit import install_pgaudit_kit
from .cluster import BenchDatabase, Cluster, fresh_database
from .log import progress
from .results import Check, Target, median
from .sizes import Sizes

CONFIGS = ("plain", "audited")

_CREATE = """
create schema {config};
create table {config}.customers (
    id bigint primary key,
    email text not null,
    name text not null,
    status text not null,
    amount numeric not null,
    created_at timestamptz not null default now()
) with (autovacuum_enabled = off);
"""

STATEMENTS = {
    "INSERT": """
        insert into {config}.customers (id, email, name, status, amount)
        select g, 'user' || g || '@example.com', 'Customer ' || g,
               (array['active', 'inactive', 'pending'])[g % 3 + 1], (g % 100000) / 100.0
        from generate_series(1, {rows}) as g
    """,
    "UPDATE": "update {config}.customers set status = 'archived'",
    "DELETE": "delete from {config}.customers",
}

_COLUMNS = {
    "id": "plain",
    "email": "hash",
    "name": "plain",
    "status": "plain",
    "amount": "plain",
    "created_at": "plain",
}


@dataclass(frozen=True)
class Timing:
    config: str
    statement: str
    round: int
    seconds: float


def prepare(db: BenchDatabase) -> None:
    for config in CONFIGS:
        db.execute(_CREATE.format(config=config))
    install_pgaudit_kit(db, {"audited.customers": _COLUMNS})


def time_statement(db: BenchDatabase, config: str, statement: str, rows: int) -> float:
    """Seconds one statement takes in autocommit, after a checkpoint."""
    with db.connect() as conn:
        conn.execute("checkpoint")
        started = time.perf_counter()
        conn.execute(STATEMENTS[statement].format(config=config, rows=rows))
        return time.perf_counter() - started


def run_round(db: BenchDatabase, rnd: int, sizes: Sizes) -> list[Timing]:
    """Both configurations, alternating which goes first, statement by statement."""
    order = CONFIGS if rnd % 2 == 0 else CONFIGS[::-1]
    timings: list[Timing] = []
    for config in CONFIGS:
        db.execute(f"truncate {config}.customers")
    for statement in STATEMENTS:
        if statement == "UPDATE" and rnd > 0:
            continue
        for config in order:
            seconds = time_statement(db, config, statement, sizes.bulk_rows)
            timings.append(Timing(config, statement, rnd, seconds))
            progress(
                f"bulk round {rnd + 1}: {statement} {config:7} {sizes.bulk_rows:,} rows "
                f"{seconds:6.2f}s ({sizes.bulk_rows / seconds:,.0f} rows/s)"
            )
    return timings


def checks(timings: list[Timing], rows: int) -> list[Check]:
    result: list[Check] = []
    for statement in STATEMENTS:
        audited = [t.seconds for t in timings if t.statement == statement and t.config == "audited"]
        plain = [t.seconds for t in timings if t.statement == statement and t.config == "plain"]
        target = None if statement == "UPDATE" else Target("<=", 2.0)
        result.append(
            Check(
                "3 bulk",
                f"{statement} {rows:,} rows, audited",
                median(audited),
                "s",
                median(plain),
                "plain",
                target,
                detail=f"{rows / median(audited):,.0f} rows/s",
                samples=audited,
            )
        )
    return result


def run(cluster: Cluster, sizes: Sizes) -> tuple[list[Check], dict[str, Any]]:
    """Item 3."""
    timings: list[Timing] = []
    with fresh_database(cluster, "bulk") as db:
        prepare(db)
        for rnd in range(sizes.rounds):
            timings += run_round(db, rnd, sizes)
    details = {"rows": sizes.bulk_rows, "timings": [asdict(t) for t in timings]}
    return checks(timings, sizes.bulk_rows), details
