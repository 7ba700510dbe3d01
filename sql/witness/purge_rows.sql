-- The rows of one block the primary purged: its sealing range's transactions, its bucket's time.
delete from {schema}.log_rows
where txid between %(txid_lo)s and %(txid_hi)s and tx_time >= %(start)s and tx_time < %(end)s
