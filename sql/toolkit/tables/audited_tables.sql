-- audited_tables: what pgaudit-kit installed on each audited table, keyed by relation oid (stable
-- across renames), so the guard can check trigger health and status/check can compare config and
-- live catalog against it. Auditors may read it: policies are not secret. retention_class
-- names a retention_classes row (revision 0002). The capture options and capture_mode come from
-- revision 0003: attnums (column name -> attnum at apply) lets the guard tell a renamed column from a
-- new one; after it sees a table's columns change, capture is 'generic' (by column name, under
-- generic_policies and generic_keys, which it derives) until apply regenerates it. members
-- (revision 0006): the partitions of a partitioned table that the guard or apply accepted.
-- truncate_mode (revision 0007): what a TRUNCATE records (statement, rows) or whether it is
-- refused.
create table {schema}.audited_tables (
    relid oid primary key,
    table_name text not null unique,
    partitioned boolean not null,
    key_columns text[] not null,
    policies jsonb not null,
    columns jsonb not null,
    statement_function regprocedure,
    row_function regprocedure not null,
    truncate_function regprocedure not null,
    triggers text[] not null,
    fingerprint text not null,
    installed_at timestamptz not null default pg_catalog.now(),
    retention_class text not null default 'default',
    default_policy text not null default 'hash',
    skip_unchanged boolean not null default true,
    update_images text not null default 'changed',
    capture_mode text not null default 'fast' check (capture_mode in ('fast', 'generic')),
    drift_detected_at timestamptz,
    drift_detail text,
    attnums jsonb,
    generic_policies jsonb,
    generic_keys text[],
    members oid[],
    truncate_mode text not null default 'statement'
        check (truncate_mode in ('statement', 'rows', 'refuse'))
);
