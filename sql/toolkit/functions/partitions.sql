-- partitions: the partitions of log_rows and their bounds, read from the catalog
-- (pg_get_expr(relpartbound)), never from their names. Bounds render in UTC, pinned here.
create or replace function {schema}.partitions()
returns table (partition regclass, range_from timestamptz, range_to timestamptz, is_default boolean)
language sql stable
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
    select c.oid::regclass,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
    from pg_inherits as h
    join pg_class as c on c.oid = h.inhrelid
    where h.inhparent = {log_regclass}::regclass
    order by 2 nulls last
$pgaudit$;
