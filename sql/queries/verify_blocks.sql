-- Block headers for verify, as canonical text: every field any format hashes
-- (chain.BLOCK_COLUMNS), then the stored block hash. Hashes go out as hex, as block lines hash them.
copy (
    select format, block_no, bucket_start, bucket_end, txid_lo, txid_hi, row_count,
           encode(merkle_root, 'hex'), encode(prev_hash, 'hex'), sealed_at, {table_names},
           encode(block_hash, 'hex')
    from {schema}.blocks
    order by block_no
) to stdout
