"""``plan``, ``apply`` and ``uninstall``: what a plan is, and running one in one transaction.

``apply`` executes exactly the statements ``plan`` prints (the toolkit revisions too: each step
runs its frozen SQL as the owner role and keeps the version table as Alembic keeps it), inside one
transaction of the caller's connection: it commits when the block ends normally and rolls back on
any error, so a failed apply leaves the catalog exactly as it was. Statements wait at most
``lock_timeout`` for a table lock, then fail clearly instead of queueing behind a long
transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from . import access, catalog, generate, sqlfiles, toolkit_schema
from .catalog import Installed, Relation, TableModel
from .config import Config
from .errors import ConfigError, InputError
from .generate import DEFAULT_LOCK_TIMEOUT, Plan, PlanOptions, Step
from .identifiers import QualifiedName, parse_qualified_name
from .results import NOT_JSON, Result, json_with


@dataclass(frozen=True)
class PlanResult(Result):
    """What ``apply`` would do."""

    plan: Plan = field(metadata=NOT_JSON)

    _json_properties = ("changes", "notes", "steps")

    @property
    def changes(self) -> bool:
        return not self.plan.empty

    @property
    def notes(self) -> tuple[str, ...]:
        return self.plan.notes

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [s.document() for s in self.plan.steps]


def step_summaries(steps: tuple[Step, ...]) -> list[dict[str, Any]]:
    """Steps as apply's JSON shows them: what each did, without its SQL."""
    return [s.document(with_sql=False) for s in steps]


@dataclass(frozen=True)
class ApplyResult(Result):
    """What ``apply`` did: the steps that changed the database."""

    steps: tuple[Step, ...] = field(metadata=json_with(step_summaries))
    #: What could not be installed (no superuser), and what that leaves unprotected.
    warnings: tuple[str, ...] = ()

    _json_properties = ("changed",)

    @property
    def changed(self) -> bool:
        return bool(self.steps)


@dataclass(frozen=True)
class UninstallResult(Result):
    tables: tuple[str, ...]
    dropped_data: bool
    owner_dropped: bool


def resolve(
    conn: psycopg.Connection[Any], config: Config, installed: Installed
) -> tuple[dict[QualifiedName, TableModel | Relation], list[generate.Capture]]:
    """The catalog's view of configured and audited tables, and the captures the config
    resolves to."""
    names = [t.name for t in config.tables]
    names += [parse_qualified_name(t.table_name) for t in installed.tables.values()]
    models = catalog.read_tables(conn, names)
    return models, generate.resolve(config, models)


def plan(
    conn: psycopg.Connection[Any], config: Config, installed: Installed, options: PlanOptions
) -> Plan:
    """Everything ``apply`` would run against this database; reads only.

    :raises ConfigError: when the config does not match the database (missing table, column,
        role): what apply would refuse, plan refuses alike.
    """
    check_roles(conn, config)
    _, captures = resolve(conn, config, installed)
    if toolkit_schema.revision_at_least(installed.revision, "0006") and (
        installed.partition_interval == config.partition_interval
    ):
        missing = conn.execute(
            sqlfiles.render("queries/missing_partitions.sql", schema=sql.Identifier(config.schema)),
            {"ahead": config.premake},
        ).fetchall()
        options = replace(options, missing_partitions=tuple((a, b) for a, b in missing))
    return generate.plan(config, captures, installed, options)


def plan_offline(config: Config, schema_file: Path, options: PlanOptions) -> Plan:
    """The plan for a database holding ``schema_file`` and no pgaudit-kit yet (its audit owner
    role not created either), computed with no connection.

    :raises InputError: when the file cannot be read, or holds DDL that could change a table but
        is not understood (the message names the statement's line).
    :raises ConfigError: when the config does not match the schema.
    """
    try:
        text = schema_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(
            f"{schema_file}: cannot read the schema file ({e}); pass a readable UTF-8 SQL file"
        ) from e
    from . import ddl  # the offline reader (and its parser) only when reading a file

    models = ddl.read_ddl(text, source=str(schema_file))
    captures = generate.resolve(config, models)
    return generate.plan(config, captures, Installed(schema=config.schema), options)


@contextmanager
def transaction(
    conn: psycopg.Connection[Any], *, lock_timeout: str = DEFAULT_LOCK_TIMEOUT
) -> Iterator[psycopg.Connection[Any]]:
    """One transaction (a savepoint when the caller's is open) that commits at the end of the
    block, or rolls back everything on any error."""
    with conn.transaction():
        conn.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(lock_timeout)))
        yield conn


def execute(conn: psycopg.Connection[Any], plan: Plan) -> None:
    """Run every statement of ``plan``, in order, in the caller's transaction."""
    for step in plan.steps:
        for statement in step.statements:
            conn.execute(statement)


def apply(
    conn: psycopg.Connection[Any],
    config: Config,
    installed: Installed,
    options: PlanOptions,
    who: access.Installer,
    *,
    check: Callable[[Plan], None] | None = None,
) -> ApplyResult:
    """Make the database match the config, in the caller's transaction (see :func:`transaction`).
    Run by a managed service's administrator (CREATEROLE, no superuser), it installs everything
    that needs no superuser and says in ``warnings`` what it could not, and what that leaves
    unprotected.

    :param check: called with the plan before anything runs; raises to stop (an Alembic
        revision holding the plan to the steps it was reviewed with).
    :raises ConfigError: when the config does not match the database (missing table, column, role).
    """
    check_roles(conn, config)
    member = conn.execute(
        sqlfiles.render("queries/installer_is_owner.sql"), {"owner": config.owner_role}
    ).fetchone()
    options = replace(
        options,
        superuser=who.superuser,
        installer_is_owner=who.superuser or bool(member and member[0]),
    )
    the_plan = plan(conn, config, installed, options)
    if check is not None:
        check(the_plan)
    execute(conn, the_plan)
    warnings: list[str] = []
    if not who.superuser:
        after = catalog.read_installed(conn, config.schema, config.owner_role)
        if not after.guard_enabled:
            warnings.append(GUARD_MISSING)
    # the search_path pin and the maintenance window are how apply runs, not changes to report
    return ApplyResult(the_plan.changes, tuple(warnings))


#: What a trail without the guard lacks (apply on a managed service that refused event triggers).
GUARD_MISSING = (
    "the guard's event triggers need a superuser here and were not created: DDL that disables, "
    "drops or redefines audit triggers, rewrites audited columns or moves partitions with their "
    "rows is not refused, and column changes are not followed (capture of a renamed column fails "
    "until apply); status, check and report show the guard missing"
)


def uninstall(
    conn: psycopg.Connection[Any], config: Config, installed: Installed, *, drop_data: bool
) -> UninstallResult:
    """Stop all capture: drop the capture triggers and functions and the guard, in the caller's
    transaction. The audit schema with its rows, keys and functions stays unless ``drop_data``;
    then the schema goes too, and the owner role when nothing else depends on it."""
    values = toolkit_schema.params(config.schema, config.owner_role)
    conn.execute(
        sql.SQL("select {}.begin_maintenance('uninstall')").format(sql.Identifier(config.schema))
    )
    statements = [
        statement
        for table in installed.tables.values()
        for statement in generate.stop_installed(config, table)
    ]
    statements += generate.guard_statements(config, create=False)
    if drop_data:
        statements.append(sqlfiles.render("bootstrap/drop_schema.sql", **values))
    for statement in statements:
        conn.execute(statement)
    owner_dropped = drop_data and drop_role_if_unused(
        conn, sqlfiles.render("bootstrap/drop_owner.sql", **values)
    )
    return UninstallResult(
        tables=tuple(t.table_name for t in installed.tables.values()),
        dropped_data=drop_data,
        owner_dropped=owner_dropped,
    )


def check_roles(conn: psycopg.Connection[Any], config: Config) -> None:
    """The configured roles must exist, and app roles must not be able to bypass the trail.

    :raises ConfigError: naming the role and what to do (the first of :func:`role_problems`).
    """
    problems = role_problems(conn, config)
    if problems:
        raise problems[0]


def role_problems(conn: psycopg.Connection[Any], config: Config) -> list[ConfigError]:
    """Configured roles that do not exist, app roles that are superusers, configured roles that
    are members of the owner role (members could write the trail), and an owner role that can
    log in or is a superuser."""
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
    found = {name: (superuser, member) for name, superuser, member, _ in rows}
    problems: list[ConfigError] = []
    for name, superuser, _, login in rows:
        if name == config.owner_role and (superuser or login):
            problems.append(
                config.error(
                    f"owner_role {name!r} "
                    + ("is a superuser" if superuser else "can log in")
                    + ": whoever logs in as it can rewrite and delete audit rows",
                    line=config.line("owner_role"),
                    hint=f"name a role of its own that apply creates NOLOGIN (the default is "
                    f"{config.schema}_owner), or ALTER ROLE {name} NOLOGIN",
                )
            )
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
