"""Control-mapped evidence: the report's facts read as the controls of a framework.

``report --framework pci-dss-4`` (and hipaa, soc2, gdpr) adds one entry per control the trail
can evidence: the control's id, our own one-line summary of what it asks (never the standard's
text: read the standard), the evidence from this report, a verdict and, unless it passes, what
would close the gap. Verdicts:

* ``pass``: the report's facts show the control met, for what the trail covers;
* ``fail``: they show it broken (tampering, a table in scope not audited, a role that could
  write the trail...);
* ``gap``: the trail cannot show it yet (no table in scope, no copy outside the database, no
  digest checked): the ``close`` text says what would.

Pure: a function of the report document (report.json's content) and the config.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from . import compliance
from .config import Config

PASS, FAIL, GAP = "pass", "fail", "gap"
#: Alert rules that last ran longer ago than this do not evidence monitoring.
MONITORING_GAP = timedelta(days=1)
VERDICTS = (PASS, FAIL, GAP)


@dataclass(frozen=True)
class Control:
    """One control's entry in the report."""

    framework: str
    control: str
    summary: str
    verdict: str
    evidence: tuple[str, ...]
    close: str | None = None


@dataclass(frozen=True)
class _Facts:
    """What the controls judge by, read once from the report document."""

    document: dict[str, Any]
    in_scope: tuple[dict[str, Any], ...]
    framework: str

    @property
    def verify(self) -> dict[str, Any]:
        return dict(self.document["verify"])

    @property
    def coverage_findings(self) -> list[dict[str, Any]]:
        return list(self.document["coverage"]["findings"])

    @property
    def immutability_findings(self) -> list[dict[str, Any]]:
        return list(self.document["immutability"]["findings"])

    def entry(
        self,
        control: str,
        summary: str,
        verdict: str,
        evidence: tuple[str, ...] | list[str],
        close: str | None = None,
    ) -> Control:
        return Control(self.framework, control, summary, verdict, tuple(evidence), close)

    def scope_line(self) -> str:
        names = ", ".join(t["table"] for t in self.in_scope)
        return f"{len(self.in_scope)} table(s) in scope: {names or 'none'}"


def controls(document: dict[str, Any], config: Config, framework: str) -> list[Control]:
    """The controls of ``framework`` (compliance.FRAMEWORKS), judged from ``document``."""
    scope = {str(t.name) for t in config.tables if framework in config.frameworks_of(t)}
    facts = _Facts(
        document,
        tuple(t for t in document["coverage"]["tables"] if t["table"] in scope),
        framework,
    )
    return [rule(facts, control, summary, config) for rule, control, summary in _RULES[framework]]


# --- the facts each kind of control rests on -------------------------------------------------


def _logging_active(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    """Audit logging on for every table in scope, triggers whole, nothing required left out."""
    broken = [
        f"{f['subject']}: {f['message']}"
        for f in facts.coverage_findings + facts.immutability_findings
        if f["check"] in ("not-audited", "capture", "trigger", "drift", "config")
    ]
    healthy = facts.document["immutability"]["triggers_healthy"]
    evidence = (
        facts.scope_line(),
        f"{healthy} of {facts.document['immutability']['tables']} "
        "audited table(s) with every trigger healthy",
        *broken,
    )
    if broken:
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "run pgaudit-kit apply, and audit every table check names",
        )
    if not facts.in_scope:
        return facts.entry(
            control,
            summary,
            GAP,
            evidence,
            f"tag the tables that hold this framework's data "
            f'(frameworks = ["{compliance.TAG_OF_FRAMEWORK[facts.framework]}"]) or '
            "list it in [compliance] frameworks",
        )
    return facts.entry(control, summary, PASS, evidence)


def _event_fields(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    evidence = (
        "each audit row records: the login and effective role (who), the transaction and "
        "statement time (when), the operation and table (what), the row key and the changed "
        "columns (which data), the client address and application name (where from), and the "
        "request and trace ids the application sets",
        "only committed changes are recorded: a statement that fails rolls back with its row",
    )
    return facts.entry(
        control,
        summary,
        GAP,
        evidence,
        "record failed attempts with the server's own logging "
        "(log_min_error_statement, or the pgAudit extension) beside this trail",
    )


def _protected(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    findings = [f"{f['subject']}: {f['message']}" for f in facts.immutability_findings]
    guard = facts.document["immutability"]["guard_enabled"]
    evidence = (
        f"the audit schema is owned by {facts.document['immutability']['owner_role']} (NOLOGIN); "
        "application roles hold nothing in it, PUBLIC nothing at all",
        f"the DDL guard is {'on' if guard else 'OFF'}",
        *findings,
    )
    if findings or not guard:
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "run pgaudit-kit apply, and remove the grants and roles check names",
        )
    return facts.entry(control, summary, PASS, evidence)


def _integrity(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    verify = facts.verify
    evidence = [
        f"verify recomputed {verify['rows_verified']:,} row hash(es) and "
        f"{verify['blocks_verified']:,} block(s) outside the database",
        f"{verify['digests_checked']} signed digest(s) checked",
    ]
    if not verify["ok"]:
        kinds = sorted({p["kind"] for p in verify["problems"]})
        evidence.append(f"{len(verify['problems'])} problem(s): {', '.join(kinds)}")
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "investigate each problem verify names (README, Tamper evidence)",
        )
    if not verify["digests_checked"]:
        return facts.entry(
            control,
            summary,
            GAP,
            evidence,
            "export signed digests (pgaudit-kit digest) and pass them to report "
            "--digests: a superuser's resealed rewrite is caught only from outside",
        )
    return facts.entry(control, summary, PASS, evidence)


def _copies(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    archives = facts.document["retention"].get("archives") or {}
    witness = facts.document.get("witness")
    evidence = []
    if archives.get("archives"):
        evidence.append(
            f"{archives['archives']} archive(s) recorded, up to block {archives['last_block']}; "
            f"{archives['blocks_behind']} sealed block(s) not archived yet"
        )
    if witness:
        evidence.append(
            f"witness {witness['witness']}: {witness['blocks_behind']} block(s) behind, "
            f"subscription {'running' if witness['subscription_running'] else 'NOT RUNNING'}"
        )
    if witness and witness["problems"]:
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "the witness disagrees with the primary: run verify --witness",
        )
    if not evidence:
        return facts.entry(
            control,
            summary,
            GAP,
            ("no archive recorded and no witness compared",),
            "ship signed archives to object-lock storage (pgaudit-kit archive) or set "
            "up a witness (pgaudit-kit witness setup; report --witness DSN)",
        )
    return facts.entry(control, summary, PASS, evidence)


def _retention(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    classes = sorted({t["retention"] for t in facts.in_scope} | {"default"})
    minimum = compliance.minimum_retention(facts.framework, config.soc2_retention)
    evidence = [
        f"{name}: "
        + (
            f"{config.retention[name]} in the database"
            + (
                f", {config.archive_retention[name]} in all"
                if name in config.archive_retention
                else ""
            )
            if name in config.retention
            else "kept for ever"
        )
        for name in classes
    ]
    evidence.append(f"required: {minimum.describe() or 'no minimum'} ({minimum.source})")
    purges = facts.verify["purges"]
    evidence.append(
        f"{len(purges)} purge(s), each checked by verify against the retention in force"
    )
    problems = [p for p in facts.verify["problems"] if "purge" in p["kind"]]
    if problems:
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "a purge broke the retention: see verify's problems",
        )
    return facts.entry(control, summary, PASS, evidence)


def _storage_limited(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    classes = sorted({t["retention"] for t in facts.document["coverage"]["tables"]} | {"default"})
    forever = [c for c in classes if c not in config.retention]
    evidence = (
        f"classes in use: {', '.join(classes)}",
        f"{len(facts.verify['purges'])} partition purge(s) verified",
    )
    if forever:
        return facts.entry(
            control,
            summary,
            GAP,
            evidence,
            f"give {', '.join(forever)} a retention period in [retention]: rows "
            "without one are kept for ever",
        )
    return facts.entry(control, summary, PASS, evidence)


def _erasure(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    keys = facts.document["keys"]
    shredded = sum(1 for k in keys if k.get("shredded_at"))
    redacted = len(facts.verify["redacted"])
    evidence = (
        f"{redacted} audit row(s) redacted under an erasure order, each checked by verify",
        f"{shredded} of {len(keys)} HMAC key(s) shredded (their tokens can no longer be linked)",
        "personal values are stored only as keyed hashes or masks (policies in Coverage)",
    )
    bad = [p for p in facts.verify["problems"] if "redact" in p["kind"] or "key" in p["kind"]]
    if bad:
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "a redaction or key record differs from its sealed event: see verify",
        )
    return facts.entry(control, summary, PASS, evidence)


def _security(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    plain = [f"{f['subject']}: {f['message']}" for f in facts.coverage_findings
             if f["check"] in ("pii-plain", "unclassified", "no-level")]  # fmt: skip
    protected = _protected(facts, control, summary, config)
    integrity = _integrity(facts, control, summary, config)
    evidence = (*protected.evidence, *integrity.evidence[:1], *plain)
    if plain or FAIL in (protected.verdict, integrity.verdict):
        return facts.entry(
            control,
            summary,
            FAIL,
            evidence,
            "classify the columns check names and fix what verify and check report",
        )
    return facts.entry(control, summary, PASS, evidence)


def _monitoring(facts: _Facts, control: str, summary: str, config: Config) -> Control:
    verify = facts.verify
    last = (facts.document.get("alerts") or {}).get("last_run")
    evidence = (
        f"the trail is verified ({'intact' if verify['ok'] else 'TAMPERED'}); "
        f"{verify['unsealed_rows']} row(s) not sealed yet",
        f"alert rules last judged the trail at {last}" if last else "alert rules never ran",
    )
    ran = (
        last is not None
        and (datetime.now(UTC) - datetime.fromisoformat(str(last))) <= MONITORING_GAP
    )
    if not verify["ok"]:
        return facts.entry(
            control, summary, FAIL, evidence, "investigate each problem verify names"
        )
    if not ran:
        return facts.entry(
            control,
            summary,
            GAP,
            evidence,
            "run pgaudit-kit alerts from cron (at least daily) and send its JSON Lines to the "
            "SIEM the security team reviews",
        )
    return facts.entry(control, summary, PASS, evidence)


Rule = Callable[[_Facts, str, str, Config], Control]

#: Each framework's controls: how each is judged, its id, and our summary of what it asks.
_RULES: dict[str, list[tuple[Rule, str, str]]] = {
    "pci-dss-4": [
        (_logging_active, "10.2.1", "audit logs are enabled and active for the in-scope data"),
        (_event_fields, "10.2.2", "each event records who, what, when, where from, which data, "
         "and success or failure"),
        (_protected, "10.3.2", "audit logs are protected from modification"),
        (_copies, "10.3.3", "audit logs are promptly copied to a store that is hard to modify"),
        (_integrity, "10.3.4", "change detection runs on the audit logs"),
        (_retention, "10.5.1", "audit history is kept 12 months, the latest 3 at hand"),
    ],
    "hipaa": [
        (_logging_active, "164.312(b)", "activity in systems holding ePHI is recorded and can "
         "be examined"),
        (_integrity, "164.312(c)(1)", "ePHI and its records are protected from improper change"),
        (_copies, "164.312(c)(2)", "a mechanism shows records were not altered or destroyed"),
        (_retention, "164.316(b)(2)(i)", "the required records are kept 6 years"),
    ],
    "soc2": [
        (_monitoring, "CC7.2", "system components are monitored for anomalies, which are "
         "analysed"),
        (_integrity, "CC7.2 integrity", "the monitoring record itself cannot be altered unseen"),
        (_retention, "retention", "the trail is kept for the period the policy promises"),
    ],
    "gdpr": [
        (_storage_limited, "5(1)(e)", "personal data is kept no longer than needed"),
        (_erasure, "17", "erasure orders are carried out, in the trail too"),
        (_security, "32", "processing is secured: pseudonymised values, integrity, least "
         "privilege"),
    ],
}  # fmt: skip
