-- Revision 0003 on an installed 0002: what generic capture needs to know about each table, and
-- whether a table is captured generically since its columns changed. attnums of tables already
-- audited are read from the catalog now: their capture would have failed had they drifted.
alter table {schema}.audited_tables
    add column default_policy text not null default 'hash',
    add column skip_unchanged boolean not null default true,
    add column update_images text not null default 'changed',
    add column capture_mode text not null default 'fast' check (capture_mode in ('fast', 'generic')),
    add column drift_detected_at timestamptz,
    add column drift_detail text,
    add column attnums jsonb,
    add column generic_policies jsonb,
    add column generic_keys text[];
update {schema}.audited_tables as t
set attnums = (
    select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
    from pg_catalog.pg_attribute as a
    where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped
);
