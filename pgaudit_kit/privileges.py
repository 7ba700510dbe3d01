"""Who holds what in the audit schema: the one list of each role kind's grants.

apply renders its GRANT statements from these lists, and check compares the catalog's grants
with them, so what is granted and what is expected cannot drift apart. Nothing else is granted
to anyone: the app roles hold nothing in the audit schema, and PUBLIC nothing at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from psycopg import sql


@dataclass(frozen=True)
class Grant:
    """One privilege on one object of the audit schema: the schema itself (``name`` empty), a
    table or view, or a function with its argument types (pg_type names)."""

    kind: str
    name: str
    privilege: str
    args: tuple[str, ...] = ()

    @property
    def object(self) -> str:
        """The object as ``queries/grants.sql`` names it: ``seal(int8)``, ``log``, ``""``."""
        return f"{self.name}({','.join(self.args)})" if self.kind == "function" else self.name


def _select(*tables: str) -> tuple[Grant, ...]:
    return tuple(Grant("table", t, "SELECT") for t in tables)


def _execute(name: str, *args: str) -> Grant:
    return Grant("function", name, "EXECUTE", args)


#: An auditor reads the trail (log_rows as verify hashes it, and the log view), the registry,
#: blocks, holds, retention, archives, the toolkit's version and settings, and key dates, and can
#: check the health of triggers and functions; it changes nothing and never sees key material
#: (hmac_keys is not granted; keys is a view without it).
AUDITOR: tuple[Grant, ...] = (
    Grant("schema", "", "USAGE"),
    *_select(
        "log", "log_rows", "keys", "audited_tables", "blocks", "block_leaves", "holds",
        "retention_classes", "maintenance_runs", "redactions", "schema_version", "settings",
        "archives", "alert_cursor",
    ),
    _execute("trigger_health"),
    _execute("partitions"),
    _execute("integrity"),
    _execute("missing_partitions", "int4"),
)  # fmt: skip
#: An admin runs the trail's upkeep and reads what an auditor reads. It never sees key material
#: and cannot write audit rows directly: each of these functions checks its inputs and records
#: what it did.
ADMIN: tuple[Grant, ...] = (
    *AUDITOR,
    _execute("seal", "int8"),
    _execute("maintain", "int4", "bool"),
    _execute("purge", "bool"),
    _execute("hold_add", "text", "text", "timestamptz", "timestamptz"),
    _execute("hold_release", "int4", "text"),
    _execute("rotate_key"),
    _execute("premake_partitions", "int4"),
    _execute("shred_key", "int4", "text"),
    _execute("redact", "int8", "text"),
    # the record purge of a tiered class waits for: only a role trusted to purge may vouch for
    # an archive, and only such a role may move the cursor that decides what alerts judge
    _execute("archive_record", "text", "int4", "int8", "int8", "bytea", "int8", "text"),
    _execute("alerts_advance", "int8", "int8"),
)
#: An investigator reads what an auditor reads, and may look audit rows up by the value of a
#: hashed column (lookup, which records each search).
INVESTIGATOR: tuple[Grant, ...] = (*AUDITOR, _execute("lookup", "text", "text", "text"))


def grant_statements(schema: str, role: str, grants: Iterable[Grant]) -> list[sql.Composed]:
    """GRANT statements giving ``role`` exactly ``grants`` (one statement per kind)."""
    grants = list(grants)
    to = sql.Identifier(role)
    target = sql.Identifier(schema)
    statements = []
    if any(g.kind == "schema" for g in grants):
        statements.append(sql.SQL("grant usage on schema {} to {};").format(target, to))
    tables = [sql.Identifier(schema, g.name) for g in grants if g.kind == "table"]
    if tables:
        statements.append(
            sql.SQL("grant select on\n    {}\n    to {};").format(
                sql.SQL(",\n    ").join(tables), to
            )
        )
    functions = [
        sql.SQL("{}({})").format(
            sql.Identifier(schema, g.name),
            sql.SQL(", ").join(sql.Identifier(a) for a in g.args),  # pg_catalog: pinned first
        )
        for g in grants
        if g.kind == "function"
    ]
    if functions:
        statements.append(
            sql.SQL("grant execute on function\n    {}\n    to {};").format(
                sql.SQL(",\n    ").join(functions), to
            )
        )
    return statements
