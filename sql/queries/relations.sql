-- The named relations (schema and name pairs given as two arrays): kind, owner, the partitioned
-- table a partition belongs to, and the tables in a plain inheritance relation with it (parents
-- and children; partitions are not inheritance here).
select c.oid, n.nspname, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner),
       (select array[pn.nspname::text, p.relname::text]
        from pg_catalog.pg_inherits i
        join pg_catalog.pg_class p on p.oid = i.inhparent
        join pg_catalog.pg_namespace pn on pn.oid = p.relnamespace
        where i.inhrelid = c.oid and c.relispartition),
       (select array_agg(array[rn.nspname::text, r.relname::text] order by rn.nspname, r.relname)
        from pg_catalog.pg_inherits i
        join pg_catalog.pg_class r
          on r.oid = case when i.inhrelid = c.oid then i.inhparent else i.inhrelid end
        join pg_catalog.pg_namespace rn on rn.oid = r.relnamespace
        join pg_catalog.pg_class child on child.oid = i.inhrelid
        where (i.inhrelid = c.oid or i.inhparent = c.oid) and not child.relispartition)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join unnest(%(schemas)s::text[], %(names)s::text[]) as wanted(nspname, relname)
  on wanted.nspname = n.nspname and wanted.relname = c.relname
