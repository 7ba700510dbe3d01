"""Where capture's work goes, counted in instructions (valgrind's callgrind) instead of timed.

    .venv/bin/python -m bench.callgrind [--bindir DIR] [--user postgres] [--transactions 1000]

On a shared 2-core machine a trigger's time moves by a fifth between runs; the instructions a
single-user backend (``postgres --single``) executes are the same on every run. A private
cluster (initdb in a temporary directory, removed afterwards) holds three pgbench databases at
scale 1: plain, pgaudit-kit as ``python -m bench`` installs it, and the naive trigger. For each
workload the backend calls a procedure running N one-statement transactions (COMMIT after each),
once with N = 0 and once with N = ``--transactions``, both under callgrind: the difference over N
is what one transaction costs. Workloads: an UPDATE of one pgbench_tellers row (the row
function), of one pgbench_accounts row (a hashed column left unchanged), an INSERT into
pgbench_history (the statement function), the whole TPC-B transaction, and one UPDATE of
``--rows`` pgbench_accounts rows (per row). Two stand-ins for the tellers row function take it
apart: an empty SECURITY DEFINER body (what calling any capture function costs) and the same
plus one INSERT of constants into the log (what writing a log row costs, before any work).

Needs valgrind and the server binaries (``--bindir``, default: ``pg_config --bindir``, else the
newest ``/usr/lib/postgresql/*/bin``). PostgreSQL will not run as root: as root the server runs
as ``--user`` (default ``postgres``). Writes bench/results/callgrind.md.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from .audit import install_naive, install_pgaudit_kit
from .cluster import BenchDatabase, Cluster
from .log import progress
from .pgbench import PGBENCH_TABLES

RESULTS = Path(__file__).resolve().parent / "results"
CONFIGS = ("plain", "naive", "audited")
WORKLOADS = {
    "tellers": "one-row UPDATE of pgbench_tellers (row function)",
    "accounts": "one-row UPDATE of pgbench_accounts (row function, hashed column unchanged)",
    "history": "one-row INSERT into pgbench_history (statement function)",
    "tpcb": "the TPC-B transaction (3 UPDATEs, 1 SELECT, 1 INSERT)",
}
_LOOP = """
create procedure public.capture_loop(n int, workload text) language plpgsql as $$
declare
    a int;
    t int;
begin
    for i in 1..n loop
        a := 1 + (i * 7919) % 100000;
        t := 1 + i % 10;
        if workload in ('accounts', 'tpcb') then
            update pgbench_accounts set abalance = abalance + 1 where aid = a;
        end if;
        if workload = 'tpcb' then
            perform abalance from pgbench_accounts where aid = a;
        end if;
        if workload in ('tellers', 'tpcb') then
            update pgbench_tellers set tbalance = tbalance + 1 where tid = t;
        end if;
        if workload = 'tpcb' then
            update pgbench_branches set bbalance = bbalance + 1 where bid = 1;
        end if;
        if workload in ('history', 'tpcb') then
            insert into pgbench_history (tid, bid, aid, delta, mtime)
            values (t, 1, a, 1, current_timestamp);
        end if;
        commit;
    end loop;
end
$$;
"""
#: Stand-ins for the tellers row function (same owner, SECURITY DEFINER and search_path).
_STAND_INS = {
    "empty SECURITY DEFINER body": "begin return null; end",
    "+ one INSERT of constants": (
        "begin insert into audit.log_rows (txid, tx_time, stmt_time, op, table_name, login_role,"
        " effective_role) values (1, transaction_timestamp(), statement_timestamp(), tg_op, 'x',"
        " 'a', 'b'); return null; end"
    ),
}


@dataclass(frozen=True)
class Server:
    """A private cluster: its binaries, data directory, socket directory and port."""

    bindir: Path
    data: Path
    sockets: Path
    port: int
    user: str | None

    def command(self, program: str, *args: str) -> list[str]:
        runner = ["runuser", "-u", self.user, "--"] if self.user else []
        return [*runner, str(self.bindir / program), *args]

    def dsn(self, dbname: str) -> str:
        return f"host={self.sockets} port={self.port} user=postgres dbname={dbname}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses=''"
        subprocess.run(
            self.command("pg_ctl", "-D", str(self.data), "-o", options, "-w", "-l",
                         str(self.data.parent / "server.log"), "start"),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            self.command("pg_ctl", "-D", str(self.data), "-w", "stop"),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def instructions(self, dbname: str, statements: list[str]) -> int:
        """Instructions a single-user backend executes running ``statements`` (one per line)."""
        out = self.data.parent / "callgrind.out"
        done = subprocess.run(
            [
                *(["runuser", "-u", self.user, "--"] if self.user else []),
                "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                str(self.bindir / "postgres"), "--single", "-D", str(self.data),
                "-c", "synchronous_commit=off", dbname,
            ],
            input="\n".join(statements) + "\n", capture_output=True, text=True, check=True,
        )  # fmt: skip
        if "ERROR:" in done.stdout or "ERROR:" in done.stderr:
            raise RuntimeError(f"single-user backend failed:\n{done.stdout}\n{done.stderr}")
        match = re.search(r"refs:\s+([\d,]+)", done.stderr)
        if match is None:
            raise RuntimeError(f"no instruction count from valgrind:\n{done.stderr}")
        return int(match.group(1).replace(",", ""))


def default_bindir() -> Path:
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        if found.returncode == 0:
            return Path(found.stdout.strip())
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if not versions:
        raise SystemExit("no PostgreSQL binaries found: pass --bindir")
    return Path(versions[-1])


@contextmanager
def private_server(bindir: Path, user: str | None) -> Iterator[Server]:
    """initdb in a temporary directory, started; stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="pgaudit-callgrind-"))
    if user:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    server = Server(bindir, root / "data", root, 54329, user)
    try:
        subprocess.run(
            server.command("initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres",
                           "--no-sync"),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        server.start()
        yield server
    finally:
        subprocess.run(
            server.command("pg_ctl", "-D", str(server.data), "-m", "immediate", "stop"),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def prepare(server: Server) -> None:
    """The three databases, each with pgbench's tables and the loop procedure."""
    cluster = Cluster(server.dsn("postgres"), server.bindir / "pgbench", embedded=False)
    for config in CONFIGS:
        with psycopg.connect(server.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(config)))
        db = BenchDatabase(cluster, config, "callgrind_owner")
        db.pgbench("-i", "-s", "1", "-q")
        db.execute(_LOOP)
        if config == "audited":
            install_pgaudit_kit(db, PGBENCH_TABLES)
        elif config == "naive":
            install_naive(db, list(PGBENCH_TABLES))
    progress("callgrind: plain, naive and audited databases ready")


def stand_in(server: Server, body: str) -> None:
    """Replace the tellers row function's body (the audit guard allows it in maintenance)."""
    with psycopg.connect(server.dsn("audited")) as conn:
        (name,) = conn.execute(
            "select p.oid::regprocedure::text from pg_proc as p"
            " where p.pronamespace = 'audit'::regnamespace"
            " and p.proname like 'capture_public_pgbench_tellers%row'"
        ).fetchone() or (None,)
        assert name is not None
        conn.execute("select audit.begin_maintenance('bench.callgrind')")
        conn.execute(
            sql.SQL(
                "create or replace function {}() returns trigger language plpgsql"
                " security definer set search_path = pg_catalog, pg_temp as {}"
            ).format(sql.SQL(name.removesuffix("()")), sql.Literal(body))
        )


def per_transaction(server: Server, dbname: str, workload: str, transactions: int) -> float:
    def run(n: int) -> int:
        call = sql.SQL("call public.capture_loop({}, {})")
        return server.instructions(
            dbname,
            [
                call.format(sql.Literal(100), sql.Literal(workload)).as_string(),
                call.format(sql.Literal(n), sql.Literal(workload)).as_string(),
            ],
        )

    return (run(transactions) - run(0)) / transactions


def per_row(server: Server, dbname: str, rows: int) -> float:
    update = sql.SQL("update pgbench_accounts set abalance = abalance + 1 where aid <= {}")

    def run(n: int) -> int:
        return server.instructions(dbname, [update.format(sql.Literal(n)).as_string()])

    return (run(rows + 1) - run(1)) / rows


def report(figures: dict[str, dict[str, float]], stand_ins: dict[str, float], rows: int) -> str:
    lines = [
        "# Capture's work in instructions (callgrind)",
        "",
        "`python -m bench.callgrind`: instructions per transaction (per row for the bulk UPDATE)",
        'of a single-user PostgreSQL backend; "trigger" columns are the configuration\'s count',
        "minus plain's. Exact and repeatable, unlike times on a shared machine.",
        "",
        "| workload | plain | naive | pgaudit-kit | naive trigger | pgaudit-kit trigger | ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for workload, by_config in figures.items():
        plain, naive, kit = (by_config[c] for c in CONFIGS)
        lines.append(
            f"| {workload} | {plain:,.0f} | {naive:,.0f} | {kit:,.0f} | {naive - plain:,.0f} |"
            f" {kit - plain:,.0f} | {(kit - plain) / (naive - plain):.2f}x |"
        )
    tellers = figures[WORKLOADS["tellers"]]
    lines += [
        "",
        f"The tellers row function taken apart (per transaction; bulk: {rows:,} rows):",
        "",
        "| tellers UPDATE under | instructions | added by this step |",
        "| --- | --- | --- |",
        f"| no trigger | {tellers['plain']:,.0f} | |",
    ]
    previous = tellers["plain"]
    for name, count in [*stand_ins.items(), ("the generated row function", tellers["audited"])]:
        lines.append(f"| {name} | {count:,.0f} | {count - previous:,.0f} |")
        previous = count
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.callgrind", description=__doc__)
    parser.add_argument("--bindir", type=Path, default=None)
    parser.add_argument("--user", default="postgres" if os.geteuid() == 0 else None)
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=RESULTS / "callgrind.md")
    args = parser.parse_args(argv)
    if not shutil.which("valgrind"):
        raise SystemExit("bench.callgrind needs valgrind (apt-get install valgrind)")
    figures: dict[str, dict[str, float]] = {}
    stand_ins: dict[str, float] = {}
    with private_server(args.bindir or default_bindir(), args.user) as server:
        prepare(server)
        server.stop()
        for workload, title in WORKLOADS.items():
            figures[title] = {
                c: per_transaction(server, c, workload, args.transactions) for c in CONFIGS
            }
            progress(f"callgrind: {title}: {figures[title]}")
        bulk = f"UPDATE of {args.rows:,} pgbench_accounts rows, per row"
        figures[bulk] = {c: per_row(server, c, args.rows) for c in CONFIGS}
        progress(f"callgrind: {bulk}: {figures[bulk]}")
        for name, body in _STAND_INS.items():
            server.start()
            stand_in(server, body)
            server.stop()
            stand_ins[name] = per_transaction(server, "audited", "tellers", args.transactions)
    args.out.write_text(report(figures, stand_ins, args.rows))
    progress(f"wrote {args.out}")


if __name__ == "__main__":
    main()
