-- guard_sql_drop: refuses DROPs that would erase or silence the trail outside pgaudit-kit's own
-- maintenance transactions: anything in the audit schema, and any audit trigger dropped on its own.
-- Dropping an audited table (or a partition) takes its triggers along; PostgreSQL cannot record
-- its rows, so the drop itself is recorded as a DDL event, once per table.
create or replace function {schema}.guard_sql_drop() returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_obj record;
begin
    if {schema}.in_maintenance() then
        return;
    end if;
    for v_obj in
        select * from pg_event_trigger_dropped_objects()
        where schema_name = {schema_name} or (object_type = 'trigger' and original)
    loop
        if v_obj.schema_name = {schema_name} then
            raise exception 'pgaudit-kit: % % belongs to the audit trail and cannot be dropped',
                v_obj.object_type, v_obj.object_identity
                using errcode = 'insufficient_privilege',
                      hint = 'use pgaudit-kit uninstall, or purge for expired partitions';
        end if;
        if v_obj.address_names[3] like 'pgaudit\_%' then
            raise exception 'pgaudit-kit: audit trigger % cannot be dropped', v_obj.object_identity
                using errcode = 'insufficient_privilege',
                      hint = 'to stop auditing a table, remove it from pgaudit.toml and run pgaudit-kit apply';
        end if;
    end loop;
    for v_obj in
        select distinct o.address_names[1] as schema_name, o.address_names[2] as relation_name
        from pg_event_trigger_dropped_objects() o
        where o.object_type = 'trigger' and not o.original and o.address_names[3] like 'pgaudit\_%'
    loop
        perform {schema}.record_ddl(format('%I.%I', v_obj.schema_name, v_obj.relation_name), tg_tag,
                                    format('%I.%I', v_obj.schema_name, v_obj.relation_name));
    end loop;
end
$pgaudit$;
