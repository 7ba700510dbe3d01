"""Installing the two kinds of auditing compared: pgaudit-kit, and the usual naive trigger."""

from __future__ import annotations

import tempfile
from pathlib import Path

from psycopg import sql

from pgaudit_kit import api

from . import peers
from .cluster import BenchDatabase

#: Column policies by table, e.g. {"public.customers": {"id": "plain", "email": "hash"}}.
TablePolicies = dict[str, dict[str, str]]


def config_text(
    db: BenchDatabase, tables: TablePolicies, retention: dict[str, str] | None = None
) -> str:
    """A minimal pgaudit.toml auditing ``tables`` with the given column policies (and retention
    classes, e.g. ``{"default": "2 years"}``)."""
    lines = ["[audit]", 'schema = "audit"', f'owner_role = "{db.owner_role}"', ""]
    if retention:
        lines += ["[retention]", *(f'{c} = "{period}"' for c, period in retention.items()), ""]
    for table, columns in tables.items():
        policies = ", ".join(f'{column} = "{policy}"' for column, policy in columns.items())
        lines += [f'[tables."{table}"]', f"columns = {{ {policies} }}", ""]
    return "\n".join(lines)


def write_config(
    db: BenchDatabase, tables: TablePolicies, retention: dict[str, str] | None = None
) -> Path:
    """Write the config into a temporary file (kept: verify and seal read it later)."""
    path = Path(tempfile.mkdtemp(prefix="pgaudit-bench-config-")) / "pgaudit.toml"
    path.write_text(config_text(db, tables, retention))
    return path


def install_pgaudit_kit(
    db: BenchDatabase, tables: TablePolicies, retention: dict[str, str] | None = None
) -> Path:
    """Apply pgaudit-kit auditing on ``tables``; returns the config path."""
    config = write_config(db, tables, retention)
    api.apply(config, db.dsn)
    return config


_NAIVE_SETUP = """
create table naive_audit (
    id bigserial primary key,
    tg_op text not null,
    table_name text not null,
    old_row jsonb,
    new_row jsonb,
    changed_at timestamptz not null,
    changed_by text not null
);

create function naive_audit_trigger() returns trigger
language plpgsql as $$
begin
    insert into naive_audit (tg_op, table_name, old_row, new_row, changed_at, changed_by)
    values (tg_op, tg_table_name,
            case when tg_op <> 'INSERT' then to_jsonb(old) end,
            case when tg_op <> 'DELETE' then to_jsonb(new) end,
            now(), current_user);
    return null;
end
$$;
"""

_NAIVE_TRIGGER = """
create trigger naive_audit after insert or update or delete on {table}
for each row execute function naive_audit_trigger()
"""


def install_naive(db: BenchDatabase, tables: list[str]) -> None:
    """The usual design: one generic plpgsql row trigger writing whole rows as jsonb."""
    with db.connect() as conn:
        conn.execute(_NAIVE_SETUP)
        for table in tables:
            schema, name = table.split(".", 1)
            conn.execute(sql.SQL(_NAIVE_TRIGGER).format(table=sql.Identifier(schema, name)))


def audit_log_bytes(db: BenchDatabase) -> int:
    """pg_total_relation_size summed over every partition of audit.log_rows."""
    with db.connect() as conn:
        row = conn.execute(
            "select coalesce(sum(pg_total_relation_size(relid)), 0)::bigint"
            " from pg_partition_tree('audit.log_rows') where isleaf"
        ).fetchone()
    assert row is not None
    return int(row[0])


def audit_row_count(db: BenchDatabase) -> int:
    """Rows in audit.log_rows."""
    with db.connect() as conn:
        row = conn.execute("select count(*) from audit.log_rows").fetchone()
    assert row is not None
    return int(row[0])


def install(db: BenchDatabase, config: str, tables: TablePolicies) -> None:
    """The auditing of one configuration: ``plain`` (none), ``audited`` (pgaudit-kit, with the
    column policies of ``tables``), ``naive``, or a peer by name (bench/peers.py)."""
    if config == "audited":
        install_pgaudit_kit(db, tables)
    elif config == "naive":
        install_naive(db, list(tables))
    elif config != "plain":
        peers.by_name(config).install(db, list(tables))
