-- The leaf partitions under a partitioned table, at any depth.
select t.relid::regclass::oid, n.nspname, c.relname
from pg_catalog.pg_partition_tree(%(oid)s) t
join pg_catalog.pg_class c on c.oid = t.relid
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where t.isleaf and t.relid <> %(oid)s::regclass
order by n.nspname, c.relname
