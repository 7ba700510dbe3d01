"""``check``: what a CI job should refuse to ship, one finding per problem.

Pure: it compares the config, the resolved captures, the tables in the database and what is
installed, all read by the caller. Findings fall in two groups: the *design* (unclassified columns,
plain columns that look personal, tables that must be audited but are not), which needs only the
catalog, and the *installation* (capture, triggers, grants, roles), which needs the audit schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import psycopg

from . import catalog, classify, generate, install, toolkit_schema
from .catalog import Installed
from .config import Config
from .errors import ConfigError
from .generate import Capture
from .identifiers import QualifiedName, quote
from .policies import OMIT, PLAIN
from .results import Result

#: Privileges that would let a role change the trail (rather than read it).
WRITE_PRIVILEGES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "CREATE", "MAINTAIN"}
)


@dataclass(frozen=True)
class Finding:
    """One problem: ``check`` is its kind (stable, for tools), ``subject`` what it is about."""

    check: str
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message} [{self.check}]"


@dataclass(frozen=True)
class CheckResult(Result):
    """What ``check`` found; ``ok`` when nothing."""

    findings: tuple[Finding, ...]
    tables_audited: int

    _json_properties = ("ok",)

    @property
    def ok(self) -> bool:
        return not self.findings


def run_check(conn: psycopg.Connection[Any], config: Config, installed: Installed) -> CheckResult:
    """Everything a CI job should refuse: unclassified columns, plain columns that look personal,
    tables matching ``require`` that are not audited, comment tags that would loosen a column,
    installed capture that differs from the config or drifted, unhealthy triggers, functions or
    guard that differ from what pgaudit-kit made, grants and roles that differ from the model.
    Config entries naming tables or columns that do not exist are findings too. Reads only."""
    problems: list[ConfigError] = []
    models = catalog.read_tables(conn, [t.name for t in config.tables])
    captures = generate.resolve(config, models, problems)
    tables = catalog.table_names(conn, exclude=[config.schema])
    roles = install.role_problems(conn, config)
    findings = config_findings(problems)
    findings += design_findings(config, captures, tables)
    findings += comment_findings(config, captures)
    findings += installed_findings(config, captures, installed, roles)
    return CheckResult(findings=tuple(findings), tables_audited=len(captures))


def config_findings(problems: Iterable[ConfigError]) -> list[Finding]:
    """Config entries that do not match the database (``generate.resolve`` collected them)."""
    return [Finding("config", p.where or "config", f"{p.message}; {p.hint}") for p in problems]


def design_findings(
    config: Config, captures: Sequence[Capture], tables: Iterable[QualifiedName]
) -> list[Finding]:
    """Columns and tables the config leaves unprotected.

    :param tables: every table in the database outside the audit schema (for ``require``).
    """
    findings: list[Finding] = []
    for capture in captures:
        section = _section(capture.table)
        scope = config.frameworks_of(capture.config)
        for column in capture.model.columns:
            policy = capture.policies.get(column.name)
            if policy is None:  # a virtual generated column: not captured
                continue
            subject = f"{capture.table}.{quote(column.name)}"
            # (a level's bound on the policy is checked when the config loads: comment tags
            # only tighten a policy, so the policy in force never falls below it)
            if scope and capture.config.level_of(column.name) is None:
                findings.append(
                    Finding(
                        "no-level",
                        subject,
                        f"kept under {', '.join(scope)} but has no classification level; add "
                        f"it to levels in {section} (or give the table a level)",
                    )
                )
            if capture.sources[column.name] == "default":
                findings.append(
                    Finding(
                        "unclassified",
                        subject,
                        f"not classified, so stored as {policy}; add it to columns in {section} "
                        f"of {config.path.name} or tag its comment pgaudit:<policy>",
                    )
                )
            elif policy == PLAIN and column.name not in capture.config.not_pii:
                guess = classify.judge(capture.model, column)
                if guess.concern is not None:
                    findings.append(
                        Finding(
                            "pii-plain",
                            subject,
                            f"stored in plain text, but {guess.concern}; classify it as "
                            f"{'omit' if guess.policy == OMIT else 'hash or a mask'}, or list "
                            f"it in not_pii in {section} if it is not personal",
                        )
                    )
    audited = {c.table for c in captures}
    for table in sorted(tables, key=str):
        raw = f"{table.schema}.{table.name}"
        if table in audited or table.schema == config.schema or classify.is_migration_table(table):
            continue
        pattern = next((p for p in config.require if fnmatchcase(raw, p)), None)
        if pattern and not any(fnmatchcase(raw, p) for p in config.exempt):
            findings.append(
                Finding(
                    "not-audited",
                    str(table),
                    f'matches require pattern "{pattern}" but is not audited; add '
                    f"{_section(table)} to {config.path.name}, or an exempt "
                    "pattern",
                )
            )
    return findings


#: What to do about each kind of integrity() row.
_INTEGRITY_FIXES = {
    "function changed": "pgaudit-kit apply puts it back",
    "function missing": "pgaudit-kit apply puts it back",
    "function added": "pgaudit-kit never made it: find out who did, and drop it",
    "detach pending": "a superuser may finish or undo it inside pgaudit-kit's maintenance window",
}


def integrity_findings(installed: Installed) -> list[Finding]:
    """The guard's event triggers that are not as made (missing, disabled, not ALWAYS, another
    function), and the functions and partitions ``integrity()`` reports: what is live, compared
    with what pgaudit-kit made, so a trail silenced behind its back shows."""
    findings = [
        Finding(
            "guard",
            g.name,
            f"the guard's {g.event} event trigger is {g.state}; run pgaudit-kit apply",
        )
        for g in installed.guard
        if g.state != "ok"
    ]
    findings += [
        Finding("integrity", p.object, f"{p.kind}: {p.detail}; {_INTEGRITY_FIXES[p.kind]}")
        for p in installed.integrity
    ]
    return findings


def comment_findings(config: Config, captures: Sequence[Capture]) -> list[Finding]:
    """Column comment tags ignored because they would loosen a column (whoever owns a table
    may comment on it, so only the config file may make a column less strict than
    default_policy), and VIRTUAL generated columns the config does not say it leaves out."""
    return [
        Finding("comment-loosens", column, message)
        for column, message in generate.ignored_tags(config, captures)
    ] + [
        Finding("virtual-column", column, message)
        for column, message in generate.virtual_columns(captures, unlisted_only=True)
    ]


def installed_findings(
    config: Config,
    captures: Sequence[Capture],
    installed: Installed,
    role_problems: Sequence[ConfigError] = (),
) -> list[Finding]:
    """Where the database differs from what ``apply`` would make of the config."""
    if not installed.installed:
        return [
            Finding(
                "install",
                config.schema,
                "pgaudit-kit is not installed in this schema; run pgaudit-kit apply",
            )
        ]
    findings: list[Finding] = []
    if installed.revision != toolkit_schema.head():
        findings.append(
            Finding(
                "install",
                config.schema,
                f"toolkit schema is at revision {installed.revision}, "
                f"{toolkit_schema.head()} is available; run pgaudit-kit apply",
            )
        )
    findings += integrity_findings(installed)
    configured = set()
    for capture in captures:
        configured.add(capture.model.oid)
        before = installed.tables.get(capture.model.oid or -1)
        subject = str(capture.table)
        if before is None:
            findings.append(
                Finding("capture", subject, "in the config but not audited; run pgaudit-kit apply")
            )
        elif before.capture_mode != "fast":
            findings.append(
                Finding(
                    "drift",
                    subject,
                    f"its columns changed ({before.drift_detail}); captured generically until "
                    "pgaudit-kit apply regenerates capture",
                )
            )
        elif not generate.capture_is_current(
            capture, config, before, generate.capture_fingerprint(capture, config)
        ):
            findings.append(
                Finding(
                    "capture",
                    subject,
                    "installed triggers differ from the config (policies, key, options or "
                    "columns); pgaudit-kit plan shows the change, apply makes it",
                )
            )
    for relid, table in installed.tables.items():
        if relid not in configured:
            findings.append(
                Finding(
                    "capture",
                    table.table_name,
                    f"audited, but no longer in {config.path.name}; apply stops auditing it",
                )
            )
    for state in installed.health:
        if state.state != "ok":
            findings.append(
                Finding(
                    "trigger",
                    state.table_name,
                    f"trigger {state.trigger_name} on {state.relation} is {state.state}; "
                    "run pgaudit-kit apply",
                )
            )
    expected = generate.expected_grants(config, captures)
    for role, kind, obj, privilege in sorted(set(installed.grants) - expected):
        danger = (
            "write right"
            if privilege in WRITE_PRIVILEGES or (kind == "function" and role in config.app_roles)
            else "grant"
        )
        findings.append(
            Finding(
                "grants",
                role,
                f"holds {privilege} on {_object(config, kind, obj)}, which the model does not "
                f"grant ({danger}); apply revokes it",
            )
        )
    for role, kind, obj, privilege in sorted(expected - set(installed.grants)):
        findings.append(
            Finding(
                "grants",
                role,
                f"lacks {privilege} on {_object(config, kind, obj)}; run pgaudit-kit apply",
            )
        )
    return findings + [
        Finding("roles", p.where or "config", f"{p.message}; {p.hint}") for p in role_problems
    ]


def _section(table: QualifiedName) -> str:
    """The config section of ``table``, as written in the file."""
    return "[tables." + '"' + str(table).replace('"', '\\"') + '"]'


def _object(config: Config, kind: str, obj: str) -> str:
    return f"schema {quote(obj)}" if kind == "schema" else f"{kind} {quote(config.schema)}.{obj}"
