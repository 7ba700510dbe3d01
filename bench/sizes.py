"""How big and how long each benchmark runs: the full run, and ``--quick`` for a smoke run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    quick: bool
    #: interleaved rounds (A B A B ...): medians are taken over these
    rounds: int
    pgbench_scale: int
    pgbench_seconds: int
    clients: tuple[int, ...]
    bulk_rows: int
    footprint_rows: int
    latency_seconds: int
    verify_rows_small: int
    verify_rows_large: int
    #: rows per transaction when filling the audit log directly
    verify_rows_per_tx: int
    #: rows in the partition purged (and in the one deleted) by the retention benchmark
    purge_rows: int


FULL = Sizes(
    quick=False,
    rounds=3,
    pgbench_scale=10,
    pgbench_seconds=8,
    clients=(1, 4, 8),
    bulk_rows=200_000,
    footprint_rows=100_000,
    latency_seconds=4,
    verify_rows_small=1_000_000,
    verify_rows_large=4_000_000,
    verify_rows_per_tx=10_000,
    purge_rows=1_000_000,
)

QUICK = Sizes(
    quick=True,
    rounds=2,
    pgbench_scale=1,
    pgbench_seconds=2,
    clients=(1, 8),
    bulk_rows=20_000,
    footprint_rows=5_000,
    latency_seconds=2,
    verify_rows_small=50_000,
    verify_rows_large=100_000,
    verify_rows_per_tx=10_000,
    purge_rows=20_000,
)
