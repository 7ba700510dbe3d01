-- The named relations (schema and name pairs given as two arrays) and their kind and owner.
select c.oid, n.nspname, c.relname, c.relkind, pg_catalog.pg_get_userbyid(c.relowner)
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
join unnest(%(schemas)s::text[], %(names)s::text[]) as wanted(nspname, relname)
  on wanted.nspname = n.nspname and wanted.relname = c.relname
