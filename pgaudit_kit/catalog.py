"""What the database's tables look like, as one :class:`TableModel` per table.

Read from a live ``pg_catalog`` here (``read_tables``, ``list_tables``). Every query reads catalogs
only and takes no locks beyond what catalog reads take. Column comments may carry a policy tag
(``COMMENT ON COLUMN t.email IS 'Customer email. pgaudit:hash'``); the tag is extracted here and
validated by ``generate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from . import sqlfiles, toolkit_schema
from .identifiers import QualifiedName, parse_qualified_name
from .results import NOT_JSON, json_name

#: ``pgaudit:<policy>`` anywhere in a column comment.
COMMENT_TAG = re.compile(r"(?<![\w])pgaudit:\s*([A-Za-z0-9_]+(?::[A-Za-z0-9_]+)?)")

# Types whose "=" means "same value" closely enough that an UPDATE between two equal values is no
# change worth recording. Other types (json, xml, geometric types whose "=" compares areas, interval
# where '1 day' = '24 hours', citext...) are compared by their text form instead.
_EXACT_EQUALITY = frozenset(
    """bool int2 int4 int8 oid float4 float8 numeric money text varchar bpchar char name uuid bytea
    date time timestamp timestamptz jsonb inet cidr macaddr macaddr8 bit varbit""".split()
)


@dataclass(frozen=True)
class Column:
    """A column as the catalog describes it."""

    name: str
    type: str
    exact_equality: bool = True
    not_null: bool = False
    generated: str = ""
    comment_policy: str | None = None
    #: Its type (domains resolved) is built into PostgreSQL (oid below 16384), so its casts and
    #: its json form are PostgreSQL's own. Any other type (an enum, composite or range someone
    #: created, an extension's type) may gain a cast its owner writes, so capture renders it by
    #: its output function alone, never through a cast.
    builtin_type: bool = True


@dataclass(frozen=True)
class TableModel:
    """A table (or partitioned table) and what pgaudit-kit needs to know to audit it."""

    name: QualifiedName
    columns: tuple[Column, ...]
    partitioned: bool = False
    primary_key: tuple[str, ...] = ()
    unique_keys: tuple[tuple[str, ...], ...] = ()
    owner: str | None = None
    oid: int | None = None
    leaf_partitions: tuple[QualifiedName, ...] = field(default=())
    #: The partitioned table this table is a partition of (None: not a partition).
    partition_of: QualifiedName | None = None
    #: Tables in a (non-partition) inheritance relation with this one: parents and children.
    inheritance: tuple[QualifiedName, ...] = field(default=())
    #: Columns in a foreign key of this table (the referencing side), in column order.
    foreign_key_columns: tuple[str, ...] = ()

    def column(self, name: str) -> Column | None:
        """The column called exactly ``name``."""
        return next((c for c in self.columns if c.name == name), None)

    @property
    def natural_key(self) -> tuple[str, ...]:
        """The primary key, else the first unique key over NOT NULL columns, else ``()``."""
        return self.primary_key or (self.unique_keys[0] if self.unique_keys else ())


@dataclass(frozen=True)
class Relation:
    """A relation that exists but cannot be audited (a view, a foreign table...)."""

    name: QualifiedName
    kind: str


_KIND_NAMES = {
    "v": "a view",
    "m": "a materialized view",
    "f": "a foreign table",
    "S": "a sequence",
    "i": "an index",
    "I": "an index",
    "c": "a composite type",
    "t": "a TOAST table",
}


def read_tables(
    conn: psycopg.Connection[Any], names: Iterable[QualifiedName]
) -> dict[QualifiedName, TableModel | Relation]:
    """Describe the named relations. Names that do not exist are absent from the result.

    :returns: a :class:`TableModel` for tables and partitioned tables, a :class:`Relation` for
        anything else (which cannot be audited).
    """
    wanted = list(dict.fromkeys(names))
    if not wanted:
        return {}
    rows = conn.execute(
        sqlfiles.render("queries/relations.sql"),
        {"schemas": [n.schema for n in wanted], "names": [n.name for n in wanted]},
    ).fetchall()
    found: dict[QualifiedName, TableModel | Relation] = {}
    tables: dict[int, tuple[QualifiedName, str, str]] = {}
    parents: dict[int, QualifiedName] = {}
    inheritance: dict[int, tuple[QualifiedName, ...]] = {}
    for oid, schema, name, kind, owner, parent, inherited in rows:
        qname = QualifiedName(schema, name)
        if parent is not None:
            parents[oid] = QualifiedName(*parent)
        inheritance[oid] = tuple(QualifiedName(s, n) for s, n in inherited or ())
        if kind in ("r", "p"):
            tables[oid] = (qname, kind, owner)
        else:
            found[qname] = Relation(qname, _KIND_NAMES.get(kind, f"a relation of kind {kind!r}"))
    if not tables:
        return found
    oids = list(tables)
    columns: dict[int, list[Column]] = {oid: [] for oid in oids}
    for (
        relid,
        name,
        type_,
        not_null,
        generated,
        base,
        base_kind,
        elem,
        elem_kind,
        comment,
        builtin_type,
    ) in conn.execute(sqlfiles.render("queries/columns.sql"), {"oids": oids}):
        columns[relid].append(
            Column(
                name=name,
                type=type_,
                exact_equality=_exact(base, base_kind, elem, elem_kind),
                not_null=not_null,
                generated=generated or "",
                comment_policy=comment_policy(comment),
                builtin_type=builtin_type,
            )
        )
    primary: dict[int, tuple[str, ...]] = {}
    unique: dict[int, list[tuple[str, ...]]] = {oid: [] for oid in oids}
    for relid, is_primary, _replident, key_columns, all_not_null, _name in conn.execute(
        sqlfiles.render("queries/unique_keys.sql"), {"oids": oids}
    ):
        if is_primary:
            primary[relid] = tuple(key_columns)
        elif all_not_null:
            unique[relid].append(tuple(key_columns))
    referencing: dict[int, list[str]] = {oid: [] for oid in oids}
    for relid, name in conn.execute(
        sqlfiles.render("queries/foreign_key_columns.sql"), {"oids": oids}
    ):
        referencing[relid].append(name)
    for oid, (qname, kind, owner) in tables.items():
        leaves: tuple[QualifiedName, ...] = ()
        if kind == "p":
            leaves = tuple(
                QualifiedName(s, n)
                for _, s, n in conn.execute(
                    sqlfiles.render("queries/leaf_partitions.sql"), {"oid": oid}
                ).fetchall()
            )
        found[qname] = TableModel(
            name=qname,
            columns=tuple(columns[oid]),
            partitioned=kind == "p",
            primary_key=primary.get(oid, ()),
            unique_keys=tuple(unique[oid]),
            owner=owner,
            oid=oid,
            leaf_partitions=leaves,
            partition_of=parents.get(oid),
            inheritance=inheritance.get(oid, ()),
            foreign_key_columns=tuple(referencing[oid]),
        )
    return found


def list_tables(
    conn: psycopg.Connection[Any],
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> list[TableModel]:
    """Every ordinary and partitioned table (not partitions) in ``schemas`` (all user schemas
    when None), minus the ``exclude`` schemas."""
    described = read_tables(conn, table_names(conn, schemas, exclude))
    return [m for m in described.values() if isinstance(m, TableModel)]


def table_names(
    conn: psycopg.Connection[Any],
    schemas: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
) -> list[QualifiedName]:
    """The names of the tables :func:`list_tables` describes."""
    rows = conn.execute(
        sqlfiles.render("queries/list_tables.sql"),
        {"schemas": list(schemas) if schemas is not None else None, "exclude": list(exclude)},
    ).fetchall()
    return [QualifiedName(s, n) for s, n in rows]


def comment_policy(comment: str | None) -> str | None:
    """The ``pgaudit:<policy>`` tag in a column comment, if any (not yet validated)."""
    if not comment:
        return None
    match = COMMENT_TAG.search(comment)
    return match.group(1) if match else None


def _exact(base: str, base_kind: str, elem: str | None, elem_kind: str | None) -> bool:
    if elem is not None:
        return elem_kind == "e" or elem in _EXACT_EQUALITY
    return base_kind == "e" or base in _EXACT_EQUALITY


# --- what pgaudit-kit has installed ------------------------------------------------------------


@dataclass(frozen=True)
class InstalledTable:
    """A row of ``<schema>.audited_tables``."""

    relid: int
    table_name: str
    partitioned: bool
    key_columns: tuple[str, ...]
    policies: Mapping[str, str]
    columns: Mapping[str, str]
    functions: tuple[str, ...]
    triggers: tuple[str, ...]
    fingerprint: str
    installed_at: datetime
    retention_class: str = "default"
    #: The config options capture was generated with (revision 0003 on; defaults before).
    default_policy: str = "hash"
    skip_unchanged: bool = True
    update_images: str = "changed"
    #: "fast" (generated per column) or "generic" (since the guard saw the columns change).
    capture_mode: str = "fast"
    drift_detected_at: datetime | None = None
    #: What changed, e.g. ``added "phone" text; renamed "mail" to "email"``.
    drift_detail: str | None = None
    #: What a TRUNCATE records, or whether it is refused (revision 0007 on).
    truncate_mode: str = "statement"

    @property
    def function_names(self) -> tuple[str, ...]:
        """The names (without schema or arguments) of the table's capture functions."""
        return tuple(parse_qualified_name(f.removesuffix("()")).name for f in self.functions)


@dataclass(frozen=True)
class TriggerState:
    """One row of ``<schema>.trigger_health()``."""

    table_name: str = field(metadata=NOT_JSON)
    relation: str
    trigger_name: str = field(metadata=json_name("trigger"))
    state: str

    def __iter__(self) -> Iterator[str]:
        return iter((self.table_name, self.relation, self.trigger_name, self.state))


@dataclass(frozen=True)
class GuardState:
    """One event trigger of the guard, as it is live (queries/guard_health.sql)."""

    name: str
    event: str
    state: str


@dataclass(frozen=True)
class IntegrityProblem:
    """One row of ``<schema>.integrity()``: a function or partition that is not as made."""

    kind: str
    object: str
    #: The function's name (None for a partition).
    name: str | None
    detail: str


@dataclass(frozen=True)
class Installed:
    """What the database holds of pgaudit-kit in one schema (nothing, when ``revision`` is None)."""

    schema: str
    owner_exists: bool = False
    schema_exists: bool = False
    revision: str | None = None
    has_key: bool = False
    tables: Mapping[int, InstalledTable] = field(default_factory=dict)
    health: tuple[TriggerState, ...] = ()
    grants: frozenset[tuple[str, str, str, str]] = frozenset()
    default_trigger_grants: frozenset[tuple[str, str]] = frozenset()
    partition_ranges: tuple[tuple[datetime, datetime], ...] = ()
    #: The guard's event triggers, each with its state ("ok" when it fires ALWAYS as made).
    guard: tuple[GuardState, ...] = ()
    #: Functions and partitions that differ from what pgaudit-kit made (revision 0006 on).
    integrity: tuple[IntegrityProblem, ...] = ()
    partition_interval: str = "month"
    log_has_rows: bool = False
    default_partition_rows: int = 0
    retention_classes: Mapping[str, str] = field(default_factory=dict)
    #: Tiered classes' archive periods (revision 0008 on).
    archive_classes: Mapping[str, str] = field(default_factory=dict)

    @property
    def installed(self) -> bool:
        return self.revision is not None

    @property
    def changed_functions(self) -> frozenset[str]:
        """Names of audit functions whose definition differs from the recorded one, or gone."""
        return frozenset(
            p.name
            for p in self.integrity
            if p.kind in ("function changed", "function missing") and p.name
        )

    @property
    def guard_enabled(self) -> bool:
        """Every event trigger of the guard exists, calls its function and fires ALWAYS."""
        return bool(self.guard) and all(g.state == "ok" for g in self.guard)


def toolkit_present(conn: psycopg.Connection[Any], schema: str) -> bool:
    """Whether the toolkit schema is installed in ``schema``, from the catalog alone (any role
    may ask, before its access to the audit schema is checked)."""
    row = conn.execute(toolkit_schema.version_table_exists(schema)).fetchone()
    return bool(row and row[0])


def read_installed(conn: psycopg.Connection[Any], schema: str, owner: str) -> Installed:
    """Read what pgaudit-kit has installed in ``schema`` (all fields empty when nothing is)."""
    row = conn.execute(
        sqlfiles.render("queries/owner_and_schema.sql"),
        {"owner": owner, "schema": _quote_ident(schema)},
    ).fetchone()
    assert row is not None
    owner_exists, schema_exists = bool(row[0]), bool(row[1])
    if not schema_exists:
        return Installed(schema=schema, owner_exists=owner_exists)
    schema_ref = _quote_ident(schema)
    grants = frozenset(
        (str(r), str(k), str(o), str(p))
        for r, k, o, p in conn.execute(
            sqlfiles.render("queries/grants.sql"), {"schema": schema_ref}
        ).fetchall()
    )
    default_grants = frozenset(
        (str(r), str(s))
        for r, s in conn.execute(
            sqlfiles.render("queries/default_trigger_grants.sql"), {"owner": owner}
        )
    )
    revision = toolkit_schema.current_revision(conn, schema)
    if revision is None:
        return Installed(
            schema=schema,
            owner_exists=owner_exists,
            schema_exists=True,
            grants=grants,
            default_trigger_grants=default_grants,
        )
    ident = sql.Identifier(schema)
    tables = {}
    for r in conn.execute(sqlfiles.render("queries/audited_tables.sql", schema=ident)).fetchall():
        extra: dict[str, Any] = r[10]  # the whole row: columns of later revisions
        detected = extra.get("drift_detected_at")
        tables[int(r[0])] = InstalledTable(
            relid=int(r[0]),
            table_name=r[1],
            partitioned=r[2],
            key_columns=tuple(r[3]),
            policies=r[4],
            columns=r[5],
            functions=tuple(r[6]),
            triggers=tuple(r[7]),
            fingerprint=r[8],
            installed_at=r[9],
            retention_class=extra.get("retention_class", "default"),
            default_policy=extra.get("default_policy", "hash"),
            skip_unchanged=extra.get("skip_unchanged", True),
            update_images=extra.get("update_images", "changed"),
            capture_mode=extra.get("capture_mode", "fast"),
            drift_detected_at=datetime.fromisoformat(detected) if detected else None,
            drift_detail=extra.get("drift_detail"),
            truncate_mode=extra.get("truncate_mode", "statement"),
        )
    health = tuple(
        TriggerState(str(t), str(rel), str(g), str(state))
        for t, rel, g, state in conn.execute(
            sqlfiles.render("queries/trigger_health.sql", schema=ident)
        ).fetchall()
    )
    key_row = conn.execute(sqlfiles.render("queries/has_key.sql", schema=ident)).fetchone()
    ranges = tuple(
        (start, end)
        for start, end in conn.execute(
            sqlfiles.render("queries/partition_ranges.sql"), {"log": f"{schema_ref}.log_rows"}
        ).fetchall()
    )
    interval, log_has_rows, default_rows = conn.execute(
        sqlfiles.render(
            "queries/retention_state.sql",
            schema=ident,
            default_partition=sql.Literal(f"{schema_ref}.log_rows_default"),
        )
    ).fetchone() or ("month", False, 0)
    classes = (
        dict(
            conn.execute(sqlfiles.render("queries/retention_classes.sql", schema=ident)).fetchall()
        )
        if toolkit_schema.revision_at_least(revision, "0002")
        else {}
    )
    archive_classes = (
        dict(conn.execute(sqlfiles.render("queries/archive_classes.sql", schema=ident)).fetchall())
        if toolkit_schema.revision_at_least(revision, "0008")
        else {}
    )
    guard = tuple(
        GuardState(str(name), str(event), str(state))
        for name, event, state in conn.execute(
            sqlfiles.render("queries/guard_health.sql"),
            {
                "names": [
                    toolkit_schema.event_trigger_name(schema, what)
                    for _, what, _, _ in toolkit_schema.GUARD_TRIGGERS
                ],
                "events": [event for _, _, event, _ in toolkit_schema.GUARD_TRIGGERS],
                "functions": [
                    f"{schema_ref}.{function}"
                    for _, _, _, function in toolkit_schema.GUARD_TRIGGERS
                ],
            },
        )
    )
    integrity = (
        tuple(
            IntegrityProblem(str(kind), str(obj), name, str(detail))
            for kind, obj, name, detail in conn.execute(
                sqlfiles.render("queries/integrity.sql", schema=ident)
            )
        )
        if toolkit_schema.revision_at_least(revision, "0006")
        else ()
    )
    return Installed(
        schema=schema,
        owner_exists=owner_exists,
        schema_exists=True,
        revision=revision,
        has_key=bool(key_row and key_row[0]),
        tables=tables,
        health=health,
        grants=grants,
        default_trigger_grants=default_grants,
        partition_ranges=ranges,
        partition_interval=str(interval),
        log_has_rows=bool(log_has_rows),
        default_partition_rows=int(default_rows),
        retention_classes=classes,
        archive_classes=archive_classes,
        guard=guard,
        integrity=integrity,
    )


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
