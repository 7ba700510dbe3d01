-- PURGE events: which blocks were purged, when, and with which partition range and classes.
select id, txid, tx_time, new_values::text from {schema}.log_rows where op = 'PURGE' order by id
