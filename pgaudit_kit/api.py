"""The Python API: one function per CLI command, returning result objects; nothing here prints.

Every function takes the config path (``--config``) and the DSN (``--dsn``, already resolved with
``db.resolve_dsn``) and raises only :mod:`pgaudit_kit.errors` exceptions. Results have ``to_json()``
returning a dict with ``schema_version``, so scripts can rely on their shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from psycopg import sql

from . import app_revision, catalog, classify, db, ddl, generate, install, sqlfiles, toolkit_schema
from . import check as check_module
from . import config as config_module
from . import digest as digest_module
from . import proof as proof_module
from . import report as report_module
from . import verify as verify_module
from .catalog import Installed, Relation, TableModel, TriggerState
from .check import Finding
from .config import Config
from .errors import ConfigError, InputError, NotInstalled
from .generate import Plan, PlanOptions, Step
from .identifiers import QualifiedName, parse_column_path, parse_qualified_name, quote
from .policies import PLAIN
from .verify import Problem, Progress, VerifyResult

#: Operations that record a change of business data (the rest record configuration, DDL, keys...).
DATA_OPS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "SNAPSHOT")
#: Version of every JSON document the CLI prints. Bumped when a field changes meaning or goes away.
SCHEMA_VERSION = 1


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def to_json_text(document: dict[str, Any]) -> str:
    """A result's JSON as text (dates as ISO 8601)."""
    return json.dumps(document, indent=2, default=_json_default, sort_keys=False)


def _dicts(cursor: Any) -> list[dict[str, Any]]:
    """A cursor's rows as dicts keyed by column name."""
    names = [c.name for c in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- plan / apply ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    """What ``apply`` would do."""

    plan: Plan

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "changes": not self.plan.empty,
            "notes": list(self.plan.notes),
            "steps": [_step_json(s) for s in self.plan.steps],
        }


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply`` did."""

    steps: tuple[Step, ...]

    @property
    def changed(self) -> bool:
        return bool(self.steps)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "changed": self.changed,
            "steps": [_step_json(s, with_sql=False) for s in self.steps],
        }


def _step_json(step: Step, *, with_sql: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {"description": step.description, "kind": step.kind}
    if step.table is not None:
        document["table"] = str(step.table)
    if with_sql:
        document["sql"] = "\n".join(s.as_string(None) for s in step.statements)
    return document


def _prepare(conn: Any, config: Config, options: PlanOptions) -> tuple[Installed, Plan]:
    installed, _, captures = _resolve(conn, config)
    return installed, generate.plan(config, captures, installed, options)


def _resolve(
    conn: Any, config: Config
) -> tuple[Installed, dict[QualifiedName, TableModel | Relation], list[generate.Capture]]:
    """What is installed, the catalog's view of configured and audited tables, and the captures
    the config resolves to."""
    installed = catalog.read_installed(conn, config.schema, config.owner_role)
    names = [t.name for t in config.tables]
    names += [parse_qualified_name(t.table_name) for t in installed.tables.values()]
    models = catalog.read_tables(conn, names)
    return installed, models, generate.resolve(config, models)


def plan(config_path: Path | None, dsn: str, *, baseline: bool = False) -> PlanResult:
    """The SQL ``apply`` would run, computed against the live database; changes nothing.

    :param baseline: include the baseline snapshot of newly audited tables (``--baseline``).
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _, the_plan = _prepare(conn, config, PlanOptions(baseline=baseline))
        conn.rollback()
    return PlanResult(the_plan)


def plan_schema_file(
    config_path: Path | None, schema_file: Path, *, baseline: bool = False
) -> PlanResult:
    """The SQL ``apply`` would run on a database holding ``schema_file`` and no pgaudit-kit yet
    (its audit owner role not created either), computed offline: no connection is made.

    It is the text :func:`plan` prints against such a database, so a DBA can review the audit
    changes a schema implies before any server exists.

    :raises InputError: when the file cannot be read, or holds DDL that could change a table but
        is not understood (the message names the statement's line).
    :raises ConfigError: when the config does not match the schema.
    """
    config = config_module.load(config_path)
    try:
        text = schema_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(
            f"{schema_file}: cannot read the schema file ({e}); pass a readable UTF-8 SQL file"
        ) from e
    models = ddl.read_ddl(text, source=str(schema_file))
    captures = generate.resolve(config, models)
    nothing_installed = Installed(schema=config.schema)
    return PlanResult(
        generate.plan(config, captures, nothing_installed, PlanOptions(baseline=baseline))
    )


def apply(
    config_path: Path | None,
    dsn: str,
    *,
    baseline: bool = False,
    lock_timeout: str = generate.DEFAULT_LOCK_TIMEOUT,
) -> ApplyResult:
    """Install or update auditing so the database matches the config, in one transaction.

    Idempotent: when nothing differs, nothing is executed and the result has no steps.

    :param baseline: record one SNAPSHOT event per existing row of newly audited tables.
    :param lock_timeout: how long to wait for a table lock before giving up (``--lock-timeout``).
    :raises PermissionDenied: when not connected as a superuser.
    :raises ConfigError: when the config does not match the database (missing table, column, role).
    """
    config = config_module.load(config_path)
    where = db.describe(dsn)
    with install.transaction(dsn, lock_timeout=lock_timeout) as (conn, sa_conn):
        install.check_privileges(conn, where)
        install.check_roles(conn, config)
        options = PlanOptions(baseline=baseline, lock_timeout=lock_timeout)
        _, the_plan = _prepare(conn, config, options)
        install.execute(conn, sa_conn, the_plan, config)
    # the search_path pin and the maintenance window are how apply runs, not changes to report
    return ApplyResult(the_plan.changes)


# --- status ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableStatus:
    table: str
    partitioned: bool
    key: tuple[str, ...]
    policies: dict[str, str]
    triggers: tuple[TriggerState, ...]
    rows: int
    last_change: datetime | None
    #: "fast", or "generic" since the guard saw the table's columns change (see drift).
    capture: str = "fast"
    drift: str | None = None

    @property
    def healthy(self) -> bool:
        return all(t.state == "ok" for t in self.triggers) and bool(self.triggers)


@dataclass(frozen=True)
class KeyStatus:
    key_id: int
    created_at: datetime
    retired_at: datetime | None
    shredded_at: datetime | None
    shred_reason: str | None = None


@dataclass(frozen=True)
class SealLag:
    """How far sealing lags behind, and what holds the horizon back."""

    last_block: int | None
    sealed_horizon: int
    horizon_now: int
    unsealed_rows: int
    oldest_unsealed: datetime | None
    holders: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RetentionStatus:
    """Partitions, rows waiting in the default partition, classes, holds, last maintenance."""

    partition_interval: str
    partitions: int
    first_partition: datetime | None
    last_partition_end: datetime | None
    default_partition_rows: int
    classes: dict[str, str]
    active_holds: int
    last_maintenance: dict[str, Any] | None


@dataclass(frozen=True)
class StatusResult:
    """What is audited, how, whether its triggers are whole, and how much the trail holds."""

    schema: str
    installed: bool
    revision: str | None
    head_revision: str
    guard_enabled: bool = False
    guard: tuple[catalog.GuardState, ...] = ()
    integrity: tuple[catalog.IntegrityProblem, ...] = ()
    tables: tuple[TableStatus, ...] = ()
    keys: tuple[KeyStatus, ...] = ()
    other_rows: int = 0
    seal: SealLag | None = None
    retention: RetentionStatus | None = None
    problems: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "schema": self.schema,
            "installed": self.installed,
            "revision": self.revision,
            "head_revision": self.head_revision,
            "guard_enabled": self.guard_enabled,
            "guard": [g.__dict__ for g in self.guard],
            "integrity": [p.__dict__ for p in self.integrity],
            "tables": [
                {
                    "table": t.table,
                    "partitioned": t.partitioned,
                    "key": list(t.key),
                    "policies": t.policies,
                    "triggers": [
                        {"relation": s.relation, "trigger": s.trigger_name, "state": s.state}
                        for s in t.triggers
                    ],
                    "healthy": t.healthy,
                    "rows": t.rows,
                    "last_change": t.last_change,
                    "capture": t.capture,
                    "drift": t.drift,
                }
                for t in self.tables
            ],
            "keys": [k.__dict__ for k in self.keys],
            "other_rows": self.other_rows,
            "seal": self.seal.__dict__ if self.seal else None,
            "retention": self.retention.__dict__ if self.retention else None,
            "problems": list(self.problems),
        }


def _drift_problem(table: catalog.InstalledTable) -> str:
    since = f" on {table.drift_detected_at:%Y-%m-%d %H:%M}" if table.drift_detected_at else ""
    return (
        f"its columns changed{since} ({table.drift_detail}); captured generically, new columns "
        "hashed, until pgaudit-kit apply regenerates capture"
    )


def status(config_path: Path | None, dsn: str) -> StatusResult:
    """Report what is installed. Problems (holes in the trigger set, a disabled guard, a pending
    toolkit upgrade) are listed in ``problems``; the CLI exits 1 when there are any."""
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        installed = catalog.read_installed(conn, config.schema, config.owner_role)
        head = toolkit_schema.head()
        if not installed.installed:
            return StatusResult(
                schema=config.schema,
                installed=False,
                revision=None,
                head_revision=head,
                problems=(f"pgaudit-kit is not installed in schema {quote(config.schema)}",),
            )
        schema = sql.Identifier(config.schema)
        data_ops = {"data_ops": list(DATA_OPS)}
        counts = {
            name: (int(rows), last)
            for name, rows, last in conn.execute(
                sqlfiles.render("queries/status_counts.sql", schema=schema), data_ops
            ).fetchall()
        }
        other = conn.execute(
            sqlfiles.render("queries/status_other_events.sql", schema=schema), data_ops
        ).fetchone()
        other_rows = int(other[0]) if other else 0
        keys = tuple(
            KeyStatus(*row)
            for row in conn.execute(
                sqlfiles.render("queries/status_keys.sql", schema=schema)
            ).fetchall()
        )
        seal_lag = _seal_lag(conn, schema)
        retention = _retention_status(conn, schema, installed)
        conn.rollback()
    tables = []
    problems: list[str] = []
    for item in installed.tables.values():
        rows, last = counts.pop(item.table_name, (0, None))
        triggers = tuple(h for h in installed.health if h.table_name == item.table_name)
        table_status = TableStatus(
            table=item.table_name,
            partitioned=item.partitioned,
            key=item.key_columns,
            policies=dict(item.policies),
            triggers=triggers,
            rows=rows,
            last_change=last,
            capture=item.capture_mode,
            drift=item.drift_detail,
        )
        tables.append(table_status)
        if item.capture_mode != "fast":
            problems.append(f"{item.table_name}: {_drift_problem(item)}")
        if not triggers:
            problems.append(f"{item.table_name}: the table no longer exists")
        for trigger in triggers:
            if trigger.state != "ok":
                problems.append(
                    f"{item.table_name}: trigger {trigger.trigger_name} on {trigger.relation} is "
                    f"{trigger.state} (run pgaudit-kit apply)"
                )
    if retention.default_partition_rows:
        problems.append(
            f"{retention.default_partition_rows} row(s) wait in the default partition "
            "(no partition covers their time; run pgaudit-kit maintain to place them)"
        )
    if retention.last_maintenance and not retention.last_maintenance["ok"]:
        problems.append(
            "the last maintenance run "
            f"({retention.last_maintenance['finished_at']:%Y-%m-%d %H:%M}) did not finish "
            f"cleanly: {retention.last_maintenance['summary']}"
        )
    problems += [f"{f.subject}: {f.message}" for f in check_module.integrity_findings(installed)]
    if installed.revision != head:
        problems.append(
            f"toolkit schema is at revision {installed.revision}, {head} is available "
            "(run pgaudit-kit apply)"
        )
    return StatusResult(
        schema=config.schema,
        installed=True,
        revision=installed.revision,
        head_revision=head,
        guard_enabled=installed.guard_enabled,
        guard=installed.guard,
        integrity=installed.integrity,
        tables=tuple(tables),
        keys=keys,
        other_rows=other_rows,
        seal=seal_lag,
        retention=retention,
        problems=tuple(problems),
    )


def _retention_status(conn: Any, schema: sql.Identifier, installed: Installed) -> RetentionStatus:
    ranges = installed.partition_ranges
    active = 0
    last = None
    if toolkit_schema.revision_at_least(installed.revision, "0002"):
        active = sum(
            1
            for hold in conn.execute(sqlfiles.render("queries/holds.sql", schema=schema)).fetchall()
            if hold[7] is None
        )
        row = conn.execute(
            sqlfiles.render("queries/last_maintenance.sql", schema=schema)
        ).fetchone()
        if row is not None:
            last = {
                "started_at": row[0],
                "finished_at": row[1],
                "ok": row[2],
                "summary": json.loads(row[3]),
            }
    return RetentionStatus(
        partition_interval=installed.partition_interval,
        partitions=len(ranges),
        first_partition=ranges[0][0] if ranges else None,
        last_partition_end=ranges[-1][1] if ranges else None,
        default_partition_rows=installed.default_partition_rows,
        classes=dict(installed.retention_classes),
        active_holds=active,
        last_maintenance=last,
    )


def _seal_lag(conn: Any, schema: sql.Identifier) -> SealLag:
    row = conn.execute(sqlfiles.render("queries/seal_lag.sql", schema=schema)).fetchone()
    sealed_horizon, last_block, horizon_now = row
    unsealed = conn.execute(
        sqlfiles.render("queries/unsealed.sql", schema=schema), {"horizon": sealed_horizon}
    ).fetchone()
    holders = tuple(
        {
            "kind": k,
            "who": who,
            "role": role,
            "database": database,
            "state": state,
            "since": since,
            "age_in_transactions": int(age),
        }
        for k, who, role, database, state, since, age in conn.execute(
            sqlfiles.render("queries/horizon_holders.sql")
        ).fetchall()
    )
    return SealLag(
        last_block=last_block,
        sealed_horizon=int(sealed_horizon),
        horizon_now=int(horizon_now),
        unsealed_rows=int(unsealed[0]),
        oldest_unsealed=unsealed[1],
        holders=holders,
    )


# --- keys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyRotateResult:
    key_id: int

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "key_id": self.key_id}


def rotate_key(config_path: Path | None, dsn: str) -> KeyRotateResult:
    """Create a new HMAC key for new rows; existing rows keep the key id they were hashed with.

    :raises NotInstalled: when pgaudit-kit is not installed in the configured schema.
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        row = conn.execute(
            sql.SQL("select {}.rotate_key()").format(sql.Identifier(config.schema))
        ).fetchone()
        conn.commit()
    assert row is not None
    return KeyRotateResult(int(row[0]))


@dataclass(frozen=True)
class KeyShredResult:
    key_id: int
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "key_id": self.key_id, "reason": self.reason}


def shred_key(config_path: Path | None, dsn: str, key_id: int, reason: str) -> KeyShredResult:
    """Crypto-shred a key: destroy its material so its tokens can never again be linked to a
    value (the current key is first rotated out). Rows, tokens and the chain are untouched, so
    verify still passes. Recorded as a KEY event. For admin roles.

    :raises ServerError: when the key does not exist or is already shredded, the reason is
        empty, or the connected role may not shred.
    """
    config = config_module.load(config_path)
    _require_reason(reason, "shredding a key")
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        conn.execute(
            sql.SQL("select {}.shred_key(%s, %s)").format(sql.Identifier(config.schema)),
            [key_id, reason],
        )
        conn.commit()
    return KeyShredResult(key_id, reason)


def _require_reason(reason: str, what: str) -> None:
    """Erasures are recorded with their reason: an empty one is refused before connecting (the
    database function refuses it too)."""
    if not reason.strip():
        raise InputError(f"{what} needs a reason", hint='give --reason "the order it carries out"')


def _require_installed(conn: Any, config: Config, dsn: str) -> Installed:
    installed = catalog.read_installed(conn, config.schema, config.owner_role)
    if not installed.installed:
        raise NotInstalled(
            f"pgaudit-kit is not installed in schema {quote(config.schema)}",
            where=db.describe(dsn),
            hint="run pgaudit-kit apply first, or check [audit] schema in the config",
        )
    return installed


# --- uninstall ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UninstallResult:
    tables: tuple[str, ...]
    dropped_data: bool
    owner_dropped: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tables": list(self.tables),
            "dropped_data": self.dropped_data,
            "owner_dropped": self.owner_dropped,
        }


def uninstall(config_path: Path | None, dsn: str, *, drop_data: bool = False) -> UninstallResult:
    """Stop all capture: drop the capture triggers and functions and the guard.

    The audit schema with its rows, keys and functions stays unless ``drop_data`` is set; then the
    schema goes too, and the owner role when nothing else depends on it.
    """
    config = config_module.load(config_path)
    where = db.describe(dsn)
    values = toolkit_schema.params(config.schema, config.owner_role)
    with install.transaction(dsn) as (conn, _):
        install.check_privileges(conn, where)
        installed = _require_installed(conn, config, dsn)
        conn.execute(
            sql.SQL("select {}.begin_maintenance('uninstall')").format(
                sql.Identifier(config.schema)
            )
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
        owner_dropped = drop_data and install.drop_role_if_unused(
            conn, sqlfiles.render("bootstrap/drop_owner.sql", **values)
        )
    return UninstallResult(
        tables=tuple(t.table_name for t in installed.tables.values()),
        dropped_data=drop_data,
        owner_dropped=owner_dropped,
    )


# --- init --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InitResult:
    path: Path
    tables: tuple[str, ...]
    guessed: dict[str, dict[str, str]]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "path": str(self.path),
            "tables": list(self.tables),
            "likely_pii": self.guessed,
        }


@dataclass(frozen=True)
class RevisionResult:
    """The revision ``alembic-revision`` wrote (``path`` None: nothing to do, nothing written);
    ``upgrade`` and ``downgrade`` are the changes it makes (its steps that set up the
    transaction are left out)."""

    path: Path | None
    revision: str | None
    down_revision: str | None
    upgrade: tuple[Step, ...]
    downgrade: tuple[Step, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "path": str(self.path) if self.path else None,
            "revision": self.revision,
            "down_revision": self.down_revision,
            "upgrade": [s.description for s in self.upgrade],
            "downgrade": [s.description for s in self.downgrade],
        }


def alembic_revision(
    config_path: Path | None,
    dsn: str,
    versions_dir: Path,
    message: str,
    *,
    rev_id: str | None = None,
    version_table: str = "alembic_version",
    baseline: bool = False,
) -> RevisionResult:
    """Write a revision into the application's Alembic project whose upgrade makes the audit
    changes the config implies (the SQL ``plan --sql`` prints) and whose downgrade undoes their
    effect on audited tables. The database must be at the project's head, so the revision is
    computed from the schema it will run on. Nothing is written when there is nothing to do.

    :param version_table: the project's Alembic version table, as the search_path resolves it.
    :raises InputError: when the project has several heads, or the database is not at its head.
    """
    config = config_module.load(config_path)
    project = app_revision.read_project(Path(versions_dir))
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_project_head(conn, project, version_table)
        installed, models, captures = _resolve(conn, config)
        upgrade = generate.plan(config, captures, installed, PlanOptions(baseline=baseline))
        downgrade = generate.downgrade(config, captures, installed, models)
        conn.rollback()
    if upgrade.empty:
        return RevisionResult(None, None, project.head, (), ())
    revision, path = app_revision.write(
        project,
        message,
        upgrade,
        downgrade,
        schema=config.schema,
        config_name=config.path.name,
        revision=rev_id,
    )
    return RevisionResult(path, revision, project.head, upgrade.changes, downgrade.changes)


def _require_project_head(conn: Any, project: app_revision.Project, version_table: str) -> None:
    row = conn.execute(
        sqlfiles.render("queries/app_version_table.sql"), {"name": version_table}
    ).fetchone()
    versions: list[str] = []
    if row is not None:
        versions = [
            str(v)
            for (v,) in conn.execute(
                sql.SQL("select version_num from {}").format(sql.Identifier(row[0], row[1]))
            ).fetchall()
        ]
    expected = [project.head] if project.head else []
    if sorted(versions) != expected:
        at = ", ".join(sorted(versions)) or "base"
        raise InputError(
            f"the database is at Alembic revision {at}, the project's head is "
            f"{project.head or 'base'}",
            hint="run alembic upgrade head first: the revision is computed from the database's "
            "schema (or name the version table with --version-table)",
        )


@dataclass(frozen=True)
class CheckResult:
    """What ``check`` found; ``ok`` when nothing."""

    findings: tuple[Finding, ...]
    tables_audited: int

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "ok": self.ok,
            "tables_audited": self.tables_audited,
            "findings": [f.__dict__ for f in self.findings],
        }


def check(config_path: Path | None, dsn: str) -> CheckResult:
    """Everything a CI job should refuse: unclassified columns, plain columns that look personal,
    tables matching ``require`` that are not audited, installed capture that differs from the
    config or drifted, unhealthy triggers, grants and roles that differ from the model. Changes
    nothing.

    Config entries naming tables or columns that do not exist are findings too.
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        installed = catalog.read_installed(conn, config.schema, config.owner_role)
        problems: list[ConfigError] = []
        models = catalog.read_tables(conn, [t.name for t in config.tables])
        captures = generate.resolve(config, models, problems)
        tables = catalog.table_names(conn, exclude=[config.schema])
        roles = install.role_problems(conn, config)
        conn.rollback()
    findings = check_module.config_findings(problems)
    findings += check_module.design_findings(config, captures, tables)
    findings += check_module.comment_findings(config, captures)
    findings += check_module.installed_findings(config, captures, installed, roles)
    return CheckResult(findings=tuple(findings), tables_audited=len(captures))


def init(
    config_path: Path | None,
    dsn: str,
    *,
    schemas: Sequence[str] | None = None,
    force: bool = False,
) -> InitResult:
    """Write a starter config from the live database: every table of ``schemas`` (default: all
    user schemas) but migration tools' own (``alembic_version``...), each column with the policy
    :func:`classify.judge` gives it and, as a comment, why; ``require`` lists the schemas read.
    A starting point to review, not a verdict.

    :raises InputError: when the file exists and ``force`` is not set, or a schema asked for
        does not exist or holds no table to audit (nothing is written then).
    """
    path = Path(config_path) if config_path is not None else config_module.DEFAULT_PATH
    if path.exists() and not force:
        raise InputError(
            "config file already exists", where=str(path), hint="pass --force to overwrite it"
        )
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        found = catalog.list_tables(conn, schemas, exclude=["audit"])
        existing = [r[0] for r in conn.execute(sqlfiles.render("queries/user_schemas.sql"))]
        database = conn.info.dbname
        conn.rollback()
    tables = [t for t in found if not classify.is_migration_table(t.name)]
    for schema in dict.fromkeys(schemas or ()):
        if schema not in existing:
            raise InputError(
                f"no schema {quote(schema)} in database {database}",
                where=f"--schema {schema}",
                hint=f"name one of its schemas: {', '.join(map(quote, existing)) or 'none'}",
            )
        if not any(t.name.schema == schema for t in tables):
            raise InputError(
                f"schema {quote(schema)} holds no table to audit",
                where=f"--schema {schema}",
                hint="create its tables first, or name a schema that holds them",
            )
    text, guessed = _starter_config(tables, database)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write config: {e}", where=str(path)) from e
    return InitResult(path=path, tables=tuple(str(t.name) for t in tables), guessed=guessed)


def _toml_string(text: str) -> str:
    if "'" not in text and text.isprintable():
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def _toml_key(text: str) -> str:
    return (
        text
        if text and all(c.isascii() and (c.isalnum() or c in "_-") for c in text)
        else _toml_string(text)
    )


def _starter_config(
    tables: Sequence[TableModel], database: str
) -> tuple[str, dict[str, dict[str, str]]]:
    schemas = sorted({t.name.schema for t in tables})
    require = ", ".join(json.dumps(f"{s}.*") for s in schemas)
    lines = [
        f"# pgaudit-kit configuration, written by 'pgaudit-kit init' from database {database!r}.",
        "# Review every column: each policy says why it was chosen (see README, init). Personal",
        '# data and free text are "hash", secrets and blobs "omit", keys and the rest "plain".',
        "# Unlisted columns get default_policy.",
        "",
        "[audit]",
        'schema = "audit"',
        "app_roles = []            # the roles your application logs in as",
        "auditor_roles = []        # roles that may read the trail",
        'default_policy = "hash"',
        "skip_unchanged_updates = true",
        f"require = [{require}]  # check: new tables here must be audited",
    ]
    guessed: dict[str, dict[str, str]] = {}
    for table in tables:
        lines += ["", f"[tables.{_toml_string(str(table.name))}.columns]"]
        for column in table.columns:
            guess = classify.judge(table, column)
            comment = f"  # {guess.reason}" if guess.reason else ""
            lines.append(f'{_toml_key(column.name)} = "{guess.policy}"{comment}')
            if guess.policy != PLAIN:
                guessed.setdefault(str(table.name), {})[column.name] = str(guess.policy)
    return "\n".join(lines) + "\n", guessed


# --- tamper evidence ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SealResult:
    """The blocks one seal call made."""

    blocks: tuple[tuple[int, int, int, int], ...]  # block_no, rows, txid_lo, txid_hi

    @property
    def rows(self) -> int:
        return sum(b[1] for b in self.blocks)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "blocks": [
                {"block_no": n, "rows": r, "txid_lo": lo, "txid_hi": hi}
                for n, r, lo, hi in self.blocks
            ],
            "rows_sealed": self.rows,
        }


def seal(config_path: Path | None, dsn: str, *, max_rows: int = 100_000) -> SealResult:
    """Seal every audit row whose transaction has finished into hash-chained blocks.

    Safe to run at any time and concurrently with writers (``<schema>.seal()`` never waits for
    them); a second sealer running at the same moment returns without sealing anything.

    :param max_rows: about how many rows one block may hold (``--max-rows``).
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        rows = conn.execute(
            sql.SQL("select * from {}.seal({})").format(
                sql.Identifier(config.schema), sql.Literal(max_rows)
            )
        ).fetchall()
        conn.commit()
    return SealResult(tuple((int(a), int(b), int(c), int(d)) for a, b, c, d in rows))


@dataclass(frozen=True)
class VerifyReport:
    """verify's result, with what was checked against which digests."""

    result: VerifyResult
    digests: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            **self.result.to_json(),
            "digests": list(self.digests),
        }


def verify(
    config_path: Path | None,
    dsn: str,
    *,
    digests_dir: Path | None = None,
    pubkey: Path | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    jobs: int = 1,
) -> VerifyReport:
    """Recompute every row hash, Merkle root and block link outside the database.

    :param digests_dir: a folder of signed digests (``--digests``); each must still be on the chain.
    :param pubkey: the public key the digests are signed with (``--pubkey``).
    :param jobs: processes hashing in parallel, in one shared snapshot (``--jobs``).
    :raises InputError: when a digest or the key cannot be read, is not signed by this key, or
        belongs to another database.
    """
    config = config_module.load(config_path)
    if (digests_dir is None) != (pubkey is None):
        raise InputError(
            "--digests and --pubkey go together",
            hint="pass both, or neither to verify the chain alone",
        )
    loaded = (
        digest_module.load_dir(digests_dir, digest_module.load_public_key(pubkey))
        if digests_dir and pubkey
        else []
    )
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        checks = []
        problems = []
        if loaded:
            head = digest_module.chain_head(conn, config.schema)
            conn.rollback()
            for item in loaded:
                same_place = item.origin.split("/", 2)[-1] == head.origin.split("/", 2)[-1]
                if item.origin == head.origin:
                    checks.append(item.check())
                elif same_place:
                    problems.append(
                        Problem(
                            "chain_rewritten",
                            item.block_no,
                            None,
                            f"{item.path.name} signs chain {item.origin.split('/')[1]}; this "
                            f"schema now holds chain {head.chain_id}: the whole trail was replaced",
                        )
                    )
                else:
                    raise InputError(
                        f"digest is for {item.origin}, not {head.origin}",
                        where=str(item.path),
                        hint="pass the digests of this database and schema",
                    )
        result = verify_module.verify(
            conn,
            config.schema,
            digests=checks,
            progress=progress,
            on_start=on_start,
            dsn=dsn,
            jobs=jobs,
            retention=retention_policy(config),
        )
    result.problems += problems
    result.digests_checked = len(loaded)
    return VerifyReport(result, tuple(str(d.path) for d in loaded))


@dataclass(frozen=True)
class KeygenResult:
    private_key: Path
    public_key: Path

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "private_key": str(self.private_key),
            "public_key": str(self.public_key),
        }


def keygen(out_dir: Path, *, force: bool = False) -> KeygenResult:
    """Create the Ed25519 key pair digests are signed with (private key file mode 0600)."""
    private, public = digest_module.keygen(out_dir, force=force)
    return KeygenResult(private, public)


@dataclass(frozen=True)
class DigestResult:
    path: Path
    block_no: int
    block_hash: str
    rows_sealed: int

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "path": str(self.path),
            "block_no": self.block_no,
            "block_hash": self.block_hash,
            "rows_sealed": self.rows_sealed,
        }


def digest(config_path: Path | None, dsn: str, *, signing_key: Path, out_dir: Path) -> DigestResult:
    """Sign the chain head and write a digest file into ``out_dir`` (``--out``)."""
    config = config_module.load(config_path)
    key = digest_module.load_private_key(signing_key)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        head = digest_module.chain_head(conn, config.schema)
        conn.rollback()
    path = digest_module.create(head, key, out_dir)
    return DigestResult(path, head.block_no, head.block_hash.hex(), head.rows)


@dataclass(frozen=True)
class ProveResult:
    path: Path
    row_id: int
    block_no: int
    blocks: int

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "path": str(self.path),
            "row_id": self.row_id,
            "block_no": self.block_no,
            "chain_blocks": self.blocks,
        }


def prove(
    config_path: Path | None,
    dsn: str,
    row_id: int,
    *,
    out: Path,
    digest_path: Path | None = None,
    pubkey: Path | None = None,
) -> ProveResult:
    """Write an inclusion proof for audit row ``row_id`` into ``out``, with the chain up to the
    head, or up to the block of the digest ``digest_path`` (checked with ``pubkey``)."""
    config = config_module.load(config_path)
    up_to = None
    if digest_path is not None:
        if pubkey is None:
            raise InputError(
                "--digest needs --pubkey", hint="pass the public key the digest was signed with"
            )
        up_to = digest_module.load(digest_path, digest_module.load_public_key(pubkey)).block_no
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        head = digest_module.chain_head(conn, config.schema)
        document = proof_module.build(conn, config.schema, row_id, head.origin, up_to)
    try:
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the proof: {e}", where=str(out)) from e
    first_block = int(document["blocks"][0]["fields"][1])
    return ProveResult(out, row_id, first_block, len(document["blocks"]))


@dataclass(frozen=True)
class ProofReport:
    check: proof_module.ProofCheck

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "ok": self.check.ok,
            "row_id": self.check.row_id,
            "block_no": self.check.block_no,
            "digest_block": self.check.digest_block,
            "row": self.check.fields,
            "problems": list(self.check.problems),
        }


def verify_proof(proof_path: Path, *, digest_path: Path, pubkey: Path) -> ProofReport:
    """Check an inclusion proof offline against a signed digest: no database is needed."""
    document = proof_module.load(proof_path)
    signed = digest_module.load(digest_path, digest_module.load_public_key(pubkey))
    return ProofReport(proof_module.check(document, signed, where=str(proof_path)))


# --- evidence report ---------------------------------------------------------------------------

#: check finding kinds that are about coverage (the rest are about immutability).
COVERAGE_CHECKS = frozenset({"unclassified", "pii-plain", "not-audited", "config", "drift"})


@dataclass(frozen=True)
class ReportResult:
    """The report files written, and the verdict they carry."""

    json_path: Path
    html_path: Path
    ok: bool
    headline: str

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "ok": self.ok,
            "headline": self.headline,
            "json": str(self.json_path),
            "html": str(self.html_path),
        }


def report(
    config_path: Path | None,
    dsn: str,
    out_dir: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    digests_dir: Path | None = None,
    pubkey: Path | None = None,
) -> ReportResult:
    """Write ``report.json`` and a self-contained ``report.html`` into ``out_dir``: the verify
    result, coverage, immutability, retention, keys and activity from ``start`` to ``end``
    (inclusive dates, UTC; default: the last 30 days). Reads counts, names and dates only.

    :raises InputError: when ``end`` is before ``start`` or the folder cannot be written.
    """
    end = end or datetime.now(UTC).date()
    start = start or end - timedelta(days=30)
    if end < start:
        raise InputError(
            f"the period ends ({end}) before it starts ({start})", hint="swap --from and --to"
        )
    config = config_module.load(config_path)
    verified = verify(config_path, dsn, digests_dir=digests_dir, pubkey=pubkey)
    checked = check(config_path, dsn)
    state = status(config_path, dsn)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        schema = sql.Identifier(config.schema)
        period = {
            "from": datetime.combine(start, time(), UTC),
            "to": datetime.combine(end + timedelta(days=1), time(), UTC),
        }
        activity: dict[str, list[dict[str, Any]]] = {
            "by_table": [], "by_op": [], "by_role": [], "by_day": []
        }  # fmt: skip
        for dimension, label, count in conn.execute(
            sqlfiles.render("report/activity.sql", schema=schema), period
        ):
            activity[f"by_{dimension}"].append({"label": label, "count": int(count)})
        holds = [
            h
            for h in _dicts(conn.execute(sqlfiles.render("queries/holds.sql", schema=schema)))
            if h["released_at"] is None
        ]
    retention_of = {str(t.name): t.retention or "default" for t in config.tables}
    findings = [
        {"check": f.check, "subject": f.subject, "message": f.message} for f in checked.findings
    ]
    document: dict[str, Any] = {
        "schema_version": report_module.REPORT_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "pgaudit_kit_version": version("pgaudit-kit"),
        "database": db.describe(dsn),
        "schema": config.schema,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "verify": verified.to_json(),
        "coverage": {
            "require": list(config.require),
            "exempt": list(config.exempt),
            "tables": [
                {
                    "table": t.table,
                    "retention": retention_of.get(t.table, "default"),
                    "capture": t.capture,
                    "policies": t.policies,
                }
                for t in state.tables
            ],
            "findings": [f for f in findings if f["check"] in COVERAGE_CHECKS],
        },
        "immutability": {
            "owner_role": config.owner_role,
            "guard_enabled": state.guard_enabled,
            "revision": state.revision,
            "tables": len(state.tables),
            "triggers_healthy": sum(1 for t in state.tables if t.healthy),
            "findings": [f for f in findings if f["check"] not in COVERAGE_CHECKS],
        },
        "retention": {
            "partition_interval": state.retention.partition_interval if state.retention else None,
            "partitions": state.retention.partitions if state.retention else 0,
            "classes": state.retention.classes if state.retention else {},
            "holds": holds,
        },
        "keys": [k.__dict__ for k in state.keys],
        "activity": {**activity, "total": sum(r["count"] for r in activity["by_op"])},
    }
    ok, headline = report_module.verdict(document)
    document["verdict"] = {"ok": ok, "headline": headline}
    text = to_json_text(document)
    json_path, html_path = out_dir / "report.json", out_dir / "report.html"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        json_path.write_text(text + "\n", encoding="utf-8")
        # the page renders the file's content (dates as the ISO text it holds)
        html_path.write_text(report_module.render_html(json.loads(text)), encoding="utf-8")
    except OSError as e:
        raise InputError(f"cannot write the report: {e}", where=str(out_dir)) from e
    return ReportResult(json_path, html_path, ok, headline)


# --- investigations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LookupResult:
    """Audit rows of ``table`` whose hashed ``column`` held the value looked up (never shown)."""

    table: str
    column: str
    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "table": self.table,
            "column": self.column,
            "rows": list(self.rows),
        }


def lookup(config_path: Path | None, dsn: str, target: str, value: str) -> LookupResult:
    """The audit rows whose hashed column ``target`` (``schema.table.column``) held ``value``,
    under any key not shredded. The token is computed in the database by a SECURITY DEFINER
    function granted to investigator roles: the key never leaves it. Each lookup is recorded
    as a LOOKUP event (who, table, column, how many rows), never the value.

    :raises IdentifierError: when ``target`` is not ``schema.table.column``.
    :raises ServerError: when the column is not a hashed column of an audited table, the value
        is empty, or the connected role is not an investigator.
    """
    config = config_module.load(config_path)
    table, column = parse_column_path(target)
    if not value:
        raise InputError(
            "nothing to look up: the value is empty",
            hint="pipe the value on standard input, or type it at the prompt",
        )
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        rows = lookup_rows(conn, config.schema, str(table), column, value)
        conn.commit()
    return LookupResult(str(table), column, rows)


def lookup_rows(
    conn: Any, schema: str, table: str, column: str, value: str
) -> tuple[dict[str, Any], ...]:
    """The rows ``<schema>.lookup()`` finds, in the caller's transaction. The value goes to the
    server by COPY, never in a statement or a bind parameter, so log_statement = all (which logs
    parameters) never writes it to the server log."""
    conn.execute(sqlfiles.render("queries/lookup_value.sql"))
    with conn.cursor().copy(sqlfiles.render("queries/lookup_copy.sql")) as copy:
        copy.write_row([value])
    return tuple(
        _dicts(
            conn.execute(
                sqlfiles.render("queries/lookup.sql", schema=sql.Identifier(schema)),
                {"table": table, "column": column},
            )
        )
    )


@dataclass(frozen=True)
class RedactResult:
    row_id: int
    redacted_at: datetime
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "row_id": self.row_id,
            "redacted_at": self.redacted_at,
            "reason": self.reason,
        }


def redact(config_path: Path | None, dsn: str, row_id: int, reason: str) -> RedactResult:
    """Replace a sealed row's old and new values with a redaction marker, for a legal erasure
    order; the chain still verifies and verify lists the row as redacted. Recorded as a REDACT
    event. For admin roles.

    :raises ServerError: when the row does not exist, is not sealed yet, is already redacted, the
        reason is empty, or the connected role may not redact.
    """
    config = config_module.load(config_path)
    _require_reason(reason, "a redaction")
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        row = conn.execute(
            sql.SQL("select redacted_at from {}.redact(%s, %s)").format(
                sql.Identifier(config.schema)
            ),
            [row_id, reason],
        ).fetchone()
        conn.commit()
    assert row is not None
    return RedactResult(row_id, row[0], reason)


# --- retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    """What purge did (or, for a dry run, would do) to each past partition, and why."""

    dry_run: bool
    partitions: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "dry_run": self.dry_run,
            "partitions": list(self.partitions),
        }


def purge(config_path: Path | None, dsn: str, *, dry_run: bool = False) -> PurgeResult:
    """Drop whole log partitions past their retention (never DELETE), skipping legal holds and
    unsealed rows; each drop is recorded as a PURGE event that the next seal seals.

    :param dry_run: report what would be dropped, and change nothing (``--dry-run``).
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        cursor = conn.execute(
            sql.SQL("select * from {}.purge({})").format(
                sql.Identifier(config.schema), sql.Literal(dry_run)
            )
        )
        rows = tuple(_dicts(cursor))
        if dry_run:
            conn.rollback()
        else:
            conn.commit()
    return PurgeResult(dry_run, rows)


@dataclass(frozen=True)
class MaintainResult:
    summary: dict[str, Any]

    @property
    def ok(self) -> bool:
        return not self.summary.get("errors") and "skipped" not in self.summary

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, **self.summary}


def maintain(config_path: Path | None, dsn: str) -> MaintainResult:
    """One idempotent upkeep call for cron: premake partitions (placing any rows left in the
    default partition), seal, purge. Runs as ``<schema>.maintain()``, so pg_cron can call the same.
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        row = conn.execute(
            sql.SQL("select {}.maintain({})::text").format(
                sql.Identifier(config.schema), sql.Literal(config.premake)
            )
        ).fetchone()
        conn.commit()
    assert row is not None
    summary: dict[str, Any] = json.loads(row[0])
    return MaintainResult(summary)


@dataclass(frozen=True)
class HoldResult:
    hold_id: int
    action: str

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "hold_id": self.hold_id, "action": self.action}


def hold_add(
    config_path: Path | None,
    dsn: str,
    *,
    reason: str,
    table: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> HoldResult:
    """Place a legal hold: no partition overlapping it is purged until it is released.

    :param table: a table name as written in the config (``public.customers``); None: all tables.
    :param start: the hold's start (``--from``); None: unbounded.
    :param end: the hold's end (``--to``); None: unbounded.
    :raises InputError: for an empty reason, a malformed table name or a range that ends first.
    """
    if not reason.strip():
        raise InputError(
            "a legal hold needs a reason", hint='pass --reason "..." (for example the case number)'
        )
    if start is not None and end is not None and start >= end:
        raise InputError("the hold ends before it starts", hint="check --from and --to")
    table_name = str(parse_qualified_name(table)) if table is not None else None
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        row = conn.execute(
            sql.SQL("select {}.hold_add(%s, %s, %s, %s)").format(sql.Identifier(config.schema)),
            [reason, table_name, start, end],
        ).fetchone()
        conn.commit()
    assert row is not None
    return HoldResult(int(row[0]), "added")


def hold_release(config_path: Path | None, dsn: str, hold_id: int, *, reason: str) -> HoldResult:
    """Release a legal hold; it stays listed, released.

    :raises ServerError: when there is no active hold with that id.
    """
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        conn.execute(
            sql.SQL("select {}.hold_release(%s, %s)").format(sql.Identifier(config.schema)),
            [hold_id, reason],
        )
        conn.commit()
    return HoldResult(hold_id, "released")


@dataclass(frozen=True)
class HoldList:
    holds: tuple[dict[str, Any], ...]

    def to_json(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "holds": list(self.holds)}


def hold_list(config_path: Path | None, dsn: str) -> HoldList:
    """Every legal hold, active and released."""
    config = config_module.load(config_path)
    with db.connect(dsn) as conn, db.server_errors(db.describe(dsn)):
        _require_installed(conn, config, dsn)
        cursor = conn.execute(
            sqlfiles.render("queries/holds.sql", schema=sql.Identifier(config.schema))
        )
        holds = tuple(_dicts(cursor))
        conn.rollback()
    return HoldList(holds)


def retention_policy(config: Config) -> verify_module.RetentionPolicy:
    """The config's retention policy, as verify checks purges against it."""
    return ({str(t.name): t.retention or "default" for t in config.tables}, dict(config.retention))
