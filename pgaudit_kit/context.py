"""Request and trace ids for the audit trail, set by the application once per transaction.

Capture records ``pgaudit.request_id`` and ``pgaudit.trace_id`` with every audit row. They are
set with ``set_config(name, value, true)``, which takes bind parameters (``SET LOCAL`` takes
none) and lasts until the transaction ends, so a pooled connection never carries one request's
id into the next::

    with conn.transaction():                      # psycopg 3
        set_request_context(conn, request_id=request.id)
        conn.execute("update orders set ...")

    with Session(engine) as session, session.begin():   # SQLAlchemy (Connection or Session)
        set_request_context(session, request_id=request.id)

With no ``trace_id`` given, the trace id of OpenTelemetry's current span is used when
``opentelemetry-api`` is installed and a span is active. This module imports neither SQLAlchemy
nor OpenTelemetry unless the caller uses them.
"""

from __future__ import annotations

from typing import Any

import psycopg

from .errors import InputError

#: The settings capture reads (sql/toolkit/functions/statement_context.sql).
REQUEST_ID, TRACE_ID = "pgaudit.request_id", "pgaudit.trace_id"
_PSYCOPG_SET = "select pg_catalog.set_config(%s, %s, true)"
_SQLALCHEMY_SET = "select pg_catalog.set_config(:name, :value, true)"


def set_request_context(
    conn: Any, *, request_id: str | None = None, trace_id: str | None = None
) -> dict[str, str]:
    """Set the request and trace ids that the current transaction's audit rows record.

    :param conn: a psycopg ``Connection`` or ``Cursor``, or a SQLAlchemy ``Connection`` or
        ``Session``, inside the transaction whose writes the ids describe.
    :param request_id: the application's id of the request, job or message.
    :param trace_id: the distributed trace id; default: OpenTelemetry's current span's, if any.
    :returns: the settings it set (an id left None is not set).
    :raises InputError: on a psycopg connection in autocommit with no transaction open, where
        the ids would end with the very statement that set them.
    """
    if trace_id is None:
        trace_id = current_trace_id()
    values = {n: v for n, v in ((REQUEST_ID, request_id), (TRACE_ID, trace_id)) if v is not None}
    if isinstance(conn, psycopg.Connection | psycopg.Cursor):
        connection = conn if isinstance(conn, psycopg.Connection) else conn.connection
        idle = connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if connection.autocommit and idle:
            raise InputError(
                "the request context lasts for one transaction, and none is open",
                hint="set it inside `with conn.transaction():`, before the writes it describes",
            )
        for name, value in values.items():
            conn.execute(_PSYCOPG_SET, [name, value])
    else:
        from sqlalchemy import text  # only for a SQLAlchemy connection or session

        for name, value in values.items():
            conn.execute(text(_SQLALCHEMY_SET), {"name": name, "value": value})
    return values


def current_trace_id() -> str | None:
    """The trace id (32 hex digits) of OpenTelemetry's current span, or None when
    opentelemetry-api is not loaded or no valid span is current."""
    try:
        from opentelemetry import trace
    except ImportError:
        return None

    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None
