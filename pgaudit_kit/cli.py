"""The ``pgaudit-kit`` command: parse options, call one :mod:`pgaudit_kit.api` function, print.

Each command imports the API when it runs, so ``--help`` and ``--version`` load only click and
psycopg.

Exit codes: 0 success, 1 problems found, 2 bad input (usage, config, identifiers, DSN), 3 database
or connection error. Errors are one line on stderr, ``<where>: <what> (<fix>)``; an unexpected
exception is a bug and prints ``internal error: ...; rerun with --debug`` (exit 3) unless
``--debug`` asks for the traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import compliance, db
from .errors import BIGINT_MAX, INTEGER_MAX, InputError, PgAuditError
from .results import to_json_text

if TYPE_CHECKING:
    from .alerts import AlertsResult
    from .problems import Problem
    from .status import StatusResult
    from .verify import VerifyResult
    from .witness import WitnessStatus

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS, EXIT_INPUT, EXIT_SERVER = 1, 2, 3
#: Numbers are checked against the columns they are compared with, never sent unchecked.
BIGINT = click.IntRange(1, BIGINT_MAX)


class _Period(click.ParamType):  # type: ignore[type-arg]
    """A retention period ("1 year", "90 days"), as PostgreSQL prints it."""

    name = "period"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from .config import parse_period

        try:
            return parse_period(str(value))
        except ValueError:
            self.fail(f'{value!r} is not a period: write a count and a unit, e.g. "1 year"')


PERIOD = _Period()
INTEGER = click.IntRange(1, INTEGER_MAX)


@dataclass
class Options:
    """The global options, shared by every command."""

    dsn: str | None
    config: Path | None
    debug: bool

    def resolved_dsn(self) -> str:
        return db.resolve_dsn(self.dsn)


def _usage_line(error: click.UsageError, command_path: str) -> None:
    """A usage error in one line, as every other error: what is wrong, where to read how."""
    path = error.ctx.command_path if error.ctx is not None else command_path
    click.echo(f"{path}: {error.format_message().rstrip('.')} (see {path} --help)", err=True)


class _Group(click.Group):
    """Turns pgaudit-kit errors into one line and an exit code, and hides tracebacks of bugs."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PgAuditError as e:
            click.echo(str(e), err=True)
            ctx.exit(EXIT_INPUT if isinstance(e, InputError) else EXIT_SERVER)
        except click.UsageError as e:
            _usage_line(e, ctx.command_path)
            ctx.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as e:
            if ctx.params.get("debug"):
                raise
            click.echo(f"internal error: {type(e).__name__}: {e}; rerun with --debug", err=True)
            ctx.exit(EXIT_SERVER)


def digest_options(function: F) -> F:
    """``--digests DIR --pubkey PATH``: signed digests to check the chain against."""
    function = click.option(
        "--pubkey",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Public key the digests are signed with.",
    )(function)
    return click.option(
        "--digests",
        "digests_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of signed digests to check the chain against.",
    )(function)


def format_option(function: F) -> F:
    """``--format text|json``: every command that reports takes it."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Human-readable text, or one JSON object with a schema_version.",
    )(function)


def _emit(result: Any, output_format: str, text: Callable[[], str]) -> None:
    click.echo(to_json_text(result.to_json()) if output_format == "json" else text())


@click.group(cls=_Group)
@click.option(
    "--dsn",
    envvar=None,
    help="PostgreSQL DSN. Default: PGAUDIT_DSN, DATABASE_URL, then libpq's PG* variables.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The annotation file. Default: ./pgaudit.toml.",
)
@click.option("--debug", is_flag=True, help="Show the traceback of unexpected errors.")
@click.version_option(package_name="pgaudit-kit")
@click.pass_context
def cli(ctx: click.Context, dsn: str | None, config_path: Path | None, debug: bool) -> None:
    """Tamper-evident, PII-safe row-change auditing for PostgreSQL.

    \b
    Example:
        pgaudit-kit init                 # write pgaudit.toml from the live database
        pgaudit-kit plan                 # show the SQL apply would run
        pgaudit-kit apply                # install it, in one transaction
    """
    ctx.obj = Options(dsn=dsn, config=config_path, debug=debug)


pass_options = click.make_pass_decorator(Options)


@cli.command()
@click.option("--schema", "schemas", multiple=True, help="Only tables of this schema (repeatable).")
@click.option("--force", is_flag=True, help="Overwrite an existing config file.")
@format_option
@pass_options
def init(options: Options, schemas: tuple[str, ...], force: bool, output_format: str) -> None:
    """Write a starter config from the live database, guessing likely-PII columns.

    \b
    Example:
        pgaudit-kit --dsn postgresql://postgres@localhost/shop init --schema public
    """
    from . import api

    result = api.init(options.config, options.resolved_dsn(), schemas=schemas or None, force=force)

    def text() -> str:
        lines = [f"wrote {result.path} with {len(result.tables)} table(s)"]
        for table, columns in result.guessed.items():
            lines.append(f"  {table}: " + ", ".join(f"{c} -> {p}" for c, p in columns.items()))
        lines.append("review it, fill in app_roles and auditor_roles, then run pgaudit-kit plan")
        return "\n".join(lines)

    _emit(result, output_format, text)


@cli.command()
@click.option(
    "--baseline", is_flag=True, help="Include the baseline snapshot of newly audited tables."
)
@click.option(
    "--sql/--summary",
    "as_sql",
    default=True,
    help="The SQL script, one commented block per step (default), or one line per change.",
)
@click.option(
    "--schema-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Plan offline for a database holding this DDL (plain SQL or pg_dump --schema-only) "
    "and no pgaudit-kit yet; no connection is made.",
)
@format_option
@pass_options
def plan(
    options: Options,
    baseline: bool,
    as_sql: bool,
    schema_file: Path | None,
    output_format: str,
) -> None:
    """Print the SQL apply would run; changes nothing.

    \b
    Example:
        pgaudit-kit plan --sql > audit-changes.sql
        pgaudit-kit plan --schema-file schema.sql     # offline, no database
    """
    if schema_file is not None:
        from . import api

        result = api.plan_schema_file(options.config, schema_file, baseline=baseline)
    else:
        from . import api

        result = api.plan(options.config, options.resolved_dsn(), baseline=baseline)

    def text() -> str:
        if result.plan.empty:
            return "\n".join(
                [
                    *(f"-- note: {n}" for n in result.plan.notes),
                    "-- nothing to do: the database matches the config",
                ]
            )
        if not as_sql:
            return "\n".join(
                [
                    *(f"note: {n}" for n in result.plan.notes),
                    *(s.description for s in result.plan.changes),
                ]
            )
        return result.plan.sql_text()

    _emit(result, output_format, text)


@cli.command()
@click.option(
    "--baseline",
    is_flag=True,
    help="Record one SNAPSHOT event per existing row of newly audited tables.",
)
@click.option(
    "--lock-timeout", default="10s", show_default=True, help="Longest wait for a table lock."
)
@format_option
@pass_options
def apply(options: Options, baseline: bool, lock_timeout: str, output_format: str) -> None:
    """Install or update auditing to match the config, in one transaction.

    \b
    Example:
        pgaudit-kit apply --baseline
    """
    from . import api

    result = api.apply(
        options.config, options.resolved_dsn(), baseline=baseline, lock_timeout=lock_timeout
    )

    def text() -> str:
        warnings = [f"warning: {w}" for w in result.warnings]
        if not result.changed:
            return "\n".join(["nothing to do: the database already matches the config", *warnings])
        return "\n".join(
            [
                f"applied {len(result.steps)} step(s):",
                *(f"  {s.description}" for s in result.steps),
                *warnings,
            ]
        )

    _emit(result, output_format, text)


@cli.command()
@click.option(
    "--witness",
    "witness_dsn",
    help="Also show this witness's height, lag and subscription (see witness setup).",
)
@format_option
@pass_options
def status(options: Options, witness_dsn: str | None, output_format: str) -> None:
    """Show what is audited, by which policy, trigger health and row counts. Exits 1 on problems.

    \b
    Example:
        pgaudit-kit status --format json
        pgaudit-kit status --witness postgresql://auditor@witness.internal/audit_copy
    """
    from . import api

    result = api.status(options.config, options.resolved_dsn(), witness_dsn=witness_dsn)
    _emit(result, output_format, lambda: _status_text(result))
    if result.problems:
        click.get_current_context().exit(EXIT_PROBLEMS)


@cli.command("alembic-revision")
@click.option(
    "--alembic-ini",
    default="alembic.ini",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The application's Alembic config: its template, file_template and hooks are used.",
)
@click.option(
    "--versions-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Which of the project's version locations gets the file (default: its only one).",
)
@click.option("-m", "--message", required=True, help="The revision's message.")
@click.option("--rev-id", help="The revision id (default: a random one, as Alembic makes).")
@click.option(
    "--version-table",
    default="alembic_version",
    show_default=True,
    help="The project's Alembic version table (may be schema-qualified).",
)
@click.option("--baseline", is_flag=True, help="Include the baseline snapshot of new tables.")
@format_option
@pass_options
def alembic_revision(
    options: Options,
    alembic_ini: Path,
    versions_dir: Path | None,
    message: str,
    rev_id: str | None,
    version_table: str,
    baseline: bool,
    output_format: str,
) -> None:
    """Write the audit changes as a revision of your own Alembic project.

    The upgrade runs the SQL plan --sql prints; the downgrade undoes the changes to audited
    tables. The database must be at the project's head.

    \b
    Example:
        pgaudit-kit alembic-revision -m "audit orders"     # from the folder of alembic.ini
    """
    from . import api

    result = api.alembic_revision(
        options.config,
        options.resolved_dsn(),
        alembic_ini,
        message,
        versions_dir=versions_dir,
        rev_id=rev_id,
        version_table=version_table,
        baseline=baseline,
    )

    def text() -> str:
        if result.path is None:
            return "nothing to do: the database already matches the config; no revision written"
        lines = [
            f"wrote {result.path} (revision {result.revision}, "
            f"revises {result.down_revision or 'base'})",
            f"upgrade: {len(result.upgrade)} step(s)",
            *(f"  {s.description}" for s in result.upgrade),
            f"downgrade: {len(result.downgrade)} step(s)",
            *(f"  {s.description}" for s in result.downgrade),
        ]
        return "\n".join(lines)

    _emit(result, output_format, text)


@cli.command()
@format_option
@pass_options
def check(options: Options, output_format: str) -> None:
    """Check the config and the database for CI: one line per finding, exit 1 if any.

    Finds unclassified columns, plain columns that look personal, tables matching [audit]
    require that are not audited, capture that differs from the config or drifted, unhealthy
    triggers, and grants or roles that differ from the model.

    \b
    Example:
        pgaudit-kit check --format json
    """
    from . import api

    result = api.check(options.config, options.resolved_dsn())

    def text() -> str:
        if result.ok:
            return f"check: no findings ({result.tables_audited} table(s) audited)"
        return "\n".join(str(f) for f in result.findings)

    _emit(result, output_format, text)
    if not result.ok:
        click.echo(f"check: {len(result.findings)} finding(s)", err=True)
        click.get_current_context().exit(EXIT_PROBLEMS)


def _status_text(result: StatusResult) -> str:
    if not result.installed:
        return "\n".join(f"problem: {p}" for p in result.problems)
    lines = [
        f"schema {result.schema}: toolkit revision {result.revision} "
        f"(head {result.head_revision}), guard {'on' if result.guard_enabled else 'OFF'}"
    ]
    for table in result.tables:
        health = "ok" if table.healthy else "PROBLEM"
        lines.append(
            f"{table.table}: {table.rows} row(s), triggers {health}, "
            f"key {list(table.key) or 'none'}"
            + (f", capture {table.capture.upper()}" if table.capture != "fast" else "")
        )
        by_policy: dict[str, list[str]] = {}
        for column, policy in table.policies.items():
            by_policy.setdefault(policy, []).append(column)
        for policy, columns in sorted(by_policy.items()):
            lines.append(f"  {policy}: {', '.join(columns)}")
    if result.seal is not None:
        lag = result.seal
        lines.append(
            f"sealed: {lag.last_block or 0} block(s) below transaction {lag.sealed_horizon}; "
            f"{lag.unsealed_rows} row(s) not sealed yet"
            + (
                f", oldest from {lag.oldest_unsealed:%Y-%m-%d %H:%M:%S%z}"
                if lag.oldest_unsealed
                else ""
            )
        )
        for holder in lag.holders[:1]:
            lines.append(
                f"  oldest open transaction ({holder.kind} {holder.who}, {holder.role}@"
                f"{holder.database}, {holder.state}, {holder.age_in_transactions} "
                "transactions old) holds the sealing horizon back"
            )
    if result.retention is not None:
        kept = result.retention
        classes = (
            ", ".join(f"{n} {p}" for n, p in sorted(kept.classes.items())) or "none (kept for ever)"
        )
        span = (
            f" from {kept.first_partition:%Y-%m-%d} to {kept.last_partition_end:%Y-%m-%d}"
            if kept.first_partition and kept.last_partition_end
            else ""
        )
        lines.append(
            f"partitions: {kept.partitions} {kept.partition_interval}ly{span}; retention: {classes}"
        )
        if kept.active_holds:
            lines.append(f"legal holds: {kept.active_holds} active")
        if kept.last_maintenance:
            run = kept.last_maintenance
            lines.append(
                f"last maintenance: {run.finished_at:%Y-%m-%d %H:%M:%S%z} "
                f"({'ok' if run.ok else 'with errors'})"
            )
        if kept.archive_classes:
            lines.append(
                "archived classes: "
                + ", ".join(f"{n} kept {p}" for n, p in sorted(kept.archive_classes.items()))
            )
        if kept.archives is not None and (kept.archives.archives or kept.archive_classes):
            a = kept.archives
            lines.append(
                f"archives: {a.archives} recorded, up to block {a.last_block or 0}; "
                f"{a.blocks_behind} sealed block(s) not archived"
                + (
                    f", the oldest sealed {a.oldest_unarchived:%Y-%m-%d %H:%M:%S%z}"
                    if a.oldest_unarchived
                    else ""
                )
            )
    if result.witness is not None:
        lines.append(_witness_line(result.witness))
    current = [k.key_id for k in result.keys if k.retired_at is None and k.shredded_at is None]
    lines.append(f"keys: {len(result.keys)} (current {current[0] if current else 'none'})")
    if result.other_rows:
        lines.append(f"other events (DDL, CONFIG, KEY...): {result.other_rows}")
    lines += [f"problem: {p}" for p in result.problems]
    return "\n".join(lines)


def _witness_line(w: WitnessStatus) -> str:
    state = "running" if w.subscription_running else "NOT RUNNING"
    return (
        f"witness {w.witness}: {w.witness_height} of {w.primary_height} block(s), "
        f"{w.blocks_behind} behind ({w.seconds_behind:.0f} s); subscription {state}"
        + (f", {w.subscription_errors} error(s)" if w.subscription_errors else "")
    )


@cli.group()
def key() -> None:
    """Manage the HMAC keys behind the hash policy."""


@key.command("rotate")
@format_option
@pass_options
def key_rotate(options: Options, output_format: str) -> None:
    """Make a new HMAC key current; existing rows keep their key id.

    \b
    Example:
        pgaudit-kit key rotate
    """
    from . import api

    result = api.rotate_key(options.config, options.resolved_dsn())
    _emit(result, output_format, lambda: f"key {result.key_id} is now current for new rows")


@key.command("shred")
@click.argument("key_id", type=INTEGER)
@click.option("--reason", required=True, help="Why (e.g. the erasure order); recorded.")
@format_option
@pass_options
def key_shred(options: Options, key_id: int, reason: str, output_format: str) -> None:
    """Destroy a key's material: its tokens can never again be linked to a value.

    Rows and the chain are untouched (verify still passes); the current key is first rotated
    out. Recorded as a KEY event. Needs an admin role.

    \b
    Example:
        pgaudit-kit key shred 1 --reason "GDPR erasure order 2026-114"
    """
    from . import api

    result = api.shred_key(options.config, options.resolved_dsn(), key_id, reason)
    _emit(result, output_format, lambda: f"key {result.key_id} shredded: {result.reason}")


@cli.command()
@click.argument("target", metavar="SCHEMA.TABLE.COLUMN")
@format_option
@pass_options
def lookup(options: Options, target: str, output_format: str) -> None:
    """List the audit rows whose hashed column held a value, under any key.

    The value is read from standard input, or asked for without echo on a terminal: never from
    the command line, so it stays out of shell history. The token is computed in the database
    (the key never leaves it) and the search is recorded (who, which column; not the value).
    Needs an investigator role.

    \b
    Example:
        pgaudit-kit lookup public.customers.email < value.txt
    """
    if sys.stdin.isatty():
        value = str(click.prompt(f"value of {target}", hide_input=True, err=True))
    else:
        value = sys.stdin.read().removesuffix("\n").removesuffix("\r")
    from . import api

    result = api.lookup(options.config, options.resolved_dsn(), target, value)

    def text() -> str:
        lines = [f"{len(result.rows)} audit row(s) of {result.table} held that {result.column}"]
        for row in result.rows:
            images = "/".join(n for n, held in (("old", row.in_old), ("new", row.in_new)) if held)
            lines.append(
                f"  {row.id}  {row.tx_time:%Y-%m-%d %H:%M:%S}  {row.op:<8} "
                f"key {row.row_key}  in {images or 'row key'}  (key id {row.key_id})"
            )
        return "\n".join(lines)

    _emit(result, output_format, text)


_signing_key_option = click.option(
    "--signing-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Private key from keygen (the manifests' signer).",
)
_archive_out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder: each run adds a segment and its manifest.",
)


@cli.group(invoke_without_command=True)
@_signing_key_option
@_archive_out_option
@format_option
@pass_options
def archive(
    options: Options, signing_key: Path | None, out_dir: Path | None, output_format: str
) -> None:
    """Write the sealed blocks not archived yet as JSON Lines and a signed manifest.

    For WORM storage (object lock) or a SIEM: one row per line, values as stored (PII only as
    HMAC tokens or masks). Only blocks that verify are written; what was written is read back
    and, when an admin role runs it, recorded in the database (purge of a tiered retention class
    waits for that); exits 1, recording nothing, when a block or the read-back does not verify.
    Check the folder offline with verify --archive; remove what is past its retention with
    archive prune.

    \b
    Example:
        pgaudit-kit archive --signing-key keys/pgaudit-kit-signing.key --out archive/
        aws s3 sync archive/ s3://audit-worm/shop/   # a bucket with object lock
    """
    if click.get_current_context().invoked_subcommand is not None:
        return
    if signing_key is None or out_dir is None:
        raise click.UsageError(
            "archive needs --signing-key and --out (or a subcommand: archive prune)"
        )
    from . import api

    result = api.archive(
        options.config, options.resolved_dsn(), signing_key=signing_key, out_dir=out_dir
    )

    def text() -> str:
        if result.problems:
            return (
                "NOT ARCHIVED: the trail, or what was written, does not verify\n"
                + _problem_lines(result.problems)
            )
        if result.blocks is None:
            return f"nothing to archive: {out_dir} holds every sealed block"
        first, last = result.blocks
        lines = [f"wrote {result.segment} ({result.rows} row(s), blocks {first}-{last})"]
        if result.headers_only:
            lines.append(
                "headers only (rows purged before they were archived): blocks "
                + ", ".join(map(str, result.headers_only))
            )
        lines.append(
            f"signed {result.manifest}; recorded as archive {result.archive_id}"
            if result.archive_id is not None
            else f"signed {result.manifest}; not recorded in the database: only admin roles "
            "record archives, which purge of a tiered retention class waits for"
        )
        return "\n".join(lines)

    _emit(result, output_format, text)
    if not result.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


@archive.command("prune")
@click.option(
    "--signing-key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Private key from keygen: it signs the prune record.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The archive folder to prune.",
)
@click.option(
    "--older-than",
    type=PERIOD,
    help='Also keep every segment younger than this ("1 year"); each class\'s keep always holds.',
)
@click.option("--dry-run", is_flag=True, help="Say what would be removed and why; remove nothing.")
@format_option
@pass_options
def archive_prune(
    options: Options,
    signing_key: Path,
    out_dir: Path,
    older_than: str | None,
    dry_run: bool,
    output_format: str,
) -> None:
    """Remove archive segments past their retention, after a signed record of what goes.

    A segment goes when every block in it is past its classes' keep (the archive period of a
    tiered class, { hot, keep }) and --older-than, and no active legal hold covers it. Manifests
    stay, so verify --archive still checks the chain across what was pruned and lists it.

    \b
    Example:
        pgaudit-kit archive prune --signing-key keys/pgaudit-kit-signing.key --out archive/
    """
    from . import api

    result = api.archive_prune(
        options.config, options.resolved_dsn(), signing_key=signing_key, out_dir=out_dir,
        older_than=older_than, dry_run=dry_run,
    )  # fmt: skip

    def text() -> str:
        verb = "would remove" if dry_run else "removed"
        lines = [f"{verb} {s.name} (blocks {s.first_block}-{s.last_block})" for s in result.removed]
        lines += [f"kept {k.name}: {k.reason}" for k in result.kept]
        if result.record is not None:
            lines.append(f"signed {result.record}")
        return "\n".join(lines) or f"nothing to prune: {out_dir} holds no segment"

    _emit(result, output_format, text)


@cli.command()
@click.option(
    "--fail-on",
    type=click.Choice(["info", "low", "medium", "high"]),
    default="high",
    show_default=True,
    help="Exit 1 when an alert of this severity or higher fired.",
)
@click.option("--notify", "notify_channel", help="Also send each alert with pg_notify here.")
@click.option("--witness", "witness_dsn", help="Also alert when this witness falls behind.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
    help="Text, one JSON object, or JSON Lines: one alert per line, for a SIEM.",
)
@pass_options
def alerts(
    options: Options,
    fail_on: str,
    notify_channel: str | None,
    witness_dsn: str | None,
    output_format: str,
) -> None:
    """Judge the trail since the last run by the alert rules; each event is judged once.

    Rules: bulk changes, writes by roles outside app_roles, DDL and capture changes on audited
    tables, TRUNCATE, key rotation and shredding, redactions, purges, lookup spikes, writes
    outside [alerts] hours, and seal, archive and witness lag. Run it from cron.

    \b
    Example:
        pgaudit-kit alerts --fail-on medium
        pgaudit-kit alerts --format jsonl --notify pgaudit_alerts >> alerts.jsonl
    """
    from . import alerts as alerting
    from . import api

    def deliver(result: AlertsResult) -> None:
        if output_format == "jsonl":
            if result.alerts:
                click.echo(alerting.jsonl(result))
            return

        def text() -> str:
            head = (
                f"judged {result.events} audit row(s) (transactions {result.judged_from} to "
                f"{result.judged_to}): {len(result.alerts)} alert(s)"
                if result.advanced
                else "another alerts run judged these rows first: nothing to report"
            )
            return "\n".join([head, *(a.line() for a in result.alerts)])

        _emit(result, output_format, text)
        sys.stdout.flush()  # a write that fails here rolls the cursor back

    result = api.alerts(
        options.config, options.resolved_dsn(), witness_dsn=witness_dsn,
        notify_channel=notify_channel, deliver=deliver,
    )  # fmt: skip
    if result.at_least(fail_on):
        click.get_current_context().exit(EXIT_PROBLEMS)


@cli.command()
@click.argument("row_id", type=BIGINT)
@click.option("--reason", required=True, help="The erasure order carried out; recorded.")
@format_option
@pass_options
def redact(options: Options, row_id: int, reason: str, output_format: str) -> None:
    """Replace a sealed audit row's old and new values with a redaction marker.

    For a legal erasure order: the chain still verifies, and verify lists the row as redacted
    (any other change to it is still tampering). Recorded as a REDACT event. Needs an admin role.

    \b
    Example:
        pgaudit-kit redact 1234 --reason "court order 2026/77"
    """
    from . import api

    result = api.redact(options.config, options.resolved_dsn(), row_id, reason)
    _emit(
        result,
        output_format,
        lambda: (
            f"row {result.row_id} redacted: {result.reason}"
            + ("" if result.sealed else "\n  not sealed yet: run pgaudit-kit seal, then verify")
        ),
    )


@cli.command()
@click.option(
    "--drop-data", is_flag=True, help="Also drop the audit schema with every row and key."
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation of --drop-data.")
@format_option
@pass_options
def uninstall(options: Options, drop_data: bool, yes: bool, output_format: str) -> None:
    """Remove capture triggers, functions and the guard; keep the audit rows unless --drop-data.

    \b
    Example:
        pgaudit-kit uninstall
    """
    if drop_data and not yes:
        click.confirm("Drop the audit schema with every audit row and key?", abort=True)
    from . import api

    result = api.uninstall(options.config, options.resolved_dsn(), drop_data=drop_data)

    def text() -> str:
        lines = [f"stopped auditing {len(result.tables)} table(s); guard removed"]
        lines.append("audit schema dropped" if result.dropped_data else "audit rows kept")
        return "\n".join(lines)

    _emit(result, output_format, text)


@cli.command()
@click.option(
    "--max-rows",
    type=BIGINT,
    default=100_000,
    show_default=True,
    help="About how many rows a block may hold.",
)
@format_option
@pass_options
def seal(options: Options, max_rows: int, output_format: str) -> None:
    """Seal every finished transaction's audit rows into hash-chained blocks.

    \b
    Example:
        pgaudit-kit seal            # from cron or a loop; writers never wait for it
    """
    from . import api

    result = api.seal(options.config, options.resolved_dsn(), max_rows=max_rows)

    def text() -> str:
        if not result.blocks:
            return "nothing to seal"
        return f"sealed {result.rows_sealed} row(s) into block(s) " + ", ".join(
            str(b.block_no) for b in result.blocks
        )

    _emit(result, output_format, text)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for report.html and report.json (created if missing).",
)
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: 30 days ago)."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (default: today).")
@digest_options
@click.option(
    "--witness",
    "witness_dsn",
    help="Also show this witness's height and lag, and whether its blocks agree.",
)
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    type=click.Choice(compliance.FRAMEWORKS),
    help="Add the controls of this framework, each with its evidence and verdict (repeatable).",
)
@format_option
@pass_options
def report(
    options: Options,
    out_dir: Path,
    start: datetime | None,
    end: datetime | None,
    digests_dir: Path | None,
    pubkey: Path | None,
    witness_dsn: str | None,
    frameworks: tuple[str, ...],
    output_format: str,
) -> None:
    """Write an evidence report an auditor can file: report.html and report.json.

    The verify result, coverage, immutability checks, retention, purges and holds, key dates
    and activity charts; counts and names only, never a value. The HTML loads nothing from the
    network. Exits 1 when it shows tampering or findings.

    \b
    Example:
        pgaudit-kit report --out evidence/2026-q4 --from 2026-10-01 --to 2026-12-31
        pgaudit-kit report --out evidence/pci --framework pci-dss-4 --digests digests/ \\
            --pubkey keys/pgaudit-kit-signing.pub
    """
    from . import api

    result = api.report(
        options.config,
        options.resolved_dsn(),
        out_dir,
        start=start.date() if start else None,
        end=end.date() if end else None,
        digests_dir=digests_dir,
        witness_dsn=witness_dsn,
        frameworks=frameworks,
        pubkey=pubkey,
    )
    _emit(
        result,
        output_format,
        lambda: "\n".join(
            [
                result.headline,
                *(
                    f"{framework}: " + ", ".join(f"{n} {v}" for v, n in counts.items())
                    for framework, counts in result.controls.items()
                ),
                f"wrote {result.html_path} and {result.json_path}",
            ]
        ),
    )
    if not result.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


@cli.command()
@digest_options
@click.option(
    "--witness",
    "witness_dsn",
    help="Also verify this witness's copy and compare the two chains (see witness setup).",
)
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Check this archive folder offline instead (with --pubkey; no database).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="number of CPUs",
    help="Processes hashing in parallel, all in one snapshot.",
)
@format_option
@pass_options
def verify(
    options: Options,
    digests_dir: Path | None,
    witness_dsn: str | None,
    archive_dir: Path | None,
    pubkey: Path | None,
    jobs: int,
    output_format: str,
) -> None:
    """Recompute every row hash, Merkle root and link outside the database. Exits 1 if tampered.

    \b
    Example:
        pgaudit-kit verify --digests digests/ --pubkey keys/pgaudit-kit-signing.pub
        pgaudit-kit verify --archive archive/ --pubkey keys/pgaudit-kit-signing.pub
    """
    if archive_dir is not None:
        _verify_archive(archive_dir, digests_dir, pubkey, output_format)
        return
    show_bar = output_format == "text" and sys.stderr.isatty()
    bar: Any = None

    def start(total: int) -> None:
        nonlocal bar
        if show_bar:
            bar = click.progressbar(length=total, label="verifying", file=sys.stderr)
            bar.__enter__()

    def advance(rows: int) -> None:
        if bar is not None:
            bar.update(rows)

    try:
        from . import api

        result = api.verify(
            options.config,
            options.resolved_dsn(),
            digests_dir=digests_dir,
            pubkey=pubkey,
            progress=advance,
            on_start=start,
            jobs=jobs,
            witness_dsn=witness_dsn,
        )
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _emit(result, output_format, lambda: _verify_text(result))
    if not result.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


def _verify_archive(
    archive_dir: Path, digests_dir: Path | None, pubkey: Path | None, output_format: str
) -> None:
    from . import api

    if pubkey is None or digests_dir is not None:
        raise click.UsageError(
            "--archive takes --pubkey and no --digests (the manifests are its signed checkpoints)"
        )
    result = api.verify_archive(archive_dir, pubkey=pubkey)

    def text() -> str:
        lines = [
            f"{'OK' if result.ok else 'TAMPERED'}: {result.rows} archived row(s) in "
            f"{result.blocks} block(s), {result.files} file(s) and {result.manifests} signed "
            f"manifest(s) verified, up to block {result.head_block}"
        ]
        if result.headers_only:
            lines.append(
                "archived as headers only (purged before archiving): blocks "
                + ", ".join(map(str, result.headers_only))
            )
        lines += [
            f"purged from the database on {p['purged_at']}: {p.get('partition', '?')} "
            f"({len(p.get('blocks') or [])} block(s))"
            for p in result.purges
        ]
        lines += [
            f"pruned from the archive on {p['pruned_at']} (older than {p['older_than']}): "
            + ", ".join(
                f"{s['name']} (blocks {s['blocks'][0]}-{s['blocks'][1]})" for s in p["segments"]
            )
            for p in result.prunes
        ]
        if result.pruned_blocks:
            lines.append(
                f"{result.pruned_blocks} block(s) pruned: their signed manifests still link them"
            )
        return "\n".join(lines + ([_problem_lines(result.problems)] if result.problems else []))

    _emit(result, output_format, text)
    if not result.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


def _problem_lines(problems: Sequence[Problem]) -> str:
    lines = []
    for problem in problems:
        where = f"block {problem.block}" if problem.block is not None else "no block"
        row = f", row {problem.row_id}" if problem.row_id is not None else ""
        lines.append(f"  {problem.kind}: {where}{row}: {problem.detail}")
    return "\n".join(lines)


def _verify_text(result: VerifyResult) -> str:
    lines = [
        f"{'OK' if result.ok else 'TAMPERED'}: {result.rows_verified} sealed row(s) in "
        f"{result.blocks_verified} block(s) verified; {result.unsealed_rows} row(s) not sealed yet "
        "(not protected until sealed)"
    ]
    if result.digests_checked:
        lines.append(f"checked against {result.digests_checked} signed digest(s)")
    if result.witness is not None:
        lines.append(_witness_line(result.witness))
    for claim in result.purges:
        lines.append(
            f"purged: {claim.partition} ({claim.range_from} to {claim.range_to}) on "
            f"{claim.purged_at}, classes {', '.join(claim.classes) or 'none'}: "
            f"{len(claim.blocks)} block(s) whose headers remain"
        )
    for redaction in result.redacted:
        lines.append(
            f"redacted: row {redaction.row_id} on {redaction.redacted_at} by "
            f"{redaction.redacted_by}: {redaction.reason}"
        )
    if result.problems:
        lines.append(_problem_lines(result.problems))
    return "\n".join(lines)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the key pair.",
)
@click.option("--force", is_flag=True, help="Replace an existing key pair.")
@format_option
def keygen(out_dir: Path, force: bool, output_format: str) -> None:
    """Create the Ed25519 key pair that signs digests (private key mode 0600).

    \b
    Example:
        pgaudit-kit keygen --out keys/
    """
    from . import api

    result = api.keygen(out_dir, force=force)
    _emit(
        result,
        output_format,
        lambda: f"wrote {result.private_key} (keep it secret) and {result.public_key}",
    )


@cli.command()
@click.option(
    "--signing-key",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Private key from keygen.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the digest file.",
)
@format_option
@pass_options
def digest(options: Options, signing_key: Path, out_dir: Path, output_format: str) -> None:
    """Sign the chain head into a small JSON digest to keep in WORM storage.

    \b
    Example:
        pgaudit-kit digest --signing-key keys/pgaudit-kit-signing.key --out digests/
    """
    from . import api

    result = api.digest(
        options.config, options.resolved_dsn(), signing_key=signing_key, out_dir=out_dir
    )
    _emit(
        result,
        output_format,
        lambda: f"wrote {result.path}: block {result.block_no}, {result.rows_sealed} sealed row(s)",
    )


@cli.command()
@click.argument("row_id", type=BIGINT)
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="File for the proof.",
)
@click.option(
    "--digest",
    "digest_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Prove up to this digest's block (default: the head).",
)
@click.option(
    "--pubkey", type=click.Path(dir_okay=False, path_type=Path), help="Public key of --digest."
)
@format_option
@pass_options
def prove(
    options: Options,
    row_id: int,
    out: Path,
    digest_path: Path | None,
    pubkey: Path | None,
    output_format: str,
) -> None:
    """Write a Merkle inclusion proof for one sealed audit row.

    \b
    Example:
        pgaudit-kit prove 1234 --out row-1234.proof.json
    """
    from . import api

    result = api.prove(
        options.config,
        options.resolved_dsn(),
        row_id,
        out=out,
        digest_path=digest_path,
        pubkey=pubkey,
    )
    _emit(
        result,
        output_format,
        lambda: (
            f"wrote {result.path}: row {result.row_id} in block {result.block_no}, "
            f"chain of {result.blocks} block(s)"
        ),
    )


@cli.command("verify-proof")
@click.argument("proof", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--digest",
    "digest_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A signed digest.",
)
@click.option(
    "--pubkey",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Public key of the digest.",
)
@format_option
def verify_proof(proof: Path, digest_path: Path, pubkey: Path, output_format: str) -> None:
    """Check an inclusion proof offline against a signed digest. Exits 1 if it does not hold.

    \b
    Example:
        pgaudit-kit verify-proof row-1234.proof.json --digest digest.json --pubkey signing.pub
    """
    from . import api

    report = api.verify_proof(proof, digest_path=digest_path, pubkey=pubkey)

    def text() -> str:
        check = report.check
        if not check.ok:
            return "\n".join(["PROOF FAILS:", *(f"  {p}" for p in check.problems)])
        values = ", ".join(f"{k}={v}" for k, v in check.fields.items() if v is not None)
        return (
            f"OK: row {check.row_id} is in block {check.block_no}, on the chain signed at block "
            f"{check.digest_block}\n  {values}"
        )

    _emit(report, output_format, text)
    if not report.check.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Say what would be dropped and why; change nothing.")
@format_option
@pass_options
def purge(options: Options, dry_run: bool, output_format: str) -> None:
    """Drop whole log partitions past their retention, skipping holds and unsealed rows.

    \b
    Example:
        pgaudit-kit purge --dry-run
    """
    from . import api

    result = api.purge(options.config, options.resolved_dsn(), dry_run=dry_run)

    def text() -> str:
        if not result.partitions:
            return "no partition has ended yet"
        return "\n".join(
            f"{p.partition} [{p.range_from:%Y-%m-%d}, {p.range_to:%Y-%m-%d}): "
            f"{p.action}, {p.row_count} row(s), retention {p.retention}: {p.detail}"
            for p in result.partitions
        )

    _emit(result, output_format, text)


@cli.command()
@format_option
@pass_options
def maintain(options: Options, output_format: str) -> None:
    """Premake partitions, seal and purge: one idempotent call for cron. Exits 1 on errors.

    \b
    Example:
        */5 * * * *  pgaudit-kit --config /etc/pgaudit.toml maintain
    """
    from . import api

    result = api.maintain(options.config, options.resolved_dsn())

    def text() -> str:
        purged = [p for p in result.purge if p.action == "dropped"]
        lines = [
            f"partitions created: {result.partitions_created}; "
            f"blocks sealed: {len(result.blocks)} ({sum(b.row_count for b in result.blocks)} "
            f"rows); partitions purged: {len(purged)}"
        ]
        lines += [f"  {p.partition}: {p.action}: {p.detail}" for p in result.purge]
        lines += [f"  error in {step}: {message}" for step, message in result.errors.items()]
        return "\n".join(lines)

    _emit(result, output_format, text)
    if not result.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


@cli.group()
def witness() -> None:
    """A live, insert-only copy of the trail on another server (logical replication)."""


@witness.command("setup")
@click.option(
    "--witness-dsn",
    required=True,
    help="The witness server's database, as a superuser there (another team's server).",
)
@click.option(
    "--publisher-dsn",
    help="How the witness reaches this database: a role with REPLICATION and SELECT on the "
    "audit tables (default: --dsn).",
)
@click.option(
    "--witness-owner",
    default="pgaudit_witness",
    show_default=True,
    help="Role on the witness that owns its copy (created if missing).",
)
@format_option
@pass_options
def witness_setup(
    options: Options,
    witness_dsn: str,
    publisher_dsn: str | None,
    witness_owner: str,
    output_format: str,
) -> None:
    """Make another server a live copy of the trail that this database cannot rewrite.

    Publishes the audit rows, blocks, leaves and settings, inserts only (an UPDATE, DELETE or
    TRUNCATE here never reaches the witness), and subscribes the witness to them. The primary
    needs wal_level = logical. Then verify --witness compares the two.

    \b
    Example:
        pgaudit-kit witness setup --witness-dsn postgresql://postgres@witness.internal/audit_copy
    """
    from . import api

    result = api.witness_setup(
        options.config,
        options.resolved_dsn(),
        witness_dsn,
        publisher_dsn=publisher_dsn,
        owner=witness_owner,
    )
    _emit(
        result,
        output_format,
        lambda: (
            f"published {result.publication}; {result.witness} subscribes to it as "
            f"{result.subscription}, its copy owned by {result.owner} (grant {result.readers} to "
            "the auditors who verify there)"
        ),
    )


@witness.command("maintain")
@click.option(
    "--witness-dsn",
    required=True,
    help="The witness's database, as the role that set it up there (it deletes purged rows).",
)
@format_option
@pass_options
def witness_maintain(options: Options, witness_dsn: str, output_format: str) -> None:
    """Keep the witness's own retention: remove the rows the primary purged by policy.

    Verifies the primary first (retention, holds and chain judged by this config) and removes
    from the witness only the rows and leaves of blocks whose purge that verify accepted,
    keeping their headers, as the primary does; removes nothing, exit 1, when the primary does
    not verify or the two chains disagree. Run it from cron after maintain.

    \b
    Example:
        pgaudit-kit witness maintain --witness-dsn postgresql://postgres@witness.internal/shop_audit
    """
    from . import api

    result = api.witness_maintain(options.config, options.resolved_dsn(), witness_dsn)

    def text() -> str:
        if result.problems:
            return "NOTHING REMOVED: the trail does not verify\n" + _problem_lines(result.problems)
        if not result.blocks:
            return f"{result.witness}: nothing the primary purged is left on the witness"
        return (
            f"{result.witness}: removed {result.rows} row(s) of {len(result.blocks)} purged "
            "block(s); their headers stay"
        )

    _emit(result, output_format, text)
    if not result.ok:
        click.get_current_context().exit(EXIT_PROBLEMS)


@cli.group()
def hold() -> None:
    """Legal holds: ranges of the trail that purge must keep."""


def _timestamp(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{flag} {value!r} is not a date or timestamp",
            hint="use ISO 8601, e.g. 2026-01-31 or 2026-01-31T12:00:00+01:00 (UTC if no offset)",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@hold.command("add")
@click.option("--reason", required=True, help="Why: a case number, an order.")
@click.option("--table", help="Only rows of this table (default: every table).")
@click.option(
    "--from", "start", help="Start of the held time range (ISO 8601; default: unbounded)."
)
@click.option("--to", "end", help="End of the held time range (ISO 8601; default: unbounded).")
@format_option
@pass_options
def hold_add(
    options: Options,
    reason: str,
    table: str | None,
    start: str | None,
    end: str | None,
    output_format: str,
) -> None:
    """Place a legal hold: no partition overlapping it is purged until it is released.

    \b
    Example:
        pgaudit-kit hold add --reason "case 2026-17" --table public.orders --from 2025-01-01
    """
    from . import api

    result = api.hold_add(
        options.config,
        options.resolved_dsn(),
        reason=reason,
        table=table,
        start=_timestamp(start, "--from"),
        end=_timestamp(end, "--to"),
    )
    _emit(result, output_format, lambda: f"legal hold {result.hold_id} added")


@hold.command("list")
@format_option
@pass_options
def hold_list(options: Options, output_format: str) -> None:
    """List legal holds, active and released.

    \b
    Example:
        pgaudit-kit hold list
    """
    from . import api

    result = api.hold_list(options.config, options.resolved_dsn())

    def text() -> str:
        if not result.holds:
            return "no legal holds"
        lines = []
        for h in result.holds:
            scope = h.table_name or "all tables"
            span = f"{h.from_time or '-inf'} .. {h.to_time or '+inf'}"
            state = f"released {h.released_at:%Y-%m-%d}" if h.released_at else "ACTIVE"
            lines.append(f"{h.hold_id}: {state}: {scope}, {span}: {h.reason}")
        return "\n".join(lines)

    _emit(result, output_format, text)


@hold.command("release")
@click.argument("hold_id", type=INTEGER)
@click.option("--reason", default="released", show_default=True, help="Why it is released.")
@format_option
@pass_options
def hold_release(options: Options, hold_id: int, reason: str, output_format: str) -> None:
    """Release a legal hold; its partitions become purgeable again.

    \b
    Example:
        pgaudit-kit hold release 3 --reason "case closed"
    """
    from . import api

    result = api.hold_release(options.config, options.resolved_dsn(), hold_id, reason=reason)
    _emit(result, output_format, lambda: f"legal hold {result.hold_id} released")


@cli.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".pgaudit-demo"),
    show_default=True,
    help="Where the embedded PostgreSQL keeps its files.",
)
def demo(data_dir: Path) -> None:
    """Run a self-contained demo on an embedded PostgreSQL 18.

    \b
    Example:
        pgaudit-kit demo
    """
    from . import demo as demo_module

    demo_module.run(data_dir, click.echo)


def main() -> None:
    """Console-script entry point. Usage errors of the global options (which click reports
    before any command runs) get one line too."""
    try:
        # without standalone mode click returns an exit code instead of calling sys.exit
        code = cli.main(prog_name="pgaudit-kit", standalone_mode=False)
    except click.UsageError as e:
        _usage_line(e, "pgaudit-kit")
        sys.exit(EXIT_INPUT)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
