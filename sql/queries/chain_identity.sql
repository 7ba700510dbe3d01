-- What a digest names: this chain, its database and schema, and its head block.
select s.chain_id::text, current_database(), b.block_no, encode(b.block_hash, 'hex'), b.txid_hi,
       (select coalesce(sum(row_count), 0) from {schema}.blocks)
from {schema}.settings as s
left join lateral (
    select block_no, block_hash, txid_hi from {schema}.blocks order by block_no desc limit 1
) as b on true
