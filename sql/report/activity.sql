-- Activity over the report's period, for charts: audit rows per table, operation, login role and
-- day (UTC). Counts only: no value of any row leaves the database.
select case grouping(l.table_name, l.op, l.login_role, l.tx_time::date)
           when 7 then 'table' when 11 then 'op' when 13 then 'role' else 'day'
       end as dimension,
       coalesce(l.table_name, l.op, l.login_role, l.tx_time::date::text, '(none)') as label,
       count(*) as n
from {schema}.log as l
where l.tx_time >= %(from)s and l.tx_time < %(to)s
group by grouping sets ((l.table_name), (l.op), (l.login_role), (l.tx_time::date))
order by dimension, n desc, label
