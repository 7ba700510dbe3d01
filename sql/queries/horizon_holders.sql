-- Transactions holding the sealing horizon back, oldest first: running ones with an assigned
-- transaction id (any database of the cluster), and prepared ones.
select 'running' as kind, a.pid::text as who, a.usename::text as role, a.datname::text as database,
       a.state, a.xact_start as since, pg_catalog.age(a.backend_xid) as age_in_transactions
from pg_catalog.pg_stat_activity as a
where a.backend_xid is not null and a.pid <> pg_catalog.pg_backend_pid()
union all
select 'prepared', p.gid, p.owner::text, p.database::text, 'prepared', p.prepared,
       pg_catalog.age(p.transaction)
from pg_catalog.pg_prepared_xacts as p
order by age_in_transactions desc
limit 5
