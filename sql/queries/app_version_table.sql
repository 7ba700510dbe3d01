-- The application's Alembic version table, found as the name resolves on the search_path.
select n.nspname, c.relname
from pg_catalog.pg_class c
join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.oid = pg_catalog.to_regclass(%(name)s)
