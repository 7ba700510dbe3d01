-- The witness's copy of the trail: the tables verify reads, filled by logical replication from
-- the primary's publication. Owned by a role of the witness's own server, which no role of the
-- primary holds; readers get SELECT through {readers}. log_rows is not partitioned: nothing here
-- routes rows by time, and verify reads it by transaction and id. The columns repeat the
-- toolkit's own tables (sql/toolkit/tables) on purpose: replication matches them by name, and the
-- witness takes none of the primary's sequences, defaults, partitions or functions.
create schema {schema} authorization {owner};

create table {schema}.log_rows (
    id bigint not null,
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
);
create index log_rows_txid on {schema}.log_rows (txid, id);
create index log_rows_id on {schema}.log_rows (id);

-- A primary key on the block number: a primary that reseals a rewritten history sends block
-- numbers the witness holds already, and the conflict stops replication there (the lag shows it)
-- instead of keeping two blocks of one number.
create table {schema}.blocks (
    block_no bigint primary key,
    format smallint not null,
    bucket_start timestamptz not null,
    bucket_end timestamptz not null,
    txid_lo bigint not null,
    txid_hi bigint not null,
    row_count bigint not null,
    merkle_root bytea not null,
    prev_hash bytea not null,
    sealed_at timestamptz not null,
    block_hash bytea not null,
    table_names text[]
);
create table {schema}.block_leaves (
    block_no bigint primary key,
    ids bytea not null,
    leaves bytea not null
);
create table {schema}.settings (
    singleton boolean primary key,
    partition_interval text not null,
    chain_id uuid not null
);
