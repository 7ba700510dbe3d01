-- The toolkit schema revision Alembic recorded.
select version_num from {version_table} limit 1
