-- premake_partitions: makes sure the log has a partition for the current period and p_ahead
-- periods after it, and for every period that has rows waiting in the default partition, so no
-- row stays there: it creates what missing_partitions lists. Idempotent; returns how many
-- partitions it created. SECURITY DEFINER so partitions belong to the audit owner, whoever calls
-- it; lock_timeout keeps it from queueing behind long transactions (maintain reports the failure
-- and retries next run).
create or replace function {schema}.premake_partitions(p_ahead integer) returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set lock_timeout = '5s'
as $pgaudit$
declare
    v_missing record;
    v_created integer := 0;
begin
    for v_missing in select * from {schema}.missing_partitions(p_ahead) loop
        perform {schema}.begin_maintenance('premake_partitions');
        perform {schema}.create_partition(v_missing.range_from, v_missing.range_to);
        v_created := v_created + 1;
    end loop;
    return v_created;
end
$pgaudit$;
