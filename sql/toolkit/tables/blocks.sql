-- blocks: one header per sealed block, kept forever (also after purge). Each header commits to its
-- rows (Merkle root of their leaf hashes), to the previous block (prev_hash), and to itself
-- (block_hash over every other field), in the format pgaudit_kit/chain.py defines. table_names
-- ('' for events of no table) lets purge find a partition's retention classes without reading its
-- rows, and lets verify judge a purge after the rows are gone: format 2 (revision 0006) hashes it;
-- format 1 did not, and blocks sealed before revision 0002 have none.
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

-- block_leaves: each block's row ids (8-byte big-endian) and leaf hashes (32 bytes), in leaf
-- order. Verify needs them only to name what is wrong in a block whose root no longer matches
-- (which row was edited, deleted, inserted or swapped); prove uses them for inclusion paths.
-- They are authenticated by the block's Merkle root.
create table {schema}.block_leaves (
    block_no bigint primary key references {schema}.blocks (block_no),
    ids bytea not null,
    leaves bytea not null
);
