-- The rows lookup() finds for one value of a hashed column (the function records the search).
-- The value is read from the session's temporary table, where lookup_value.sql put it by COPY:
-- a bind parameter would be written to the server log under log_statement = all, COPY data never.
select id, txid, tx_time, op, row_key, in_old, in_new, key_id
from {schema}.lookup(%(table)s, %(column)s, (select v.value from pg_temp.pgaudit_lookup_value as v))
