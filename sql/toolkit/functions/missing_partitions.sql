-- missing_partitions: the log partitions premake_partitions would create: one for the current
-- period and p_ahead periods after it (settings.partition_interval, aligned in UTC), and one for
-- every period that has rows waiting in the default partition, each unless an existing partition
-- overlaps it. The one place partition periods are computed: plan reads it to say what apply
-- will create. SECURITY DEFINER, granted to readers of the trail (who may run plan): it reads the
-- default partition and returns ranges only.
create or replace function {schema}.missing_partitions(p_ahead integer)
returns table (range_from timestamptz, range_to timestamptz)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
declare
    v_interval text;
    v_step interval;
begin
    select s.partition_interval into v_interval from {schema}.settings as s;
    v_step := ('1 ' || v_interval)::interval;
    return query
    select p.start, p.start + v_step
    from (
        select date_trunc(v_interval, now()) + v_step * g as start
        from generate_series(0, p_ahead) as g
        union
        select date_trunc(v_interval, d.tx_time) from {schema}.log_rows_default as d
    ) as p
    where not exists (
        select 1 from {schema}.partitions() as x
        where not x.is_default and x.range_from < p.start + v_step and x.range_to > p.start
    )
    order by p.start;
end
$pgaudit$;
