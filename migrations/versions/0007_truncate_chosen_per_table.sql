-- Frozen SQL of toolkit schema revision 0007: truncate chosen per table.
-- Written by tools/freeze_revision.py from: toolkit/upgrades/0007_truncate_modes.sql,
-- toolkit/functions/trigger_health.sql, toolkit/functions/guard_ddl_command_end.sql,
-- toolkit/record_digests.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- Revision 0007 on an installed 0006: TRUNCATE chosen per table. 'statement' records one event
-- (what every table did before), 'rows' one audit row per removed row as well, 'refuse' stops a
-- TRUNCATE outside a maintenance window. rows and refuse fire BEFORE TRUNCATE, while the rows
-- still exist; trigger_health and the guard's partition triggers follow each table's mode.
alter table {schema}.audited_tables
    add column truncate_mode text not null default 'statement'
        check (truncate_mode in ('statement', 'rows', 'refuse'));

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

-- guard_ddl_command_end: after every DDL command outside pgaudit-kit's maintenance transactions:
--   * refuses commands that change objects in the audit schema;
--   * records DDL on audited tables and their partitions as DDL events, and switches a table
--     whose columns changed to generic capture (see capture_generically) so that capture neither
--     fails nor misses a column until apply regenerates it;
--   * refuses putting an audited table into an inheritance tree (CREATE TABLE ... INHERITS,
--     ALTER TABLE ... INHERIT): writes to an inheriting table never fire the audited one's
--     triggers, and its rows would leave through the parent's DELETEs unseen arriving;
--   * refuses partitions that enter or leave an audited table with rows: ATTACH of a table that
--     has storage, DETACH of one that has, a foreign table as a partition. Rows would arrive with
--     no INSERT events, or leave with no DELETE events (or change while detached and come back).
--     New partitions (CREATE TABLE ... PARTITION OF) are empty, and pass; members records each
--     table's partitions, so a partition is judged once, when it joins;
--   * gives each new leaf partition of an audited table its TRUNCATE trigger (row triggers are
--     cloned by PostgreSQL itself; TRUNCATE triggers are not). This needs TRIGGER on the new
--     partition, which apply grants through default privileges of the table owner; making it
--     fire ALWAYS needs the partition's owner, so guard_leaf_triggers does that next;
--   * refuses triggers other than the table's own audit triggers that use a capture function
--     (its owner may execute the row function, which PostgreSQL requires to clone it onto new
--     partitions; it must not forge events by firing it from a table of its own, twice, or
--     BEFORE a write that its NULL result then cancels);
--   * refuses the command if an audit trigger of a relation it touched is now missing, disabled,
--     not ALWAYS, redefined or calling another function (trigger_health).
create or replace function {schema}.guard_ddl_command_end() returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_cmd record;
    v_table_name text;
    v_relid oid;
    v_touched oid[] := '{{}}';
    v_relations oid[] := '{{}}';
    v_created regclass[] := '{{}}';
    v_table record;
    v_member record;
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
              and not ((g.tgrelid = t.relid and g.tgname = any(t.triggers))
                       or (g.tgrelid <> t.relid
                           and pg_partition_root(g.tgrelid) = t.relid::regclass
                           and g.tgname in ('pgaudit_row', 'pgaudit_truncate')));
            if found then
                raise exception using errcode = 'insufficient_privilege',
                    message = format('pgaudit-kit: %s uses the capture function of %s, which only '
                                     'its own audit triggers may call',
                                     v_cmd.object_identity, v_table_name),
                    hint = 'audit another table by adding it to pgaudit.toml and running '
                           'pgaudit-kit apply';
            end if;
            v_relations := v_relations || (select g.tgrelid from pg_trigger g where g.oid = v_cmd.objid);
        end if;
        if v_cmd.classid = 'pg_class'::regclass then
            v_relations := v_relations || v_cmd.objid;
            select t.table_name, t.relid into v_table_name, v_relid
            from {schema}.audited_tables t
            where t.relid = v_cmd.objid or t.relid = pg_partition_root(v_cmd.objid)::oid;
            if found then
                perform {schema}.record_ddl(v_table_name, v_cmd.command_tag, v_cmd.object_identity);
                v_touched := v_touched || v_relid;
            end if;
        end if;
    end loop;
    select t.table_name, i.inhrelid::regclass as child, i.inhparent::regclass as parent
    into v_table
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join {schema}.audited_tables t on t.relid in (i.inhrelid, i.inhparent)
    where not c.relispartition
    limit 1;
    if found then
        raise exception using errcode = 'insufficient_privilege',
            message = format('pgaudit-kit: audited table %s cannot be in an inheritance tree (%s '
                             'inherits from %s): its triggers miss the writes of inheriting tables',
                             v_table.table_name, v_table.child, v_table.parent),
            hint = 'audited tables stay outside inheritance; use declarative partitioning '
                   '(PARTITION OF), which pgaudit-kit audits';
    end if;
    for v_table in
        select t.relid, t.table_name, t.members
        from {schema}.audited_tables t
        where t.partitioned and t.relid = any(v_touched)
    loop
        for v_member in
            select p.relid, c.relkind, 'joins' as move
            from pg_partition_tree(v_table.relid::regclass) p
            join pg_class c on c.oid = p.relid
            where p.relid <> v_table.relid::regclass
              and not p.relid::oid = any(coalesce(v_table.members, '{{}}'))
            union all
            select m.relid::regclass, c.relkind, 'leaves'
            from unnest(v_table.members) as m(relid)
            join pg_class c on c.oid = m.relid
            where pg_partition_root(m.relid) is distinct from v_table.relid::regclass
               or exists (select 1 from pg_inherits i where i.inhrelid = m.relid and i.inhdetachpending)
        loop
            if v_member.relkind = 'f' or exists (
                select 1
                from (select v_member.relid union select p.relid
                      from pg_partition_tree(v_member.relid) p) as l(relid)
                where pg_relation_size(l.relid) > 0
            ) then
                raise exception 'pgaudit-kit: % % would % audited table % with its rows, which would have no % events',
                    case v_member.relkind when 'f' then 'foreign table' else 'partition' end,
                    v_member.relid,
                    case v_member.move when 'joins' then 'join' else 'leave' end,
                    v_table.table_name,
                    case v_member.move when 'joins' then 'INSERT' else 'DELETE' end
                    using errcode = 'insufficient_privilege',
                          hint = case v_member.move
                              when 'joins' then 'attach only new, empty tables (never foreign '
                                  'ones), then INSERT the rows through the audited table'
                              else 'DELETE the rows through the audited table first, or DROP '
                                  'the partition (recorded as DDL)'
                          end;
            end if;
        end loop;
        update {schema}.audited_tables t
        set members = coalesce((select array_agg(p.relid::oid order by p.relid::oid)
                                from pg_partition_tree(t.relid::regclass) p
                                where p.relid <> t.relid::regclass), '{{}}')
        where t.relid = v_table.relid;
    end loop;
    perform {schema}.capture_generically(u.relid)
    from (select distinct r from pg_catalog.unnest(v_touched) as r) as u(relid);
    for v_leaf in
        select h.relation, t.truncate_function,
               case t.truncate_mode when 'statement' then 'after' else 'before' end as timing
        from {schema}.trigger_health() h
        join {schema}.audited_tables t on t.table_name = h.table_name
        where h.trigger_name = 'pgaudit_truncate' and h.state = 'missing'
          and h.relation <> t.relid::regclass
    loop
        -- the guard's own CREATE TRIGGER runs in a maintenance window, closed right after, so
        -- that the guard it fires does not judge a trigger that is not finished yet
        insert into {schema}.maintenance (txid, command)
        values (pg_current_xact_id()::text::bigint, 'guard: partition trigger')
        on conflict (txid) do nothing;
        begin
            execute format('create trigger pgaudit_truncate %s truncate on %s '
                           'for each statement execute function %s',
                           v_leaf.timing, v_leaf.relation, v_leaf.truncate_function);
        exception when insufficient_privilege then
            raise exception 'pgaudit-kit: cannot add the audit TRUNCATE trigger to new partition %', v_leaf.relation
                using errcode = 'insufficient_privilege',
                      hint = format('grant TRIGGER on it to %I first, or create partitions as '
                                    'the owner of the audited table', {owner_name});
        end;
        delete from {schema}.maintenance
        where txid = pg_current_xact_id()::text::bigint and command = 'guard: partition trigger';
        v_created := v_created || v_leaf.relation;
    end loop;
    -- the triggers of every relation this command touched (and of its partitions) must be whole;
    -- a TRUNCATE trigger created just above fires ALWAYS once guard_leaf_triggers has run
    select h.* into v_hole
    from {schema}.trigger_health() h
    where h.state <> 'ok'
      and (h.relation = any(v_relations)
           or exists (select 1 from unnest(v_relations) as r(relid)
                      cross join lateral pg_partition_tree(r.relid::regclass) as p
                      where p.relid = h.relation))
      and not (h.state = 'not always' and h.relation = any(v_created))
    limit 1;
    if found then
        raise exception 'pgaudit-kit: audit trigger % on % would be %', v_hole.trigger_name,
            v_hole.relation, v_hole.state
            using errcode = 'insufficient_privilege',
                  hint = 'audit triggers are protected; to stop auditing a table, remove it '
                         'from pgaudit.toml and run pgaudit-kit apply';
    end if;
end
$pgaudit$;

-- Every revision that creates or replaces functions ends by recording their fingerprints, the
-- ones integrity() compares the live definitions with.
select {schema}.record_function_digests();
