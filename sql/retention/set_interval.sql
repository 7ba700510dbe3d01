-- A new partition interval, allowed only while the log holds no row: its empty partitions go, and
-- premake_partitions makes new ones of the new width (the sealing buckets follow the setting).
do $pgaudit$
declare
    v_partition regclass;
begin
    for v_partition in select p.partition from {schema}.partitions() as p where not p.is_default loop
        execute format('drop table %s', v_partition);
    end loop;
end
$pgaudit$;
update {schema}.settings set partition_interval = {interval};
