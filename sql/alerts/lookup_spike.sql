-- A spike of lookups by one role: someone enumerating values of a hashed column.
select 'medium' as severity, l.login_role as subject,
       format('%%s lookups by %%s', count(*), l.login_role) as detail,
       min(l.id) as first_id, count(*) as events, min(l.tx_time) as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s and l.op = 'LOOKUP'
group by l.login_role
having count(*) > %(lookups)s
