-- Whether the trail holds or held this table: audited now, named by a sealed block, or in an
-- unsealed row (a hold protects rows that exist, whether or not the table is still audited).
select exists (select 1 from {schema}.audited_tables where table_name = %(table)s)
    or exists (select 1 from {schema}.blocks where %(table)s = any(table_names))
    or exists (select 1 from {schema}.log_rows where table_name = %(table)s)
