-- guard_table_rewrite: refuses, outside pgaudit-kit's maintenance transactions, an ALTER that
-- rewrites the values of an audited table's columns (ALTER COLUMN ... TYPE with or without
-- USING): every row would change with one DDL event and no UPDATE events. Rewrites that keep
-- values (a new column's volatile default, SET LOGGED, SET ACCESS METHOD) pass; reason bit 4 is
-- PostgreSQL's AT_REWRITE_COLUMN_REWRITE.
create or replace function {schema}.guard_table_rewrite() returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_relid oid := pg_event_trigger_table_rewrite_oid();
    v_table_name text;
begin
    if {schema}.in_maintenance() or pg_event_trigger_table_rewrite_reason() & 4 = 0 then
        return;
    end if;
    select t.table_name into v_table_name
    from {schema}.audited_tables as t
    where t.relid = v_relid or t.relid = pg_partition_root(v_relid);
    if found then
        raise exception 'pgaudit-kit: % would rewrite the column values of audited table % with no UPDATE events',
            tg_tag, v_table_name
            using errcode = 'insufficient_privilege',
                  hint = 'change the values with UPDATE (add a column of the new type, UPDATE, '
                         'drop the old one, rename), or see "Rewriting an audited column" in the '
                         'pgaudit-kit README';
    end if;
end
$pgaudit$;
