-- guard_ddl_command_end: after every DDL command outside pgaudit-kit's maintenance transactions:
--   * refuses commands that change objects in the audit schema;
--   * records DDL on audited tables and their partitions as DDL events, and switches a table
--     whose columns changed to generic capture (see capture_generically) so that capture neither
--     fails nor misses a column until apply regenerates it;
--   * gives each new leaf partition of an audited table its TRUNCATE trigger (row triggers are
--     cloned by PostgreSQL itself; TRUNCATE triggers are not). This needs TRIGGER on the new
--     partition, which apply grants through default privileges of the table owner;
--   * refuses triggers that use a capture function on any other relation (its owner may execute
--     the row function, which PostgreSQL requires to clone it onto new partitions; it must not
--     be able to forge events by firing it from a table of its own);
--   * refuses the command if any audit trigger is now missing, disabled or no longer ALWAYS.
create or replace function {schema}.guard_ddl_command_end() returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_cmd record;
    v_table_name text;
    v_relid oid;
    v_touched oid[] := '{{}}';
    v_leaf record;
    v_hole record;
begin
    if {schema}.in_maintenance() then
        return;
    end if;
    for v_cmd in select * from pg_event_trigger_ddl_commands() loop
        if v_cmd.schema_name = {schema_name} then
            raise exception 'pgaudit-kit: % on % would change the audit trail', v_cmd.command_tag,
                v_cmd.object_identity
                using errcode = 'insufficient_privilege',
                      hint = 'only pgaudit-kit apply may change the audit schema';
        end if;
        if v_cmd.classid = 'pg_trigger'::regclass then
            select t.table_name into v_table_name
            from pg_trigger g
            join {schema}.audited_tables t
              on g.tgfoid in (t.row_function, t.statement_function, t.truncate_function)
            where g.oid = v_cmd.objid
              and g.tgrelid <> t.relid
              and pg_partition_root(g.tgrelid) is distinct from t.relid::regclass;
            if found then
                raise exception 'pgaudit-kit: % uses the capture function of %, which fires only on that table',
                    v_cmd.object_identity, v_table_name
                    using errcode = 'insufficient_privilege',
                          hint = 'audit another table by adding it to pgaudit.toml and running pgaudit-kit apply';
            end if;
        end if;
        if v_cmd.classid = 'pg_class'::regclass then
            select t.table_name, t.relid into v_table_name, v_relid
            from {schema}.audited_tables t
            where t.relid = v_cmd.objid or t.relid = pg_partition_root(v_cmd.objid)::oid;
            if found then
                perform {schema}.record_ddl(v_table_name, v_cmd.command_tag, v_cmd.object_identity);
                v_touched := v_touched || v_relid;
            end if;
        end if;
    end loop;
    perform {schema}.capture_generically(u.relid)
    from (select distinct r from pg_catalog.unnest(v_touched) as r) as u(relid);
    for v_leaf in
        select h.relation, t.truncate_function
        from {schema}.trigger_health() h
        join {schema}.audited_tables t on t.table_name = h.table_name
        where h.trigger_name = 'pgaudit_truncate' and h.state = 'missing'
          and h.relation <> t.relid::regclass
    loop
        begin
            execute format('create trigger pgaudit_truncate after truncate on %s for each statement execute function %s',
                           v_leaf.relation, v_leaf.truncate_function);
        exception when insufficient_privilege then
            raise exception 'pgaudit-kit: cannot add the audit TRUNCATE trigger to new partition %', v_leaf.relation
                using errcode = 'insufficient_privilege',
                      hint = format('grant TRIGGER on it to %I first, or create partitions as the owner of the audited table', {owner_name});
        end;
    end loop;
    select h.* into v_hole from {schema}.trigger_health() h
    where h.state in ('missing', 'disabled', 'not always')
    limit 1;
    if found then
        raise exception 'pgaudit-kit: audit trigger % on % would be %', v_hole.trigger_name,
            v_hole.relation, v_hole.state
            using errcode = 'insufficient_privilege',
                  hint = 'audit triggers are protected; to stop auditing a table, remove it from pgaudit.toml and run pgaudit-kit apply';
    end if;
end
$pgaudit$;
