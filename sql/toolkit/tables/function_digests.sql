-- function_digests: a fingerprint of every function in the audit schema as pgaudit-kit made it,
-- recorded when a revision installs functions, when apply installs a table's capture and when the
-- guard switches a table to generic capture (record_function_digests). integrity() compares the
-- live functions with it, so a body replaced behind pgaudit-kit's back (by a superuser, in a
-- maintenance window) shows in status, check and report, and apply puts the function back.
create table {schema}.function_digests (
    function_oid oid primary key,
    name text not null,
    signature text not null,
    digest text not null,
    recorded_at timestamptz not null default pg_catalog.now()
);
