"""Running a plan: everything in one transaction, or nothing.

``transaction`` opens one PostgreSQL transaction shared by psycopg (for composed SQL) and
SQLAlchemy (for the toolkit schema's Alembic revisions); it commits when the block ends normally and
rolls back on any error, so a failed apply leaves the catalog exactly as it was. Statements wait at
most ``lock_timeout`` for a table lock, then fail clearly instead of queueing behind a long
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy
from psycopg import sql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from . import db, sqlfiles, toolkit_schema
from .config import Config
from .errors import ConfigError, PermissionDenied
from .generate import DEFAULT_LOCK_TIMEOUT, Plan


@contextmanager
def transaction(
    dsn: str, *, lock_timeout: str = DEFAULT_LOCK_TIMEOUT
) -> Iterator[tuple[psycopg.Connection[Any], sqlalchemy.Connection]]:
    """One transaction for psycopg and SQLAlchemy/Alembic together.

    :raises ServerError: translated from any database error; the transaction is rolled back.
    """
    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://", creator=lambda: db.connect(dsn), poolclass=NullPool
    )
    try:
        with db.server_errors(db.describe(dsn)):
            try:
                with engine.connect() as sa_conn, sa_conn.begin():
                    conn = sa_conn.connection.driver_connection
                    assert isinstance(conn, psycopg.Connection)
                    conn.execute(
                        sql.SQL("set local lock_timeout = {}").format(sql.Literal(lock_timeout))
                    )
                    yield conn, sa_conn
            except DBAPIError as e:  # raised through SQLAlchemy (Alembic): translate the original
                if isinstance(e.orig, psycopg.Error):
                    raise e.orig from e
                raise
    finally:
        engine.dispose()


def execute(
    conn: psycopg.Connection[Any],
    sa_conn: sqlalchemy.Connection,
    plan: Plan,
    config: Config,
) -> None:
    """Run every step of ``plan`` inside the caller's transaction (see :func:`transaction`).

    Toolkit steps run the toolkit schema's Alembic revisions (which record themselves in its
    version table) rather than the statements that show them."""
    upgraded = False
    for step in plan.steps:
        if step.kind == "toolkit":
            if not upgraded:
                # Objects of the toolkit schema are created by, and owned by, the owner role.
                conn.execute(sql.SQL("set local role {}").format(sql.Identifier(config.owner_role)))
                values = toolkit_schema.params(config.schema, config.owner_role)
                toolkit_schema.upgrade(sa_conn, values, config.schema)
                conn.execute("reset role")
                upgraded = True
            continue
        for statement in step.statements:
            conn.execute(statement)


def check_privileges(conn: psycopg.Connection[Any], where: str) -> None:
    """apply and uninstall create event triggers and roles: a superuser must run them.

    :raises PermissionDenied: when the connected role is not a superuser.
    """
    row = conn.execute(sqlfiles.render("queries/is_superuser.sql")).fetchone()
    if not row or not row[0]:
        user = row[1] if row else "this role"
        raise PermissionDenied(
            f"{user} is not a superuser; installing pgaudit-kit creates event triggers and roles",
            where=where,
            hint="run it as a superuser (e.g. postgres); the app keeps its own ordinary role",
        )


def check_roles(conn: psycopg.Connection[Any], config: Config) -> None:
    """The configured roles must exist, and app roles must not be able to bypass the trail.

    :raises ConfigError: naming the role and what to do (the first of :func:`role_problems`).
    """
    problems = role_problems(conn, config)
    if problems:
        raise problems[0]


def role_problems(conn: psycopg.Connection[Any], config: Config) -> list[ConfigError]:
    """Configured roles that do not exist, app roles that are superusers, and configured roles
    that are members of the owner role (members could write the trail)."""
    kinds = {
        "app_roles": config.app_roles,
        "auditor_roles": config.auditor_roles,
        "admin_roles": config.admin_roles,
        "investigator_roles": config.investigator_roles,
    }
    names = list(dict.fromkeys(role for roles in kinds.values() for role in roles))
    rows = conn.execute(
        sqlfiles.render("queries/roles.sql"), {"owner": config.owner_role, "names": names}
    ).fetchall()
    found = {name: (superuser, member) for name, superuser, member in rows}
    problems: list[ConfigError] = []
    for role in names:
        kind = next(k for k, roles in kinds.items() if role in roles)
        if role not in found:
            problems.append(
                config.error(
                    f"role {role!r} in {kind} does not exist",
                    line=config.line(kind),
                    hint=f"create it (CREATE ROLE ...) or remove it from {kind}",
                )
            )
            continue
        superuser, member = found[role]
        if role in config.app_roles and superuser:
            problems.append(
                config.error(
                    f"app role {role!r} is a superuser, which nothing can stop from changing the "
                    "trail",
                    line=config.line(kind),
                    hint="give the application an ordinary role",
                )
            )
        if member:
            problems.append(
                config.error(
                    f"role {role!r} is a member of the owner role {config.owner_role!r}",
                    line=config.line(kind),
                    hint=f"REVOKE {config.owner_role} FROM {role}: members could write the trail",
                )
            )
    return problems


def drop_role_if_unused(conn: psycopg.Connection[Any], statement: sql.Composed) -> bool:
    """Run a role-dropping statement in a savepoint; False (and no error) if PostgreSQL refuses
    because the role still owns or holds something, e.g. in another database."""
    try:
        with conn.transaction():
            conn.execute(statement)
    except (psycopg.errors.DependentObjectsStillExist, psycopg.errors.ObjectInUse):
        return False
    return True
