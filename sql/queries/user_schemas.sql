-- The database's own schemas (not pg_catalog, information_schema, TOAST or temporary ones):
-- init checks the schemas it is asked for against them.
select n.nspname
from pg_catalog.pg_namespace n
where n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
order by n.nspname
