-- guard_leaf_triggers: makes the TRUNCATE trigger the guard gave a new partition of an audited
-- table fire ALWAYS. The guard itself runs as the owner role, which may create that trigger (apply
-- granted it TRIGGER on the table owner's new tables) but not change how it fires: only the
-- partition's owner may, and that is who created or attached it. So this part runs with the
-- caller's own rights (no SECURITY DEFINER), after the guard (event triggers fire in name order),
-- reads only the catalog, and touches nothing but TRUNCATE triggers calling an audit function.
create or replace function {schema}.guard_leaf_triggers() returns event_trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_leaf record;
begin
    for v_leaf in
        select distinct n.nspname, c.relname
        from pg_event_trigger_ddl_commands() as d
        cross join lateral (
            select d.objid
            union
            select p.relid from pg_partition_tree(d.objid::regclass) as p
        ) as r(relid)
        join pg_trigger as g on g.tgrelid = r.relid
        join pg_proc as f on f.oid = g.tgfoid
        join pg_class as c on c.oid = g.tgrelid
        join pg_namespace as n on n.oid = c.relnamespace
        where d.classid = 'pg_class'::regclass and g.tgname = 'pgaudit_truncate'
          and g.tgenabled = 'O' and f.pronamespace = {schema_name}::regnamespace
    loop
        execute format('alter table %I.%I enable always trigger pgaudit_truncate',
                       v_leaf.nspname, v_leaf.relname);
    end loop;
end
$pgaudit$;
