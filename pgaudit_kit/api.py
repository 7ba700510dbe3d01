"""One function per CLI command, for scripts and the CLI: config path and DSN in, result out.

Each opens an :class:`~pgaudit_kit.session.Audit` session for the one command and closes it (as
``alembic.command`` wraps its ``Config``); code that runs several commands, or has a connection
of its own, uses ``Audit`` directly. Nothing here prints; results have ``to_json()``. The
functions that need no database (``plan_schema_file``, ``keygen``, ``verify_proof``) call their
module directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .config import DEFAULT_PATH
from .generate import DEFAULT_LOCK_TIMEOUT, PlanOptions
from .session import Audit

if TYPE_CHECKING:
    from .alerts import AlertsResult
    from .app_revision import RevisionResult
    from .archive import ArchiveResult, ArchiveVerifyResult
    from .archive_prune import PruneResult
    from .check import CheckResult
    from .digest import DigestResult, KeygenResult
    from .install import ApplyResult, PlanResult, UninstallResult
    from .investigations import KeyRotateResult, KeyShredResult, LookupResult, RedactResult
    from .onboarding import InitResult
    from .proof import ProofReport, ProveResult
    from .report import ReportResult
    from .retention import HoldList, HoldResult, MaintainResult, PurgeResult
    from .sealing import SealResult
    from .status import StatusResult
    from .verify import Progress, VerifyResult
    from .witness import WitnessMaintainResult, WitnessSetupResult

ConfigPath = Path | None


def plan(config: ConfigPath, dsn: str, *, baseline: bool = False) -> PlanResult:
    """``plan``: the SQL ``apply`` would run, computed against the live database."""
    with Audit(config, dsn) as audit:
        return audit.plan(baseline=baseline)


def plan_schema_file(
    config: ConfigPath, schema_file: Path, *, baseline: bool = False
) -> PlanResult:
    """``plan --schema-file``: the plan for a database holding ``schema_file`` and no
    pgaudit-kit yet, computed offline (no connection is made)."""
    from . import install

    audit = Audit(config)
    return install.PlanResult(
        install.plan_offline(audit.config, schema_file, PlanOptions(baseline=baseline))
    )


def apply(
    config: ConfigPath,
    dsn: str,
    *,
    baseline: bool = False,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
) -> ApplyResult:
    """``apply``: make the database match the config, in one transaction."""
    with Audit(config, dsn) as audit:
        return audit.apply(baseline=baseline, lock_timeout=lock_timeout)


def uninstall(config: ConfigPath, dsn: str, *, drop_data: bool = False) -> UninstallResult:
    """``uninstall``: stop all capture (and with ``drop_data`` drop the audit schema)."""
    with Audit(config, dsn) as audit:
        return audit.uninstall(drop_data=drop_data)


def init(
    config: ConfigPath,
    dsn: str,
    *,
    schemas: Sequence[str] | None = None,
    force: bool = False,
) -> InitResult:
    """``init``: write a starter config (at ``config``, default ./pgaudit.toml)."""
    with Audit(None, dsn) as audit:
        path = Path(config) if config is not None else DEFAULT_PATH
        return audit.init(path, schemas=schemas, force=force)


def alembic_revision(
    config: ConfigPath,
    dsn: str,
    alembic_ini: Path,
    message: str,
    *,
    versions_dir: Path | None = None,
    rev_id: str | None = None,
    version_table: str = "alembic_version",
    baseline: bool = False,
) -> RevisionResult:
    """``alembic-revision``: write the audit changes into the application's Alembic project."""
    with Audit(config, dsn) as audit:
        return audit.alembic_revision(
            alembic_ini,
            message,
            versions_dir=versions_dir,
            rev_id=rev_id,
            version_table=version_table,
            baseline=baseline,
        )


def status(config: ConfigPath, dsn: str, *, witness_dsn: str | None = None) -> StatusResult:
    """``status``: what is installed, its health and its problems (and the witness's lag)."""
    with Audit(config, dsn) as audit:
        return audit.status(witness_dsn=witness_dsn)


def check(config: ConfigPath, dsn: str) -> CheckResult:
    """``check``: what a CI job should refuse; changes nothing."""
    with Audit(config, dsn) as audit:
        return audit.check()


def report(
    config: ConfigPath,
    dsn: str,
    out_dir: Path,
    *,
    start: date | None = None,
    end: date | None = None,
    digests_dir: Path | None = None,
    pubkey: Path | None = None,
    witness_dsn: str | None = None,
    frameworks: Sequence[str] = (),
) -> ReportResult:
    """``report``: the evidence report, from one snapshot (with the witness's lag, and the
    controls of each framework in ``frameworks``)."""
    with Audit(config, dsn) as audit:
        return audit.report(
            out_dir, start=start, end=end, digests_dir=digests_dir, pubkey=pubkey,
            witness_dsn=witness_dsn, frameworks=frameworks,
        )  # fmt: skip


def seal(config: ConfigPath, dsn: str, *, max_rows: int = 100_000) -> SealResult:
    """``seal``: seal every finished transaction's rows into hash-chained blocks."""
    with Audit(config, dsn) as audit:
        return audit.seal(max_rows=max_rows)


def verify(
    config: ConfigPath,
    dsn: str,
    *,
    digests_dir: Path | None = None,
    pubkey: Path | None = None,
    progress: Progress | None = None,
    on_start: Callable[[int], None] | None = None,
    jobs: int = 1,
    witness_dsn: str | None = None,
) -> VerifyResult:
    """``verify``: recompute every hash outside the database (and check the digests, and the
    witness with ``witness_dsn``)."""
    with Audit(config, dsn) as audit:
        return audit.verify(
            digests_dir=digests_dir, pubkey=pubkey, progress=progress, on_start=on_start,
            jobs=jobs, witness_dsn=witness_dsn,
        )  # fmt: skip


def witness_setup(
    config: ConfigPath,
    dsn: str,
    witness_dsn: str,
    *,
    publisher_dsn: str | None = None,
    owner: str | None = None,
) -> WitnessSetupResult:
    """``witness setup``: make ``witness_dsn`` a live, insert-only copy of the trail."""
    with Audit(config, dsn) as audit:
        return audit.witness_setup(witness_dsn, publisher_dsn=publisher_dsn, owner=owner)


def alerts(
    config: ConfigPath,
    dsn: str,
    *,
    witness_dsn: str | None = None,
    notify_channel: str | None = None,
    deliver: Callable[[AlertsResult], None] | None = None,
) -> AlertsResult:
    """``alerts``: the alert rules over the trail since the last run (the cursor moves once
    ``deliver``, when given, has returned: at-least-once delivery)."""
    with Audit(config, dsn) as audit:
        return audit.alerts(witness_dsn=witness_dsn, notify_channel=notify_channel, deliver=deliver)


def witness_maintain(config: ConfigPath, dsn: str, witness_dsn: str) -> WitnessMaintainResult:
    """``witness maintain``: the witness's own retention, following the purges verify accepts."""
    with Audit(config, dsn) as audit:
        return audit.witness_maintain(witness_dsn)


def keygen(out_dir: Path, *, force: bool = False) -> KeygenResult:
    """``keygen``: the Ed25519 key pair digests are signed with (private key mode 0600)."""
    from . import digest

    private, public = digest.keygen(out_dir, force=force)
    return digest.KeygenResult(private, public)


def digest(config: ConfigPath, dsn: str, *, signing_key: Path, out_dir: Path) -> DigestResult:
    """``digest``: sign the chain head into a digest file in ``out_dir``."""
    with Audit(config, dsn) as audit:
        return audit.digest(signing_key=signing_key, out_dir=out_dir)


def prove(
    config: ConfigPath,
    dsn: str,
    row_id: int,
    *,
    out: Path,
    digest_path: Path | None = None,
    pubkey: Path | None = None,
) -> ProveResult:
    """``prove``: an inclusion proof for one sealed audit row."""
    with Audit(config, dsn) as audit:
        return audit.prove(row_id, out=out, digest_path=digest_path, pubkey=pubkey)


def archive(config: ConfigPath, dsn: str, *, signing_key: Path, out_dir: Path) -> ArchiveResult:
    """``archive``: the sealed blocks not archived yet, as files for WORM storage or a SIEM."""
    with Audit(config, dsn) as audit:
        return audit.archive(signing_key=signing_key, out_dir=out_dir)


def archive_prune(
    config: ConfigPath,
    dsn: str,
    *,
    signing_key: Path,
    out_dir: Path,
    older_than: str | None = None,
    dry_run: bool = False,
) -> PruneResult:
    """``archive prune``: remove archive segments past their retention, with a signed record."""
    with Audit(config, dsn) as audit:
        return audit.archive_prune(
            signing_key=signing_key, out_dir=out_dir, older_than=older_than, dry_run=dry_run
        )


def verify_archive(archive_dir: Path, *, pubkey: Path) -> ArchiveVerifyResult:
    """``verify --archive``: check a folder of archives offline, with no database."""
    from . import archive, digest

    return archive.verify_folder(archive_dir, digest.load_public_key(pubkey))


def verify_proof(proof_path: Path, *, digest_path: Path, pubkey: Path) -> ProofReport:
    """``verify-proof``: check a proof offline against a signed digest."""
    from . import proof

    return proof.verify_proof_file(proof_path, digest_path=digest_path, pubkey=pubkey)


def rotate_key(config: ConfigPath, dsn: str) -> KeyRotateResult:
    """``key rotate``: a new HMAC key for new rows."""
    with Audit(config, dsn) as audit:
        return audit.rotate_key()


def shred_key(config: ConfigPath, dsn: str, key_id: int, reason: str) -> KeyShredResult:
    """``key shred``: crypto-shred a key."""
    with Audit(config, dsn) as audit:
        return audit.shred_key(key_id, reason)


def lookup(config: ConfigPath, dsn: str, target: str, value: str) -> LookupResult:
    """``lookup``: the audit rows whose hashed column held ``value``."""
    with Audit(config, dsn) as audit:
        return audit.lookup(target, value)


def redact(config: ConfigPath, dsn: str, row_id: int, reason: str) -> RedactResult:
    """``redact``: replace a sealed row's values with a redaction marker."""
    with Audit(config, dsn) as audit:
        return audit.redact(row_id, reason)


def purge(config: ConfigPath, dsn: str, *, dry_run: bool = False) -> PurgeResult:
    """``purge``: drop log partitions past their retention."""
    with Audit(config, dsn) as audit:
        return audit.purge(dry_run=dry_run)


def maintain(config: ConfigPath, dsn: str) -> MaintainResult:
    """``maintain``: premake, seal and purge in one call."""
    with Audit(config, dsn) as audit:
        return audit.maintain()


def hold_add(
    config: ConfigPath,
    dsn: str,
    *,
    reason: str,
    table: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> HoldResult:
    """``hold add``: place a legal hold."""
    with Audit(config, dsn) as audit:
        return audit.hold_add(reason=reason, table=table, start=start, end=end)


def hold_release(config: ConfigPath, dsn: str, hold_id: int, *, reason: str) -> HoldResult:
    """``hold release``: release a legal hold."""
    with Audit(config, dsn) as audit:
        return audit.hold_release(hold_id, reason=reason)


def hold_list(config: ConfigPath, dsn: str) -> HoldList:
    """``hold list``: every legal hold, active and released."""
    with Audit(config, dsn) as audit:
        return audit.hold_list()
