-- Writes outside the configured hours (in their time zone; a window may wrap midnight).
select 'low' as severity, l.login_role || ' on ' || l.table_name as subject,
       format('%%s write(s) by %%s outside %%s-%%s %%s', count(*), l.login_role, %(start)s::text,
              %(end)s::text, %(timezone)s::text) as detail,
       min(l.id) as first_id, count(*) as events, min(l.tx_time) as at
from {schema}.log_rows as l
cross join lateral (select (l.tx_time at time zone %(timezone)s::text)::time as t) as local
where l.txid >= %(lo)s and l.txid < %(hi)s and l.op in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
  and case when %(start)s::time <= %(end)s::time
           then not (local.t >= %(start)s::time and local.t < %(end)s::time)
           else not (local.t >= %(start)s::time or local.t < %(end)s::time) end
group by l.login_role, l.table_name
