-- Whether the audit schema exists (an Alembic revision skips creating it then).
select exists (select 1 from pg_catalog.pg_namespace where nspname = {schema_name})
