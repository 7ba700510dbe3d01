-- Break-glass use: audited writes by a login role outside app_roles.
select 'high' as severity, l.login_role || ' on ' || l.table_name as subject,
       format('%%s write(s) by %%s, which is not an app role', count(*), l.login_role) as detail,
       min(l.id) as first_id, count(*) as events, min(l.tx_time) as at
from {schema}.log_rows as l
where l.txid >= %(lo)s and l.txid < %(hi)s and l.op in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
  and l.login_role <> all(%(app_roles)s::text[])
group by l.login_role, l.table_name
