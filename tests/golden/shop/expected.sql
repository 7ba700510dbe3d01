-- note: shop.customers.phone_number: the comment tag pgaudit:mask:last4 is ignored: it is looser
-- than default_policy hash (a comment may only tighten a column; classify it in pgaudit.toml to
-- loosen it)

-- pin the search_path and the lock timeout for this transaction
-- How the transaction runs, before any change.
-- Every name pgaudit-kit writes is schema-qualified and its SECURITY DEFINER functions pin their
-- own search_path; pinning the transaction's as well means no schema a user can create in can
-- stand in for a type, operator or function while the install runs (pgspot checks this).
set local search_path = pg_catalog, pg_temp;
-- Wait at most this long for a table lock, then fail and roll back, rather than queue the
-- application's statements behind the install (apply --lock-timeout).
set local lock_timeout = '10s';

-- create the NOLOGIN owner role audit_owner
-- The owner of the audit schema. NOLOGIN: nobody logs in as it; it only owns the trail and runs
-- the SECURITY DEFINER functions that write it.
create role "audit_owner" nologin;

-- create schema audit owned by audit_owner
-- The audit schema, owned by the owner role from the start.
create schema "audit" authorization "audit_owner";

-- toolkit schema revision 0001: initial toolkit schema
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0002: retention and maintenance
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0003: generic capture after column changes
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0004: seal cuts blocks only where rows lie below the cut
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0005: investigations: lookup by value, key shredding, redaction
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0006: hardened capture, guard and health checks
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0007: truncate chosen per table
-- (frozen SQL: migrations/versions)

-- toolkit schema revision 0008: archives, tiered retention, alert cursor
-- (frozen SQL: migrations/versions)

-- create the monthly log partitions missing for this month and 3 ahead
select "audit".premake_partitions(3);

-- create the guard's event triggers (they refuse DDL that would silence the trail)
-- Drops the guard's event triggers (apply recreates them; uninstall removes the guard).
drop event trigger if exists "pgaudit_guard_drop_audit_84d5eb38";
drop event trigger if exists "pgaudit_guard_ddl_audit_84d5eb38";
drop event trigger if exists "pgaudit_guard_rewrite_audit_84d5eb38";
drop event trigger if exists "pgaudit_guard_leaf_audit_84d5eb38";
-- The guard: event triggers that refuse DDL which would silence, erase or rewrite the trail, and
-- record DDL on audited tables (see guard_sql_drop, guard_ddl_command_end, guard_table_rewrite and
-- guard_leaf_triggers). Creating event triggers needs a superuser; their functions stay owned by
-- the owner role. ENABLE ALWAYS: they fire under session_replication_role = replica too.
create event trigger "pgaudit_guard_drop_audit_84d5eb38" on sql_drop
    execute function "audit".guard_sql_drop();
create event trigger "pgaudit_guard_ddl_audit_84d5eb38" on ddl_command_end
    execute function "audit".guard_ddl_command_end();
create event trigger "pgaudit_guard_rewrite_audit_84d5eb38" on table_rewrite
    execute function "audit".guard_table_rewrite();
create event trigger "pgaudit_guard_leaf_audit_84d5eb38" on ddl_command_end
    execute function "audit".guard_leaf_triggers();
alter event trigger "pgaudit_guard_drop_audit_84d5eb38" enable always;
alter event trigger "pgaudit_guard_ddl_audit_84d5eb38" enable always;
alter event trigger "pgaudit_guard_rewrite_audit_84d5eb38" enable always;
alter event trigger "pgaudit_guard_leaf_audit_84d5eb38" enable always;

-- create the first HMAC key
select "audit".rotate_key();

-- set retention classes: default 2 years, pci 1 year
-- The retention classes of pgaudit.toml ([retention]), exactly: classes no longer listed go.
-- archive_keep is set for tiered classes (hot and keep) and null for the others.
delete from "audit".retention_classes where name <> all('{default,pci}'::text[]);
insert into "audit".retention_classes (name, keep, archive_keep)
select u.name, u.keep, u.archive_keep
from unnest('{default,pci}'::text[], '{"2 years","1 year"}'::interval[], '{NULL,NULL}'::interval[])
    as u(name, keep, archive_keep)
on conflict (name) do update set keep = excluded.keep, archive_keep = excluded.archive_keep;
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', NULL,
       '{
    "action": "retention",
    "classes": {
        "pci": "1 year",
        "default": "2 years"
    }
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- set privileges on the audit schema
grant usage on schema "audit" to "shop_auditor";
grant select on
    "audit"."log",
    "audit"."log_rows",
    "audit"."keys",
    "audit"."audited_tables",
    "audit"."blocks",
    "audit"."block_leaves",
    "audit"."holds",
    "audit"."retention_classes",
    "audit"."maintenance_runs",
    "audit"."redactions",
    "audit"."schema_version",
    "audit"."settings",
    "audit"."archives",
    "audit"."alert_cursor"
    to "shop_auditor";
grant execute on function
    "audit"."trigger_health"(),
    "audit"."partitions"(),
    "audit"."integrity"(),
    "audit"."missing_partitions"("int4")
    to "shop_auditor";
grant usage on schema "audit" to "shop_dba";
grant select on
    "audit"."log",
    "audit"."log_rows",
    "audit"."keys",
    "audit"."audited_tables",
    "audit"."blocks",
    "audit"."block_leaves",
    "audit"."holds",
    "audit"."retention_classes",
    "audit"."maintenance_runs",
    "audit"."redactions",
    "audit"."schema_version",
    "audit"."settings",
    "audit"."archives",
    "audit"."alert_cursor"
    to "shop_dba";
grant execute on function
    "audit"."trigger_health"(),
    "audit"."partitions"(),
    "audit"."integrity"(),
    "audit"."missing_partitions"("int4"),
    "audit"."seal"("int8"),
    "audit"."maintain"("int4", "bool"),
    "audit"."purge"("bool"),
    "audit"."hold_add"("text", "text", "timestamptz", "timestamptz"),
    "audit"."hold_release"("int4", "text"),
    "audit"."rotate_key"(),
    "audit"."premake_partitions"("int4"),
    "audit"."shred_key"("int4", "text"),
    "audit"."redact"("int8", "text"),
    "audit"."archive_record"("text", "int4", "int8", "int8", "bytea", "int8", "text"),
    "audit"."alerts_advance"("int8", "int8")
    to "shop_dba";
grant usage on schema "audit" to "shop_dpo";
grant select on
    "audit"."log",
    "audit"."log_rows",
    "audit"."keys",
    "audit"."audited_tables",
    "audit"."blocks",
    "audit"."block_leaves",
    "audit"."holds",
    "audit"."retention_classes",
    "audit"."maintenance_runs",
    "audit"."redactions",
    "audit"."schema_version",
    "audit"."settings",
    "audit"."archives",
    "audit"."alert_cursor"
    to "shop_dpo";
grant execute on function
    "audit"."trigger_health"(),
    "audit"."partitions"(),
    "audit"."integrity"(),
    "audit"."missing_partitions"("int4"),
    "audit"."lookup"("text", "text", "text")
    to "shop_dpo";
-- Partitions created later by the table owner grant TRIGGER to the audit owner, so the guard can
-- give each new partition its audit TRUNCATE trigger (PostgreSQL clones row triggers, not those).
alter default privileges for role "shop_app" in schema "shop"
    grant trigger on tables to "audit_owner";

-- audit shop.customers (5 hash, 1 mask:card, 1 omit, 4 plain)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_shop_customers_6b6fea40_statement"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "timezone" = 'UTC'
set "datestyle" = 'ISO, YMD'
set "intervalstyle" = 'postgres'
set "extra_float_digits" = '1'
set "bytea_output" = 'hex'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'INSERT' then
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.customers',
               json_build_object(
                   'id', n."id"),
               null,
               json_build_object(
                   'id', n."id",
                   'email', "audit".apply_policy('hash', n."email"::text, v_k_in, v_k_out),
                   'full_name', "audit".apply_policy('hash', n."full_name"::text, v_k_in, v_k_out),
                   'phone_number', "audit".apply_policy('hash', n."phone_number"::text, v_k_in, v_k_out),
                   'card_number', "audit".apply_policy('mask:card', n."card_number"::text, v_k_in, v_k_out),
                   'tags', n."tags",
                   'preferences', n."preferences",
                   'created_at', "audit".apply_policy('hash', n."created_at"::text, v_k_in, v_k_out),
                   'name_search', "audit".apply_policy('hash', n."name_search"::text, v_k_in, v_k_out),
                   'loyalty_points', n."loyalty_points"),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.customers',
               json_build_object(
                   'id', o."id"),
               json_build_object(
                   'id', o."id",
                   'email', "audit".apply_policy('hash', o."email"::text, v_k_in, v_k_out),
                   'full_name', "audit".apply_policy('hash', o."full_name"::text, v_k_in, v_k_out),
                   'phone_number', "audit".apply_policy('hash', o."phone_number"::text, v_k_in, v_k_out),
                   'card_number', "audit".apply_policy('mask:card', o."card_number"::text, v_k_in, v_k_out),
                   'tags', o."tags",
                   'preferences', o."preferences",
                   'created_at', "audit".apply_policy('hash', o."created_at"::text, v_k_in, v_k_out),
                   'name_search', "audit".apply_policy('hash', o."name_search"::text, v_k_in, v_k_out),
                   'loyalty_points', o."loyalty_points"),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from old_rows as o;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_customers_6b6fea40_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_customers_6b6fea40_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_shop_customers_6b6fea40_row"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "timezone" = 'UTC'
set "datestyle" = 'ISO, YMD'
set "intervalstyle" = 'postgres'
set "extra_float_digits" = '1'
set "bytea_output" = 'hex'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[];
    v_old jsonb;
    v_new jsonb;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- no key read here
    if tg_op = 'UPDATE' then
        v_old := '{}';
        v_new := '{}';
        if new."id" is distinct from old."id" then
            v_changed := v_changed || 'id'::text;
            v_old := v_old || jsonb_build_object(
                'id', old."id");
            v_new := v_new || jsonb_build_object(
                'id', new."id");
        end if;
        if new."email" is distinct from old."email" then
            v_changed := v_changed || 'email'::text;
            -- the key is read once per row, and only when a value is to be hashed
            if v_k_in is null then
                -- the current HMAC key; capture fails closed rather than store a value it cannot hash
                select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
                from "audit".hmac_keys as k
                where k.shredded_at is null
                order by k.key_id desc
                limit 1;
                if v_k_in is null then
                    raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                        using hint = 'run pgaudit-kit key rotate';
                end if;
            end if;
            v_old := v_old || jsonb_build_object(
                'email', "audit".apply_policy('hash', old."email"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'email', "audit".apply_policy('hash', new."email"::text, v_k_in, v_k_out));
        end if;
        if new."full_name" is distinct from old."full_name" then
            v_changed := v_changed || 'full_name'::text;
            -- the key is read once per row, and only when a value is to be hashed
            if v_k_in is null then
                -- the current HMAC key; capture fails closed rather than store a value it cannot hash
                select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
                from "audit".hmac_keys as k
                where k.shredded_at is null
                order by k.key_id desc
                limit 1;
                if v_k_in is null then
                    raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                        using hint = 'run pgaudit-kit key rotate';
                end if;
            end if;
            v_old := v_old || jsonb_build_object(
                'full_name', "audit".apply_policy('hash', old."full_name"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'full_name', "audit".apply_policy('hash', new."full_name"::text, v_k_in, v_k_out));
        end if;
        if new."phone_number" is distinct from old."phone_number" then
            v_changed := v_changed || 'phone_number'::text;
            -- the key is read once per row, and only when a value is to be hashed
            if v_k_in is null then
                -- the current HMAC key; capture fails closed rather than store a value it cannot hash
                select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
                from "audit".hmac_keys as k
                where k.shredded_at is null
                order by k.key_id desc
                limit 1;
                if v_k_in is null then
                    raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                        using hint = 'run pgaudit-kit key rotate';
                end if;
            end if;
            v_old := v_old || jsonb_build_object(
                'phone_number', "audit".apply_policy('hash', old."phone_number"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'phone_number', "audit".apply_policy('hash', new."phone_number"::text, v_k_in, v_k_out));
        end if;
        if new."card_number" is distinct from old."card_number" then
            v_changed := v_changed || 'card_number'::text;
            v_old := v_old || jsonb_build_object(
                'card_number', "audit".apply_policy('mask:card', old."card_number"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'card_number', "audit".apply_policy('mask:card', new."card_number"::text, v_k_in, v_k_out));
        end if;
        if new."password_hash" is distinct from old."password_hash" then
            v_changed := v_changed || 'password_hash'::text;
        end if;
        if new."tags" is distinct from old."tags" then
            v_changed := v_changed || 'tags'::text;
            v_old := v_old || jsonb_build_object(
                'tags', old."tags");
            v_new := v_new || jsonb_build_object(
                'tags', new."tags");
        end if;
        if new."preferences" is distinct from old."preferences" then
            v_changed := v_changed || 'preferences'::text;
            v_old := v_old || jsonb_build_object(
                'preferences', old."preferences");
            v_new := v_new || jsonb_build_object(
                'preferences', new."preferences");
        end if;
        if new."created_at" is distinct from old."created_at" then
            v_changed := v_changed || 'created_at'::text;
            -- the key is read once per row, and only when a value is to be hashed
            if v_k_in is null then
                -- the current HMAC key; capture fails closed rather than store a value it cannot hash
                select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
                from "audit".hmac_keys as k
                where k.shredded_at is null
                order by k.key_id desc
                limit 1;
                if v_k_in is null then
                    raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                        using hint = 'run pgaudit-kit key rotate';
                end if;
            end if;
            v_old := v_old || jsonb_build_object(
                'created_at', "audit".apply_policy('hash', old."created_at"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'created_at', "audit".apply_policy('hash', new."created_at"::text, v_k_in, v_k_out));
        end if;
        if new."name_search"::text is distinct from old."name_search"::text then
            v_changed := v_changed || 'name_search'::text;
            -- the key is read once per row, and only when a value is to be hashed
            if v_k_in is null then
                -- the current HMAC key; capture fails closed rather than store a value it cannot hash
                select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
                from "audit".hmac_keys as k
                where k.shredded_at is null
                order by k.key_id desc
                limit 1;
                if v_k_in is null then
                    raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                        using hint = 'run pgaudit-kit key rotate';
                end if;
            end if;
            v_old := v_old || jsonb_build_object(
                'name_search', "audit".apply_policy('hash', old."name_search"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'name_search', "audit".apply_policy('hash', new."name_search"::text, v_k_in, v_k_out));
        end if;
        if new."loyalty_points" is distinct from old."loyalty_points" then
            v_changed := v_changed || 'loyalty_points'::text;
            v_old := v_old || jsonb_build_object(
                'loyalty_points', old."loyalty_points");
            v_new := v_new || jsonb_build_object(
                'loyalty_points', new."loyalty_points");
        end if;
        if v_changed is null then
            return null;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'shop.customers',
               json_build_object(
                   'id', old."id"),
               pg_catalog.to_json(v_old),
               pg_catalog.to_json(v_new),
               v_changed, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    elsif tg_op = 'INSERT' then
        -- the key is read once per row, and only when a value is to be hashed
        if v_k_in is null then
            -- the current HMAC key; capture fails closed rather than store a value it cannot hash
            select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
            from "audit".hmac_keys as k
            where k.shredded_at is null
            order by k.key_id desc
            limit 1;
            if v_k_in is null then
                raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                    using hint = 'run pgaudit-kit key rotate';
            end if;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.customers',
               json_build_object(
                   'id', new."id"),
               null,
               json_build_object(
                   'id', new."id",
                   'email', "audit".apply_policy('hash', new."email"::text, v_k_in, v_k_out),
                   'full_name', "audit".apply_policy('hash', new."full_name"::text, v_k_in, v_k_out),
                   'phone_number', "audit".apply_policy('hash', new."phone_number"::text, v_k_in, v_k_out),
                   'card_number', "audit".apply_policy('mask:card', new."card_number"::text, v_k_in, v_k_out),
                   'tags', new."tags",
                   'preferences', new."preferences",
                   'created_at', "audit".apply_policy('hash', new."created_at"::text, v_k_in, v_k_out),
                   'name_search', "audit".apply_policy('hash', new."name_search"::text, v_k_in, v_k_out),
                   'loyalty_points', new."loyalty_points"),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    else
        -- the key is read once per row, and only when a value is to be hashed
        if v_k_in is null then
            -- the current HMAC key; capture fails closed rather than store a value it cannot hash
            select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
            from "audit".hmac_keys as k
            where k.shredded_at is null
            order by k.key_id desc
            limit 1;
            if v_k_in is null then
                raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
                    using hint = 'run pgaudit-kit key rotate';
            end if;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.customers',
               json_build_object(
                   'id', old."id"),
               json_build_object(
                   'id', old."id",
                   'email', "audit".apply_policy('hash', old."email"::text, v_k_in, v_k_out),
                   'full_name', "audit".apply_policy('hash', old."full_name"::text, v_k_in, v_k_out),
                   'phone_number', "audit".apply_policy('hash', old."phone_number"::text, v_k_in, v_k_out),
                   'card_number', "audit".apply_policy('mask:card', old."card_number"::text, v_k_in, v_k_out),
                   'tags', old."tags",
                   'preferences', old."preferences",
                   'created_at', "audit".apply_policy('hash', old."created_at"::text, v_k_in, v_k_out),
                   'name_search', "audit".apply_policy('hash', old."name_search"::text, v_k_in, v_k_out),
                   'loyalty_points', old."loyalty_points"),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_customers_6b6fea40_row"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_customers_6b6fea40_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_shop_customers_6b6fea40_truncate"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    -- no key: nothing is hashed here
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- statement mode: the event alone
    insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'shop.customers',
            case when (tg_table_schema, tg_table_name) <> ('shop', 'customers')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_customers_6b6fea40_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_customers_6b6fea40_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "shop"."customers" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "shop"."customers"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_shop_customers_6b6fea40_statement"();
create or replace trigger pgaudit_delete after delete on "shop"."customers"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_shop_customers_6b6fea40_statement"();
create or replace trigger pgaudit_update after update on "shop"."customers"
    for each row execute function "audit"."capture_shop_customers_6b6fea40_row"();
create or replace trigger pgaudit_truncate after truncate on "shop"."customers"
    for each statement execute function "audit"."capture_shop_customers_6b6fea40_truncate"();
alter table "shop"."customers"
    enable always trigger pgaudit_insert,
    enable always trigger pgaudit_delete,
    enable always trigger pgaudit_update,
    enable always trigger pgaudit_truncate;
-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; members, the partitions the guard has accepted;
-- registering (re)starts fast capture and records the capture functions' fingerprints.
insert into "audit".audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, truncate_mode, attnums, members)
values ('"shop"."customers"'::regclass,
        'shop.customers',
        false,
        '{id}'::text[],
        '{
    "id": "plain",
    "email": "hash",
    "full_name": "hash",
    "phone_number": "hash",
    "card_number": "mask:card",
    "password_hash": "omit",
    "tags": "plain",
    "preferences": "plain",
    "created_at": "hash",
    "name_search": "hash",
    "loyalty_points": "plain"
}'::jsonb,
        '{
    "id": "bigint",
    "email": "shop.email",
    "full_name": "text",
    "phone_number": "character varying(20)",
    "card_number": "character(19)",
    "password_hash": "bytea",
    "tags": "text[]",
    "preferences": "jsonb",
    "created_at": "timestamp with time zone",
    "name_search": "tsvector",
    "loyalty_points": "integer"
}'::jsonb,
        '"audit"."capture_shop_customers_6b6fea40_statement"()'::regprocedure,
        '"audit"."capture_shop_customers_6b6fea40_row"()'::regprocedure,
        '"audit"."capture_shop_customers_6b6fea40_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        '9ccd07edb1d948b767aa29cfbbd767b32ac082440bf41c5a73ede53675419ffd',
        'pci',
        'hash',
        true,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"shop"."customers"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"shop"."customers"'::regclass) as p
         where p.relid <> '"shop"."customers"'::regclass))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    truncate_mode = excluded.truncate_mode,
    attnums = excluded.attnums, members = excluded.members, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
select "audit".record_function_digests(array_remove(array[
    '"audit"."capture_shop_customers_6b6fea40_statement"()'::regprocedure::oid,
    '"audit"."capture_shop_customers_6b6fea40_row"()'::regprocedure::oid,
    '"audit"."capture_shop_customers_6b6fea40_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'shop.customers',
       '{
    "action": "start",
    "policies": {
        "id": "plain",
        "email": "hash",
        "full_name": "hash",
        "phone_number": "hash",
        "card_number": "mask:card",
        "password_hash": "omit",
        "tags": "plain",
        "preferences": "plain",
        "created_at": "hash",
        "name_search": "hash",
        "loyalty_points": "plain"
    },
    "key": [
        "id"
    ],
    "retention": "pci",
    "fingerprint": "9ccd07edb1d948b767aa29cfbbd767b32ac082440bf41c5a73ede53675419ffd"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of shop.customers
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "shop"."customers" to "audit_owner";
alter role "audit_owner" bypassrls;
set local role "audit_owner";
set local row_security = off;
set local "timezone" = 'UTC';
set local "datestyle" = 'ISO, YMD';
set local "intervalstyle" = 'postgres';
set local "extra_float_digits" = '1';
set local "bytea_output" = 'hex';
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                          login_role, effective_role, application_name, client_addr, request_id,
                          trace_id, key_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'shop.customers',
       json_build_object(
           'id', n."id"),
       json_build_object(
           'id', n."id",
           'email', "audit".apply_policy('hash', n."email"::text, k.k_in, k.k_out),
           'full_name', "audit".apply_policy('hash', n."full_name"::text, k.k_in, k.k_out),
           'phone_number', "audit".apply_policy('hash', n."phone_number"::text, k.k_in, k.k_out),
           'card_number', "audit".apply_policy('mask:card', n."card_number"::text, k.k_in, k.k_out),
           'tags', n."tags",
           'preferences', n."preferences",
           'created_at', "audit".apply_policy('hash', n."created_at"::text, k.k_in, k.k_out),
           'name_search', "audit".apply_policy('hash', n."name_search"::text, k.k_in, k.k_out),
           'loyalty_points', n."loyalty_points"),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "shop"."customers" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "shop"."customers" from "audit_owner";

-- audit shop.orders (5 hash, 4 plain)
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_shop_orders_273b481b_row"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "timezone" = 'UTC'
set "datestyle" = 'ISO, YMD'
set "intervalstyle" = 'postgres'
set "extra_float_digits" = '1'
set "bytea_output" = 'hex'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[];
    v_old jsonb;
    v_new jsonb;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'UPDATE' then
        v_old := '{}';
        v_new := '{}';
        if new."id" is distinct from old."id" then
            v_changed := v_changed || 'id'::text;
            v_old := v_old || jsonb_build_object(
                'id', old."id");
            v_new := v_new || jsonb_build_object(
                'id', new."id");
        end if;
        if new."customer_id" is distinct from old."customer_id" then
            v_changed := v_changed || 'customer_id'::text;
            v_old := v_old || jsonb_build_object(
                'customer_id', old."customer_id");
            v_new := v_new || jsonb_build_object(
                'customer_id', new."customer_id");
        end if;
        if new."placed_at" is distinct from old."placed_at" then
            v_changed := v_changed || 'placed_at'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'placed_at', "audit".apply_policy('hash', old."placed_at"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'placed_at', "audit".apply_policy('hash', new."placed_at"::text, v_k_in, v_k_out));
        end if;
        if "audit".text_of(new."status") is distinct from "audit".text_of(old."status") then
            v_changed := v_changed || 'status'::text;
            v_old := v_old || jsonb_build_object(
                'status', "audit".text_of(old."status"));
            v_new := v_new || jsonb_build_object(
                'status', "audit".text_of(new."status"));
        end if;
        if "audit".text_of(new."history") is distinct from "audit".text_of(old."history") then
            v_changed := v_changed || 'history'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'history', "audit".apply_policy('hash', "audit".text_of(old."history"), v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'history', "audit".apply_policy('hash', "audit".text_of(new."history"), v_k_in, v_k_out));
        end if;
        if new."total" is distinct from old."total" then
            v_changed := v_changed || 'total'::text;
            v_old := v_old || jsonb_build_object(
                'total', old."total");
            v_new := v_new || jsonb_build_object(
                'total', new."total");
        end if;
        if new."items" is distinct from old."items" then
            v_changed := v_changed || 'items'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'items', "audit".apply_policy('hash', old."items"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'items', "audit".apply_policy('hash', new."items"::text, v_k_in, v_k_out));
        end if;
        if new."ship_to" is distinct from old."ship_to" then
            v_changed := v_changed || 'ship_to'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'ship_to', "audit".apply_policy('hash', old."ship_to"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'ship_to', "audit".apply_policy('hash', new."ship_to"::text, v_k_in, v_k_out));
        end if;
        if new."channel" is distinct from old."channel" then
            v_changed := v_changed || 'channel'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'channel', "audit".apply_policy('hash', old."channel"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'channel', "audit".apply_policy('hash', new."channel"::text, v_k_in, v_k_out));
        end if;
        if v_changed is null then
            return null;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'shop.orders',
               json_build_object(
                   'id', old."id",
                   'placed_at', "audit".apply_policy('hash', old."placed_at"::text, v_k_in, v_k_out)),
               pg_catalog.to_json(v_old),
               pg_catalog.to_json(v_new),
               v_changed, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    elsif tg_op = 'INSERT' then
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.orders',
               json_build_object(
                   'id', new."id",
                   'placed_at', "audit".apply_policy('hash', new."placed_at"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'id', new."id",
                   'customer_id', new."customer_id",
                   'placed_at', "audit".apply_policy('hash', new."placed_at"::text, v_k_in, v_k_out),
                   'status', "audit".text_of(new."status"),
                   'history', "audit".apply_policy('hash', "audit".text_of(new."history"), v_k_in, v_k_out),
                   'total', new."total",
                   'items', "audit".apply_policy('hash', new."items"::text, v_k_in, v_k_out),
                   'ship_to', "audit".apply_policy('hash', new."ship_to"::text, v_k_in, v_k_out),
                   'channel', "audit".apply_policy('hash', new."channel"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    else
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.orders',
               json_build_object(
                   'id', old."id",
                   'placed_at', "audit".apply_policy('hash', old."placed_at"::text, v_k_in, v_k_out)),
               json_build_object(
                   'id', old."id",
                   'customer_id', old."customer_id",
                   'placed_at', "audit".apply_policy('hash', old."placed_at"::text, v_k_in, v_k_out),
                   'status', "audit".text_of(old."status"),
                   'history', "audit".apply_policy('hash', "audit".text_of(old."history"), v_k_in, v_k_out),
                   'total', old."total",
                   'items', "audit".apply_policy('hash', old."items"::text, v_k_in, v_k_out),
                   'ship_to', "audit".apply_policy('hash', old."ship_to"::text, v_k_in, v_k_out),
                   'channel', "audit".apply_policy('hash', old."channel"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_orders_273b481b_row"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_orders_273b481b_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_shop_orders_273b481b_truncate"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    -- no key: nothing is hashed here
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- statement mode: the event alone
    insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'shop.orders',
            case when (tg_table_schema, tg_table_name) <> ('shop', 'orders')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_orders_273b481b_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_orders_273b481b_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "shop"."orders" from "audit_owner";
-- PostgreSQL checks EXECUTE on the parent's row-trigger function when it clones the trigger onto a
-- partition being created or attached, so the table's owner (and roles acting as it) may execute
-- it. Trigger functions cannot be called directly, and the guard refuses any other trigger that
-- uses it, so this grants no way to write or forge audit rows.
grant execute on function "audit"."capture_shop_orders_273b481b_row"() to "shop_app";
-- Triggers of a partitioned table: one row trigger on the parent, which PostgreSQL clones onto
-- every partition, including partitions created or attached later (a statement trigger on the
-- parent would miss statements that name a partition directly).
create or replace trigger pgaudit_row after insert or update or delete on "shop"."orders"
    for each row execute function "audit"."capture_shop_orders_273b481b_row"();
alter table "shop"."orders" enable always trigger pgaudit_row;
create or replace trigger pgaudit_truncate after truncate on "shop"."orders_2025_h1"
    for each statement execute function "audit"."capture_shop_orders_273b481b_truncate"();
alter table "shop"."orders_2025_h1" enable always trigger pgaudit_truncate;
create or replace trigger pgaudit_truncate after truncate on "shop"."orders_2025_h2"
    for each statement execute function "audit"."capture_shop_orders_273b481b_truncate"();
alter table "shop"."orders_2025_h2" enable always trigger pgaudit_truncate;
create or replace trigger pgaudit_truncate after truncate on "shop"."orders_2026"
    for each statement execute function "audit"."capture_shop_orders_273b481b_truncate"();
alter table "shop"."orders_2026" enable always trigger pgaudit_truncate;
create or replace trigger pgaudit_truncate after truncate on "shop"."orders_default"
    for each statement execute function "audit"."capture_shop_orders_273b481b_truncate"();
alter table "shop"."orders_default" enable always trigger pgaudit_truncate;
-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; members, the partitions the guard has accepted;
-- registering (re)starts fast capture and records the capture functions' fingerprints.
insert into "audit".audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, truncate_mode, attnums, members)
values ('"shop"."orders"'::regclass,
        'shop.orders',
        true,
        '{id,placed_at}'::text[],
        '{
    "id": "plain",
    "customer_id": "plain",
    "placed_at": "hash",
    "status": "plain",
    "history": "hash",
    "total": "plain",
    "items": "hash",
    "ship_to": "hash",
    "channel": "hash"
}'::jsonb,
        '{
    "id": "bigint",
    "customer_id": "bigint",
    "placed_at": "timestamp with time zone",
    "status": "shop.order_status",
    "history": "shop.order_status[]",
    "total": "shop.amount",
    "items": "integer",
    "ship_to": "jsonb",
    "channel": "character varying(16)"
}'::jsonb,
        NULL,
        '"audit"."capture_shop_orders_273b481b_row"()'::regprocedure,
        '"audit"."capture_shop_orders_273b481b_truncate"()'::regprocedure,
        '{pgaudit_row}'::text[],
        'f5210b76597f36a65565cb3faf1e5c4aa07ed1983863e26302905eff944cb8d2',
        'default',
        'hash',
        true,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"shop"."orders"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"shop"."orders"'::regclass) as p
         where p.relid <> '"shop"."orders"'::regclass))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    truncate_mode = excluded.truncate_mode,
    attnums = excluded.attnums, members = excluded.members, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
select "audit".record_function_digests(array_remove(array[
    NULL::oid,
    '"audit"."capture_shop_orders_273b481b_row"()'::regprocedure::oid,
    '"audit"."capture_shop_orders_273b481b_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'shop.orders',
       '{
    "action": "start",
    "policies": {
        "id": "plain",
        "customer_id": "plain",
        "placed_at": "hash",
        "status": "plain",
        "history": "hash",
        "total": "plain",
        "items": "hash",
        "ship_to": "hash",
        "channel": "hash"
    },
    "key": [
        "id",
        "placed_at"
    ],
    "retention": "default",
    "fingerprint": "f5210b76597f36a65565cb3faf1e5c4aa07ed1983863e26302905eff944cb8d2"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of shop.orders
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "shop"."orders" to "audit_owner";
alter role "audit_owner" bypassrls;
set local role "audit_owner";
set local row_security = off;
set local "timezone" = 'UTC';
set local "datestyle" = 'ISO, YMD';
set local "intervalstyle" = 'postgres';
set local "extra_float_digits" = '1';
set local "bytea_output" = 'hex';
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                          login_role, effective_role, application_name, client_addr, request_id,
                          trace_id, key_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'shop.orders',
       json_build_object(
           'id', n."id",
           'placed_at', "audit".apply_policy('hash', n."placed_at"::text, k.k_in, k.k_out)),
       json_build_object(
           'id', n."id",
           'customer_id', n."customer_id",
           'placed_at', "audit".apply_policy('hash', n."placed_at"::text, k.k_in, k.k_out),
           'status', "audit".text_of(n."status"),
           'history', "audit".apply_policy('hash', "audit".text_of(n."history"), k.k_in, k.k_out),
           'total', n."total",
           'items', "audit".apply_policy('hash', n."items"::text, k.k_in, k.k_out),
           'ship_to', "audit".apply_policy('hash', n."ship_to"::text, k.k_in, k.k_out),
           'channel', "audit".apply_policy('hash', n."channel"::text, k.k_in, k.k_out)),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "shop"."orders" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "shop"."orders" from "audit_owner";

-- audit shop.inventory (6 hash)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_shop_inventory_bfb0ec5b_statement"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "datestyle" = 'ISO, YMD'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'INSERT' then
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.inventory',
               json_build_object(
                   'sku', "audit".apply_policy('hash', n."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', n."warehouse"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'sku', "audit".apply_policy('hash', n."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', n."warehouse"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', n."quantity"::text, v_k_in, v_k_out),
                   'bin', "audit".apply_policy('hash', n."bin"::text, v_k_in, v_k_out),
                   'reserved', "audit".apply_policy('hash', n."reserved"::text, v_k_in, v_k_out),
                   'counted_at', "audit".apply_policy('hash', n."counted_at"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.inventory',
               json_build_object(
                   'sku', "audit".apply_policy('hash', o."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', o."warehouse"::text, v_k_in, v_k_out)),
               json_build_object(
                   'sku', "audit".apply_policy('hash', o."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', o."warehouse"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', o."quantity"::text, v_k_in, v_k_out),
                   'bin', "audit".apply_policy('hash', o."bin"::text, v_k_in, v_k_out),
                   'reserved', "audit".apply_policy('hash', o."reserved"::text, v_k_in, v_k_out),
                   'counted_at', "audit".apply_policy('hash', o."counted_at"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from old_rows as o;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_inventory_bfb0ec5b_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_inventory_bfb0ec5b_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_shop_inventory_bfb0ec5b_row"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "datestyle" = 'ISO, YMD'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[];
    v_old jsonb;
    v_new jsonb;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'UPDATE' then
        v_old := '{}';
        v_new := '{}';
        if new."sku" is distinct from old."sku" then
            v_changed := v_changed || 'sku'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'sku', "audit".apply_policy('hash', old."sku"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'sku', "audit".apply_policy('hash', new."sku"::text, v_k_in, v_k_out));
        end if;
        if new."warehouse" is distinct from old."warehouse" then
            v_changed := v_changed || 'warehouse'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'warehouse', "audit".apply_policy('hash', old."warehouse"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'warehouse', "audit".apply_policy('hash', new."warehouse"::text, v_k_in, v_k_out));
        end if;
        if new."quantity" is distinct from old."quantity" then
            v_changed := v_changed || 'quantity'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'quantity', "audit".apply_policy('hash', old."quantity"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'quantity', "audit".apply_policy('hash', new."quantity"::text, v_k_in, v_k_out));
        end if;
        if new."bin" is distinct from old."bin" then
            v_changed := v_changed || 'bin'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'bin', "audit".apply_policy('hash', old."bin"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'bin', "audit".apply_policy('hash', new."bin"::text, v_k_in, v_k_out));
        end if;
        if new."reserved" is distinct from old."reserved" then
            v_changed := v_changed || 'reserved'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'reserved', "audit".apply_policy('hash', old."reserved"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'reserved', "audit".apply_policy('hash', new."reserved"::text, v_k_in, v_k_out));
        end if;
        if new."counted_at" is distinct from old."counted_at" then
            v_changed := v_changed || 'counted_at'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'counted_at', "audit".apply_policy('hash', old."counted_at"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'counted_at', "audit".apply_policy('hash', new."counted_at"::text, v_k_in, v_k_out));
        end if;
        if v_changed is null then
            return null;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'shop.inventory',
               json_build_object(
                   'sku', "audit".apply_policy('hash', old."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', old."warehouse"::text, v_k_in, v_k_out)),
               pg_catalog.to_json(v_old),
               pg_catalog.to_json(v_new),
               v_changed, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    elsif tg_op = 'INSERT' then
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.inventory',
               json_build_object(
                   'sku', "audit".apply_policy('hash', new."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', new."warehouse"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'sku', "audit".apply_policy('hash', new."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', new."warehouse"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', new."quantity"::text, v_k_in, v_k_out),
                   'bin', "audit".apply_policy('hash', new."bin"::text, v_k_in, v_k_out),
                   'reserved', "audit".apply_policy('hash', new."reserved"::text, v_k_in, v_k_out),
                   'counted_at', "audit".apply_policy('hash', new."counted_at"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    else
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.inventory',
               json_build_object(
                   'sku', "audit".apply_policy('hash', old."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', old."warehouse"::text, v_k_in, v_k_out)),
               json_build_object(
                   'sku', "audit".apply_policy('hash', old."sku"::text, v_k_in, v_k_out),
                   'warehouse', "audit".apply_policy('hash', old."warehouse"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', old."quantity"::text, v_k_in, v_k_out),
                   'bin', "audit".apply_policy('hash', old."bin"::text, v_k_in, v_k_out),
                   'reserved', "audit".apply_policy('hash', old."reserved"::text, v_k_in, v_k_out),
                   'counted_at', "audit".apply_policy('hash', old."counted_at"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_inventory_bfb0ec5b_row"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_inventory_bfb0ec5b_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_shop_inventory_bfb0ec5b_truncate"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    -- no key: nothing is hashed here
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- statement mode: the event alone
    insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'shop.inventory',
            case when (tg_table_schema, tg_table_name) <> ('shop', 'inventory')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_inventory_bfb0ec5b_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_inventory_bfb0ec5b_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "shop"."inventory" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "shop"."inventory"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_shop_inventory_bfb0ec5b_statement"();
create or replace trigger pgaudit_delete after delete on "shop"."inventory"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_shop_inventory_bfb0ec5b_statement"();
create or replace trigger pgaudit_update after update on "shop"."inventory"
    for each row execute function "audit"."capture_shop_inventory_bfb0ec5b_row"();
create or replace trigger pgaudit_truncate after truncate on "shop"."inventory"
    for each statement execute function "audit"."capture_shop_inventory_bfb0ec5b_truncate"();
alter table "shop"."inventory"
    enable always trigger pgaudit_insert,
    enable always trigger pgaudit_delete,
    enable always trigger pgaudit_update,
    enable always trigger pgaudit_truncate;
-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; members, the partitions the guard has accepted;
-- registering (re)starts fast capture and records the capture functions' fingerprints.
insert into "audit".audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, truncate_mode, attnums, members)
values ('"shop"."inventory"'::regclass,
        'shop.inventory',
        false,
        '{sku,warehouse}'::text[],
        '{
    "sku": "hash",
    "warehouse": "hash",
    "quantity": "hash",
    "bin": "hash",
    "reserved": "hash",
    "counted_at": "hash"
}'::jsonb,
        '{
    "sku": "character varying(32)",
    "warehouse": "character(4)",
    "quantity": "integer",
    "bin": "character varying(12)",
    "reserved": "numeric(12,2)[]",
    "counted_at": "timestamp(3) without time zone"
}'::jsonb,
        '"audit"."capture_shop_inventory_bfb0ec5b_statement"()'::regprocedure,
        '"audit"."capture_shop_inventory_bfb0ec5b_row"()'::regprocedure,
        '"audit"."capture_shop_inventory_bfb0ec5b_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        '5aa70c393a325a4385adc198166ad701840d8d9595261ed2d088da65d88845ea',
        'default',
        'hash',
        true,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"shop"."inventory"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"shop"."inventory"'::regclass) as p
         where p.relid <> '"shop"."inventory"'::regclass))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    truncate_mode = excluded.truncate_mode,
    attnums = excluded.attnums, members = excluded.members, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
select "audit".record_function_digests(array_remove(array[
    '"audit"."capture_shop_inventory_bfb0ec5b_statement"()'::regprocedure::oid,
    '"audit"."capture_shop_inventory_bfb0ec5b_row"()'::regprocedure::oid,
    '"audit"."capture_shop_inventory_bfb0ec5b_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'shop.inventory',
       '{
    "action": "start",
    "policies": {
        "sku": "hash",
        "warehouse": "hash",
        "quantity": "hash",
        "bin": "hash",
        "reserved": "hash",
        "counted_at": "hash"
    },
    "key": [
        "sku",
        "warehouse"
    ],
    "retention": "default",
    "fingerprint": "5aa70c393a325a4385adc198166ad701840d8d9595261ed2d088da65d88845ea"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of shop.inventory
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "shop"."inventory" to "audit_owner";
alter role "audit_owner" bypassrls;
set local role "audit_owner";
set local row_security = off;
set local "timezone" = 'UTC';
set local "datestyle" = 'ISO, YMD';
set local "intervalstyle" = 'postgres';
set local "extra_float_digits" = '1';
set local "bytea_output" = 'hex';
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                          login_role, effective_role, application_name, client_addr, request_id,
                          trace_id, key_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'shop.inventory',
       json_build_object(
           'sku', "audit".apply_policy('hash', n."sku"::text, k.k_in, k.k_out),
           'warehouse', "audit".apply_policy('hash', n."warehouse"::text, k.k_in, k.k_out)),
       json_build_object(
           'sku', "audit".apply_policy('hash', n."sku"::text, k.k_in, k.k_out),
           'warehouse', "audit".apply_policy('hash', n."warehouse"::text, k.k_in, k.k_out),
           'quantity', "audit".apply_policy('hash', n."quantity"::text, k.k_in, k.k_out),
           'bin', "audit".apply_policy('hash', n."bin"::text, k.k_in, k.k_out),
           'reserved', "audit".apply_policy('hash', n."reserved"::text, k.k_in, k.k_out),
           'counted_at', "audit".apply_policy('hash', n."counted_at"::text, k.k_in, k.k_out)),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "shop"."inventory" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "shop"."inventory" from "audit_owner";

-- audit shop.sessions (6 hash, 1 mask:last4)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_shop_sessions_6ed6dc20_statement"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "intervalstyle" = 'postgres'
set "extra_float_digits" = '1'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'INSERT' then
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.sessions',
               json_build_object(
                   'id', "audit".apply_policy('hash', n."id"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'id', "audit".apply_policy('hash', n."id"::text, v_k_in, v_k_out),
                   'customer_id', "audit".apply_policy('hash', n."customer_id"::text, v_k_in, v_k_out),
                   'client_ip', "audit".apply_policy('mask:last4', n."client_ip"::text, v_k_in, v_k_out),
                   'lifetime', "audit".apply_policy('hash', n."lifetime"::text, v_k_in, v_k_out),
                   'data', "audit".apply_policy('hash', n."data"::text, v_k_in, v_k_out),
                   'score', "audit".apply_policy('hash', n."score"::text, v_k_in, v_k_out),
                   'flags', "audit".apply_policy('hash', n."flags"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.sessions',
               json_build_object(
                   'id', "audit".apply_policy('hash', o."id"::text, v_k_in, v_k_out)),
               json_build_object(
                   'id', "audit".apply_policy('hash', o."id"::text, v_k_in, v_k_out),
                   'customer_id', "audit".apply_policy('hash', o."customer_id"::text, v_k_in, v_k_out),
                   'client_ip', "audit".apply_policy('mask:last4', o."client_ip"::text, v_k_in, v_k_out),
                   'lifetime', "audit".apply_policy('hash', o."lifetime"::text, v_k_in, v_k_out),
                   'data', "audit".apply_policy('hash', o."data"::text, v_k_in, v_k_out),
                   'score', "audit".apply_policy('hash', o."score"::text, v_k_in, v_k_out),
                   'flags', "audit".apply_policy('hash', o."flags"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from old_rows as o;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_sessions_6ed6dc20_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_sessions_6ed6dc20_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_shop_sessions_6ed6dc20_row"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set "intervalstyle" = 'postgres'
set "extra_float_digits" = '1'
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[];
    v_old jsonb;
    v_new jsonb;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'UPDATE' then
        v_old := '{}';
        v_new := '{}';
        if new."id" is distinct from old."id" then
            v_changed := v_changed || 'id'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'id', "audit".apply_policy('hash', old."id"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'id', "audit".apply_policy('hash', new."id"::text, v_k_in, v_k_out));
        end if;
        if new."customer_id" is distinct from old."customer_id" then
            v_changed := v_changed || 'customer_id'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'customer_id', "audit".apply_policy('hash', old."customer_id"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'customer_id', "audit".apply_policy('hash', new."customer_id"::text, v_k_in, v_k_out));
        end if;
        if new."client_ip" is distinct from old."client_ip" then
            v_changed := v_changed || 'client_ip'::text;
            v_old := v_old || jsonb_build_object(
                'client_ip', "audit".apply_policy('mask:last4', old."client_ip"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'client_ip', "audit".apply_policy('mask:last4', new."client_ip"::text, v_k_in, v_k_out));
        end if;
        if new."lifetime"::text is distinct from old."lifetime"::text then
            v_changed := v_changed || 'lifetime'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'lifetime', "audit".apply_policy('hash', old."lifetime"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'lifetime', "audit".apply_policy('hash', new."lifetime"::text, v_k_in, v_k_out));
        end if;
        if new."data"::text is distinct from old."data"::text then
            v_changed := v_changed || 'data'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'data', "audit".apply_policy('hash', old."data"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'data', "audit".apply_policy('hash', new."data"::text, v_k_in, v_k_out));
        end if;
        if new."score" is distinct from old."score" then
            v_changed := v_changed || 'score'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'score', "audit".apply_policy('hash', old."score"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'score', "audit".apply_policy('hash', new."score"::text, v_k_in, v_k_out));
        end if;
        if new."flags" is distinct from old."flags" then
            v_changed := v_changed || 'flags'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'flags', "audit".apply_policy('hash', old."flags"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'flags', "audit".apply_policy('hash', new."flags"::text, v_k_in, v_k_out));
        end if;
        if v_changed is null then
            return null;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'shop.sessions',
               json_build_object(
                   'id', "audit".apply_policy('hash', old."id"::text, v_k_in, v_k_out)),
               pg_catalog.to_json(v_old),
               pg_catalog.to_json(v_new),
               v_changed, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    elsif tg_op = 'INSERT' then
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'shop.sessions',
               json_build_object(
                   'id', "audit".apply_policy('hash', new."id"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'id', "audit".apply_policy('hash', new."id"::text, v_k_in, v_k_out),
                   'customer_id', "audit".apply_policy('hash', new."customer_id"::text, v_k_in, v_k_out),
                   'client_ip', "audit".apply_policy('mask:last4', new."client_ip"::text, v_k_in, v_k_out),
                   'lifetime', "audit".apply_policy('hash', new."lifetime"::text, v_k_in, v_k_out),
                   'data', "audit".apply_policy('hash', new."data"::text, v_k_in, v_k_out),
                   'score', "audit".apply_policy('hash', new."score"::text, v_k_in, v_k_out),
                   'flags', "audit".apply_policy('hash', new."flags"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    else
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'shop.sessions',
               json_build_object(
                   'id', "audit".apply_policy('hash', old."id"::text, v_k_in, v_k_out)),
               json_build_object(
                   'id', "audit".apply_policy('hash', old."id"::text, v_k_in, v_k_out),
                   'customer_id', "audit".apply_policy('hash', old."customer_id"::text, v_k_in, v_k_out),
                   'client_ip', "audit".apply_policy('mask:last4', old."client_ip"::text, v_k_in, v_k_out),
                   'lifetime', "audit".apply_policy('hash', old."lifetime"::text, v_k_in, v_k_out),
                   'data', "audit".apply_policy('hash', old."data"::text, v_k_in, v_k_out),
                   'score', "audit".apply_policy('hash', old."score"::text, v_k_in, v_k_out),
                   'flags', "audit".apply_policy('hash', old."flags"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_sessions_6ed6dc20_row"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_sessions_6ed6dc20_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_shop_sessions_6ed6dc20_truncate"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    -- no key: nothing is hashed here
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- statement mode: the event alone
    insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'shop.sessions',
            case when (tg_table_schema, tg_table_name) <> ('shop', 'sessions')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_shop_sessions_6ed6dc20_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_shop_sessions_6ed6dc20_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "shop"."sessions" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "shop"."sessions"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_shop_sessions_6ed6dc20_statement"();
create or replace trigger pgaudit_delete after delete on "shop"."sessions"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_shop_sessions_6ed6dc20_statement"();
create or replace trigger pgaudit_update after update on "shop"."sessions"
    for each row execute function "audit"."capture_shop_sessions_6ed6dc20_row"();
create or replace trigger pgaudit_truncate after truncate on "shop"."sessions"
    for each statement execute function "audit"."capture_shop_sessions_6ed6dc20_truncate"();
alter table "shop"."sessions"
    enable always trigger pgaudit_insert,
    enable always trigger pgaudit_delete,
    enable always trigger pgaudit_update,
    enable always trigger pgaudit_truncate;
-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; members, the partitions the guard has accepted;
-- registering (re)starts fast capture and records the capture functions' fingerprints.
insert into "audit".audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, truncate_mode, attnums, members)
values ('"shop"."sessions"'::regclass,
        'shop.sessions',
        false,
        '{id}'::text[],
        '{
    "id": "hash",
    "customer_id": "hash",
    "client_ip": "mask:last4",
    "lifetime": "hash",
    "data": "hash",
    "score": "hash",
    "flags": "hash"
}'::jsonb,
        '{
    "id": "uuid",
    "customer_id": "bigint",
    "client_ip": "inet",
    "lifetime": "interval",
    "data": "json",
    "score": "double precision",
    "flags": "bit varying(8)"
}'::jsonb,
        '"audit"."capture_shop_sessions_6ed6dc20_statement"()'::regprocedure,
        '"audit"."capture_shop_sessions_6ed6dc20_row"()'::regprocedure,
        '"audit"."capture_shop_sessions_6ed6dc20_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        '568cb4e35ae158382af037e4ef9e934d69d5482d307fec5d64a37b5d3e005d3d',
        'default',
        'hash',
        true,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"shop"."sessions"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"shop"."sessions"'::regclass) as p
         where p.relid <> '"shop"."sessions"'::regclass))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    truncate_mode = excluded.truncate_mode,
    attnums = excluded.attnums, members = excluded.members, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
select "audit".record_function_digests(array_remove(array[
    '"audit"."capture_shop_sessions_6ed6dc20_statement"()'::regprocedure::oid,
    '"audit"."capture_shop_sessions_6ed6dc20_row"()'::regprocedure::oid,
    '"audit"."capture_shop_sessions_6ed6dc20_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'shop.sessions',
       '{
    "action": "start",
    "policies": {
        "id": "hash",
        "customer_id": "hash",
        "client_ip": "mask:last4",
        "lifetime": "hash",
        "data": "hash",
        "score": "hash",
        "flags": "hash"
    },
    "key": [
        "id"
    ],
    "retention": "default",
    "fingerprint": "568cb4e35ae158382af037e4ef9e934d69d5482d307fec5d64a37b5d3e005d3d"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of shop.sessions
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "shop"."sessions" to "audit_owner";
alter role "audit_owner" bypassrls;
set local role "audit_owner";
set local row_security = off;
set local "timezone" = 'UTC';
set local "datestyle" = 'ISO, YMD';
set local "intervalstyle" = 'postgres';
set local "extra_float_digits" = '1';
set local "bytea_output" = 'hex';
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                          login_role, effective_role, application_name, client_addr, request_id,
                          trace_id, key_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'shop.sessions',
       json_build_object(
           'id', "audit".apply_policy('hash', n."id"::text, k.k_in, k.k_out)),
       json_build_object(
           'id', "audit".apply_policy('hash', n."id"::text, k.k_in, k.k_out),
           'customer_id', "audit".apply_policy('hash', n."customer_id"::text, k.k_in, k.k_out),
           'client_ip', "audit".apply_policy('mask:last4', n."client_ip"::text, k.k_in, k.k_out),
           'lifetime', "audit".apply_policy('hash', n."lifetime"::text, k.k_in, k.k_out),
           'data', "audit".apply_policy('hash', n."data"::text, k.k_in, k.k_out),
           'score', "audit".apply_policy('hash', n."score"::text, k.k_in, k.k_out),
           'flags', "audit".apply_policy('hash', n."flags"::text, k.k_in, k.k_out)),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "shop"."sessions" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "shop"."sessions" from "audit_owner";

-- audit "Sales Co"."Order Lines" (7 hash)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_sales_co_order_lines_c93b07c1_statement"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'INSERT' then
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', '"Sales Co"."Order Lines"',
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', n."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', n."Line No"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', n."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', n."Line No"::text, v_k_in, v_k_out),
                   'SKU', "audit".apply_policy('hash', n."SKU"::text, v_k_in, v_k_out),
                   'Unit Price', "audit".apply_policy('hash', n."Unit Price"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', n."quantity"::text, v_k_in, v_k_out),
                   'Line Total', "audit".apply_policy('hash', n."Line Total"::text, v_k_in, v_k_out),
                   'Gift Note', "audit".apply_policy('hash', n."Gift Note"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', '"Sales Co"."Order Lines"',
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', o."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', o."Line No"::text, v_k_in, v_k_out)),
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', o."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', o."Line No"::text, v_k_in, v_k_out),
                   'SKU', "audit".apply_policy('hash', o."SKU"::text, v_k_in, v_k_out),
                   'Unit Price', "audit".apply_policy('hash', o."Unit Price"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', o."quantity"::text, v_k_in, v_k_out),
                   'Line Total', "audit".apply_policy('hash', o."Line Total"::text, v_k_in, v_k_out),
                   'Gift Note', "audit".apply_policy('hash', o."Gift Note"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from old_rows as o;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_sales_co_order_lines_c93b07c1_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_sales_co_order_lines_c93b07c1_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_sales_co_order_lines_c93b07c1_row"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    v_key_id integer;
    v_k_in bytea;
    v_k_out bytea;
    v_changed text[];
    v_old jsonb;
    v_new jsonb;
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- the current HMAC key; capture fails closed rather than store a value it cannot hash
    select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
    from "audit".hmac_keys as k
    where k.shredded_at is null
    order by k.key_id desc
    limit 1;
    if v_k_in is null then
        raise exception 'pgaudit-kit: no usable HMAC key in %', 'audit'
            using hint = 'run pgaudit-kit key rotate';
    end if;
    if tg_op = 'UPDATE' then
        v_old := '{}';
        v_new := '{}';
        if new."Order Id" is distinct from old."Order Id" then
            v_changed := v_changed || 'Order Id'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'Order Id', "audit".apply_policy('hash', old."Order Id"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'Order Id', "audit".apply_policy('hash', new."Order Id"::text, v_k_in, v_k_out));
        end if;
        if new."Line No" is distinct from old."Line No" then
            v_changed := v_changed || 'Line No'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'Line No', "audit".apply_policy('hash', old."Line No"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'Line No', "audit".apply_policy('hash', new."Line No"::text, v_k_in, v_k_out));
        end if;
        if new."SKU" is distinct from old."SKU" then
            v_changed := v_changed || 'SKU'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'SKU', "audit".apply_policy('hash', old."SKU"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'SKU', "audit".apply_policy('hash', new."SKU"::text, v_k_in, v_k_out));
        end if;
        if new."Unit Price" is distinct from old."Unit Price" then
            v_changed := v_changed || 'Unit Price'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'Unit Price', "audit".apply_policy('hash', old."Unit Price"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'Unit Price', "audit".apply_policy('hash', new."Unit Price"::text, v_k_in, v_k_out));
        end if;
        if new."quantity" is distinct from old."quantity" then
            v_changed := v_changed || 'quantity'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'quantity', "audit".apply_policy('hash', old."quantity"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'quantity', "audit".apply_policy('hash', new."quantity"::text, v_k_in, v_k_out));
        end if;
        if new."Line Total" is distinct from old."Line Total" then
            v_changed := v_changed || 'Line Total'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'Line Total', "audit".apply_policy('hash', old."Line Total"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'Line Total', "audit".apply_policy('hash', new."Line Total"::text, v_k_in, v_k_out));
        end if;
        if new."Gift Note" is distinct from old."Gift Note" then
            v_changed := v_changed || 'Gift Note'::text;
    -- no key read here
            v_old := v_old || jsonb_build_object(
                'Gift Note', "audit".apply_policy('hash', old."Gift Note"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'Gift Note', "audit".apply_policy('hash', new."Gift Note"::text, v_k_in, v_k_out));
        end if;
        if v_changed is null then
            return null;
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', '"Sales Co"."Order Lines"',
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', old."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', old."Line No"::text, v_k_in, v_k_out)),
               pg_catalog.to_json(v_old),
               pg_catalog.to_json(v_new),
               v_changed, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    elsif tg_op = 'INSERT' then
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', '"Sales Co"."Order Lines"',
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', new."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', new."Line No"::text, v_k_in, v_k_out)),
               null,
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', new."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', new."Line No"::text, v_k_in, v_k_out),
                   'SKU', "audit".apply_policy('hash', new."SKU"::text, v_k_in, v_k_out),
                   'Unit Price', "audit".apply_policy('hash', new."Unit Price"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', new."quantity"::text, v_k_in, v_k_out),
                   'Line Total', "audit".apply_policy('hash', new."Line Total"::text, v_k_in, v_k_out),
                   'Gift Note', "audit".apply_policy('hash', new."Gift Note"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    else
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', '"Sales Co"."Order Lines"',
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', old."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', old."Line No"::text, v_k_in, v_k_out)),
               json_build_object(
                   'Order Id', "audit".apply_policy('hash', old."Order Id"::text, v_k_in, v_k_out),
                   'Line No', "audit".apply_policy('hash', old."Line No"::text, v_k_in, v_k_out),
                   'SKU', "audit".apply_policy('hash', old."SKU"::text, v_k_in, v_k_out),
                   'Unit Price', "audit".apply_policy('hash', old."Unit Price"::text, v_k_in, v_k_out),
                   'quantity', "audit".apply_policy('hash', old."quantity"::text, v_k_in, v_k_out),
                   'Line Total', "audit".apply_policy('hash', old."Line Total"::text, v_k_in, v_k_out),
                   'Gift Note', "audit".apply_policy('hash', old."Gift Note"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_sales_co_order_lines_c93b07c1_row"() owner to "audit_owner";
revoke all on function "audit"."capture_sales_co_order_lines_c93b07c1_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_sales_co_order_lines_c93b07c1_truncate"() returns trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    -- who and where, as statement_context() describes it (a test holds the two equal), for every
    -- capture function (statement, row, TRUNCATE), read into plain variables: a composite costs far
    -- more to build and to read fields from, and PL/pgSQL prepares every expression again in each
    -- transaction's first call
    v_txid bigint := pg_catalog.txid_current();
    v_login_role text := session_user::text;
    v_effective_role text := coalesce(nullif(pg_catalog.current_setting('role'), 'none'), session_user::text);
    v_application_name text := pg_catalog.current_setting('application_name');
    v_client_addr inet := pg_catalog.inet_client_addr();
    v_request_id text := nullif(pg_catalog.current_setting('pgaudit.request_id', true), '');
    v_trace_id text := nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '');
    -- no key: nothing is hashed here
begin
    -- the client's claims, cut to claim_text's bound of 256 characters; they are almost never that
    -- long, so claim_text runs only when all three together are
    if pg_catalog.char_length(pg_catalog.concat(v_application_name, v_request_id, v_trace_id)) > 256 then
        v_application_name := "audit".claim_text(v_application_name);
        v_request_id := "audit".claim_text(v_request_id);
        v_trace_id := "audit".claim_text(v_trace_id);
    end if;
    -- statement mode: the event alone
    insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', '"Sales Co"."Order Lines"',
            case when (tg_table_schema, tg_table_name) <> ('Sales Co', 'Order Lines')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_sales_co_order_lines_c93b07c1_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_sales_co_order_lines_c93b07c1_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "Sales Co"."Order Lines" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "Sales Co"."Order Lines"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_sales_co_order_lines_c93b07c1_statement"();
create or replace trigger pgaudit_delete after delete on "Sales Co"."Order Lines"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_sales_co_order_lines_c93b07c1_statement"();
create or replace trigger pgaudit_update after update on "Sales Co"."Order Lines"
    for each row execute function "audit"."capture_sales_co_order_lines_c93b07c1_row"();
create or replace trigger pgaudit_truncate after truncate on "Sales Co"."Order Lines"
    for each statement execute function "audit"."capture_sales_co_order_lines_c93b07c1_truncate"();
alter table "Sales Co"."Order Lines"
    enable always trigger pgaudit_insert,
    enable always trigger pgaudit_delete,
    enable always trigger pgaudit_update,
    enable always trigger pgaudit_truncate;
-- Records what was installed on the table, for the guard, status and check. attnums lets the
-- guard follow columns through renames; members, the partitions the guard has accepted;
-- registering (re)starts fast capture and records the capture functions' fingerprints.
insert into "audit".audited_tables as t
    (relid, table_name, partitioned, key_columns, policies, columns, statement_function,
     row_function, truncate_function, triggers, fingerprint, retention_class, default_policy,
     skip_unchanged, update_images, truncate_mode, attnums, members)
values ('"Sales Co"."Order Lines"'::regclass,
        '"Sales Co"."Order Lines"',
        false,
        '{"Order Id","Line No"}'::text[],
        '{
    "Order Id": "hash",
    "Line No": "hash",
    "SKU": "hash",
    "Unit Price": "hash",
    "quantity": "hash",
    "Line Total": "hash",
    "Gift Note": "hash"
}'::jsonb,
        '{
    "Order Id": "bigint",
    "Line No": "smallint",
    "SKU": "character varying(32)",
    "Unit Price": "numeric(12,2)",
    "quantity": "integer",
    "Line Total": "numeric(14,2)",
    "Gift Note": "text"
}'::jsonb,
        '"audit"."capture_sales_co_order_lines_c93b07c1_statement"()'::regprocedure,
        '"audit"."capture_sales_co_order_lines_c93b07c1_row"()'::regprocedure,
        '"audit"."capture_sales_co_order_lines_c93b07c1_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        '679ff6d914e0316fb9e41d04ce6cbbdade3b7893dec40b0b1bc01d3a8c23632f',
        'default',
        'hash',
        true,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"Sales Co"."Order Lines"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"Sales Co"."Order Lines"'::regclass) as p
         where p.relid <> '"Sales Co"."Order Lines"'::regclass))
on conflict (relid) do update set
    table_name = excluded.table_name, partitioned = excluded.partitioned,
    key_columns = excluded.key_columns, policies = excluded.policies, columns = excluded.columns,
    statement_function = excluded.statement_function, row_function = excluded.row_function,
    truncate_function = excluded.truncate_function, triggers = excluded.triggers,
    fingerprint = excluded.fingerprint, installed_at = now(),
    retention_class = excluded.retention_class, default_policy = excluded.default_policy,
    skip_unchanged = excluded.skip_unchanged, update_images = excluded.update_images,
    truncate_mode = excluded.truncate_mode,
    attnums = excluded.attnums, members = excluded.members, capture_mode = 'fast', drift_detected_at = null,
    drift_detail = null, generic_policies = null, generic_keys = null;
select "audit".record_function_digests(array_remove(array[
    '"audit"."capture_sales_co_order_lines_c93b07c1_statement"()'::regprocedure::oid,
    '"audit"."capture_sales_co_order_lines_c93b07c1_row"()'::regprocedure::oid,
    '"audit"."capture_sales_co_order_lines_c93b07c1_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', '"Sales Co"."Order Lines"',
       '{
    "action": "start",
    "policies": {
        "Order Id": "hash",
        "Line No": "hash",
        "SKU": "hash",
        "Unit Price": "hash",
        "quantity": "hash",
        "Line Total": "hash",
        "Gift Note": "hash"
    },
    "key": [
        "Order Id",
        "Line No"
    ],
    "retention": "default",
    "fingerprint": "679ff6d914e0316fb9e41d04ce6cbbdade3b7893dec40b0b1bc01d3a8c23632f"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of "Sales Co"."Order Lines"
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "Sales Co"."Order Lines" to "audit_owner";
alter role "audit_owner" bypassrls;
set local role "audit_owner";
set local row_security = off;
set local "timezone" = 'UTC';
set local "datestyle" = 'ISO, YMD';
set local "intervalstyle" = 'postgres';
set local "extra_float_digits" = '1';
set local "bytea_output" = 'hex';
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, new_values,
                          login_role, effective_role, application_name, client_addr, request_id,
                          trace_id, key_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', '"Sales Co"."Order Lines"',
       json_build_object(
           'Order Id', "audit".apply_policy('hash', n."Order Id"::text, k.k_in, k.k_out),
           'Line No', "audit".apply_policy('hash', n."Line No"::text, k.k_in, k.k_out)),
       json_build_object(
           'Order Id', "audit".apply_policy('hash', n."Order Id"::text, k.k_in, k.k_out),
           'Line No', "audit".apply_policy('hash', n."Line No"::text, k.k_in, k.k_out),
           'SKU', "audit".apply_policy('hash', n."SKU"::text, k.k_in, k.k_out),
           'Unit Price', "audit".apply_policy('hash', n."Unit Price"::text, k.k_in, k.k_out),
           'quantity', "audit".apply_policy('hash', n."quantity"::text, k.k_in, k.k_out),
           'Line Total', "audit".apply_policy('hash', n."Line Total"::text, k.k_in, k.k_out),
           'Gift Note', "audit".apply_policy('hash', n."Gift Note"::text, k.k_in, k.k_out)),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "Sales Co"."Order Lines" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "Sales Co"."Order Lines" from "audit_owner";
