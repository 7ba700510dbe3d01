"""The audit tools users would pick instead, from ``../shared/peers``, installed as its README
says, so the benchmark measures them beside pgaudit-kit in the same run.

They need contrib modules (``uuid-ossp``, ``hstore``), which the embedded server lacks: peers run
where the server has them (the machine's PostgreSQL 15 through ``--dsn``) and are skipped with a
note otherwise, or when the folder is absent. Each peer gets a database of its own (two of them
create a schema named ``audit``, as pgaudit-kit does).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from .cluster import BenchDatabase, Cluster

PEERS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "peers"
NEEDED_EXTENSIONS = ("uuid-ossp", "hstore")


def _psql(db: BenchDatabase, script: Path) -> None:
    psql = shutil.which("psql")
    if psql is None:
        raise RuntimeError("psql is not on PATH; the peers install with it")
    subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.dsn, "-f", script.name],
        cwd=script.parent, check=True, capture_output=True, text=True,
    )  # fmt: skip


def _value(dsn: str, query: str, params: list[object]) -> object:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def _has_primary_key(db: BenchDatabase, table: str) -> bool:
    query = "select exists (select from pg_index where indrelid = %s::regclass and indisprimary)"
    return bool(_value(db.dsn, query, [table]))


def install_supa_audit(db: BenchDatabase, tables: list[str]) -> None:
    """supa_audit 0.3.1, without the two lines only CREATE EXTENSION allows; a table without a
    primary key gets its two triggers by hand, as its README says."""
    db.execute('create extension if not exists "uuid-ossp"')
    text = (PEERS_DIR / "supa_audit" / "supa_audit--0.3.1.sql").read_text()
    db.execute(
        "\n".join(line for line in text.splitlines() if "pg_extension_config_dump" not in line)
    )
    for table in tables:
        if _has_primary_key(db, table):
            db.execute(
                sql.SQL("select audit.enable_tracking({}::regclass)").format(sql.Literal(table))
            )
            continue
        ident = sql.Identifier(*table.split("."))
        db.execute(
            sql.SQL(
                "create trigger audit_i_u_d after insert or update or delete on {} for each row "
                "execute procedure audit.insert_update_delete_trigger();"
                "create trigger audit_t after truncate on {} for each statement "
                "execute procedure audit.truncate_trigger()"
            ).format(ident, ident)
        )


def install_audit_trigger(db: BenchDatabase, tables: list[str]) -> None:
    """2ndQuadrant's audit-trigger: audit.sql, then audit.audit_table per table."""
    _psql(db, PEERS_DIR / "audit-trigger" / "audit.sql")
    for table in tables:
        db.execute(sql.SQL("select audit.audit_table({}::regclass)").format(sql.Literal(table)))


def install_pgmemento(db: BenchDatabase, tables: list[str]) -> None:
    """pgMemento: INSTALL_PGMEMENTO.sql from its folder, then pgmemento.init for the schemas."""
    _psql(db, PEERS_DIR / "pgmemento" / "INSTALL_PGMEMENTO.sql")
    for schema in sorted({t.split(".")[0] for t in tables}):
        db.execute(sql.SQL("select pgmemento.init({})").format(sql.Literal(schema)))


@dataclass(frozen=True)
class Peer:
    """One peer: its name in the results, how it is installed, and where it stores its trail."""

    name: str
    install: Callable[[BenchDatabase, list[str]], None]
    #: The schema holding its audit storage (its whole size counts as the trail's).
    schema: str


PEERS = (
    Peer("audit-trigger", install_audit_trigger, "audit"),
    Peer("supa_audit", install_supa_audit, "audit"),
    Peer("pgmemento", install_pgmemento, "pgmemento"),
)


def available(cluster: Cluster) -> tuple[tuple[Peer, ...], str | None]:
    """The peers this run can measure, and why the others are skipped (None: none are)."""
    if not PEERS_DIR.is_dir():
        return (), f"peers skipped: {PEERS_DIR} is absent"
    query = "select count(*) from pg_available_extensions where name = any(%s)"
    if _value(cluster.admin_dsn, query, [list(NEEDED_EXTENSIONS)]) != len(NEEDED_EXTENSIONS):
        return (), (
            "peers skipped: the server lacks the contrib modules they need "
            f"({', '.join(NEEDED_EXTENSIONS)}); run with --dsn on the machine's PostgreSQL 15"
        )
    return PEERS, None


def trail_bytes(db: BenchDatabase, schema: str, *, table: str | None = None) -> int:
    """Total size of every table in ``schema`` (or of ``table`` there), with TOAST and indexes."""
    query = (
        "select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint from pg_class c "
        "join pg_namespace n on n.oid = c.relnamespace where n.nspname = %s "
        "and c.relkind in ('r', 'm') and (%s::text is null or c.relname = %s)"
    )
    return int(str(_value(db.dsn, query, [schema, table, table])))


def by_name(name: str) -> Peer:
    """The peer called ``name`` in the results."""
    return next(p for p in PEERS if p.name == name)
