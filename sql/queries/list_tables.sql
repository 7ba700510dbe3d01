-- Ordinary and partitioned tables (not partitions) in the given schemas (all user schemas when
-- NULL), minus excluded schemas. Used by init.
select n.nspname, c.relname
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
  and (%(schemas)s::text[] is null or n.nspname = any(%(schemas)s::text[]))
  and n.nspname <> all(%(exclude)s::text[])
order by n.nspname, c.relname
