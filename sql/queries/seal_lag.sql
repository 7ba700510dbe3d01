-- How far sealing lags: the sealed horizon, the rows above it, and what holds the horizon back
-- (the oldest transaction still running anywhere in the cluster, or a prepared transaction).
select (select coalesce(max(txid_hi), 0) from {schema}.blocks) as sealed_horizon,
       (select max(block_no) from {schema}.blocks) as last_block,
       pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint as horizon_now
