-- Frozen SQL of toolkit schema revision 0003: generic capture after column changes.
-- Written by tools/freeze_revision.py from: toolkit/upgrades/0003_drift.sql, toolkit/functions/pick.sql, toolkit/functions/apply_policies.sql, toolkit/functions/capture_generically.sql, toolkit/functions/guard_ddl_command_end.sql, toolkit/privileges.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- Revision 0003 on an installed 0002: what generic capture needs to know about each table, and
-- whether a table is captured generically since its columns changed. attnums of tables already
-- audited are read from the catalog now: their capture would have failed had they drifted.
alter table {schema}.audited_tables
    add column default_policy text not null default 'hash',
    add column skip_unchanged boolean not null default true,
    add column update_images text not null default 'changed',
    add column capture_mode text not null default 'fast' check (capture_mode in ('fast', 'generic')),
    add column drift_detected_at timestamptz,
    add column drift_detail text,
    add column attnums jsonb,
    add column generic_policies jsonb,
    add column generic_keys text[];
update {schema}.audited_tables as t
set attnums = (
    select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
    from pg_catalog.pg_attribute as a
    where a.attrelid = t.relid and a.attnum > 0 and not a.attisdropped
);

-- pick: the members of a jsonb object named in p_keys (those it has).
create or replace function {schema}.pick(p_row jsonb, p_keys text[]) returns jsonb
language sql immutable parallel safe
return (
    select coalesce(pg_catalog.jsonb_object_agg(k.name, p_row -> k.name), '{{}}'::jsonb)
    from pg_catalog.unnest(p_keys) as k(name)
    where p_row ? k.name
);

-- apply_policies: a row image (to_jsonb of a row) under column policies looked up by name; any
-- column the map does not name gets p_default (hash or omit), so a column added after apply is
-- never stored in plain text. Used by generic capture only: fast capture bakes each column's
-- policy into its own SQL. The HMAC input is the value as to_jsonb renders it (the same text as
-- the fast path for text and numbers, not for timestamps or arrays).
create or replace function {schema}.apply_policies(p_row jsonb, p_policies jsonb, p_default text,
                                                   p_k_in bytea, p_k_out bytea)
returns json
language sql stable parallel safe
return (
    select coalesce(pg_catalog.json_object_agg(e.key,
               case coalesce(p_policies ->> e.key, p_default)
                   when 'plain' then e.value::json
                   when 'hash' then pg_catalog.to_json({schema}.hmac_token(e.value #>> '{{}}', p_k_in, p_k_out))
                   when 'mask:email' then pg_catalog.to_json({schema}.mask_email(e.value #>> '{{}}'))
                   when 'mask:card' then pg_catalog.to_json({schema}.mask_card(e.value #>> '{{}}'))
                   when 'mask:last4' then pg_catalog.to_json({schema}.mask_last4(e.value #>> '{{}}'))
               end order by e.key), '{{}}'::json)
    from pg_catalog.jsonb_each(p_row) as e
    where coalesce(p_policies ->> e.key, p_default) <> 'omit'
);

-- capture_generically: keeps a table audited after its columns change, called by the guard from
-- the ALTER TABLE's own transaction. The fast capture functions name each column, so once one is
-- added, dropped, renamed or retyped they would miss it, or fail and break the application's next
-- statement. This replaces their bodies with generic ones that read to_jsonb(row) and look the
-- table up in the registry at run time:
--   * a column keeps the policy it had at apply if its attnum is unchanged (renamed and retyped
--     columns are the same data); every other column gets default_policy (hash or omit), so a
--     new column is never stored in plain text, and a new column that takes an old column's name
--     does not inherit its policy; virtual generated columns are left out as in fast capture;
--   * the row key follows key columns through renames and is empty if one is dropped.
-- It records a CONFIG event and the drift in the registry; plan and check report it and apply
-- regenerates fast capture. Nothing from the catalog is spliced into code: the bodies name only
-- the audit schema (quote_ident) and the relation oid, and are passed whole through %L. The
-- maintenance window it opens for its own DDL is closed before it returns, so the rest of the
-- application's transaction stays guarded.
create or replace function {schema}.capture_generically(p_relid oid)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_table {schema}.audited_tables%rowtype;
    v_current jsonb;
    v_detail text;
    v_policies jsonb;
    v_keys text[];
    v_token boolean;
    v_header text := $template$
create or replace function %s() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set extra_float_digits = 1
set bytea_output = 'hex'
as %L
$template$;
    v_statement text := $template$
declare
    v_ctx @schema@.statement_context := @schema@.statement_context();
    v_table record;
    v_key record;
begin
    select t.table_name, t.generic_keys, t.generic_policies,
           t.generic_policies @? '$.* ? (@ == "hash")' as hashes
    into v_table
    from @schema@.audited_tables as t where t.relid = @relid@;
    select k.key_id, k.k_in, k.k_out into v_key from @schema@.hmac_keys as k
    where k.shredded_at is null order by k.key_id desc limit 1;
    if v_key.k_in is null and v_table.hashes then
        raise exception 'pgaudit-kit: no usable HMAC key in %', '@schema_name@'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'INSERT' then
        insert into @schema@.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
            login_role, effective_role, application_name, client_addr, request_id, trace_id, key_id)
        select v_ctx.txid, transaction_timestamp(), statement_timestamp(), 'INSERT', v_table.table_name,
               case when cardinality(v_table.generic_keys) > 0 then @schema@.apply_policies(
                   @schema@.pick(to_jsonb(n), v_table.generic_keys), v_table.generic_policies,
                   'omit', v_key.k_in, v_key.k_out) end,
               @schema@.apply_policies(to_jsonb(n), v_table.generic_policies, 'omit', v_key.k_in,
                   v_key.k_out),
               v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
               v_ctx.request_id, v_ctx.trace_id, v_key.key_id
        from new_rows as n;
    else
        insert into @schema@.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
            login_role, effective_role, application_name, client_addr, request_id, trace_id, key_id)
        select v_ctx.txid, transaction_timestamp(), statement_timestamp(), 'DELETE', v_table.table_name,
               case when cardinality(v_table.generic_keys) > 0 then @schema@.apply_policies(
                   @schema@.pick(to_jsonb(o), v_table.generic_keys), v_table.generic_policies,
                   'omit', v_key.k_in, v_key.k_out) end,
               @schema@.apply_policies(to_jsonb(o), v_table.generic_policies, 'omit', v_key.k_in,
                   v_key.k_out),
               v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
               v_ctx.request_id, v_ctx.trace_id, v_key.key_id
        from old_rows as o;
    end if;
    return null;
end
$template$;
    v_row text := $template$
declare
    v_ctx @schema@.statement_context;
    v_table record;
    v_key record;
    v_old jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    v_new jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
    v_changed text[];
begin
    select t.table_name, t.generic_keys, t.generic_policies, t.skip_unchanged,
           t.update_images = 'full' or cardinality(t.generic_keys) = 0 as full_images,
           t.generic_policies @? '$.* ? (@ == "hash")' as hashes
    into v_table
    from @schema@.audited_tables as t where t.relid = @relid@;
    if tg_op = 'UPDATE' then
        -- columns under some policy count, omitted ones too (virtual generated ones do not), as
        -- in fast capture; images then hold the changed columns that are not omitted
        select coalesce(array_agg(n.key order by n.key), '{{}}') into v_changed
        from jsonb_each(v_new) as n
        where n.value is distinct from v_old -> n.key and v_table.generic_policies ? n.key;
        if v_table.skip_unchanged and cardinality(v_changed) = 0 then
            return null;
        end if;
    end if;
    select k.key_id, k.k_in, k.k_out into v_key from @schema@.hmac_keys as k
    where k.shredded_at is null order by k.key_id desc limit 1;
    if v_key.k_in is null and v_table.hashes then
        raise exception 'pgaudit-kit: no usable HMAC key in %', '@schema_name@'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    v_ctx := @schema@.statement_context();
    insert into @schema@.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
        new_values, changed_columns, login_role, effective_role, application_name, client_addr,
        request_id, trace_id, key_id)
    values (v_ctx.txid, transaction_timestamp(), statement_timestamp(), tg_op, v_table.table_name,
            case when cardinality(v_table.generic_keys) > 0 then @schema@.apply_policies(
                @schema@.pick(coalesce(v_old, v_new), v_table.generic_keys),
                v_table.generic_policies, 'omit', v_key.k_in, v_key.k_out) end,
            case when v_old is not null then @schema@.apply_policies(
                case when tg_op = 'UPDATE' and not v_table.full_images
                     then @schema@.pick(v_old, v_changed) else v_old end,
                v_table.generic_policies, 'omit', v_key.k_in, v_key.k_out) end,
            case when v_new is not null then @schema@.apply_policies(
                case when tg_op = 'UPDATE' and not v_table.full_images
                     then @schema@.pick(v_new, v_changed) else v_new end,
                v_table.generic_policies, 'omit', v_key.k_in, v_key.k_out) end,
            v_changed, v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name,
            v_ctx.client_addr, v_ctx.request_id, v_ctx.trace_id, v_key.key_id);
    return null;
end
$template$;
begin
    select * into v_table from {schema}.audited_tables where relid = p_relid;
    if not found then
        return;
    end if;
    select jsonb_object_agg(a.attname, format_type(a.atttypid, a.atttypmod)) into v_current
    from pg_attribute as a
    where a.attrelid = p_relid and a.attnum > 0 and not a.attisdropped;
    if v_current = v_table.columns and v_table.capture_mode = 'fast' then
        return;
    end if;
    -- Columns now and at apply, matched by attnum.
    with now_ as (
        select a.attnum, a.attname::text as name, format_type(a.atttypid, a.atttypmod) as type,
               a.attgenerated = 'v' as virtual
        from pg_attribute as a
        where a.attrelid = p_relid and a.attnum > 0 and not a.attisdropped
    ), then_ as (
        select n.value::integer as attnum, n.key as name, v_table.columns ->> n.key as type
        from jsonb_each_text(coalesce(v_table.attnums, '{{}}')) as n
    ), pairs as (
        select coalesce(w.attnum, t.attnum) as attnum, w.name as now_name, w.type as now_type,
               w.virtual, t.name as then_name, t.type as then_type
        from now_ as w full join then_ as t on t.attnum = w.attnum
    )
    select string_agg(case
               when p.now_name is null then format('dropped %I', p.then_name)
               when p.then_name is null then format('added %I %s', p.now_name, p.now_type)
               when p.now_name <> p.then_name and p.now_type <> p.then_type
                   then format('renamed %I to %I and retyped it from %s to %s', p.then_name,
                               p.now_name, p.then_type, p.now_type)
               when p.now_name <> p.then_name then format('renamed %I to %I', p.then_name, p.now_name)
               else format('retyped %I from %s to %s', p.now_name, p.then_type, p.now_type)
           end, '; ' order by p.attnum)
               filter (where p.now_name is distinct from p.then_name
                          or p.now_type is distinct from p.then_type),
           coalesce(jsonb_object_agg(p.now_name, case
               when p.then_name is not null
                   then coalesce(v_table.policies ->> p.then_name, v_table.default_policy)
               else v_table.default_policy
           end) filter (where p.now_name is not null and not p.virtual), '{{}}'),
           case when bool_and(p.now_name is not null)
                         filter (where p.then_name = any(v_table.key_columns))
                then coalesce(array_agg(p.now_name order by array_position(v_table.key_columns, p.then_name))
                                  filter (where p.then_name = any(v_table.key_columns)), '{{}}')
                else '{{}}' end
    into v_detail, v_policies, v_keys
    from pairs as p;
    insert into {schema}.maintenance (txid, command)
    values (pg_current_xact_id()::text::bigint, 'guard: generic capture')
    on conflict (txid) do nothing;
    v_token := found;
    if v_table.statement_function is not null then
        execute format(v_header, v_table.statement_function::oid::regproc,
                       replace(replace(replace(v_statement,
                           '@schema@', quote_ident({schema_name})),
                           '@schema_name@', replace({schema_name}, '''', '''''')),
                           '@relid@', p_relid::text));
    end if;
    execute format(v_header, v_table.row_function::oid::regproc,
                   replace(replace(replace(v_row,
                       '@schema@', quote_ident({schema_name})),
                       '@schema_name@', replace({schema_name}, '''', '''''')),
                       '@relid@', p_relid::text));
    update {schema}.audited_tables
    set capture_mode = 'generic', drift_detected_at = coalesce(drift_detected_at, now()),
        drift_detail = coalesce(v_detail, 'columns changed and changed back'),
        generic_policies = v_policies, generic_keys = v_keys
    where relid = p_relid;
    perform {schema}.record_event('CONFIG', v_table.table_name,
        json_build_object('action', 'generic capture', 'detail', v_detail,
                          'policies', v_policies, 'key', v_keys));
    if v_token then
        delete from {schema}.maintenance
        where txid = pg_current_xact_id()::text::bigint and command = 'guard: generic capture';
    end if;
end
$pgaudit$;

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

-- Nothing in the audit schema is granted to PUBLIC (functions and types are, by default, so that
-- is revoked explicitly). Grants to the configured auditor roles are made by apply, from the config.
revoke all on schema {schema} from public;
revoke all on all tables in schema {schema} from public;
revoke all on all sequences in schema {schema} from public;
revoke all on all functions in schema {schema} from public;
revoke all on type {schema}.statement_context from public;
