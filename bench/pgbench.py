"""Items 1 and 2: pgbench TPC-B-like throughput, plain vs pgaudit-kit vs a naive audit trigger,
and the peers of ``../shared/peers`` where the server can run them (bench/peers.py).

One database per configuration, each initialized with ``pgbench -i``; runs are interleaved
(round 1: plain, audited, naive, peers...; round 2 starts one further on; ...) so machine drift
hits every configuration alike. Each configuration's trail growth over its runs, per row change,
is its storage per event. Item 2 reuses the audited database: the same run at the highest client
count with and without a thread calling ``audit.seal()`` every 100 ms.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from . import peers
from .audit import TablePolicies, install
from .cluster import BenchDatabase, Cluster, fresh_database
from .log import progress
from .results import Check, Target, median, paired_ratio
from .sizes import Sizes

CONFIGS = ("plain", "audited", "naive")

#: One hashed column (the accounts' filler), every other column plain.
PGBENCH_TABLES: TablePolicies = {
    "public.pgbench_accounts": {
        "aid": "plain",
        "bid": "plain",
        "abalance": "plain",
        "filler": "hash",
    },
    "public.pgbench_branches": {"bid": "plain", "bbalance": "plain", "filler": "plain"},
    "public.pgbench_tellers": {
        "tid": "plain",
        "bid": "plain",
        "tbalance": "plain",
        "filler": "plain",
    },
    "public.pgbench_history": {
        "tid": "plain",
        "bid": "plain",
        "aid": "plain",
        "delta": "plain",
        "mtime": "plain",
        "filler": "plain",
    },
}

SEAL_INTERVAL_SECONDS = 0.1
#: One seal call; returns the number of rows it sealed.
SEAL_QUERY = "select coalesce(sum(row_count), 0)::bigint from audit.seal()"


@dataclass(frozen=True)
class Run:
    config: str
    clients: int
    round: int
    tps: float
    latency_ms: float
    transactions: int
    seal_loop: bool = False


@dataclass(frozen=True)
class WriteRate:
    """Audit rows written per second at the best audited pgbench median (for item 4)."""

    tps: float
    clients: int
    rows_per_transaction: float

    @property
    def rows_per_second(self) -> float:
        return self.tps * self.rows_per_transaction


def parse_output(output: str) -> tuple[float, float, int]:
    """TPS, average latency (ms) and transactions processed from pgbench's report."""

    def number(pattern: str) -> str:
        found = re.search(pattern, output)
        if found is None:
            raise RuntimeError(f"pgbench output lacks {pattern!r}:\n{output}")
        return found.group(1)

    return (
        float(number(r"tps = ([\d.]+)")),
        float(number(r"latency average = ([\d.]+) ms")),
        int(number(r"number of transactions actually processed: (\d+)")),
    )


#: pgbench's TPC-B transaction changes four rows (three UPDATEs, one INSERT).
ROW_CHANGES_PER_TRANSACTION = 4


def prepare(db: BenchDatabase, config: str, sizes: Sizes) -> None:
    """pgbench -i (server-side data generation), then the configuration's auditing."""
    db.pgbench("-i", "-q", "-s", str(sizes.pgbench_scale), "-I", "dtGvp")
    install(db, config, PGBENCH_TABLES)


def trail_bytes(db: BenchDatabase, config: str) -> int:
    """What the configuration's audit storage holds now, in bytes (0 for plain)."""
    if config == "plain":
        return 0
    if config == "naive":
        return peers.trail_bytes(db, "public", table="naive_audit")
    return peers.trail_bytes(db, "audit" if config == "audited" else peers.by_name(config).schema)


class SealLoop(threading.Thread):
    """Calls ``select * from audit.seal()`` every 100 ms until stopped."""

    def __init__(self, dsn: str) -> None:
        super().__init__(daemon=True)
        self.dsn = dsn
        self.stop_event = threading.Event()
        self.calls = 0
        self.rows = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                while not self.stop_event.is_set():
                    row = conn.execute(SEAL_QUERY).fetchone()
                    self.calls += 1
                    self.rows += int(row[0]) if row else 0
                    self.stop_event.wait(SEAL_INTERVAL_SECONDS)
        except BaseException as e:  # reported by the caller
            self.error = e


def seal_all(db: BenchDatabase) -> int:
    """Seal every finished transaction's audit rows; the number of rows sealed."""
    with db.connect() as conn:
        row = conn.execute(SEAL_QUERY).fetchone()
    return int(row[0]) if row else 0


def run_once(
    db: BenchDatabase,
    config: str,
    clients: int,
    rnd: int,
    sizes: Sizes,
    seal_loop: SealLoop | None = None,
) -> Run:
    """One ``pgbench -n`` run after a checkpoint (so no run inherits another's dirty pages),
    with ``seal_loop`` running alongside when given."""
    db.execute("checkpoint")
    if seal_loop is not None:
        seal_loop.start()
    try:
        output = db.pgbench(
            "-n", "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(sizes.pgbench_seconds)
        )
    finally:
        if seal_loop is not None:
            seal_loop.stop_event.set()
            seal_loop.join()
    if seal_loop is not None and seal_loop.error is not None:
        raise RuntimeError(f"seal loop failed: {seal_loop.error}") from seal_loop.error
    tps, latency, transactions = parse_output(output)
    return Run(config, clients, rnd, tps, latency, transactions, seal_loop=seal_loop is not None)


def run_with_seal_loop(
    db: BenchDatabase, clients: int, rnd: int, sizes: Sizes, loop_on: bool
) -> tuple[Run, dict[str, int]]:
    """One audited run at ``clients``, with or without the seal loop; starts from a sealed log."""
    seal_all(db)
    if not loop_on:
        return run_once(db, "audited", clients, rnd, sizes), {}
    loop = SealLoop(db.dsn)
    result = run_once(db, "audited", clients, rnd, sizes, seal_loop=loop)
    return result, {"seal_calls": loop.calls, "rows_sealed": loop.rows}


def _clients(count: int) -> str:
    return f"{count} client" if count == 1 else f"{count} clients"


def _medians(runs: list[Run]) -> dict[tuple[str, int], float]:
    keys = {(r.config, r.clients) for r in runs}
    return {
        key: median([r.tps for r in runs if (r.config, r.clients) == key]) for key in sorted(keys)
    }


def _samples(runs: list[Run], config: str, clients: int) -> list[float]:
    return [r.tps for r in runs if r.config == config and r.clients == clients]


def _paired(runs: list[Run], config: str, baseline: str, clients: int) -> float | None:
    """The median over rounds of ``config``'s TPS over ``baseline``'s in the same round."""
    return paired_ratio(
        {(r.config, r.round): r.tps for r in runs if r.clients == clients}, config, baseline
    )


def throughput_checks(runs: list[Run], sizes: Sizes) -> list[Check]:
    """Item 1: audited vs plain and vs naive at each client count."""
    tps = _medians(runs)
    checks: list[Check] = []
    for c in sizes.clients:
        checks.append(
            Check(
                "1 pgbench",
                f"TPS audited, {_clients(c)}",
                tps["audited", c],
                "tps",
                tps["plain", c],
                "plain",
                Target(">=", 0.8),
                samples=_samples(runs, "audited", c),
                paired_ratio=_paired(runs, "audited", "plain", c),
            )
        )
        checks.append(
            Check(
                "1 pgbench",
                f"TPS audited vs naive, {_clients(c)}",
                tps["audited", c],
                "tps",
                tps["naive", c],
                "naive",
                Target(">=", 1.0),
                samples=_samples(runs, "naive", c),
                paired_ratio=_paired(runs, "audited", "naive", c),
            )
        )
        checks.append(
            Check(
                "1 pgbench",
                f"TPS naive, {_clients(c)}",
                tps["naive", c],
                "tps",
                tps["plain", c],
                "plain",
                samples=_samples(runs, "plain", c),
                paired_ratio=_paired(runs, "naive", "plain", c),
            )
        )
    for peer in sorted({r.config for r in runs} - set(CONFIGS)):
        for c in sizes.clients:
            checks.append(
                Check(
                    "1 pgbench",
                    f"TPS audited vs {peer}, {_clients(c)}",
                    tps["audited", c],
                    "tps",
                    tps[peer, c],
                    peer,
                    samples=_samples(runs, peer, c),
                    paired_ratio=_paired(runs, "audited", peer, c),
                )
            )
            checks.append(
                Check(
                    "1 pgbench",
                    f"TPS {peer}, {_clients(c)}",
                    tps[peer, c],
                    "tps",
                    tps["plain", c],
                    "plain",
                    samples=_samples(runs, peer, c),
                    paired_ratio=_paired(runs, peer, "plain", c),
                )
            )
    return checks


def storage_checks(runs: list[Run], grown: dict[str, int]) -> list[Check]:
    """Bytes of audit storage per row change, each configuration's trail growth over its runs."""
    per_event = {}
    for config, size in grown.items():
        events = sum(r.transactions for r in runs if r.config == config)
        per_event[config] = size / (events * ROW_CHANGES_PER_TRANSACTION) if events else 0.0
    return [
        Check(
            "1 pgbench",
            f"audit bytes per row change, {config} vs pgaudit-kit",
            value,
            "bytes",
            per_event["audited"],
            "pgaudit-kit",
        )
        for config, value in per_event.items()
        if config != "audited"
    ] + [
        Check("1 pgbench", "audit bytes per row change, pgaudit-kit", per_event["audited"], "bytes")
    ]


def concurrency_checks(
    runs: list[Run], loop_runs: list[Run], loop_stats: list[dict[str, int]], sizes: Sizes
) -> list[Check]:
    """Item 2: the audited/plain ratio must not fall as clients rise; TPS under a seal loop."""
    tps = _medians(runs)
    ratios = [(c, tps["audited", c] / tps["plain", c]) for c in sizes.clients]
    checks: list[Check] = []
    for (before, ratio_before), (c, ratio) in itertools.pairwise(ratios):
        checks.append(
            Check(
                "2 concurrency",
                f"audited/plain TPS ratio, {_clients(c)}",
                ratio,
                "x",
                target=Target(
                    ">=",
                    ratio_before - 0.05,
                    on="value",
                    note=f"ratio at {_clients(before)} {ratio_before:.2f} - 0.05",
                ),
            )
        )
    top = max(sizes.clients)
    with_loop = [r.tps for r in loop_runs if r.seal_loop]
    without = [r.tps for r in loop_runs if not r.seal_loop]
    calls = sum(s["seal_calls"] for s in loop_stats)
    sealed = sum(s["rows_sealed"] for s in loop_stats)
    checks.append(
        Check(
            "2 concurrency",
            f"TPS audited, {top} clients, seal() every 100 ms",
            median(with_loop),
            "tps",
            median(without),
            "no seal loop",
            detail=f"{calls} seal calls sealed {sealed:,} rows",
            samples=with_loop,
        )
    )
    return checks


def _rows_per_transaction(db: BenchDatabase, runs: list[Run]) -> float:
    with db.connect() as conn:
        row = conn.execute(
            "select count(*) from audit.log_rows where table_name like 'public.pgbench%'"
        ).fetchone()
    transactions = sum(r.transactions for r in runs if r.config == "audited")
    return int(row[0]) / transactions if row and transactions else 0.0


_FUNCTION_STATS = """
select funcname, calls, total_time
from pg_stat_user_functions
where calls > 0
order by total_time desc
"""


def function_times(db: BenchDatabase, seconds: int) -> tuple[float, dict[str, float]]:
    """Trigger time per transaction (µs) at one client, and µs per call of each function, from
    pg_stat_user_functions over a short run with ``track_functions = all`` (a diagnostic: it is
    not one of the timed runs)."""
    db.execute("select pg_stat_reset()")
    output = db.pgbench("-n", "-c", "1", "-T", str(seconds), options="-c track_functions=all")
    _, _, transactions = parse_output(output)
    time.sleep(0.5)  # pgbench's backend flushes its statistics as it exits
    with db.connect() as conn:
        conn.execute("select pg_stat_clear_snapshot()")
        rows = conn.execute(_FUNCTION_STATS).fetchall()
    per_call = {str(name): float(total) * 1000 / int(calls) for name, calls, total in rows}
    total_us = sum(float(total) for _, _, total in rows) * 1000
    return total_us / transactions, per_call


def run(cluster: Cluster, sizes: Sizes) -> tuple[list[Check], dict[str, Any], WriteRate]:
    """Items 1 and 2; also the audit write rate item 4 compares sealing with."""
    runs: list[Run] = []
    loop_runs: list[Run] = []
    loop_stats: list[dict[str, int]] = []
    measured, peers_note = peers.available(cluster)
    if peers_note:
        progress(peers_note)
    configs = CONFIGS + tuple(p.name for p in measured)
    with ExitStack() as stack:
        dbs = {c: stack.enter_context(fresh_database(cluster, f"pgbench_{c}")) for c in configs}
        for config, db in dbs.items():
            started = time.monotonic()
            prepare(db, config, sizes)
            progress(f"pgbench: {config} database ready ({time.monotonic() - started:.1f}s)")
        empty = {c: trail_bytes(db, c) for c, db in dbs.items()}
        for rnd in range(sizes.rounds):
            order = configs[rnd % len(configs) :] + configs[: rnd % len(configs)]
            for clients in sizes.clients:
                for config in order:
                    result = run_once(dbs[config], config, clients, rnd, sizes)
                    runs.append(result)
                    progress(
                        f"pgbench round {rnd + 1}: {config:7} {clients} clients "
                        f"{result.tps:8.1f} tps {result.latency_ms:6.2f} ms"
                    )
        grown = {c: trail_bytes(db, c) - empty[c] for c, db in dbs.items() if c != "plain"}
        rows_per_tx = _rows_per_transaction(dbs["audited"], runs)
        top = max(sizes.clients)
        for rnd in range(sizes.rounds):
            for loop_on in (False, True) if rnd % 2 == 0 else (True, False):
                result, stats = run_with_seal_loop(dbs["audited"], top, rnd, sizes, loop_on)
                loop_runs.append(result)
                if stats:
                    loop_stats.append(stats)
                progress(
                    f"pgbench seal loop {'on ' if loop_on else 'off'} round {rnd + 1}: "
                    f"{top} clients {result.tps:8.1f} tps {stats or ''}"
                )
        diagnostics = {
            c: function_times(dbs[c], sizes.latency_seconds) for c in ("audited", "naive")
        }
        progress(
            "pgbench trigger time per transaction: "
            + ", ".join(f"{c} {us:.0f} µs" for c, (us, _) in diagnostics.items())
        )
    tps = _medians(runs)
    best = max(sizes.clients, key=lambda c: tps["audited", c])
    rate = WriteRate(tps["audited", best], best, rows_per_tx)
    checks = (
        throughput_checks(runs, sizes)
        + storage_checks(runs, grown)
        + concurrency_checks(runs, loop_runs, loop_stats, sizes)
    )
    per_call = ", ".join(
        f"{re.sub(r'^capture_public_|_[0-9a-f]{8}(?=_)', '', name)} {us:.0f}"
        for name, us in diagnostics["audited"][1].items()
    )
    checks.append(
        Check(
            "1 pgbench",
            "trigger time per transaction, audited vs naive, 1 client",
            diagnostics["audited"][0],
            "µs",
            diagnostics["naive"][0],
            "naive",
            detail=f"pg_stat_user_functions; µs per call: {per_call}",
        )
    )
    details = {
        "scale": sizes.pgbench_scale,
        "seconds_per_run": sizes.pgbench_seconds,
        "runs": [asdict(r) for r in runs],
        "seal_loop_runs": [asdict(r) for r in loop_runs],
        "seal_loop_stats": loop_stats,
        "median_tps": {f"{k[0]}/{k[1]}": v for k, v in tps.items()},
        "audit_rows_per_transaction": rows_per_tx,
        "trigger_us_per_transaction": {c: d[0] for c, d in diagnostics.items()},
        "trail_bytes_grown": grown,
        "peers": [p.name for p in measured],
        "peers_note": peers_note,
        "function_us_per_call": {c: d[1] for c, d in diagnostics.items()},
    }
    return checks, details, rate
