"""Item 3: bulk INSERT ... SELECT, UPDATE and DELETE of every row, for every configuration.

One database per configuration (plain, pgaudit-kit, the naive trigger, and the peers where the
server can run them: bench/peers.py), each holding the same ``audited.customers`` table
(pgaudit-kit: email hashed, phone masked, every other column plain). Each round empties the
tables, then times on each, in an order that rotates from round to round, the three statements
in autocommit (so commit is included); a checkpoint (untimed; autovacuum is off on these tables)
precedes each statement.
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any

from . import peers
from .audit import install
from .cluster import BenchDatabase, Cluster, fresh_database
from .log import progress
from .results import Check, Target, median, paired_ratio
from .sizes import Sizes

CONFIGS = ("plain", "audited", "naive")
TABLE = "audited.customers"

_CREATE = """
create schema {config};
create table {config}.customers (
    id bigint primary key,
    email text not null,
    phone text not null,
    name text not null,
    status text not null,
    amount numeric not null,
    created_at timestamptz not null default now()
) with (autovacuum_enabled = off);
"""

STATEMENTS = {
    "INSERT": """
        insert into {config}.customers (id, email, phone, name, status, amount)
        select g, 'user' || g || '@example.com', '+44 20 7946 ' || lpad((g % 10000)::text, 4, '0'),
               'Customer ' || g, (array['active', 'inactive', 'pending'])[g % 3 + 1],
               (g % 100000) / 100.0
        from generate_series(1, {rows}) as g
    """,
    "UPDATE": "update {config}.customers set status = 'archived'",
    "DELETE": "delete from {config}.customers",
}

_COLUMNS = {
    "id": "plain",
    "email": "hash",
    "phone": "mask:last4",
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


def prepare(db: BenchDatabase, config: str) -> None:
    """The table, then the configuration's auditing on it."""
    db.execute(_CREATE.format(config="audited"))
    install(db, config, {TABLE: _COLUMNS})


def time_statement(db: BenchDatabase, statement: str, rows: int) -> float:
    """Seconds one statement takes in autocommit, after a checkpoint."""
    with db.connect() as conn:
        conn.execute("checkpoint")
        started = time.perf_counter()
        conn.execute(STATEMENTS[statement].format(config="audited", rows=rows))
        return time.perf_counter() - started


def run_round(
    dbs: dict[str, BenchDatabase], configs: tuple[str, ...], rnd: int, sizes: Sizes
) -> list[Timing]:
    """Every configuration, in an order that rotates with the round, statement by statement."""
    order = configs[rnd % len(configs) :] + configs[: rnd % len(configs)]
    timings: list[Timing] = []
    for db in dbs.values():
        db.execute(f"truncate {TABLE}")
    for statement in STATEMENTS:
        for config in order:
            seconds = time_statement(dbs[config], statement, sizes.bulk_rows)
            timings.append(Timing(config, statement, rnd, seconds))
            progress(
                f"bulk round {rnd + 1}: {statement} {config:13} {sizes.bulk_rows:,} rows "
                f"{seconds:6.2f}s ({sizes.bulk_rows / seconds:,.0f} rows/s)"
            )
    return timings


#: Item 3's targets: INSERT at most 3x plain; UPDATE and DELETE no slower than the naive trigger.
TARGETS = {
    "INSERT": ("plain", Target("<=", 3.0)),
    "UPDATE": ("naive", Target("<=", 1.0)),
    "DELETE": ("naive", Target("<=", 1.0)),
}


def checks(timings: list[Timing], rows: int) -> list[Check]:
    def seconds(config: str, statement: str) -> list[float]:
        return [t.seconds for t in timings if t.statement == statement and t.config == config]

    def paired(config: str, baseline: str, statement: str) -> float | None:
        by_round = {(t.config, t.round): t.seconds for t in timings if t.statement == statement}
        return paired_ratio(by_round, config, baseline)

    configs = list(dict.fromkeys(t.config for t in timings))
    result: list[Check] = []
    for statement in STATEMENTS:
        audited = seconds("audited", statement)
        against, target = TARGETS[statement]
        for baseline in ("plain", "naive", *(c for c in configs if c not in CONFIGS)):
            result.append(
                Check(
                    "3 bulk",
                    f"{statement} {rows:,} rows, audited vs {baseline}",
                    median(audited),
                    "s",
                    median(seconds(baseline, statement)),
                    baseline,
                    target if baseline == against else None,
                    detail=f"{rows / median(audited):,.0f} rows/s",
                    samples=audited,
                    paired_ratio=paired("audited", baseline, statement),
                )
            )
        for other in configs:
            if other not in ("plain", "audited"):
                result.append(
                    Check(
                        "3 bulk",
                        f"{statement} {rows:,} rows, {other}",
                        median(seconds(other, statement)),
                        "s",
                        median(seconds("plain", statement)),
                        "plain",
                        samples=seconds(other, statement),
                        paired_ratio=paired(other, "plain", statement),
                    )
                )
    return result


def run(cluster: Cluster, sizes: Sizes) -> tuple[list[Check], dict[str, Any]]:
    """Item 3."""
    measured, note = peers.available(cluster)
    configs = CONFIGS + tuple(p.name for p in measured)
    timings: list[Timing] = []
    with ExitStack() as stack:
        dbs = {c: stack.enter_context(fresh_database(cluster, f"bulk_{c}")) for c in configs}
        for config, db in dbs.items():
            prepare(db, config)
        for rnd in range(sizes.rounds):
            timings += run_round(dbs, configs, rnd, sizes)
    details = {
        "rows": sizes.bulk_rows,
        "timings": [asdict(t) for t in timings],
        "peers": [p.name for p in measured],
        "peers_note": note,
    }
    return checks(timings, sizes.bulk_rows), details
