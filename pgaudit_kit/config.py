"""The annotation file (``pgaudit.toml``): load it, validate it, and say exactly where it is wrong.

Shape::

    [audit]
    schema = "audit"                  # where every audit object lives
    owner_role = "audit_owner"        # NOLOGIN role that owns it (default: <schema>_owner)
    app_roles = ["app"]               # roles whose writes are audited; they never touch the trail
    auditor_roles = ["auditor"]       # read-only access to the trail
    default_policy = "hash"           # for columns neither the file nor a comment classifies
    skip_unchanged_updates = true     # an UPDATE that changes no column leaves no row
    update_images = "changed"         # or "full": old/new images of every column on UPDATE
    admin_roles = ["dba"]             # may seal, maintain, purge and manage holds and keys
    investigator_roles = ["dpo"]      # may look up audit rows by a hashed column's value
    partition_interval = "month"      # day, week or month: log partitions and sealing buckets
    premake = 3                       # partitions kept ready ahead of the current one
    require = ["public.*"]            # check: tables (schema.table globs) that must be audited
    exempt = ["public.alembic_version"]  # ... except these

    [retention]                       # class = how long its rows are kept (PostgreSQL interval)
    pci = { hot = "3 months", keep = "1 year" }  # 3 months in the database, 1 year archived
    hipaa = "6 years"
    default = "2 years"               # rows of tables without a class, and trail events

    [tables."public.customers"]
    columns = { email = "hash", card_number = "mask:card", password = "omit", status = "plain" }
    key = ["customer_no"]             # optional: the row key when the table has no primary key
    retention = "pci"                 # optional: the table's retention class (default: default)
    not_pii = ["company_name"]        # optional: plain columns whose name only looks personal
    truncate = "rows"                 # optional: statement (default), rows or refuse
    frameworks = ["pci", "gdpr"]      # optional: what it is kept under (default: [compliance])
    level = "confidential"            # optional: the level of its columns that levels omits
    levels = { card_number = "restricted", status = "internal" }

    [compliance]
    frameworks = ["pci-dss-4", "gdpr"]  # their minimum retention holds (compliance.py)
    soc2_retention = "1 year"         # the period a SOC 2 policy promises (default 1 year)

    [alerts]                          # thresholds of pgaudit-kit alerts (alerts.py)
    bulk_rows = 1000                  # more rows of one table in one transaction: bulk change
    lookups = 20                      # more lookups by one role in one run: enumeration
    hours = "07:00-19:00"             # writes outside it are reported (default: no window)
    timezone = "Europe/Paris"         # of hours (default UTC)
    seal_lag = "15 minutes"           # unsealed rows older than this
    archive_lag = "1 day"             # sealed blocks no archive holds, once archives exist
    witness_lag = "5 minutes"         # a witness behind by more (alerts --witness)

Validation here is offline (types, names, policies). Whether tables and columns exist is checked
against the catalog by ``generate``, which reports the line kept in :class:`TableConfig`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from . import compliance
from .errors import ConfigError, IdentifierError
from .identifiers import QualifiedName, check_name, parse_identifier, parse_qualified_name
from .policies import DEFAULT_POLICY_NAMES, HASH, PLAIN, POLICY_NAMES, Policy, policy_choices

DEFAULT_PATH = Path("pgaudit.toml")
UPDATE_IMAGES = ("changed", "full")
PARTITION_INTERVALS = ("day", "week", "month")
#: A retention period: a count and a unit, as PostgreSQL reads it ("1 year", "90 days").
_INTERVAL = re.compile(r"^\s*[1-9][0-9]{0,4}\s+(day|days|week|weeks|month|months|year|years)\s*$")
_CLASS_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")

_AUDIT_KEYS = {
    "schema": "where every audit object lives",
    "owner_role": "the NOLOGIN role owning the audit schema",
    "app_roles": "roles whose writes are audited",
    "auditor_roles": "read-only roles",
    "default_policy": "policy for unlisted columns",
    "skip_unchanged_updates": "skip UPDATEs that change nothing",
    "update_images": "changed or full",
    "admin_roles": "roles that may seal, maintain, purge and manage holds and keys",
    "investigator_roles": "roles that may look up audit rows by a hashed value (lookup)",
    "partition_interval": "day, week or month",
    "premake": "partitions kept ready ahead",
    "require": "check: schema.table globs of tables that must be audited",
    "exempt": "check: schema.table globs excepted from require",
}
_TABLE_KEYS = {
    "columns",
    "key",
    "retention",
    "not_pii",
    "truncate",
    "frameworks",
    "level",
    "levels",
}
#: What a TRUNCATE of an audited table records: one event (statement), one row per removed row
#: under its policies plus the event (rows), or nothing, since it is refused outside maintenance.
TRUNCATE_MODES = ("statement", "rows", "refuse")


@dataclass(frozen=True)
class TableConfig:
    """One ``[tables."schema.name"]`` section."""

    name: QualifiedName
    columns: Mapping[str, Policy]
    key: tuple[str, ...] | None
    line: int | None
    column_lines: Mapping[str, int | None] = field(default_factory=dict)
    key_line: int | None = None
    retention: str | None = None
    retention_line: int | None = None
    #: Columns reviewed as not personal although their name or type looks so (for check).
    not_pii: frozenset[str] = frozenset()
    #: What a TRUNCATE records (one of TRUNCATE_MODES).
    truncate: str = "statement"
    #: Framework tags (compliance.FRAMEWORK_OF_TAG); None: those of [compliance] frameworks.
    frameworks: tuple[str, ...] | None = None
    #: The level of columns ``levels`` does not name (None: they have none).
    level: str | None = None
    levels: Mapping[str, str] = field(default_factory=dict)
    level_line: int | None = None

    def level_of(self, column: str) -> str | None:
        """The column's classification level, if it has one."""
        return self.levels.get(column, self.level)


@dataclass(frozen=True)
class AlertSettings:
    """The ``[alerts]`` thresholds (lags in seconds)."""

    bulk_rows: int = 1000
    lookups: int = 20
    #: The window writes are expected in, as (start, end) "HH:MM" in ``timezone``; None: any time.
    hours: tuple[str, str] | None = None
    timezone: str = "UTC"
    seal_lag: int = 15 * 60
    archive_lag: int = 24 * 3600
    witness_lag: int = 5 * 60


@dataclass(frozen=True)
class Config:
    """A validated config file."""

    path: Path
    schema: str = "audit"
    owner_role: str = "audit_owner"
    app_roles: tuple[str, ...] = ()
    auditor_roles: tuple[str, ...] = ()
    default_policy: Policy = HASH
    skip_unchanged_updates: bool = True
    update_images: str = "changed"
    admin_roles: tuple[str, ...] = ()
    investigator_roles: tuple[str, ...] = ()
    partition_interval: str = "month"
    premake: int = 3
    retention: Mapping[str, str] = field(default_factory=dict)
    #: Tiered classes: how long their rows are kept in the archive (``keep``), while
    #: ``retention`` holds how long they stay in the database (``hot``). purge drops such a
    #: class's partition only once its blocks are archived.
    archive_retention: Mapping[str, str] = field(default_factory=dict)
    tables: tuple[TableConfig, ...] = ()
    #: ``schema.table`` globs (fnmatch, case-sensitive, unquoted names) that check requires audited.
    require: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()
    lines: Mapping[str, int | None] = field(default_factory=dict)
    #: [compliance] frameworks in force (compliance.FRAMEWORKS), and the SOC 2 policy period.
    frameworks: tuple[str, ...] = ()
    soc2_retention: str = compliance.DEFAULT_SOC2_RETENTION
    alerts: AlertSettings = field(default_factory=AlertSettings)

    def line(self, key: str) -> int | None:
        """The line of an ``[audit]`` key, for messages about its value."""
        return self.lines.get(key)

    def error(
        self, message: str, *, line: int | None = None, hint: str | None = None
    ) -> ConfigError:
        """A :class:`ConfigError` located in this file."""
        return ConfigError(message, path=self.path, line=line, hint=hint)

    def table(self, name: QualifiedName) -> TableConfig | None:
        """The section for ``name``, if the file has one."""
        return next((t for t in self.tables if t.name == name), None)

    def frameworks_of(self, table: TableConfig) -> tuple[str, ...]:
        """The frameworks ``table`` is kept under: its tags, else [compliance] frameworks."""
        return _frameworks_of(table, self.frameworks)


def _frameworks_of(table: TableConfig, frameworks: tuple[str, ...]) -> tuple[str, ...]:
    if table.frameworks is not None:
        return tuple(compliance.FRAMEWORK_OF_TAG[t] for t in table.frameworks)
    return frameworks


def load(path: Path | str | None = None) -> Config:
    """Read and validate a config file.

    :param path: the file (``--config``); ``pgaudit.toml`` in the current directory by default.
    :raises ConfigError: when the file is missing, is not TOML, or breaks a rule; the message
        names the line and the fix.
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(
            "config file not found",
            path=path,
            hint="create it with 'pgaudit-kit init' or pass --config PATH",
        ) from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file: {e}", path=path) from e
    return loads(text, path=path)


def load_config(source: Config | Path | str | None = None) -> Config:
    """A config from wherever it is: a loaded ``Config`` as is, a ``Path`` (or a string without
    a line break or ``=``, which is a file name) read as :func:`load` reads it, or TOML text.

    :raises ConfigError: as :func:`load` and :func:`loads` do.
    """
    if isinstance(source, Config):
        return source
    if isinstance(source, str) and ("\n" in source or "=" in source):
        return loads(source, path=Path("<config text>"))
    return load(source)


def loads(text: str, *, path: Path = DEFAULT_PATH) -> Config:
    """Validate config text; ``path`` is only used in messages. See :func:`load`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = _toml_error_line(str(e))
        raise ConfigError(
            f"not valid TOML: {str(e).split(' (at line')[0]}",
            path=path,
            line=line,
            hint="fix the syntax; see the example in the README",
        ) from e
    return _Parser(text, path).parse(data)


class _Parser:
    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.lines = _LineIndex(text)

    def fail(self, message: str, line: int | None, hint: str | None = None) -> ConfigError:
        return ConfigError(message, path=self.path, line=line, hint=hint)

    def parse(self, data: dict[str, Any]) -> Config:
        for key in data:
            if key not in ("audit", "retention", "tables", "compliance", "alerts"):
                raise self.fail(
                    f"unknown section [{key}]",
                    self.lines.section((key,)) or self.lines.key((), key),
                    "the sections are [audit], [retention], [compliance], [alerts] and "
                    '[tables."schema.table"]',
                )
        audit = data.get("audit", {})
        if not isinstance(audit, dict):
            raise self.fail("[audit] must be a table", self.lines.key((), "audit"))
        for key in audit:
            if key not in _AUDIT_KEYS:
                raise self.fail(
                    f"unknown key {key!r} in [audit]",
                    self.lines.key(("audit",), key),
                    "known keys: " + ", ".join(_AUDIT_KEYS),
                )
        schema = self._identifier(audit, "schema", "audit", what="schema name")
        owner = self._identifier(audit, "owner_role", f"{schema}_owner", what="role name")
        app_roles = self._roles(audit, "app_roles")
        auditor_roles = self._roles(audit, "auditor_roles")
        admin_roles = self._roles(audit, "admin_roles")
        both = sorted(set(app_roles) & set(admin_roles))
        if both:
            raise self.fail(
                f"role {both[0]!r} is both an app role and an admin role",
                self.lines.key(("audit",), "admin_roles"),
                "the application must not purge or seal its own trail; use separate roles",
            )
        investigator_roles = self._roles(audit, "investigator_roles")
        both = sorted(set(app_roles) & set(investigator_roles))
        if both:
            raise self.fail(
                f"role {both[0]!r} is both an app role and an investigator role",
                self.lines.key(("audit",), "investigator_roles"),
                "the application must not search its own trail by value; use separate roles",
            )
        overlap = sorted(set(app_roles) & set(auditor_roles))
        if overlap:
            raise self.fail(
                f"role {overlap[0]!r} is both an app role and an auditor role",
                self.lines.key(("audit",), "auditor_roles"),
                "an app role must never read or write the trail; use separate roles",
            )
        for kind, roles in (
            ("app_roles", app_roles),
            ("auditor_roles", auditor_roles),
            ("admin_roles", admin_roles),
            ("investigator_roles", investigator_roles),
        ):
            if owner in roles:
                raise self.fail(
                    f"owner_role {owner!r} is also listed in {kind}",
                    self.lines.key(("audit",), "owner_role"),
                    "the owner role is NOLOGIN and only owns the audit schema: give it a name "
                    f"of its own (the default is {schema}_owner)",
                )
        default = audit.get("default_policy", "hash")
        if default not in DEFAULT_POLICY_NAMES:
            raise self.fail(
                f"default_policy {default!r} is not allowed",
                self.lines.key(("audit",), "default_policy"),
                "unclassified columns must never leak: use " + " or ".join(DEFAULT_POLICY_NAMES),
            )
        skip = audit.get("skip_unchanged_updates", True)
        if not isinstance(skip, bool):
            raise self.fail(
                "skip_unchanged_updates must be true or false",
                self.lines.key(("audit",), "skip_unchanged_updates"),
            )
        images = audit.get("update_images", "changed")
        if images not in UPDATE_IMAGES:
            raise self.fail(
                f"update_images {images!r} is not allowed",
                self.lines.key(("audit",), "update_images"),
                "use " + " or ".join(UPDATE_IMAGES),
            )
        interval = audit.get("partition_interval", "month")
        if interval not in PARTITION_INTERVALS:
            raise self.fail(
                f"partition_interval {interval!r} is not allowed",
                self.lines.key(("audit",), "partition_interval"),
                "use " + ", ".join(PARTITION_INTERVALS),
            )
        premake = audit.get("premake", 3)
        if not isinstance(premake, int) or isinstance(premake, bool) or not 1 <= premake <= 366:
            raise self.fail(
                "premake must be a whole number from 1 to 366",
                self.lines.key(("audit",), "premake"),
                "it counts partitions kept ready ahead of the current one",
            )
        require = self._patterns(audit, "require")
        exempt = self._patterns(audit, "exempt")
        retention, archive_retention = self._retention(data.get("retention", {}))
        tables_data = data.get("tables", {})
        if not isinstance(tables_data, dict):
            raise self.fail("[tables] must be a table of tables", self.lines.key((), "tables"))
        tables = tuple(self._table(name, body) for name, body in tables_data.items())
        for table in tables:
            if table.retention is not None and table.retention not in retention:
                raise self.fail(
                    f"retention class {table.retention!r} of {table.name} is not defined",
                    table.retention_line,
                    f'define it in [retention], e.g. {table.retention} = "1 year"',
                )
        frameworks, soc2 = self._compliance(data.get("compliance", {}))
        alerts = self._alerts(data.get("alerts", {}))
        self._check_levels(tables, Policy(default))
        self._check_framework_retention(tables, frameworks, soc2, retention, archive_retention)
        return Config(
            path=self.path,
            schema=schema,
            owner_role=owner,
            app_roles=app_roles,
            auditor_roles=auditor_roles,
            default_policy=Policy(default),
            skip_unchanged_updates=skip,
            update_images=images,
            admin_roles=admin_roles,
            investigator_roles=investigator_roles,
            partition_interval=interval,
            premake=premake,
            retention=retention,
            archive_retention=archive_retention,
            tables=tables,
            require=require,
            exempt=exempt,
            lines={key: self.lines.key(("audit",), key) for key in _AUDIT_KEYS},
            frameworks=frameworks,
            soc2_retention=soc2,
            alerts=alerts,
        )

    def _alerts(self, section: Any) -> AlertSettings:
        line = self.lines.section(("alerts",))
        if not isinstance(section, dict):
            raise self.fail("[alerts] must be a table", line)
        known = {f.name for f in fields(AlertSettings)}
        values: dict[str, Any] = {}
        for key, value in section.items():
            key_line = self.lines.key(("alerts",), key) or line
            if key not in known:
                raise self.fail(
                    f"unknown key {key!r} in [alerts]",
                    key_line,
                    "known keys: " + ", ".join(sorted(known)),
                )
            if key in ("bulk_rows", "lookups"):
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise self.fail(f"{key} must be a whole number from 1", key_line)
                values[key] = value
            elif key == "hours":
                match = _HOURS.match(value) if isinstance(value, str) else None
                if match is None:
                    raise self.fail(
                        f"hours {value!r} is not a window", key_line, 'e.g. hours = "07:00-19:00"'
                    )
                if match.group(1) == match.group(2):
                    raise self.fail(
                        f"hours {value!r} is an empty window",
                        key_line,
                        'give the start and end of the day\'s window, e.g. "07:00-19:00"',
                    )
                values[key] = (match.group(1), match.group(2))
            elif key == "timezone":
                if not isinstance(value, str) or not _known_timezone(value):
                    raise self.fail(
                        f"timezone {value!r} is not known",
                        key_line,
                        'e.g. timezone = "Europe/Paris"',
                    )
                values[key] = value
            else:
                seconds = _lag_seconds(value) if isinstance(value, str) else None
                if seconds is None:
                    raise self.fail(
                        f"{key} {value!r} is not understood",
                        key_line,
                        'write a count and a unit, e.g. "15 minutes", "2 hours", "1 day"',
                    )
                values[key] = seconds
        return AlertSettings(**values)

    def _compliance(self, section: Any) -> tuple[tuple[str, ...], str]:
        line = self.lines.section(("compliance",))
        if not isinstance(section, dict):
            raise self.fail("[compliance] must be a table", line)
        for key in section:
            if key not in ("frameworks", "soc2_retention"):
                raise self.fail(
                    f"unknown key {key!r} in [compliance]",
                    self.lines.key(("compliance",), key) or line,
                    "known keys: frameworks, soc2_retention",
                )
        names = self._choices(
            section.get("frameworks", []),
            compliance.FRAMEWORKS,
            self.lines.key(("compliance",), "frameworks") or line,
            ("frameworks", "framework names", "framework", ""),
            'e.g. frameworks = ["pci-dss-4", "gdpr"]',
        )
        soc2 = section.get("soc2_retention", compliance.DEFAULT_SOC2_RETENTION)
        soc2_line = self.lines.key(("compliance",), "soc2_retention") or line
        if not isinstance(soc2, str) or not _INTERVAL.match(soc2):
            raise self.fail(
                f"soc2_retention {soc2!r} is not understood",
                soc2_line,
                'write a count and a unit, e.g. "1 year"',
            )
        return names, postgres_interval(soc2)

    def _check_levels(self, tables: tuple[TableConfig, ...], default: Policy) -> None:
        """Each column's policy within what its level allows."""
        for table in tables:
            for column in {*table.columns, *table.levels}:
                level = table.level_of(column)
                policy = table.columns.get(column, default)
                why = compliance.policy_allowed(level, policy) if level else None
                if why is not None:
                    raise self.fail(
                        f"{table.name}.{column} is {level} but its policy is {policy}",
                        table.column_lines.get(column) or table.level_line,
                        why,
                    )

    def _check_framework_retention(
        self,
        tables: tuple[TableConfig, ...],
        frameworks: tuple[str, ...],
        soc2: str,
        retention: dict[str, str],
        archived: dict[str, str],
    ) -> None:
        """Each class at least as long as every framework it serves asks (compliance.py): the
        classes of tables kept under a framework, and default (the trail's own events) under
        every framework in use."""
        served: dict[str, tuple[set[str], int | None]] = {}
        for table in tables:
            name = table.retention or "default"
            served.setdefault(name, (set(), table.retention_line))[0].update(
                _frameworks_of(table, frameworks)
            )
        in_use = set(frameworks).union(*(s for s, _ in served.values()))
        served.setdefault("default", (set(), None))[0].update(in_use)
        for name, (wanted, table_line) in sorted(served.items()):
            if name not in retention:
                continue  # no period: kept for ever
            hot, total = retention[name], archived.get(name, retention[name])
            for framework in sorted(wanted):
                minimum = compliance.minimum_retention(framework, soc2)
                why = compliance.shortfall(minimum, hot, total)
                if why is not None:
                    raise self.fail(
                        f"retention class {name!r} is shorter than {framework} requires: {why}",
                        self.lines.key(("retention",), name) or table_line,
                        f"{minimum.source} asks {minimum.describe()}; lengthen the class "
                        '(a tiered class says both: { hot = "3 months", keep = "1 year" })',
                    )

    def _retention(self, section: Any) -> tuple[dict[str, str], dict[str, str]]:
        """Each class's database period, and the archive period of tiered classes."""
        if not isinstance(section, dict):
            raise self.fail(
                '[retention] must be a table of class = "interval"', self.lines.key((), "retention")
            )
        classes: dict[str, str] = {}
        archived: dict[str, str] = {}
        for name, period in section.items():
            line = self.lines.key(("retention",), name)
            if not _CLASS_NAME.match(name):
                raise self.fail(
                    f"retention class name {name!r} is not allowed",
                    line,
                    "use lower-case letters, digits, - and _ (e.g. pci, hipaa, default)",
                )
            if isinstance(period, dict):
                classes[name], archived[name] = self._tiered(name, period, line)
                continue
            classes[name] = self._period(name, period, line)
        return classes, archived

    def _tiered(self, name: str, tiers: dict[str, Any], line: int | None) -> tuple[str, str]:
        """``{ hot = "3 months", keep = "1 year" }``: hot in the database, keep in all."""
        unknown = sorted(set(tiers) - {"hot", "keep"})
        if unknown or not {"hot", "keep"} <= set(tiers):
            raise self.fail(
                f"retention class {name!r} must give hot and keep"
                + (f" (unknown key {unknown[0]!r})" if unknown else ""),
                line,
                f'e.g. {name} = {{ hot = "3 months", keep = "1 year" }}: rows stay 3 months in '
                "the database and 1 year in the archive",
            )
        hot = self._period(name, tiers["hot"], line)
        keep = self._period(name, tiers["keep"], line)
        if compliance.approximate_days(keep) < compliance.approximate_days(hot):
            raise self.fail(
                f"retention class {name!r} keeps its archive ({keep}) for less than its rows "
                f"stay in the database ({hot})",
                line,
                "keep counts from the row's time, as hot does: make keep at least hot",
            )
        return hot, keep

    def _period(self, name: str, period: Any, line: int | None) -> str:
        if not isinstance(period, str) or not _INTERVAL.match(period):
            raise self.fail(
                f"retention period {period!r} of class {name!r} is not understood",
                line,
                'write a count and a unit, e.g. "1 year", "6 years", "90 days"',
            )
        return postgres_interval(period)

    def _patterns(self, section: dict[str, Any], key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        line = self.lines.key(("audit",), key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(
                f"{key} must be a list of schema.table patterns", line, f'e.g. {key} = ["public.*"]'
            )
        for pattern in value:
            if "." not in pattern or pattern.startswith(".") or pattern.endswith("."):
                raise self.fail(
                    f"{key} pattern {pattern!r} does not name schema.table",
                    line,
                    'write schema.table with * and ? as wildcards, e.g. "public.*"',
                )
        return tuple(value)

    def _identifier(self, section: dict[str, Any], key: str, default: str, *, what: str) -> str:
        value = section.get(key, default)
        line = self.lines.key(("audit",), key)
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string", line)
        try:
            return parse_identifier(value, what=what)
        except IdentifierError as e:
            raise self.fail(e.message, line, e.hint) from e

    def _roles(self, section: dict[str, Any], key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        line = self.lines.key(("audit",), key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key} must be a list of role names", line, f'e.g. {key} = ["app"]')
        roles: list[str] = []
        for item in value:
            try:
                roles.append(parse_identifier(item, what="role name"))
            except IdentifierError as e:
                raise self.fail(e.message, line, e.hint) from e
        return tuple(dict.fromkeys(roles))

    def _table(self, raw_name: str, body: Any) -> TableConfig:
        line = self.lines.section(("tables", raw_name))
        try:
            name = parse_qualified_name(raw_name)
        except IdentifierError as e:
            raise self.fail(e.message, line, e.hint) from e
        if not isinstance(body, dict):
            raise self.fail(f"tables.{raw_name!r} must be a table", line)
        for key in body:
            if key not in _TABLE_KEYS:
                raise self.fail(
                    f"unknown key {key!r} for table {name}",
                    self.lines.key(("tables", raw_name), key) or line,
                    "known keys: " + ", ".join(sorted(_TABLE_KEYS)),
                )
        columns_data = body.get("columns", {})
        if not isinstance(columns_data, dict):
            raise self.fail(
                f"columns of {name} must be a table of column = policy",
                self.lines.key(("tables", raw_name), "columns") or line,
                'e.g. columns = { email = "hash" }',
            )
        columns: dict[str, Policy] = {}
        column_lines: dict[str, int | None] = {}
        for column, policy in columns_data.items():
            column_line = self.lines.key(("tables", raw_name), column) or line
            try:
                check_name(column, what="column name")
            except IdentifierError as e:
                raise self.fail(e.message, column_line, e.hint) from e
            if not isinstance(policy, str) or policy not in POLICY_NAMES:
                raise self.fail(
                    f"unknown policy {policy!r} for {name}.{column}",
                    column_line,
                    f"use {policy_choices()}",
                )
            columns[column] = Policy(policy)
            column_lines[column] = column_line
        key = body.get("key")
        key_line = self.lines.key(("tables", raw_name), "key") or line
        if key is not None:
            if not isinstance(key, list) or not key or not all(isinstance(k, str) for k in key):
                raise self.fail(
                    f"key of {name} must be a non-empty list of column names",
                    key_line,
                    'e.g. key = ["order_no"]',
                )
            for k in key:
                try:
                    check_name(k, what="key column")
                except IdentifierError as e:
                    raise self.fail(e.message, key_line, e.hint) from e
        retention = body.get("retention")
        retention_line = self.lines.key(("tables", raw_name), "retention") or line
        if retention is not None and not isinstance(retention, str):
            raise self.fail(
                f"retention of {name} must be the name of a class",
                retention_line,
                'e.g. retention = "pci"',
            )
        not_pii = body.get("not_pii", [])
        not_pii_line = self.lines.key(("tables", raw_name), "not_pii") or line
        if not isinstance(not_pii, list) or not all(isinstance(c, str) for c in not_pii):
            raise self.fail(
                f"not_pii of {name} must be a list of column names",
                not_pii_line,
                'e.g. not_pii = ["product_name"]',
            )
        for column in not_pii:
            if columns.get(column, PLAIN) != PLAIN:
                raise self.fail(
                    f"{name}.{column} is listed in not_pii but its policy is {columns[column]}",
                    not_pii_line,
                    "not_pii only silences check for plain columns; remove it from one list",
                )
        truncate = body.get("truncate", "statement")
        if truncate not in TRUNCATE_MODES:
            raise self.fail(
                f"truncate of {name} must be one of {', '.join(TRUNCATE_MODES)}, not {truncate!r}",
                self.lines.key(("tables", raw_name), "truncate") or line,
                "statement records one event, rows each removed row, refuse stops it",
            )
        frameworks = self._table_frameworks(raw_name, name, body, line)
        level, levels, level_line = self._table_levels(raw_name, name, body, line)
        return TableConfig(
            name=name,
            columns=columns,
            key=tuple(key) if key is not None else None,
            line=line,
            column_lines=column_lines,
            key_line=key_line,
            retention=retention,
            retention_line=retention_line,
            not_pii=frozenset(not_pii),
            truncate=truncate,
            frameworks=frameworks,
            level=level,
            levels=levels,
            level_line=level_line,
        )

    def _table_frameworks(
        self, raw_name: str, name: QualifiedName, body: dict[str, Any], line: int | None
    ) -> tuple[str, ...] | None:
        if "frameworks" not in body:
            return None
        return self._choices(
            body["frameworks"],
            tuple(compliance.FRAMEWORK_OF_TAG),
            self.lines.key(("tables", raw_name), "frameworks") or line,
            (f"frameworks of {name}", "framework tags", "framework tag", f" for {name}"),
            'e.g. frameworks = ["pci", "gdpr"]',
        )

    def _choices(
        self,
        value: Any,
        choices: tuple[str, ...],
        line: int | None,
        words: tuple[str, str, str, str],
        example: str,
    ) -> tuple[str, ...]:
        """A list of names each among ``choices``; ``words``: what the list is, what it holds,
        what one item is, and where ("" or " for schema.table"), for the messages."""
        what, items, item, where = words
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{what} must be a list of {items}", line, example)
        for name in value:
            if name not in choices:
                raise self.fail(
                    f"unknown {item} {name!r}{where}", line, "use " + ", ".join(choices)
                )
        return tuple(dict.fromkeys(value))

    def _table_levels(
        self, raw_name: str, name: QualifiedName, body: dict[str, Any], line: int | None
    ) -> tuple[str | None, dict[str, str], int | None]:
        level = body.get("level")
        level_line = self.lines.key(("tables", raw_name), "level") or line
        if level is not None and level not in compliance.LEVELS:
            raise self.fail(
                f"unknown level {level!r} for {name}",
                level_line,
                "use " + ", ".join(compliance.LEVELS),
            )
        levels = body.get("levels", {})
        levels_line = self.lines.key(("tables", raw_name), "levels") or line
        if not isinstance(levels, dict):
            raise self.fail(
                f"levels of {name} must be a table of column = level",
                levels_line,
                'e.g. levels = { card_number = "restricted" }',
            )
        for column, value in levels.items():
            if value not in compliance.LEVELS:
                raise self.fail(
                    f"unknown level {value!r} for {name}.{column}",
                    levels_line,
                    "use " + ", ".join(compliance.LEVELS),
                )
        return level, dict(levels), level_line if level is not None else levels_line


class _LineIndex:
    """Finds the line of a section header or key, for error messages.

    tomllib keeps no positions, so each header line is parsed on its own with tomllib (exact for
    any quoting), and keys are found by a search within their section's lines.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.sections: list[tuple[tuple[str, ...], int]] = [((), 1)]
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("[") and not stripped.startswith("[["):
                try:
                    parsed = tomllib.loads(stripped)
                except tomllib.TOMLDecodeError:
                    continue
                self.sections.append((_first_path(parsed), number))

    def section(self, path: tuple[str, ...]) -> int | None:
        """The first header line of ``path`` or of a sub-table under it."""
        return next((n for p, n in self.sections if p[: len(path)] == path and path), None)

    def key(self, path: tuple[str, ...], key: str) -> int | None:
        """The line where ``key`` is assigned inside ``path`` (or its sub-tables)."""
        pattern = re.compile(
            r"(^|[{,.\s])(\""
            + re.escape(key)
            + r"\"|'"
            + re.escape(key)
            + r"'|"
            + re.escape(key)
            + r")\s*="
        )
        for index, (section_path, start) in enumerate(self.sections):
            if section_path[: len(path)] != path:
                continue
            end = (
                self.sections[index + 1][1]
                if index + 1 < len(self.sections)
                else len(self.lines) + 1
            )
            for number in range(start, end):
                line = self.lines[number - 1]
                if line.strip().startswith("["):
                    continue
                if pattern.search(line):
                    return number
        return None


_HOURS = re.compile(r"^((?:[01][0-9]|2[0-3]):[0-5][0-9])-((?:[01][0-9]|2[0-3]):[0-5][0-9])$")
_LAG = re.compile(r"^\s*([1-9][0-9]{0,5})\s+(second|minute|hour|day)s?\s*$")
_LAG_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def _lag_seconds(text: str) -> int | None:
    match = _LAG.match(text)
    return int(match.group(1)) * _LAG_UNITS[match.group(2)] if match else None


def _known_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_period(text: str) -> str:
    """A period given on the command line ("1 year", "90 days"), as PostgreSQL prints it.

    :raises ValueError: for anything else.
    """
    if not _INTERVAL.match(text):
        raise ValueError(f"{text!r} is not a period")
    return postgres_interval(text.strip())


def postgres_interval(period: str) -> str:
    """A validated retention period as PostgreSQL prints it (``"12 months"`` -> ``"1 year"``,
    ``"2 weeks"`` -> ``"14 days"``), so config and database compare equal when they agree."""
    count_text, unit = period.split()
    count, unit = int(count_text), unit.rstrip("s")
    months = {"year": 12 * count, "month": count}.get(unit, 0)
    days = {"week": 7 * count, "day": count}.get(unit, 0)
    parts = []
    for amount, name in ((months // 12, "year"), (months % 12, "mon"), (days, "day")):
        if amount:
            parts.append(f"{amount} {name}{'s' if amount != 1 else ''}")
    return " ".join(parts)


def config_period(interval: str) -> str:
    """A retention period as PostgreSQL prints it, written back as the config writes one
    (``"1 year 6 mons"`` -> ``"18 months"``): the inverse of :func:`postgres_interval`."""
    amounts = dict.fromkeys(("year", "mon", "day"), 0)
    for count, unit in re.findall(r"([0-9]+) (year|mon|day)s?", interval):
        amounts[unit] = int(count)
    months = amounts["year"] * 12 + amounts["mon"]
    if amounts["day"] and months:
        raise ValueError(f"retention period {interval!r} mixes months and days")
    if amounts["day"]:
        return f"{amounts['day']} days"
    return f"{months // 12} years" if months % 12 == 0 else f"{months} months"


def _first_path(parsed: dict[str, Any]) -> tuple[str, ...]:
    path: list[str] = []
    node: Any = parsed
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        path.append(key)
        node = node[key]
    return tuple(path)


def _toml_error_line(message: str) -> int | None:
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def dumps(config: Config) -> str:
    """``config`` as TOML that :func:`loads` reads back to the same config (what an Alembic
    revision embeds): one column per line, no comments; ``require`` and ``exempt`` left out."""
    import tomli_w  # only when a config is written

    audit: dict[str, Any] = {
        "schema": config.schema,
        "owner_role": config.owner_role,
        "app_roles": list(config.app_roles),
        "auditor_roles": list(config.auditor_roles),
        "admin_roles": list(config.admin_roles),
        "investigator_roles": list(config.investigator_roles),
        "default_policy": str(config.default_policy),
        "skip_unchanged_updates": config.skip_unchanged_updates,
        "update_images": config.update_images,
        "partition_interval": config.partition_interval,
        "premake": config.premake,
    }
    tables: dict[str, Any] = {}
    for table in config.tables:
        section: dict[str, Any] = {}
        if table.key:
            section["key"] = list(table.key)
        if table.retention is not None:
            section["retention"] = table.retention
        if table.truncate != "statement":
            section["truncate"] = table.truncate
        if table.not_pii:
            section["not_pii"] = sorted(table.not_pii)
        if table.frameworks is not None:
            section["frameworks"] = list(table.frameworks)
        if table.level is not None:
            section["level"] = table.level
        if table.levels:
            section["levels"] = dict(table.levels)
        section["columns"] = {c: str(p) for c, p in table.columns.items()}
        tables[str(table.name)] = section
    document: dict[str, Any] = {"audit": audit}
    if config.retention:
        document["retention"] = {
            c: {"hot": config_period(p), "keep": config_period(config.archive_retention[c])}
            if c in config.archive_retention
            else config_period(p)
            for c, p in config.retention.items()
        }
    if config.frameworks or config.soc2_retention != compliance.DEFAULT_SOC2_RETENTION:
        document["compliance"] = {
            "frameworks": list(config.frameworks),
            "soc2_retention": config_period(config.soc2_retention),
        }
    if tables:
        document["tables"] = tables
    return tomli_w.dumps(document)
