"""Items 4 and 6: sealing speed, and verify speed and memory on a 1M-row and a 4M-row log.

The log is filled fast by inserting directly into ``audit.log_rows`` as a superuser, as capture
would have written the rows (one statement per transaction, realistic json images with HMAC
tokens), then sealed with ``select * from audit.seal()``, which is timed (item 4). The large log is
the small one plus more rows, sealed the same way. ``pgaudit-kit verify --format json`` runs in a
subprocess: ``--jobs 1`` and ``--jobs 2`` alternating on the small log, ``--jobs 2`` once on the
large one (it takes minutes). Its wall time gives rows per second; its peak memory comes from
``wait4`` (the largest single process) and from sampling the RSS of the whole process tree every
20 ms (the workers together).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from pgaudit_kit import sqlfiles

from .audit import install_pgaudit_kit
from .cluster import BenchDatabase, Cluster, fresh_database
from .log import progress
from .pgbench import SEAL_QUERY, WriteRate
from .results import Check, Target, median
from .sizes import Sizes

#: --jobs values timed (interleaved rounds) on the small log
JOBS = (1, 2)
#: --jobs values run once on the large log (mainly for memory: it takes minutes)
LARGE_JOBS = (2,)
FILL_CONNECTIONS = 2

_CUSTOMERS = """
create table public.customers (
    id bigint primary key,
    email text not null,
    name text not null,
    status text not null,
    amount numeric not null
)
"""

_COLUMNS = {"id": "plain", "email": "hash", "name": "plain", "status": "plain", "amount": "plain"}

#: One transaction's rows as capture writes them: a third each INSERT, UPDATE and DELETE.
_FILL = """
insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                            new_values, changed_columns, login_role, effective_role,
                            application_name, client_addr, request_id, trace_id, key_id)
select pg_current_xact_id()::text::bigint, transaction_timestamp(), statement_timestamp(),
       (array['INSERT', 'UPDATE', 'DELETE'])[g % 3 + 1], 'public.customers',
       json_build_object('id', g),
       case when g % 3 > 0 then json_build_object(
           'status', 'active', 'amount', (g % 100000) / 100.0,
           'email', 'hmac:' || encode(sha256(('old' || g)::bytea), 'hex')) end,
       case when g % 3 < 2 then json_build_object(
           'id', g, 'status', 'archived', 'amount', (g % 100000) / 100.0 + 1,
           'email', 'hmac:' || encode(sha256(('new' || g)::bytea), 'hex'),
           'name', 'Customer ' || g) end,
       case when g % 3 = 1 then array['status', 'amount', 'email'] end,
       'shop_app', 'shop_app', 'shop-api', '10.1.2.3'::inet,
       'req-' || (g / 4), null, (select max(key_id) from audit.hmac_keys)
from generate_series({lo}::bigint, {hi}::bigint) as g
"""


@dataclass(frozen=True)
class SealTiming:
    rows: int
    seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@dataclass(frozen=True)
class VerifyRun:
    log_rows: int
    jobs: int
    round: int
    seconds: float
    rows_verified: int
    ok: bool
    problems: int
    max_process_rss_mb: float
    peak_tree_rss_mb: float

    @property
    def rows_per_second(self) -> float:
        return self.rows_verified / self.seconds


@dataclass(frozen=True)
class CopyRun:
    """The baseline of verify's speed: the same rows read by a plain COPY, thrown away."""

    log_rows: int
    round: int
    seconds: float
    rows_read: int

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds


def copy_to_nowhere(db: BenchDatabase, log_rows: int, rnd: int) -> CopyRun:
    """Read every log row as verify does (its query, its columns, its order, through psycopg's
    COPY, connecting included) and keep nothing: what reading the log costs with no checking."""
    query = sqlfiles.render(
        "queries/verify_rows.sql",
        schema=sql.Identifier("audit"),
        lo=sql.Literal(0),
        hi=sql.Literal(2**63 - 1),
    )
    started = time.perf_counter()
    with psycopg.connect(db.dsn) as conn, conn.cursor().copy(query) as copy:
        rows = sum(1 for _ in copy)
    return CopyRun(log_rows, rnd, time.perf_counter() - started, rows)


def _fill_ranges(db: BenchDatabase, ranges: list[tuple[int, int]]) -> None:
    with db.connect() as conn:
        for lo, hi in ranges:
            conn.execute(_FILL.format(lo=lo, hi=hi))


def fill(db: BenchDatabase, first: int, rows: int, rows_per_tx: int) -> None:
    """Insert ``rows`` audit rows numbered from ``first``, ``rows_per_tx`` per transaction, on
    two connections at once (filling is not measured)."""
    ranges = [
        (lo, min(lo + rows_per_tx, first + rows) - 1)
        for lo in range(first, first + rows, rows_per_tx)
    ]
    with ThreadPoolExecutor(max_workers=FILL_CONNECTIONS) as pool:
        list(
            pool.map(
                lambda part: _fill_ranges(db, part),
                [ranges[i::FILL_CONNECTIONS] for i in range(FILL_CONNECTIONS)],
            )
        )


def seal(db: BenchDatabase) -> SealTiming:
    """Time one ``select * from audit.seal()`` call over everything unsealed."""
    with db.connect() as conn:
        started = time.perf_counter()
        row = conn.execute(SEAL_QUERY).fetchone()
        seconds = time.perf_counter() - started
    return SealTiming(int(row[0]) if row else 0, seconds)


def _verify_command(
    db: BenchDatabase, config: Path, jobs: int, source: Path | None = None
) -> list[str]:
    script = Path(sys.executable).parent / "pgaudit-kit"
    program = (
        [str(script)]
        if script.exists() and source is None
        else [sys.executable, "-m", "pgaudit_kit"]
    )
    return [
        *program,
        "--dsn",
        db.dsn,
        "--config",
        str(config),
        "verify",
        "--format",
        "json",
        "--jobs",
        str(jobs),
    ]


def _descendants(pid: int) -> list[int]:
    """Every descendant of ``pid``, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    pending = [pid]
    while pending:
        current = pending.pop()
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                kids = [int(p) for p in children.read_text().split()]
            except OSError:
                continue
            found += kids
            pending += kids
    return found


def _rss_bytes(pid: int) -> int:
    """Resident memory of one process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeRssSampler(threading.Thread):
    """Samples the summed RSS of a process and its descendants every 20 ms until told to stop."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = sum(_rss_bytes(p) for p in [self.pid, *_descendants(self.pid)])
            self.peak = max(self.peak, total)
            self.done.wait(0.02)


def source_env(source: Path | None) -> dict[str, str] | None:
    """The environment that runs pgaudit-kit from another checkout (None: this one)."""
    return None if source is None else {**os.environ, "PYTHONPATH": str(source.resolve())}


def run_verify(
    db: BenchDatabase,
    config: Path,
    jobs: int,
    log_rows: int,
    rnd: int,
    source: Path | None = None,
) -> VerifyRun:
    """Run ``pgaudit-kit verify`` in a subprocess (from the checkout ``source``, default this
    one); wall time, result and peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            _verify_command(db, config, jobs, source),
            stdout=out,
            stderr=err,
            env=source_env(source),
        )
        sampler = TreeRssSampler(child.pid)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode not in (0, 1):
        raise RuntimeError(f"verify failed ({child.returncode}):\n{stderr}")
    report = json.loads(stdout)
    return VerifyRun(
        log_rows=log_rows,
        jobs=jobs,
        round=rnd,
        seconds=seconds,
        rows_verified=int(report["rows_verified"]),
        ok=bool(report["ok"]),
        problems=len(report["problems"]),
        max_process_rss_mb=usage.ru_maxrss / 1024,
        peak_tree_rss_mb=sampler.peak / 2**20,
    )


def verify_rounds(
    db: BenchDatabase,
    config: Path,
    log_rows: int,
    jobs_values: tuple[int, ...],
    rounds: int,
    copies: list[CopyRun] | None = None,
) -> list[VerifyRun]:
    """Each --jobs value once per round, alternating which goes first; with ``copies``, the
    plain COPY baseline too, first in even rounds and last in odd ones."""
    runs: list[VerifyRun] = []
    for rnd in range(rounds):
        if copies is not None and rnd % 2 == 0:
            copies.append(_timed_copy(db, log_rows, rnd))
        for jobs in jobs_values if rnd % 2 == 0 else jobs_values[::-1]:
            run = run_verify(db, config, jobs, log_rows, rnd)
            runs.append(run)
            progress(
                f"verify {log_rows:,}-row log, --jobs {jobs}: {run.seconds:.1f}s "
                f"({run.rows_per_second:,.0f} rows/s), ok={run.ok}, "
                f"max process RSS {run.max_process_rss_mb:.0f} MB, "
                f"tree RSS {run.peak_tree_rss_mb:.0f} MB"
            )
        if copies is not None and rnd % 2 == 1:
            copies.append(_timed_copy(db, log_rows, rnd))
    return runs


def _timed_copy(db: BenchDatabase, log_rows: int, rnd: int) -> CopyRun:
    run = copy_to_nowhere(db, log_rows, rnd)
    progress(
        f"plain COPY of the {log_rows:,}-row log to nowhere: {run.seconds:.1f}s "
        f"({run.rows_per_second:,.0f} rows/s)"
    )
    return run


def _select(runs: list[VerifyRun], log_rows: int, jobs: int) -> list[VerifyRun]:
    return [r for r in runs if r.log_rows == log_rows and r.jobs == jobs]


def seal_checks(seals: list[SealTiming], write: WriteRate | None) -> list[Check]:
    """The first seal against the audit write rate of item 1 (sealing must keep up)."""
    baseline = write.rows_per_second if write else None
    against = f"audit rows written/s at {write.clients} clients" if write else ""
    rate = (
        f"; write rate = {write.tps:,.0f} tps x {write.rows_per_transaction:.2f} rows/tx"
        if write
        else "; no write rate (pgbench failed)"
    )
    first, *rest = seals
    checks = [
        Check(
            "4 seal",
            f"rows sealed per second, {first.rows:,} unsealed rows",
            first.rows_per_second,
            "rows/s",
            baseline,
            against,
            Target(">=", 1.0, note="keeps up with writers") if write else None,
            detail=f"{first.seconds:.1f}s{rate}",
        ),
    ]
    checks += [
        Check(
            "4 seal",
            f"rows sealed per second, {more.rows:,} more unsealed rows",
            more.rows_per_second,
            "rows/s",
            baseline,
            against,
            detail=f"{more.seconds:.1f}s",
        )
        for more in rest
    ]
    return checks


def verify_checks(
    runs: list[VerifyRun], copies: list[CopyRun], sizes: Sizes, cores: int
) -> list[Check]:
    """Speed on every log and --jobs measured, against a plain COPY of the same rows in the same
    rounds (issue 18: at least 0.8 of it); how --jobs scales; memory of the large log against
    the small one."""
    checks: list[Check] = []
    copy_speed = median([c.rows_per_second for c in copies]) if copies else None
    for log_rows in (sizes.verify_rows_small, sizes.verify_rows_large):
        for jobs in JOBS:
            selected = _select(runs, log_rows, jobs)
            if not selected:
                continue
            speeds = [r.rows_per_second for r in selected]
            intact = all(r.ok and r.problems == 0 for r in selected)
            against_copy = log_rows == sizes.verify_rows_small
            checks.append(
                Check(
                    "6 verify",
                    f"rows verified per second, {log_rows:,}-row log, --jobs {jobs}",
                    median(speeds),
                    "rows/s",
                    copy_speed if against_copy else None,
                    "plain COPY of the same rows to nowhere" if against_copy else "",
                    Target(">=", 0.8) if against_copy and copy_speed else None,
                    detail=f"end to end, {len(speeds)} run(s), verify ok={intact}",
                    samples=speeds,
                )
            )
    one, two = (
        median([r.rows_per_second for r in _select(runs, sizes.verify_rows_small, j)] or [0.0])
        for j in JOBS
    )
    if one and two:
        checks.append(
            Check(
                "6 verify",
                f"--jobs 2 against --jobs 1, {sizes.verify_rows_small:,}-row log",
                two,
                "rows/s",
                one,
                "--jobs 1",
                Target(">=", 0.8 * min(2, cores), note="near-linear up to the cores"),
                detail=f"{cores} cores, shared with the server",
            )
        )
    for jobs in LARGE_JOBS:
        small = _select(runs, sizes.verify_rows_small, jobs)
        large = _select(runs, sizes.verify_rows_large, jobs)
        single = [r.max_process_rss_mb for r in large]
        checks.append(
            Check(
                "6 verify",
                f"peak RSS (process tree), {sizes.verify_rows_large:,}-row log, --jobs {jobs}",
                median([r.peak_tree_rss_mb for r in large]),
                "MB",
                median([r.peak_tree_rss_mb for r in small]),
                f"{sizes.verify_rows_small:,}-row log",
                Target("<=", 1.25, note="flat"),
                detail=f"largest single process {median(single):.0f} MB vs "
                f"{median([r.max_process_rss_mb for r in small]):.0f} MB",
            )
        )
    return checks


def run(
    cluster: Cluster, sizes: Sizes, write: WriteRate | None
) -> tuple[list[Check], dict[str, Any]]:
    """Items 4 and 6."""
    seals: list[SealTiming] = []
    runs: list[VerifyRun] = []
    copies: list[CopyRun] = []
    with fresh_database(cluster, "verify") as db:
        db.execute(_CUSTOMERS)
        config = install_pgaudit_kit(db, {"public.customers": _COLUMNS})
        filled = 0
        for target_rows in (sizes.verify_rows_small, sizes.verify_rows_large):
            started = time.perf_counter()
            fill(db, filled + 1, target_rows - filled, sizes.verify_rows_per_tx)
            progress(
                f"verify: filled {target_rows - filled:,} audit rows "
                f"({time.perf_counter() - started:.1f}s)"
            )
            filled = target_rows
            db.execute("vacuum analyze audit.log_rows")
            seals.append(seal(db))
            progress(
                f"seal: {seals[-1].rows:,} rows in {seals[-1].seconds:.1f}s "
                f"({seals[-1].rows_per_second:,.0f} rows/s)"
            )
            if target_rows == sizes.verify_rows_small:
                runs += verify_rounds(db, config, target_rows, JOBS, sizes.rounds, copies)
            else:
                runs += verify_rounds(db, config, target_rows, LARGE_JOBS, 1)
        shutil.rmtree(config.parent, ignore_errors=True)
    checks = seal_checks(seals, write) + verify_checks(runs, copies, sizes, os.cpu_count() or 1)
    details = {
        "rows_per_transaction": sizes.verify_rows_per_tx,
        "seals": [{**asdict(s), "rows_per_second": s.rows_per_second} for s in seals],
        "verify_runs": [{**asdict(r), "rows_per_second": r.rows_per_second} for r in runs],
        "copy_runs": [{**asdict(c), "rows_per_second": c.rows_per_second} for c in copies],
    }
    return checks, details
