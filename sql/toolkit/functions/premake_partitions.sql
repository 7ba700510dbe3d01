-- premake_partitions: makes sure the log has a partition for the current period and p_ahead
-- periods after it (settings.partition_interval, aligned in UTC), and for every period that has
-- rows waiting in the default partition, so no row stays there. A period that an existing
-- partition already overlaps is left alone. Idempotent; returns how many partitions it created.
-- SECURITY DEFINER so partitions belong to the audit owner, whoever calls it; lock_timeout keeps
-- it from queueing behind long transactions (maintain reports the failure and retries next run).
create or replace function {schema}.premake_partitions(p_ahead integer) returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set lock_timeout = '5s'
as $pgaudit$
declare
    v_interval text;
    v_step interval;
    v_from timestamptz;
    v_created integer := 0;
begin
    select s.partition_interval into v_interval from {schema}.settings as s;
    v_step := ('1 ' || v_interval)::interval;
    for v_from in
        select p.start
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
        order by p.start
    loop
        perform {schema}.begin_maintenance('premake_partitions');
        perform {schema}.create_partition(v_from, v_from + v_step);
        v_created := v_created + 1;
    end loop;
    return v_created;
end
$pgaudit$;
