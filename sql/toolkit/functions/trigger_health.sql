-- trigger_health: every audit trigger that should exist, and its state. 'ok' fires always (even
-- with session_replication_role = replica); 'origin' fires normally (a TRUNCATE trigger the guard
-- added to a new partition: apply makes it 'ok'); 'not always', 'disabled' and 'missing' are
-- holes in the trail. The guard refuses DDL that leaves a hole; status and check report them.
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
               true as must_be_always
        from live l, unnest(l.triggers) as tg(name)
        union all
        select l.table_name, p.relid, n.name, n.name = 'pgaudit_row'
        from live l
        cross join lateral pg_partition_tree(l.relid::regclass) p
        cross join (values ('pgaudit_row'), ('pgaudit_truncate')) as n(name)
        where l.partitioned and p.isleaf and p.relid <> l.relid::regclass
    )
    select e.table_name, e.relation, e.trigger_name,
           case
               when g.oid is null then 'missing'
               when g.tgenabled = 'D' then 'disabled'
               when g.tgenabled = 'A' then 'ok'
               when e.must_be_always then 'not always'
               else 'origin'
           end
    from expected e
    left join pg_trigger g on g.tgrelid = e.relation and g.tgname = e.trigger_name
    order by e.table_name, e.relation::text, e.trigger_name
$pgaudit$;
