-- trigger_health: every audit trigger that should exist, and its state, read from what is live:
-- the trigger must call the table's registered capture function, on exactly the events, level,
-- timing and transition tables apply created (no WHEN condition, no column list, no arguments),
-- and fire ALWAYS (even with session_replication_role = replica), the TRUNCATE triggers of
-- partitions included. 'ok', else 'missing', 'wrong function', 'redefined', 'disabled' or
-- 'not always': each is a hole in the trail. The guard refuses DDL that leaves one; status, check
-- and report show them; apply repairs them. tgtype: 1 row, 2 before, 4 insert, 8 delete,
-- 16 update, 32 truncate (no bit for AFTER); a TRUNCATE trigger fires BEFORE when its table's
-- truncate_mode is rows or refuse (revision 0007).
create or replace function {schema}.trigger_health()
returns table (table_name text, relation regclass, trigger_name text, state text)
language sql stable
set search_path = pg_catalog, pg_temp
as $pgaudit$
    with live as (
        select t.* from {schema}.audited_tables t
        where exists (select 1 from pg_class c where c.oid = t.relid)
    ),
    expected as (
        select l.table_name, l.relid::regclass as relation, tg.name as trigger_name,
               case tg.name
                   when 'pgaudit_insert' then l.statement_function
                   when 'pgaudit_delete' then l.statement_function
                   when 'pgaudit_truncate' then l.truncate_function
                   else l.row_function
               end::oid as function,
               case tg.name
                   when 'pgaudit_insert' then 4
                   when 'pgaudit_delete' then 8
                   when 'pgaudit_update' then 17
                   when 'pgaudit_truncate' then
                       case l.truncate_mode when 'statement' then 32 else 34 end
                   else 29
               end as tgtype,
               case tg.name when 'pgaudit_insert' then 'new_rows' end as new_table,
               case tg.name when 'pgaudit_delete' then 'old_rows' end as old_table
        from live l, unnest(l.triggers) as tg(name)
        union all
        select l.table_name, p.relid, n.name,
               case n.name when 'pgaudit_row' then l.row_function else l.truncate_function end::oid,
               case n.name
                   when 'pgaudit_row' then 29
                   else case l.truncate_mode when 'statement' then 32 else 34 end
               end, null, null
        from live l
        cross join lateral pg_partition_tree(l.relid::regclass) p
        cross join (values ('pgaudit_row'), ('pgaudit_truncate')) as n(name)
        where l.partitioned and p.isleaf and p.relid <> l.relid::regclass
    )
    select e.table_name, e.relation, e.trigger_name,
           case
               when g.oid is null then 'missing'
               when g.tgfoid <> e.function then 'wrong function'
               when g.tgtype <> e.tgtype or g.tgqual is not null or g.tgnargs <> 0
                    or g.tgattr::text <> '' or g.tgconstraint <> 0
                    or g.tgnewtable is distinct from e.new_table
                    or g.tgoldtable is distinct from e.old_table then 'redefined'
               when g.tgenabled = 'D' then 'disabled'
               when g.tgenabled <> 'A' then 'not always'
               else 'ok'
           end
    from expected e
    left join pg_trigger g on g.tgrelid = e.relation and g.tgname = e.trigger_name
    order by e.table_name, e.relation::text, e.trigger_name
$pgaudit$;
