"""Connecting to PostgreSQL: DSN resolution, connections, and translating psycopg errors.

This is the only module that turns psycopg exceptions into pgaudit-kit errors. It decides from the
exception class and SQLSTATE, never from message text. It knows nothing about audit objects.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import conninfo

from .errors import (
    ConnectionFailed,
    DsnError,
    PermissionDenied,
    PgAuditError,
    ServerError,
    ServerUnsupported,
)

#: Environment variables read, in order, when ``--dsn`` is not given.
DSN_ENVIRONMENT = ("PGAUDIT_DSN", "DATABASE_URL")
#: The oldest server major version pgaudit-kit is tested against.
MIN_SERVER_VERSION = 150000
APPLICATION_NAME = "pgaudit-kit"

_SQLALCHEMY_SCHEME = re.compile(r"^(postgres(?:ql)?)\+[a-z0-9_]+://", re.IGNORECASE)


def resolve_dsn(explicit: str | None, environ: Mapping[str, str] | None = None) -> str:
    """Choose the connection string: ``--dsn``, then PGAUDIT_DSN, then DATABASE_URL, then libpq.

    An empty result means "let libpq read PGHOST, PGDATABASE and the rest".

    :param explicit: the ``--dsn`` option, if given.
    :param environ: the environment to read (``os.environ`` by default).
    :returns: a DSN psycopg accepts.
    :raises DsnError: when the chosen DSN cannot be parsed.
    """
    env = os.environ if environ is None else environ
    source, dsn = "--dsn", explicit
    if dsn is None:
        for name in DSN_ENVIRONMENT:
            if env.get(name):
                source, dsn = name, env[name]
                break
    if dsn is None:
        return ""
    # SQLAlchemy-style URLs (postgresql+psycopg://) are common in DATABASE_URL; libpq wants the
    # bare scheme.
    dsn = _SQLALCHEMY_SCHEME.sub(lambda m: f"{m.group(1)}://", dsn)
    try:
        conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as e:
        raise DsnError(
            f"invalid connection string: {_first_line(str(e))}",
            where=source,
            hint="use postgresql://user@host:5432/dbname or key=value pairs like 'host=h dbname=d'",
        ) from e
    return dsn


def describe(dsn: str) -> str:
    """A DSN for messages: user@host:port/dbname, never the password."""
    try:
        parts = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "<unparseable DSN>"
    user = parts.get("user") or os.environ.get("PGUSER") or ""
    host = parts.get("host") or os.environ.get("PGHOST") or "localhost"
    port = parts.get("port") or os.environ.get("PGPORT") or "5432"
    dbname = parts.get("dbname") or os.environ.get("PGDATABASE") or user
    return f"{user}@{host}:{port}/{dbname}" if user else f"{host}:{port}/{dbname}"


def connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[Any, ...]]:
    """Open a connection and check the server is new enough.

    :param dsn: from :func:`resolve_dsn`.
    :param autocommit: leave False for anything that writes: pgaudit-kit writes in one transaction.
    :raises ConnectionFailed: when the server cannot be reached or refuses the login.
    :raises ServerUnsupported: when the server is older than PostgreSQL 15.
    """
    kwargs: dict[str, object] = {"autocommit": autocommit}
    if "application_name" not in dsn:
        kwargs["application_name"] = APPLICATION_NAME
    try:
        conn = psycopg.connect(dsn, **kwargs)  # type: ignore[arg-type]
    except psycopg.OperationalError as e:
        raise ConnectionFailed(
            f"cannot connect: {_first_line(str(e))}",
            where=describe(dsn),
            hint="check --dsn, PGAUDIT_DSN or DATABASE_URL and that the server is running",
        ) from e
    if conn.info.server_version < MIN_SERVER_VERSION:
        version = conn.info.parameter_status("server_version") or str(conn.info.server_version)
        conn.close()
        raise ServerUnsupported(
            f"PostgreSQL {version} is too old",
            where=describe(dsn),
            hint="pgaudit-kit needs PostgreSQL 15 or newer",
        )
    return conn


@contextmanager
def server_errors(where: str | None = None) -> Iterator[None]:
    """Translate psycopg errors raised inside the block into pgaudit-kit errors.

    pgaudit-kit's own errors pass through unchanged.
    """
    try:
        yield
    except PgAuditError:
        raise
    except psycopg.errors.InsufficientPrivilege as e:
        diag = getattr(e, "diag", None)
        raise PermissionDenied(
            _first_line(str(e)),
            where=where,
            hint=(diag.message_hint if diag is not None and diag.message_hint else None)
            or "the connected role lacks what this needs: put it in the role list the command "
            "needs in the config (README, Who may do what) and run pgaudit-kit apply",
        ) from e
    except psycopg.OperationalError as e:
        raise ConnectionFailed(_first_line(str(e)), where=where) from e
    except psycopg.Error as e:
        sqlstate = getattr(e, "sqlstate", None)
        detail = f"{_first_line(str(e))} [SQLSTATE {sqlstate}]" if sqlstate else _first_line(str(e))
        hint = None
        diag = getattr(e, "diag", None)
        if diag is not None and diag.message_hint:
            hint = diag.message_hint
        raise ServerError(detail, where=where, hint=hint) from e


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text
