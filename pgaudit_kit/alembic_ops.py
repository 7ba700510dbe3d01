"""What a revision that ``pgaudit-kit alembic-revision`` wrote runs inside the application's
Alembic migration.

A revision embeds the config it makes the database match (TOML, one column per line) and the
steps it was reviewed with: each step's description and the SHA-256 of its SQL, the SQL that
``pgaudit-kit plan --sql`` printed then. :func:`upgrade` computes the plan again on the database
it runs on, inside Alembic's transaction, and runs it only if every step's SQL is one of those (a
step already done is simply absent; the plan's own settings and partitions made ahead, which
depend on the day, carry out no design and are always allowed):
another pgaudit-kit version or a database unlike the one the revision was written against stops
the migration, naming the step. :func:`downgrade` makes the audited tables match the config the
revision recorded as installed before it (the audit schema, keys, grants and guard stay).

Both run as ``pgaudit-kit apply`` does, so the migration must connect as a superuser (or a managed
service's CREATEROLE administrator) through the psycopg 3 driver (``postgresql+psycopg://``).
Settings the plan pins for its transaction (search_path, lock_timeout, DateStyle...) are given
back afterwards, so later migrations in the same transaction run as they would have.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg

from .config import Config, loads
from .errors import InputError
from .generate import ROUTINE_KINDS, Plan, text_sha256
from .session import Audit


def upgrade(
    op: Any,
    config: str,
    steps: Sequence[tuple[str, str]],
    *,
    baseline: bool = False,
    config_sha256: str | None = None,
) -> None:
    """Make the database match ``config`` (TOML), running only the reviewed ``steps``.

    :param op: Alembic's ``op`` (its bind must use the psycopg 3 driver).
    :param steps: (description, step_hash) of each step the revision was written with.
    :param config_sha256: what ``config`` hashed to when the revision was written: an edit of
        the config alone (which could drop reviewed steps unseen) stops the migration. The file
        is Python, so this guards against drift, not against whoever may rewrite it.
    :raises InputError: when the config was edited, or the plan holds a step the revision was
        not written with.
    """
    if config_sha256 is not None and text_sha256(config) != config_sha256:
        raise InputError(
            "the revision's CONFIG is not the one it was written with (its SHA-256 differs)",
            hint="write the revision again with pgaudit-kit alembic-revision instead of editing it",
        )
    reviewed = {sha256 for _, sha256 in steps}  # descriptions are for the reader

    def check(plan: Plan) -> None:
        for step in plan.steps:
            if step.kind in ROUTINE_KINDS or step.sha256 in reviewed:
                continue
            raise InputError(
                f"pgaudit-kit {version('pgaudit-kit')} would run a step this revision was not "
                f"written with: {step.description!r}",
                hint="the revision runs only the SQL it was reviewed with; write it again with "
                "pgaudit-kit alembic-revision against a database like this one (pgaudit-kit plan "
                "--sql shows what differs)",
            )

    _apply(op, loads(config, path=Path("<alembic revision>")), baseline=baseline, check=check)


def downgrade(op: Any, config: str) -> None:
    """Make the audited tables match ``config`` again: the design installed before the upgrade
    (tables it started auditing stop; tables it changed get their capture back)."""
    _apply(op, loads(config, path=Path("<alembic revision>")), baseline=False, check=None)


def _apply(
    op: Any, config: Config, *, baseline: bool, check: Callable[[Plan], None] | None
) -> None:
    # the session's apply, on Alembic's connection: in a savepoint of the migration's
    # transaction, with the caller's settings (search_path, lock_timeout, role...) given back
    Audit(config, _connection(op)).apply(baseline=baseline, check=check)


def _connection(op: Any) -> psycopg.Connection[Any]:
    """The psycopg connection under Alembic's, in its transaction."""
    driver = getattr(op.get_bind().connection, "driver_connection", None)
    if not isinstance(driver, psycopg.Connection):
        raise InputError(
            "pgaudit-kit's migration steps need the psycopg (3) driver",
            hint="use a postgresql+psycopg:// URL in the Alembic project's sqlalchemy.url",
        )
    return driver
