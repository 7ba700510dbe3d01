-- Whether the owner role exists (an Alembic revision skips creating it then).
select exists (select 1 from pg_catalog.pg_roles where rolname = {owner_name})
