-- Bounds of the log's range partitions, read from the catalog (pg_get_expr), never from names;
-- the default partition has none. Plain catalog reads, so they work at any toolkit revision.
select ((pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                 'FROM \(''([^'']+)''\)'))[1]::timestamptz at time zone 'UTC'),
       ((pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
                                 'TO \(''([^'']+)''\)'))[1]::timestamptz at time zone 'UTC')
from pg_catalog.pg_inherits h
join pg_catalog.pg_class c on c.oid = h.inhrelid
where h.inhparent = pg_catalog.to_regclass(%(log)s)
  and pg_catalog.pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
order by 1
