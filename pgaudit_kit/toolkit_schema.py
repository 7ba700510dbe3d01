"""The toolkit's own schema (log, keys, registry, guard) and its Alembic revisions.

Each revision in ``migrations/versions`` runs one frozen SQL file that sits beside it
(``0001_initial.py`` runs ``0001_initial.sql``). Frozen means the file is written once, when the
revision is created (``python tools/freeze_revision.py``), from the templates listed in
``sqlfiles.TOOLKIT``, and never changes afterwards: a database installed at revision N upgrades
the same way whatever ``sql/`` holds today (pg_partman's ``updates/`` do the same).

Alembic records the applied revision in ``<schema>.schema_version``, inside the audit schema, never
in the application's ``alembic_version``. ``upgrade`` runs inside the caller's transaction, so an
install or upgrade that fails leaves nothing behind.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

if TYPE_CHECKING:
    import sqlalchemy

from . import chain, sqlfiles
from .identifiers import QualifiedName, derived_name

VERSION_TABLE = "schema_version"
#: The guard's event triggers: template placeholder, name part, event, function (in the audit
#: schema). Event triggers of one event fire in name order: "ddl" before "leaf" matters, since
#: guard_leaf_triggers finishes what guard_ddl_command_end starts.
GUARD_TRIGGERS: tuple[tuple[str, str, str, str], ...] = (
    ("guard_sql_drop", "drop", "sql_drop", "guard_sql_drop()"),
    ("guard_ddl_command_end", "ddl", "ddl_command_end", "guard_ddl_command_end()"),
    ("guard_table_rewrite", "rewrite", "table_rewrite", "guard_table_rewrite()"),
    ("guard_leaf_triggers", "leaf", "ddl_command_end", "guard_leaf_triggers()"),
)


@dataclass(frozen=True)
class Revision:
    """One revision of the toolkit schema."""

    id: str
    message: str
    sql_file: Path
    down: str | None = None


def migrations_dir() -> Path:
    """The Alembic script folder: inside the installed package, else the source tree."""
    packaged = Path(__file__).parent / "migrations"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent / "migrations"


def setting_clauses(settings: Mapping[str, str]) -> sql.Composed:
    """``set name = 'value'`` lines: a function's SET clauses."""
    return sql.Composed(
        [
            sql.SQL("set {} = {}\n").format(sql.Identifier(n), sql.Literal(v))
            for n, v in settings.items()
        ]
    )


def params(schema: str, owner: str) -> dict[str, sql.Composable]:
    """The placeholders every toolkit template and frozen revision may use. ``pinned_settings``
    are chain.RENDER_SETTINGS as SET clauses (part of chain format 1: they never change within
    it, so frozen revisions may use them)."""
    return {
        "pinned_settings": setting_clauses(chain.RENDER_SETTINGS),
        "schema": sql.Identifier(schema),
        "schema_name": sql.Literal(schema),
        "owner": sql.Identifier(owner),
        "owner_name": sql.Literal(owner),
        "log_regclass": sql.Literal(_qualified_text(schema, "log_rows")),
        "log_id_seq": sql.Literal(_qualified_text(schema, "log_id_seq")),
        **{
            placeholder: sql.Identifier(event_trigger_name(schema, what))
            for placeholder, what, _, _ in GUARD_TRIGGERS
        },
    }


def event_trigger_name(schema: str, what: str) -> str:
    """Event triggers are database-wide, so their names carry the schema they guard."""
    return derived_name(f"pgaudit_guard_{what}", QualifiedName(schema, ""))


@cache
def revisions() -> list[Revision]:
    """Every revision, oldest first, read from the revision files' own ``revision`` and
    ``down_revision`` assignments and docstring (as Alembic reads them, without importing
    Alembic, which most commands do not need)."""
    by_down: dict[str | None, Revision] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        values = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        revision = Revision(
            id=str(values["revision"]),
            message=(ast.get_docstring(tree) or "").split("\n", 1)[0].strip(),
            sql_file=path.with_suffix(".sql"),
            down=str(values["down_revision"]) if values.get("down_revision") else None,
        )
        by_down[revision.down] = revision
    chain: list[Revision] = []
    down: str | None = None
    while down in by_down:
        chain.append(by_down[down])
        down = chain[-1].id
    return chain


def head() -> str:
    """The newest revision id."""
    return revisions()[-1].id


def revision_at_least(current: str | None, wanted: str) -> bool:
    """Whether ``current`` is ``wanted`` or a later revision."""
    ids = [r.id for r in revisions()]
    return current is not None and current in ids and ids.index(current) >= ids.index(wanted)


def pending(current: str | None) -> list[Revision]:
    """The revisions an upgrade from ``current`` (None: not installed) would run, in order."""
    all_revisions = revisions()
    ids = [r.id for r in all_revisions]
    start = 0 if current is None else ids.index(current) + 1
    return all_revisions[start:]


def render(revision: Revision, values: Mapping[str, sql.Composable]) -> sql.Composed:
    """The SQL a revision runs, with placeholders filled."""
    return sqlfiles.packaged_template(revision.sql_file.read_text(encoding="utf-8")).format(
        **values
    )


def statements(
    revision: Revision, values: Mapping[str, sql.Composable], schema: str, owner: str
) -> tuple[sql.Composed, ...]:
    """What :func:`upgrade` does for one revision, as plain SQL: the frozen SQL run as the owner
    role, and the version table kept as Alembic keeps it. ``plan`` shows these; the application's
    Alembic revisions run them."""
    version_table = sql.Identifier(schema, VERSION_TABLE)
    if revision.down is None:
        bookkeeping = sqlfiles.render(
            "version/create.sql",
            version_table=version_table,
            revision=sql.Literal(revision.id),
        )
    else:
        bookkeeping = sqlfiles.render(
            "version/advance.sql",
            version_table=version_table,
            revision=sql.Literal(revision.id),
            down_revision=sql.Literal(revision.down),
        )
    return (
        sql.SQL("set local role {};").format(sql.Identifier(owner)),
        render(revision, values),
        bookkeeping,
        sql.SQL("set local role none;").format(),  # RESET would outlive the step
    )


def version_table_exists(schema: str) -> sql.Composed:
    """A query: is the toolkit's version table there (read from the catalog by name)?"""
    return sqlfiles.render(
        "queries/version_table_exists.sql",
        schema_name=sql.Literal(schema),
        table_name=sql.Literal(VERSION_TABLE),
    )


def current_revision(conn: psycopg.Connection[Any], schema: str) -> str | None:
    """The installed revision, or None when the toolkit schema is not installed."""
    exists = conn.execute(version_table_exists(schema)).fetchone()
    if not exists or not exists[0]:
        return None
    row = conn.execute(
        sqlfiles.render(
            "queries/schema_version.sql", version_table=sql.Identifier(schema, VERSION_TABLE)
        )
    ).fetchone()
    return str(row[0]) if row else None


def upgrade(
    sa_conn: sqlalchemy.Connection,
    values: Mapping[str, sql.Composable],
    schema: str,
    target: str = "head",
) -> None:
    """Run every pending revision on ``sa_conn`` inside its current transaction.

    The revisions execute their frozen SQL on the same psycopg connection, so they see and are
    rolled back with everything else the caller does in that transaction.
    """
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = _alembic_config()
    script = ScriptDirectory.from_config(config)

    def upgrade_steps(rev: Any, context: Any) -> Any:
        return script._upgrade_revs(target, rev)

    with EnvironmentContext(config, script, fn=upgrade_steps, destination_rev=target) as env:
        env.configure(
            connection=sa_conn,
            version_table=VERSION_TABLE,
            version_table_schema=schema,
            transactional_ddl=True,
        )
        with env.begin_transaction():
            env.run_migrations(values=values)


def run_frozen(sql_file: str, *, values: Mapping[str, sql.Composable]) -> None:
    """Execute a revision's frozen SQL; called from the revision files themselves."""
    from alembic import op

    revision = Revision(id="", message="", sql_file=migrations_dir() / "versions" / sql_file)
    driver = op.get_bind().connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    driver.execute(render(revision, values))


def _alembic_config() -> Any:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def _qualified_text(schema: str, name: str) -> str:
    return '"' + schema.replace('"', '""') + '"."' + name.replace('"', '""') + '"'
