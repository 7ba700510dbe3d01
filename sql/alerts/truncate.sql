-- TRUNCATE of an audited table.
select 'high' as severity, l.table_name as subject,
       format('truncated by %%s', min(l.login_role)) as detail,
       min(l.id) as first_id, count(*) as events, min(l.tx_time) as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s and l.op = 'TRUNCATE'
group by l.txid, l.table_name
