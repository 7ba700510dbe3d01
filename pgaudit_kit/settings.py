"""Session settings: setting them without running anything a search_path could resolve, and
keeping a caller's connection's own values around pgaudit-kit's work."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

#: What a plan sets for its own transaction besides the session settings (apply's search_path
#: and lock timeout, the baseline's and toolkit steps' role and row_security): a caller's
#: values are given back after it.
PLAN_SETS_LOCAL = ("search_path", "lock_timeout", "role", "row_security")


def settings_statements(settings: Mapping[str, str], *, local: bool = False) -> sql.Composed:
    """``set [local] name = 'value';`` statements: utility commands, so nothing the search_path
    resolves (no function, cast or operator) runs before the settings are in place."""
    form = sql.SQL("set local {} = {};\n") if local else sql.SQL("set {} = {};\n")
    return sql.Composed(
        [form.format(sql.Identifier(n), sql.Literal(v)) for n, v in settings.items()]
    )


def current_settings(conn: psycopg.Connection[Any], names: Iterable[str]) -> dict[str, str]:
    """The connection's current values of these settings."""
    names = list(names)
    row = conn.execute(
        sql.SQL("select {}").format(
            sql.SQL(", ").join(
                sql.SQL("pg_catalog.current_setting({})").format(sql.Literal(n)) for n in names
            )
        )
    ).fetchone()
    assert row is not None
    return dict(zip(names, (str(v) for v in row), strict=True))


@contextmanager
def settings_kept(
    conn: psycopg.Connection[Any], pinned: Mapping[str, str], *, also: Iterable[str] = ()
) -> Iterator[None]:
    """Inside the caller's transaction: ``pinned`` holds for the block, and afterwards every
    setting it or ``also`` names has the caller's value again (what the block set LOCAL
    included), so work that follows in the same transaction runs as it would have."""
    saved = current_settings(conn, dict.fromkeys([*pinned, *also]))
    conn.execute(settings_statements(pinned, local=True))
    yield
    # set_config, not SET: it reads a value as the setting prints it ('"$user", public' is a list
    # for set_config, one quoted name for SET search_path)
    conn.execute(
        sql.SQL("select {}").format(
            sql.SQL(", ").join(
                sql.SQL("pg_catalog.set_config({}, {}, true)").format(
                    sql.Literal(n), sql.Literal(v)
                )
                for n, v in saved.items()
            )
        )
    )
