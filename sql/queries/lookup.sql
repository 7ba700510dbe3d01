-- The rows lookup() finds for one value of a hashed column (the function records the search).
select id, txid, tx_time, op, row_key, in_old, in_new, key_id
from {schema}.lookup(%(table)s, %(column)s, %(value)s)
