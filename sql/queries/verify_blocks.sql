-- Block headers for verify, as canonical text: the hashed fields (chain.BLOCK_COLUMNS), then the
-- stored block hash. Hashes go out as hex, exactly as the block line hashes them.
copy (
    select format, block_no, bucket_start, bucket_end, txid_lo, txid_hi, row_count,
           encode(merkle_root, 'hex'), encode(prev_hash, 'hex'), sealed_at, encode(block_hash, 'hex')
    from {schema}.blocks
    order by block_no
) to stdout
