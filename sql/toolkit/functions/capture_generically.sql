-- capture_generically: keeps a table audited after its columns change, called by the guard from
-- the ALTER TABLE's own transaction. The fast capture functions name each column, so once one is
-- added, dropped, renamed or retyped they would miss it, or fail and break the application's next
-- statement. This replaces their bodies with generic ones that read every live column's text (by
-- image_sql: no cast of a created type is ever called, see generate.rendered_text) and look
-- the table's policies up in the registry at run time:
--   * a column keeps the policy it had at apply if its attnum is unchanged (renamed and retyped
--     columns are the same data); every other column gets default_policy (hash or omit), so a
--     new column is never stored in plain text, and a new column that takes an old column's name
--     does not inherit its policy; virtual generated columns are left out as in fast capture;
--   * the row key follows key columns through renames and is empty if one is dropped.
-- It records a CONFIG event and the drift in the registry; plan and check report it and apply
-- regenerates fast capture. Values are stored as their text form (numbers as JSON strings), so a
-- hashed column's tokens equal fast capture's. What comes from the catalog is quoted before it is
-- spliced into code (column names by %I and %L, the audit schema by quote_ident, the relation as
-- its oid), and each body is passed whole through %L. The
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
    v_images text;
    v_header text := $template$
create or replace function %s() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{pinned_settings}as %L
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
                   @schema@.pick(i.vals, v_table.generic_keys), i.texts, v_table.generic_policies,
                   'omit', v_key.k_in, v_key.k_out) end,
               @schema@.apply_policies(i.vals, i.texts, v_table.generic_policies, 'omit',
                   v_key.k_in, v_key.k_out),
               v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
               v_ctx.request_id, v_ctx.trace_id, v_key.key_id
        from new_rows as r
        cross join lateral (select @images@) as i;
    else
        insert into @schema@.log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
            login_role, effective_role, application_name, client_addr, request_id, trace_id, key_id)
        select v_ctx.txid, transaction_timestamp(), statement_timestamp(), 'DELETE', v_table.table_name,
               case when cardinality(v_table.generic_keys) > 0 then @schema@.apply_policies(
                   @schema@.pick(i.vals, v_table.generic_keys), i.texts, v_table.generic_policies,
                   'omit', v_key.k_in, v_key.k_out) end,
               @schema@.apply_policies(i.vals, i.texts, v_table.generic_policies, 'omit',
                   v_key.k_in, v_key.k_out),
               v_ctx.login_role, v_ctx.effective_role, v_ctx.application_name, v_ctx.client_addr,
               v_ctx.request_id, v_ctx.trace_id, v_key.key_id
        from old_rows as r
        cross join lateral (select @images@) as i;
    end if;
    return null;
end
$template$;
    v_row text := $template$
declare
    v_ctx @schema@.statement_context;
    v_table record;
    v_key record;
    v_old jsonb;
    v_new jsonb;
    v_old_texts jsonb;
    v_new_texts jsonb;
    v_changed text[];
begin
    select t.table_name, t.generic_keys, t.generic_policies, t.skip_unchanged,
           t.update_images = 'full' or cardinality(t.generic_keys) = 0 as full_images,
           t.generic_policies @? '$.* ? (@ == "hash")' as hashes
    into v_table
    from @schema@.audited_tables as t where t.relid = @relid@;
    if tg_op <> 'INSERT' then
        select @images@ into v_old, v_old_texts from (select old.*) as r;
    end if;
    if tg_op <> 'DELETE' then
        select @images@ into v_new, v_new_texts from (select new.*) as r;
    end if;
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
                coalesce(v_old_texts, v_new_texts), v_table.generic_policies, 'omit', v_key.k_in,
                v_key.k_out) end,
            case when v_old is not null then @schema@.apply_policies(
                case when tg_op = 'UPDATE' and not v_table.full_images
                     then @schema@.pick(v_old, v_changed) else v_old end,
                v_old_texts, v_table.generic_policies, 'omit', v_key.k_in, v_key.k_out) end,
            case when v_new is not null then @schema@.apply_policies(
                case when tg_op = 'UPDATE' and not v_table.full_images
                     then @schema@.pick(v_new, v_changed) else v_new end,
                v_new_texts, v_table.generic_policies, 'omit', v_key.k_in, v_key.k_out) end,
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
    -- the column images (over the alias r) go in last and in one piece, so that nothing in a
    -- column's name is ever read as a placeholder
    v_images := {schema}.image_sql(p_relid, 'r', true) || ' as vals, '
                || {schema}.image_sql(p_relid, 'r', false) || ' as texts';
    if v_table.statement_function is not null then
        execute format(v_header, v_table.statement_function::oid::regproc,
                       replace(replace(replace(replace(v_statement,
                           '@schema@', quote_ident({schema_name})),
                           '@schema_name@', replace({schema_name}, '''', '''''')),
                           '@relid@', p_relid::text),
                           '@images@', v_images));
    end if;
    execute format(v_header, v_table.row_function::oid::regproc,
                   replace(replace(replace(replace(v_row,
                       '@schema@', quote_ident({schema_name})),
                       '@schema_name@', replace({schema_name}, '''', '''''')),
                       '@relid@', p_relid::text),
                       '@images@', v_images));
    perform {schema}.record_function_digests(
        array[v_table.statement_function::oid, v_table.row_function::oid]);
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
