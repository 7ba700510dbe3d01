"""${message}

Revision ID: ${revision}
Revises: ${down_revision or ""}
Create Date: ${create_date}

Written by pgaudit-kit ${version} (`pgaudit-kit alembic-revision`) from ${config_name}, against a
database at revision ${down_revision or "base"}. The upgrade runs the SQL `pgaudit-kit plan --sql`
showed then; the downgrade undoes its changes to audited tables (the audit schema, its keys, grants
and the guard stay: removing them would remove the trail). Run it as a superuser, as
`pgaudit-kit apply` runs. A step whose work a query shows is already done (the owner role exists,
the toolkit revision is installed...) is skipped, so upgrade, downgrade and upgrade again work, and
so do databases that had pgaudit-kit applied by hand.
"""

from alembic import op

revision = ${repr(revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None

# pgaudit-kit's guard refuses DDL on the trail outside its maintenance window; each step opens it
# for this transaction once the audit schema exists.
MAINTENANCE_EXISTS = ${py_string(maintenance_exists)}
BEGIN_MAINTENANCE = ${py_string(begin_maintenance)}
# The first step pins the search_path and the lock timeout for this transaction; Alembic may run
# later migrations in the same transaction, so the runner gives them their settings back.
SAVE_SETTINGS = """
select pg_catalog.set_config('pgaudit_kit.saved_' || name, pg_catalog.current_setting(name), true)
from pg_catalog.unnest(array['search_path', 'lock_timeout']) as name
"""
RESTORE_SETTINGS = """
select pg_catalog.set_config(name, pg_catalog.current_setting('pgaudit_kit.saved_' || name), true)
from pg_catalog.unnest(array['search_path', 'lock_timeout']) as name
"""

# Each step: what it does, queries that all return true when it is already done, its SQL.
UPGRADE = [
% for description, done_when, statement in upgrade:
    (
        ${repr(description)},
        [${", ".join(py_string(q) for q in done_when)}],
        ${py_string(statement)},
    ),
% endfor
]

DOWNGRADE = [
% for description, done_when, statement in downgrade:
    (
        ${repr(description)},
        [${", ".join(py_string(q) for q in done_when)}],
        ${py_string(statement)},
    ),
% endfor
]


def upgrade() -> None:
    _run(UPGRADE)


def downgrade() -> None:
    _run(DOWNGRADE)


def _run(steps: list[tuple[str, list[str], str]]) -> None:
    # no_parameters: the SQL reaches PostgreSQL as written, with no %-placeholder processing
    bind = op.get_bind().execution_options(no_parameters=True)
    bind.exec_driver_sql(SAVE_SETTINGS)
    for _description, done_when, statement in steps:
        if done_when and all(bind.exec_driver_sql(query).scalar() for query in done_when):
            continue
        if bind.exec_driver_sql(MAINTENANCE_EXISTS).scalar():
            bind.exec_driver_sql(BEGIN_MAINTENANCE)
        bind.exec_driver_sql(statement)
    bind.exec_driver_sql(RESTORE_SETTINGS)
