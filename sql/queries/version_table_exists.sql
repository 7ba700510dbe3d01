-- Whether the toolkit's version table exists (whether the toolkit schema is installed).
select pg_catalog.to_regclass({table}) is not null
