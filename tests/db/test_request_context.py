"""set_request_context: the application's request and trace ids reach the audit rows of its
transaction (and no other), through psycopg 3 and SQLAlchemy, as the app role."""

from __future__ import annotations

import psycopg
import pytest
import sqlalchemy
from opentelemetry import trace
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from pgaudit_kit import InputError, set_request_context
from tests.fixtures.db import AuditEnv

from .helpers import audited_customers

INSERT = "insert into customers values ({id}, 'a{id}@x.org', null, 'pw', 'new', null)"


def _context(env: AuditEnv) -> list[tuple[str | None, str | None]]:
    return [(r["request_id"], r["trace_id"]) for r in env.log("INSERT")]


def test_psycopg_sets_the_ids_for_its_transaction_only(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.app_dsn) as conn:
        with conn.transaction():
            sent = set_request_context(conn, request_id="it's r-1; --", trace_id="t-1")
            conn.execute(INSERT.format(id=1))
        conn.execute(INSERT.format(id=2))  # the next transaction on the same connection
        conn.commit()
        with conn.cursor() as cursor:
            set_request_context(cursor, request_id="r-3")
            cursor.execute(INSERT.format(id=3))
        conn.commit()
    assert sent == {"pgaudit.request_id": "it's r-1; --", "pgaudit.trace_id": "t-1"}
    assert _context(env) == [("it's r-1; --", "t-1"), (None, None), ("r-3", None)]


def test_an_autocommit_connection_outside_a_transaction_is_refused(env: AuditEnv) -> None:
    audited_customers(env)
    with psycopg.connect(env.app_dsn, autocommit=True) as conn:
        with pytest.raises(InputError, match="lasts for one transaction, and none is open"):
            set_request_context(conn, request_id="r-1")
        with conn.transaction():
            set_request_context(conn, request_id="r-2")
            conn.execute(INSERT.format(id=1))
    assert _context(env) == [("r-2", None)]


def test_sqlalchemy_connections_and_sessions(env: AuditEnv) -> None:
    audited_customers(env)
    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(env.app_dsn), poolclass=NullPool
    )
    try:
        with engine.begin() as connection:
            set_request_context(connection, request_id="conn-1", trace_id="trace-1")
            connection.execute(sqlalchemy.text(INSERT.format(id=1)))
        with Session(engine) as session, session.begin():
            set_request_context(session, request_id="session-2")
            session.execute(sqlalchemy.text(INSERT.format(id=2)))
        with Session(engine) as session, session.begin():
            session.execute(sqlalchemy.text(INSERT.format(id=3)))
    finally:
        engine.dispose()
    assert _context(env) == [("conn-1", "trace-1"), ("session-2", None), (None, None)]


def test_the_trace_id_comes_from_opentelemetrys_current_span(env: AuditEnv) -> None:
    audited_customers(env)
    span = trace.NonRecordingSpan(
        trace.SpanContext(
            trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736, span_id=0xF067AA0BA902B7, is_remote=False
        )
    )
    with psycopg.connect(env.app_dsn) as conn:
        with trace.use_span(span), conn.transaction():
            set_request_context(conn, request_id="r-1")
            conn.execute(INSERT.format(id=1))
        with conn.transaction():  # no span is current: no trace id
            set_request_context(conn, request_id="r-2")
            conn.execute(INSERT.format(id=2))
    assert _context(env) == [("r-1", "4bf92f3577b34da6a3ce929d0e0e4736"), ("r-2", None)]


CLAIMS = {
    "none": {},
    "short": {"application_name": "billing", "pgaudit.request_id": "r-1", "pgaudit.trace_id": "t"},
    # longer than claim_text's bound together, each within it: stored whole
    "long together": {
        "application_name": "a" * 63,
        "pgaudit.request_id": "r" * 250,
        "pgaudit.trace_id": "t" * 250,
    },
    # one over the bound: cut, marked
    "one too long": {"pgaudit.request_id": "r" * 257, "pgaudit.trace_id": ""},
}


@pytest.mark.parametrize("claims", CLAIMS.values(), ids=CLAIMS.keys())
def test_every_capture_path_records_the_caller_as_statement_context_does(
    env: AuditEnv, claims: dict[str, str]
) -> None:
    """Fast capture reads who and where in its own few expressions (cheaper than calling
    statement_context() per call); on every path (statement function, row function of a table
    and of a partitioned table, TRUNCATE) what it stores is what statement_context() says."""
    env.script(
        "create table public.t (id int primary key, v text);"
        "create table public.p (id int, v text) partition by range (id);"
        "create table public.p_all partition of public.p for values from (0) to (100);"
        f"alter table public.t owner to {env.roles.app}; alter table public.p owner to {env.roles.app};"
        f"grant {env.roles.app} to {env.roles.other};"
    )
    env.write_config(
        '[tables."public.t"]\ncolumns = { id = "plain", v = "hash" }\n'
        '[tables."public.p"]\ncolumns = { id = "plain", v = "plain" }\n'
    )
    env.apply()
    # the test may call it; nobody else does
    env.script(
        f"grant usage on schema audit to {env.roles.app};"
        f"grant execute on function audit.statement_context(), audit.claim_text(text)"
        f" to {env.roles.app}"
    )
    with psycopg.connect(env.dsn_as(env.roles.other)) as conn:
        conn.execute(f"set role {env.roles.app}")
        for name, value in claims.items():
            conn.execute("select set_config(%s, %s, true)", [name, value])
        for table in ("t", "p"):
            conn.execute(
                f"insert into {table} values (1, 'x'); update {table} set v = 'y';"
                f" delete from {table}; insert into {table} values (2, 'z'); truncate {table}"
            )
        expected = conn.execute("select * from audit.statement_context()").fetchone()
        conn.commit()
    columns = (
        "txid, login_role, effective_role, application_name, client_addr, request_id, trace_id"
    )
    assert expected is not None
    rows = env.sql(
        f"select table_name, op, {columns} from audit.log_rows where txid = %s order by id",
        [expected[0]],
    )
    paths = [(table, op) for table, op, *_ in rows]
    assert paths == [(t, op) for t in ("public.t", "public.p")
                     for op in ("INSERT", "UPDATE", "DELETE", "INSERT", "TRUNCATE")]  # fmt: skip
    assert {tuple(context) for _, _, *context in rows} == {expected}
    assert expected[1:3] == (env.roles.other, env.roles.app)
