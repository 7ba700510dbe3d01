-- Rows not sealed yet (transactions at or above the sealed horizon): counted, not protected.
select count(*), min(tx_time) from {schema}.log_rows where txid >= %(horizon)s
