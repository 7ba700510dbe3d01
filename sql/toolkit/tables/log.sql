-- log_rows: one row per captured change (auditors read it through the log view).
-- Range-partitioned by transaction time so retention drops whole partitions, never DELETEs rows; the
-- default partition catches any row whose month has no partition yet, so a write is never lost.
-- No primary key: a partitioned table's key must include tx_time, and a btree maintained per row
-- would cost about as much as the audit write itself. Ids come from one sequence; verify checks
-- they are unique. BRIN indexes on txid (sealing reads transaction-id ranges) and id (prove,
-- redact): both grow with insertion order, so BRIN summarizes them at almost no write cost.
create sequence {schema}.log_id_seq as bigint;
create table {schema}.log_rows (
    id bigint not null default pg_catalog.nextval({log_id_seq}),
    txid bigint not null,
    tx_time timestamptz not null,
    stmt_time timestamptz not null,
    op text not null,
    table_name text,
    row_key json,
    old_values json,
    new_values json,
    changed_columns text[],
    login_role text not null,
    effective_role text not null,
    application_name text,
    client_addr inet,
    request_id text,
    trace_id text,
    key_id integer
) partition by range (tx_time);
alter sequence {schema}.log_id_seq owned by {schema}.log_rows.id;
create table {schema}.log_rows_default partition of {schema}.log_rows default;
create index log_rows_txid_brin on {schema}.log_rows using brin (txid) with (pages_per_range = 32);
create index log_rows_id_brin on {schema}.log_rows using brin (id) with (pages_per_range = 32);

-- log: the relation auditors query. Images are stored as json text (what capture builds, and
-- what the chain hashes: json_build_object is cheaper to write and its text costs nothing to
-- read back, while jsonb output is the most expensive part of reading the trail) and shown here
-- as jsonb, so auditors get jsonb operators. Filters on the view reach the table's indexes.
create view {schema}.log as
select id, txid, tx_time, stmt_time, op, table_name,
       row_key::jsonb as row_key, old_values::jsonb as old_values, new_values::jsonb as new_values,
       changed_columns, login_role, effective_role, application_name, client_addr, request_id,
       trace_id, key_id
from {schema}.log_rows;
comment on view {schema}.log is 'pgaudit-kit: one row per captured change; PII only as HMAC tokens or masks';
