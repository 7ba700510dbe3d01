-- The witness's subscription: whether it is enabled, whether its apply worker runs, and the
-- errors it met (a conflict, a refused change) since it started.
select s.subenabled,
       exists (select from pg_catalog.pg_stat_subscription as w
               where w.subid = s.oid and w.pid is not null),
       coalesce((select t.apply_error_count + t.sync_error_count
                 from pg_catalog.pg_stat_subscription_stats as t where t.subid = s.oid), 0)
from pg_catalog.pg_subscription as s
where s.subname = %(name)s and s.subdbid = (select oid from pg_catalog.pg_database
                                            where datname = pg_catalog.current_database())
