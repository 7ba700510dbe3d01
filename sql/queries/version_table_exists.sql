-- Whether the toolkit's version table exists (whether the toolkit schema is installed), read from
-- the catalog by name, so any role may ask (to_regclass needs USAGE on the schema).
select exists (
    select 1
    from pg_catalog.pg_class as c
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = {schema_name} and c.relname = {table_name}
)
