-- Bulk change: more than bulk_rows rows of one table changed by one transaction.
select 'high' as severity, l.table_name as subject,
       format('%%s rows changed in one transaction (txid %%s, %%s) by %%s', count(*), l.txid,
              string_agg(distinct l.op, '/'), min(l.login_role)) as detail,
       min(l.id) as first_id, count(*) as events, min(l.tx_time) as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s and l.op in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
group by l.txid, l.table_name
having count(*) > %(bulk_rows)s
