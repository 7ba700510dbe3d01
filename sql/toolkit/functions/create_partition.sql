-- create_partition: adds the log partition [p_from, p_to). When the default partition already
-- holds rows of that range (written while no partition covered them), they are moved into the new
-- table first and the table is attached afterwards: PostgreSQL refuses to add a partition while
-- the default partition holds rows that belong to it. Rows keep their content, so their hashes
-- and blocks are unchanged. The caller opens the maintenance window.
create or replace function {schema}.create_partition(p_from timestamptz, p_to timestamptz)
returns regclass
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
declare
    v_name text := 'log_rows_p' || to_char(p_from, 'YYYYMMDD');
begin
    if exists (
        select 1 from {schema}.log_rows_default as d
        where d.tx_time >= p_from and d.tx_time < p_to
    ) then
        execute format('create table %I.%I (like %I.log_rows including defaults)',
                       {schema_name}, v_name, {schema_name});
        execute format('with moved as (delete from %I.log_rows_default where tx_time >= %L and tx_time < %L returning *) '
                       'insert into %I.%I select * from moved',
                       {schema_name}, p_from, p_to, {schema_name}, v_name);
        execute format('alter table %I.log_rows attach partition %I.%I for values from (%L) to (%L)',
                       {schema_name}, {schema_name}, v_name, p_from, p_to);
    else
        execute format('create table %I.%I partition of %I.log_rows for values from (%L) to (%L)',
                       {schema_name}, v_name, {schema_name}, p_from, p_to);
    end if;
    return format('%I.%I', {schema_name}, v_name)::regclass;
end
$pgaudit$;
