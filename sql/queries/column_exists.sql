-- Whether a table has a column (one a later toolkit revision added, say).
select exists (
    select 1 from pg_catalog.pg_attribute
    where attrelid = pg_catalog.to_regclass(%(table)s) and attname = %(column)s and not attisdropped
)
