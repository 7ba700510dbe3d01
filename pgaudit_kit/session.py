"""The session: one config, one connection, one reading of what is installed.

``Audit(config, conn)`` is the Python API. It loads the config once (a path, TOML text or a
:class:`~pgaudit_kit.config.Config`), connects once (a DSN, or a psycopg connection the caller
keeps), reads what pgaudit-kit has installed once, and translates every database error into a
pgaudit-kit error once. Each command is a method: it checks its input before touching the
database, runs in one transaction of its own (a savepoint inside the caller's transaction when
the connection is in one), and returns a result from its concern's module (``status``, ``check``,
``install``, ``sealing``, ``verify``, ``digest``, ``proof``, ``retention``, ``investigations``,
``report``, ``onboarding``, ``app_revision``), which hold the work.

Example::

    from pgaudit_kit import Audit

    with Audit("pgaudit.toml", "postgresql://postgres@localhost/shop") as audit:
        audit.apply(baseline=True)
        print(audit.status().problems)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import psycopg

from . import access, catalog, chain, db, settings, toolkit_schema
from . import config as config_module
from .catalog import Installed
from .config import Config
from .errors import INTEGER_MAX, NotInstalled, require_positive
from .generate import DEFAULT_LOCK_TIMEOUT, Plan, PlanOptions
from .identifiers import quote

if TYPE_CHECKING:
    from .alerts import AlertsResult
    from .app_revision import RevisionResult
    from .archive import ArchiveResult
    from .archive_prune import PruneResult
    from .check import CheckResult
    from .digest import DigestResult
    from .install import ApplyResult, PlanResult, UninstallResult
    from .investigations import KeyRotateResult, KeyShredResult, LookupResult, RedactResult
    from .onboarding import InitResult
    from .proof import ProveResult
    from .report import ReportResult
    from .retention import HoldList, HoldResult, MaintainResult, PurgeResult
    from .sealing import SealResult
    from .status import StatusResult
    from .verify import Progress, VerifyResult
    from .witness import WitnessMaintainResult, WitnessSetupResult

#: How values reach pgaudit-kit whatever the server, database or role sets: psycopg parses dates,
#: times and intervals in these styles only (``ALTER DATABASE ... SET datestyle = 'SQL, DMY'``
#: would make it refuse every timestamp), and verify hashes values rendered so.
SESSION_SETTINGS = chain.CANONICAL_SETTINGS

P = ParamSpec("P")
R = TypeVar("R")


def _translated(method: Callable[P, R]) -> Callable[P, R]:
    """Database errors raised by the method become pgaudit-kit errors naming the database."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0]
        assert isinstance(session, Audit)
        with db.server_errors(session.where):
            return method(*args, **kwargs)

    return wrapper


class Audit:
    """A pgaudit-kit session on one database.

    :param config: a path to the config file, its TOML text, or a loaded ``Config`` (default:
        ``./pgaudit.toml``); read on first use.
    :param conn: a DSN (``postgresql://...``; default: ``PGAUDIT_DSN``, ``DATABASE_URL``, then
        libpq's environment), connected on first use and closed by :meth:`close`; or an open
        psycopg connection, which stays the caller's: a command runs in a savepoint of the
        caller's transaction when one is open, in a transaction of its own otherwise, and the
        connection is never closed.
    """

    def __init__(
        self,
        config: Config | Path | str | None = None,
        conn: psycopg.Connection[Any] | str | None = None,
    ) -> None:
        self._config_source = config
        self._config: Config | None = config if isinstance(config, Config) else None
        self._conn: psycopg.Connection[Any] | None = None
        self._dsn: str | None = None
        if isinstance(conn, psycopg.Connection):
            self._conn, self._owned = conn, False
        else:
            self._dsn, self._owned = db.resolve_dsn(conn), True
        self._installed: Installed | None = None

    # --- the session's parts ------------------------------------------------------------------

    @property
    def config(self) -> Config:
        """The config, loaded once."""
        if self._config is None:
            self._config = config_module.load_config(self._config_source)
        return self._config

    @property
    def conn(self) -> psycopg.Connection[Any]:
        """The connection, opened once (autocommit: each command runs its own transaction)."""
        if self._conn is None:
            assert self._dsn is not None
            self._conn = db.connect(self._dsn, autocommit=True)
            self._conn.execute(settings.settings_statements(SESSION_SETTINGS))
        return self._conn

    @property
    def where(self) -> str:
        """The database, for messages: user@host:port/dbname, never the password."""
        if self._dsn is not None:
            return db.describe(self._dsn)
        assert self._conn is not None
        return db.describe(self._conn.info.dsn)

    @property
    def worker_dsn(self) -> str:
        """How verify's worker processes connect to the same database."""
        if self._dsn is not None:
            return self._dsn
        info = self.conn.info
        return psycopg.conninfo.make_conninfo(info.dsn, password=info.password or None)

    def require_revision(self, revision: str, command: str) -> None:
        """:raises NotInstalled: when the toolkit schema is older than ``revision``."""
        installed = self.installed().revision
        if not toolkit_schema.revision_at_least(installed, revision):
            raise NotInstalled(
                f"{command} needs toolkit schema revision {revision}; this database is at "
                f"{installed}",
                where=self.where,
                hint="run pgaudit-kit apply (as the installer) to upgrade it",
            )

    def installed(self) -> Installed:
        """What pgaudit-kit has installed in the configured schema, read once per session."""
        if self._installed is None:
            with self.transaction() as conn:
                self._installed = catalog.read_installed(
                    conn, self.config.schema, self.config.owner_role
                )
        return self._installed

    def start(self, command: str, *, needs_install: bool = True) -> bool:
        """What every command does first, before reading the audit schema: is pgaudit-kit
        installed (read from the catalog, so any role may know), and may the connected role run
        ``command`` (access.COMMANDS: it is told, in one line, which role list it needs)?

        :returns: whether pgaudit-kit is installed (when ``needs_install`` is False).
        :raises NotInstalled: when it is not and the command needs it.
        :raises PermissionDenied: when the role is in none of the lists the command needs.
        """
        with self.transaction() as conn:
            present = catalog.toolkit_present(conn, self.config.schema)
            if not present and needs_install:
                raise NotInstalled(
                    f"pgaudit-kit is not installed in schema {quote(self.config.schema)}",
                    where=self.where,
                    hint="run pgaudit-kit apply first, or check [audit] schema in the config",
                )
            if present:
                access.authorize(conn, self.config, command, self.where)
        return present

    def require_installed(self, command: str) -> Installed:
        """:meth:`start`, then what is installed."""
        self.start(command)
        return self.installed()

    @contextmanager
    def transaction(self, *, needs_config: bool = True) -> Iterator[psycopg.Connection[Any]]:
        """One transaction of the session (a savepoint inside the caller's). The config is read
        first: a config error is the user's to fix before any connection is tried."""
        if needs_config:
            self.config  # noqa: B018 - loads it
        with db.server_errors(self.where), self.conn.transaction(), self._settings_kept():
            yield self.conn

    @contextmanager
    def _settings_kept(self) -> Iterator[None]:
        """Inside a transaction on a caller's connection: the session's settings hold, and
        afterwards the caller's are back, those pinned and what a plan sets LOCAL (search_path,
        lock_timeout, role, row_security). The session's own connection was pinned once, at
        connect."""
        if self._owned:
            yield
            return
        with settings.settings_kept(self.conn, SESSION_SETTINGS, also=settings.PLAN_SETS_LOCAL):
            yield

    def close(self) -> None:
        """Close the connection if the session opened it."""
        if self._owned and self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> Audit:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- plan, apply, uninstall, init, alembic-revision ---------------------------------------

    @_translated
    def plan(self, *, baseline: bool = False) -> PlanResult:
        """The SQL ``apply`` would run, computed against the live database; changes nothing.

        :param baseline: include the baseline snapshot of newly audited tables (``--baseline``).
        """
        from . import install

        self.start("plan", needs_install=False)
        with self.transaction() as conn:
            plan = install.plan(conn, self.config, self.installed(), PlanOptions(baseline=baseline))
        return install.PlanResult(plan)

    @_translated
    def apply(
        self,
        *,
        baseline: bool = False,
        lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
        check: Callable[[Plan], None] | None = None,
    ) -> ApplyResult:
        """Install or update auditing so the database matches the config, in one transaction.
        Idempotent: when nothing differs, nothing is executed and the result has no steps.

        :param baseline: record one SNAPSHOT event per existing row of newly audited tables.
        :param lock_timeout: how long to wait for a table lock before giving up.
        :param check: called with the plan before anything runs; raises to stop it (an Alembic
            revision holding the plan to the steps it was reviewed with).
        :raises PermissionDenied: when the role is neither a superuser nor a CREATEROLE role.
        :raises ConfigError: when the config does not match the database.
        """
        from . import install

        options = PlanOptions(baseline=baseline, lock_timeout=lock_timeout)
        config = self.config
        try:
            # the caller's settings are read before the transaction sets its lock timeout
            with (
                self.conn.transaction(),
                self._settings_kept(),
                install.transaction(self.conn, lock_timeout=lock_timeout) as conn,
            ):
                who = access.installer(conn, self.where)
                installed = catalog.read_installed(conn, config.schema, config.owner_role)
                return install.apply(conn, config, installed, options, who, check=check)
        finally:
            self._installed = None

    @_translated
    def uninstall(self, *, drop_data: bool = False) -> UninstallResult:
        """Stop all capture: drop the capture triggers and functions and the guard. The audit
        schema with its rows, keys and functions stays unless ``drop_data``."""
        from . import install

        installed = self.require_installed("uninstall")
        try:
            with self.transaction() as conn:
                return install.uninstall(conn, self.config, installed, drop_data=drop_data)
        finally:
            self._installed = None

    @_translated
    def init(
        self, path: Path, *, schemas: Sequence[str] | None = None, force: bool = False
    ) -> InitResult:
        """Write a starter config to ``path`` from the live database (see ``onboarding.init``)."""
        from . import onboarding

        with self.transaction(needs_config=False) as conn:
            return onboarding.init(conn, path, schemas=schemas, force=force)

    @_translated
    def alembic_revision(
        self,
        alembic_ini: Path,
        message: str,
        *,
        versions_dir: Path | None = None,
        rev_id: str | None = None,
        version_table: str = "alembic_version",
        baseline: bool = False,
    ) -> RevisionResult:
        """Write the audit changes as a revision of the application's Alembic project."""
        from . import app_revision

        self.start("alembic-revision", needs_install=False)
        with self.transaction() as conn:
            return app_revision.alembic_revision(
                conn,
                self.config,
                self.installed(),
                alembic_ini,
                message,
                versions_dir=versions_dir,
                rev_id=rev_id,
                version_table=version_table,
                baseline=baseline,
            )

    # --- status, check, report ------------------------------------------------------------------

    @_translated
    def status(self, *, witness_dsn: str | None = None) -> StatusResult:
        """What is installed, its health, and its problems (the CLI exits 1 when there are any),
        with the witness's height and lag when ``witness_dsn`` names one."""
        from . import status, verify, witness

        if not self.start("status", needs_install=False):
            return status.not_installed(self.config)
        with self.transaction() as conn:
            result = status.read_status(conn, self.config, self.installed())
        if witness_dsn is None:
            return result
        with verify.snapshot(self.conn) as conn:
            seen = witness.lag(conn, self.config.schema, witness_dsn)
        return replace(
            result,
            witness=seen,
            problems=result.problems + tuple(f"{p.kind}: {p.detail}" for p in seen.problems),
        )

    @_translated
    def check(self) -> CheckResult:
        """Everything a CI job should refuse (see ``check.run_check``). Changes nothing."""
        from . import check

        self.start("check", needs_install=False)
        with self.transaction() as conn:
            return check.run_check(conn, self.config, self.installed())

    @_translated
    def report(
        self,
        out_dir: Path,
        *,
        start: date | None = None,
        end: date | None = None,
        digests_dir: Path | None = None,
        pubkey: Path | None = None,
        witness_dsn: str | None = None,
        frameworks: Sequence[str] = (),
    ) -> ReportResult:
        """Write ``report.json`` and a self-contained ``report.html`` into ``out_dir``, from one
        snapshot of the trail (default period: the last 30 days), with the witness's height and
        lag when ``witness_dsn`` names one, and the controls of each of ``frameworks``."""
        from . import digest, report

        days = report.period(start, end)
        loaded = digest.load_for_verify(digests_dir, pubkey)
        self.start("report")
        return report.write(
            self.conn, self.config, out_dir, days=days, digests=loaded, where=self.where,
            witness_dsn=witness_dsn, frameworks=frameworks,
        )  # fmt: skip

    # --- tamper evidence --------------------------------------------------------------------

    @_translated
    def seal(self, *, max_rows: int = 100_000) -> SealResult:
        """Seal every audit row whose transaction has finished into hash-chained blocks."""
        from . import sealing

        require_positive(max_rows, "max_rows")
        self.start("seal")
        with self.transaction() as conn:
            return sealing.seal(conn, self.config.schema, max_rows=max_rows)

    @_translated
    def verify(
        self,
        *,
        digests_dir: Path | None = None,
        pubkey: Path | None = None,
        progress: Progress | None = None,
        on_start: Callable[[int], None] | None = None,
        jobs: int = 1,
        witness_dsn: str | None = None,
    ) -> VerifyResult:
        """Recompute every row hash, Merkle root and block link outside the database, in one
        snapshot, check the chain against the signed digests in ``digests_dir``, and with
        ``witness_dsn`` verify the witness's copy and hold the primary to it."""
        from . import digest, verify, witness
        from .retention import retention_policy

        loaded = digest.load_for_verify(digests_dir, pubkey)
        self.start("verify")
        with verify.snapshot(self.conn) as conn:
            result = digest.verify_trail(
                conn,
                self.config.schema,
                loaded,
                retention=retention_policy(self.config),
                progress=progress,
                on_start=on_start,
                dsn=self.worker_dsn if jobs > 1 else None,
                jobs=jobs,
            )
            if witness_dsn is not None:
                result.witness = witness.compare(conn, self.config.schema, witness_dsn, result)
            return result

    @_translated
    def alerts(
        self,
        *,
        witness_dsn: str | None = None,
        notify_channel: str | None = None,
        deliver: Callable[[AlertsResult], None] | None = None,
    ) -> AlertsResult:
        """Judge the audit rows since the last run by the alert rules (and the lags as they
        are), move the cursor, and send each alert on ``notify_channel`` when given.

        :param deliver: called with the result while the cursor's move is not committed yet:
            when it raises (a broken pipe, a full disk), the move is rolled back and the next
            run judges the same rows again, so an alert is delivered at least once.
        """
        from . import alerts, verify

        if notify_channel is not None:
            alerts.require_channel(notify_channel)
        self.start("alerts")
        self.require_revision("0008", "alerts")
        with verify.snapshot(self.conn) as conn:
            lo, hi, events, found = alerts.evaluate(conn, self.config, witness_dsn=witness_dsn)
        with self.transaction() as conn:
            # the move takes the cursor's row lock: a second run waits, then finds it moved
            moved = alerts.advance(conn, self.config.schema, lo, hi)
            result = alerts.AlertsResult(lo, hi, events, tuple(found) if moved else (), moved)
            if moved and notify_channel is not None:
                alerts.notify(conn, notify_channel, found)
            if deliver is not None:
                deliver(result)
        return result

    @_translated
    def witness_maintain(self, witness_dsn: str) -> WitnessMaintainResult:
        """The witness's own retention: verify the primary (by this config), then remove from
        the witness the rows of the blocks whose purge that verify accepted."""
        from . import digest, verify, witness
        from .retention import retention_policy

        self.start("witness maintain")
        with verify.snapshot(self.conn) as conn:
            result = digest.verify_trail(
                conn, self.config.schema, [], retention=retention_policy(self.config)
            )
            return witness.maintain(conn, self.config.schema, witness_dsn, result)

    @_translated
    def witness_setup(
        self, witness_dsn: str, *, publisher_dsn: str | None = None, owner: str | None = None
    ) -> WitnessSetupResult:
        """Publish the trail (inserts only) and subscribe the witness server to it."""
        from . import witness

        self.start("witness setup")
        return witness.setup(
            self.conn,
            self.config.schema,
            witness_dsn,
            publisher_dsn=publisher_dsn or self.worker_dsn,
            owner=owner or witness.DEFAULT_OWNER,
        )

    @_translated
    def digest(self, *, signing_key: Path, out_dir: Path) -> DigestResult:
        """Sign the chain head and write a digest file into ``out_dir``."""
        from . import digest

        self.start("digest")
        with self.transaction() as conn:
            return digest.sign_head(conn, self.config.schema, signing_key, out_dir)

    @_translated
    def archive(self, *, signing_key: Path, out_dir: Path) -> ArchiveResult:
        """Write every sealed block ``out_dir`` does not hold yet, as a segment and a signed
        manifest, from one snapshot; nothing when a block does not verify."""
        from . import archive, verify

        self.start("archive")
        with verify.snapshot(self.conn) as conn:
            result = archive.write_archive(conn, self.config.schema, signing_key, out_dir)
        if result.written is None or result.problems:
            return result
        with self.transaction() as conn:
            if not archive.may_record(conn, self.config.schema):
                return result  # written, not recorded: only admin roles vouch for archives
            archive_id = archive.record_archive(conn, self.config.schema, result.written)
        return replace(result, archive_id=archive_id)

    @_translated
    def archive_prune(
        self, *, signing_key: Path, out_dir: Path, older_than: str | None, dry_run: bool
    ) -> PruneResult:
        """Remove the segments of ``out_dir`` past their retention (the config's classes, the
        database's legal holds), after a signed record of them."""
        from . import archive_prune

        self.start("archive prune")
        with self.transaction() as conn:
            return archive_prune.prune_archive(
                conn, self.config, signing_key, out_dir, older_than=older_than, dry_run=dry_run
            )

    @_translated
    def prove(
        self,
        row_id: int,
        *,
        out: Path,
        digest_path: Path | None = None,
        pubkey: Path | None = None,
    ) -> ProveResult:
        """Write an inclusion proof for audit row ``row_id`` into ``out``, with the chain up to
        the head, or up to the block of the digest ``digest_path`` (checked with ``pubkey``)."""
        from . import proof

        require_positive(row_id, "row id")
        up_to = proof.digest_block(digest_path, pubkey)
        self.start("prove")
        return proof.write_proof(self.conn, self.config.schema, row_id, out, up_to)

    # --- keys and investigations --------------------------------------------------------------

    @_translated
    def rotate_key(self) -> KeyRotateResult:
        """Make a new HMAC key current; existing rows keep the key id they were hashed with."""
        from . import investigations

        self.start("key rotate")
        with self.transaction() as conn:
            return investigations.rotate_key(conn, self.config.schema)

    @_translated
    def shred_key(self, key_id: int, reason: str) -> KeyShredResult:
        """Crypto-shred a key (its tokens can never again be linked to a value)."""
        from . import investigations

        require_positive(key_id, "key id", maximum=INTEGER_MAX)
        investigations.require_reason(reason, "shredding a key")
        self.start("key shred")
        with self.transaction() as conn:
            return investigations.shred_key(conn, self.config.schema, key_id, reason)

    @_translated
    def lookup(self, target: str, value: str) -> LookupResult:
        """The audit rows whose hashed column ``target`` (schema.table.column) held ``value``."""
        from . import investigations

        investigations.check_lookup(target, value)
        self.start("lookup")
        with self.transaction() as conn:
            return investigations.lookup(conn, self.config.schema, target, value)

    @_translated
    def redact(self, row_id: int, reason: str) -> RedactResult:
        """Replace a sealed row's values with a redaction marker, for a legal erasure order."""
        from . import investigations

        require_positive(row_id, "row id")
        investigations.require_reason(reason, "a redaction")
        self.start("redact")
        with self.transaction() as conn:
            result, txid = investigations.redact(conn, self.config.schema, row_id, reason)
        sealed = investigations.seal_event(self.conn, self.config.schema, txid)
        return replace(result, sealed=sealed)

    # --- retention --------------------------------------------------------------------------

    @_translated
    def purge(self, *, dry_run: bool = False) -> PurgeResult:
        """Drop log partitions past their retention (never DELETE); a dry run changes nothing."""
        from . import retention

        self.start("purge")
        with self.transaction() as conn:
            result = retention.purge(conn, self.config.schema, dry_run=dry_run)
            if dry_run:
                raise psycopg.Rollback()  # what it would drop is said; nothing is dropped
        return result

    @_translated
    def maintain(self) -> MaintainResult:
        """Premake partitions, seal and purge: one idempotent call for cron."""
        from . import retention

        self.start("maintain")
        with self.transaction() as conn:
            return retention.maintain(conn, self.config.schema, ahead=self.config.premake)

    @_translated
    def hold_add(
        self,
        *,
        reason: str,
        table: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> HoldResult:
        """Place a legal hold: no partition overlapping it is purged until it is released."""
        from . import retention

        retention.check_hold(reason, table, start, end)
        self.start("hold add")
        with self.transaction() as conn:
            return retention.hold_add(
                conn, self.config.schema, reason=reason, table=table, start=start, end=end
            )

    @_translated
    def hold_release(self, hold_id: int, *, reason: str) -> HoldResult:
        """Release a legal hold; it stays listed, released."""
        from . import retention

        require_positive(hold_id, "hold id", maximum=INTEGER_MAX)
        self.start("hold release")
        with self.transaction() as conn:
            return retention.hold_release(conn, self.config.schema, hold_id, reason=reason)

    @_translated
    def hold_list(self) -> HoldList:
        """Every legal hold, active and released."""
        from . import retention

        self.start("hold list")
        with self.transaction() as conn:
            return retention.hold_list(conn, self.config.schema)
