-- Unsealed rows no seal will ever take, or that claim a time still to come: a transaction id the
-- server has not assigned yet (at or above this snapshot's xmax), a time after the verifier's
-- clock, or (before the first block) an id below where sealing starts.
select id, txid, tx_time::text,
       case when txid < %(floor)s then 'below'
            when txid >= pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint
            then 'unassigned'
            else 'future' end
from {schema}.log_rows
where txid < %(floor)s
   or (txid >= %(horizon)s
       and (txid >= pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint
            or tx_time > %(latest)s))
order by txid, id
limit 1000
