"""Small helpers shared by the database tests."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy
from sqlalchemy.pool import NullPool

from tests.fixtures.db import AuditEnv

CUSTOMERS_DDL = """
create table public.customers (
    id bigint primary key,
    email text,
    card_number text,
    password text,
    status text,
    note text
);
"""

CUSTOMERS_TOML = """
[tables."public.customers"]
columns = { id = "plain", email = "hash", card_number = "mask:card", password = "omit", status = "plain", note = "plain" }
not_pii = ["note"]  # reviewed: order notes, no personal data
"""


def audited_customers(env: AuditEnv, *, audit: str = "") -> None:
    """The customers table, owned by the app role, audited with one column of each policy."""
    env.script(CUSTOMERS_DDL + f"alter table public.customers owner to {env.roles.app};")
    env.write_config(CUSTOMERS_TOML, audit=audit)
    env.apply()


def key_pads(env: AuditEnv, key_id: int | None = None) -> tuple[int, bytes, bytes]:
    """The current (or given) key's id and pads, read as the superuser."""
    query = "select key_id, k_in, k_out from audit.hmac_keys where shredded_at is null"
    query += " and key_id = %s" if key_id is not None else " order by key_id desc limit 1"
    rows = env.sql(query, [key_id] if key_id is not None else None)
    key_id_, k_in, k_out = rows[0]
    return int(key_id_), bytes(k_in), bytes(k_out)


def seal_all(env: AuditEnv, *, timeout: float = 30.0, max_rows: int = 100_000) -> None:
    """Seal until every row written so far is sealed.

    The sealing horizon is cluster-wide: on a shared server, another test's open transaction (in
    another database) holds it back for a moment, so this seals again until the rows are in.
    """
    import time

    from pgaudit_kit import api

    deadline = time.monotonic() + timeout
    (target,) = env.sql("select coalesce(max(txid), -1) from audit.log_rows")[0]
    while True:
        api.seal(env.config_path, env.dsn, max_rows=max_rows)
        (sealed,) = env.sql("select coalesce(max(txid_hi), 0) from audit.blocks")[0]
        if sealed > target:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"rows up to transaction {target} still unsealed after {timeout}s")
        time.sleep(0.05)


@contextmanager
def alembic_transaction(
    dsn: str,
) -> Iterator[tuple[psycopg.Connection[Any], sqlalchemy.Connection]]:
    """One transaction shared by psycopg and SQLAlchemy, for tests that run the toolkit's Alembic
    revisions themselves (``toolkit_schema.upgrade``) to build a database at an older revision."""
    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(dsn), poolclass=NullPool
    )
    try:
        with engine.connect() as sa_conn, sa_conn.begin():
            conn = sa_conn.connection.driver_connection
            assert isinstance(conn, psycopg.Connection)
            yield conn, sa_conn
    finally:
        engine.dispose()


def make_digest(env: AuditEnv, keys: tuple[Path, Path], folder: Path) -> Path:
    """Sign the chain head with the private key of ``keys`` into ``folder``."""
    from pgaudit_kit import api

    return api.digest(env.config_path, env.dsn, signing_key=keys[0], out_dir=folder).path


def alembic_project(root: Path) -> Path:
    """A new Alembic project in ``root`` (as ``alembic init migrations`` makes it, in-process);
    returns its alembic.ini."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True, exist_ok=True)
    ini = root / "alembic.ini"
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(Config(str(ini)), str(root / "migrations"))
    return ini
