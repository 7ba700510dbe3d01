-- note: app.visits.note: the comment tag pgaudit:plain is ignored: it is looser than default_policy
-- hash (a comment may only tighten a column; classify it in pgaudit.toml to loosen it)

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

-- audit app.visits (3 hash, 1 mask:last4, 1 omit, 5 plain)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_app_visits_729abcca_statement"() returns trigger
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'app.visits',
               json_build_object(
                   'id', n."id"),
               null,
               json_build_object(
                   'id', n."id",
                   'mood', "audit".text_of(n."mood"),
                   'moods', "audit".apply_policy('hash', "audit".text_of(n."moods"), v_k_in, v_k_out),
                   'pair', "audit".text_of(n."pair"),
                   'gloom', "audit".apply_policy('mask:last4', "audit".text_of(n."gloom"), v_k_in, v_k_out),
                   'score', n."score",
                   'at', n."at",
                   'note', "audit".apply_policy('hash', n."note"::text, v_k_in, v_k_out),
                   'twice', "audit".apply_policy('hash', n."twice"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'app.visits',
               json_build_object(
                   'id', o."id"),
               json_build_object(
                   'id', o."id",
                   'mood', "audit".text_of(o."mood"),
                   'moods', "audit".apply_policy('hash', "audit".text_of(o."moods"), v_k_in, v_k_out),
                   'pair', "audit".text_of(o."pair"),
                   'gloom', "audit".apply_policy('mask:last4', "audit".text_of(o."gloom"), v_k_in, v_k_out),
                   'score', o."score",
                   'at', o."at",
                   'note', "audit".apply_policy('hash', o."note"::text, v_k_in, v_k_out),
                   'twice', "audit".apply_policy('hash', o."twice"::text, v_k_in, v_k_out)),
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
alter function "audit"."capture_app_visits_729abcca_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_app_visits_729abcca_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_app_visits_729abcca_row"() returns trigger
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
        if new."id" is distinct from old."id" then
            v_changed := v_changed || 'id'::text;
        end if;
        if "audit".text_of(new."mood") is distinct from "audit".text_of(old."mood") then
            v_changed := v_changed || 'mood'::text;
        end if;
        if "audit".text_of(new."moods") is distinct from "audit".text_of(old."moods") then
            v_changed := v_changed || 'moods'::text;
        end if;
        if "audit".text_of(new."pair") is distinct from "audit".text_of(old."pair") then
            v_changed := v_changed || 'pair'::text;
        end if;
        if "audit".text_of(new."gloom") is distinct from "audit".text_of(old."gloom") then
            v_changed := v_changed || 'gloom'::text;
        end if;
        if new."score" is distinct from old."score" then
            v_changed := v_changed || 'score'::text;
        end if;
        if new."at" is distinct from old."at" then
            v_changed := v_changed || 'at'::text;
        end if;
        if new."note" is distinct from old."note" then
            v_changed := v_changed || 'note'::text;
        end if;
        if new."secret" is distinct from old."secret" then
            v_changed := v_changed || 'secret'::text;
        end if;
        if new."twice" is distinct from old."twice" then
            v_changed := v_changed || 'twice'::text;
        end if;
        if v_changed is null then
            return null;
        end if;
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'app.visits',
               json_build_object(
                   'id', old."id"),
               json_build_object(
                   'id', old."id",
                   'mood', "audit".text_of(old."mood"),
                   'moods', "audit".apply_policy('hash', "audit".text_of(old."moods"), v_k_in, v_k_out),
                   'pair', "audit".text_of(old."pair"),
                   'gloom', "audit".apply_policy('mask:last4', "audit".text_of(old."gloom"), v_k_in, v_k_out),
                   'score', old."score",
                   'at', old."at",
                   'note', "audit".apply_policy('hash', old."note"::text, v_k_in, v_k_out),
                   'twice', "audit".apply_policy('hash', old."twice"::text, v_k_in, v_k_out)),
               json_build_object(
                   'id', new."id",
                   'mood', "audit".text_of(new."mood"),
                   'moods', "audit".apply_policy('hash', "audit".text_of(new."moods"), v_k_in, v_k_out),
                   'pair', "audit".text_of(new."pair"),
                   'gloom', "audit".apply_policy('mask:last4', "audit".text_of(new."gloom"), v_k_in, v_k_out),
                   'score', new."score",
                   'at', new."at",
                   'note', "audit".apply_policy('hash', new."note"::text, v_k_in, v_k_out),
                   'twice', "audit".apply_policy('hash', new."twice"::text, v_k_in, v_k_out)),
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'app.visits',
               json_build_object(
                   'id', new."id"),
               null,
               json_build_object(
                   'id', new."id",
                   'mood', "audit".text_of(new."mood"),
                   'moods', "audit".apply_policy('hash', "audit".text_of(new."moods"), v_k_in, v_k_out),
                   'pair', "audit".text_of(new."pair"),
                   'gloom', "audit".apply_policy('mask:last4', "audit".text_of(new."gloom"), v_k_in, v_k_out),
                   'score', new."score",
                   'at', new."at",
                   'note', "audit".apply_policy('hash', new."note"::text, v_k_in, v_k_out),
                   'twice', "audit".apply_policy('hash', new."twice"::text, v_k_in, v_k_out)),
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'app.visits',
               json_build_object(
                   'id', old."id"),
               json_build_object(
                   'id', old."id",
                   'mood', "audit".text_of(old."mood"),
                   'moods', "audit".apply_policy('hash', "audit".text_of(old."moods"), v_k_in, v_k_out),
                   'pair', "audit".text_of(old."pair"),
                   'gloom', "audit".apply_policy('mask:last4', "audit".text_of(old."gloom"), v_k_in, v_k_out),
                   'score', old."score",
                   'at', old."at",
                   'note', "audit".apply_policy('hash', old."note"::text, v_k_in, v_k_out),
                   'twice', "audit".apply_policy('hash', old."twice"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_app_visits_729abcca_row"() owner to "audit_owner";
revoke all on function "audit"."capture_app_visits_729abcca_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_app_visits_729abcca_truncate"() returns trigger
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
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'app.visits',
            case when (tg_table_schema, tg_table_name) <> ('app', 'visits')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_app_visits_729abcca_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_app_visits_729abcca_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "app"."visits" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "app"."visits"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_app_visits_729abcca_statement"();
create or replace trigger pgaudit_delete after delete on "app"."visits"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_app_visits_729abcca_statement"();
create or replace trigger pgaudit_update after update on "app"."visits"
    for each row execute function "audit"."capture_app_visits_729abcca_row"();
create or replace trigger pgaudit_truncate after truncate on "app"."visits"
    for each statement execute function "audit"."capture_app_visits_729abcca_truncate"();
alter table "app"."visits"
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
values ('"app"."visits"'::regclass,
        'app.visits',
        false,
        '{id}'::text[],
        '{
    "id": "plain",
    "mood": "plain",
    "moods": "hash",
    "pair": "plain",
    "gloom": "mask:last4",
    "score": "plain",
    "at": "plain",
    "note": "hash",
    "secret": "omit",
    "twice": "hash"
}'::jsonb,
        '{
    "id": "bigint",
    "mood": "app.mood",
    "moods": "app.mood[]",
    "pair": "app.pair",
    "gloom": "app.gloomy",
    "score": "app.positive",
    "at": "timestamp with time zone",
    "note": "text",
    "secret": "text",
    "twice": "bigint"
}'::jsonb,
        '"audit"."capture_app_visits_729abcca_statement"()'::regprocedure,
        '"audit"."capture_app_visits_729abcca_row"()'::regprocedure,
        '"audit"."capture_app_visits_729abcca_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        '57e58be83e75fbada1cc41198f34c2c7bd8a914ae1f0ad37f30096c51c0fa94b',
        'default',
        'hash',
        true,
        'full',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"app"."visits"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"app"."visits"'::regclass) as p
         where p.relid <> '"app"."visits"'::regclass))
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
    '"audit"."capture_app_visits_729abcca_statement"()'::regprocedure::oid,
    '"audit"."capture_app_visits_729abcca_row"()'::regprocedure::oid,
    '"audit"."capture_app_visits_729abcca_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'app.visits',
       '{
    "action": "start",
    "policies": {
        "id": "plain",
        "mood": "plain",
        "moods": "hash",
        "pair": "plain",
        "gloom": "mask:last4",
        "score": "plain",
        "at": "plain",
        "note": "hash",
        "secret": "omit",
        "twice": "hash"
    },
    "key": [
        "id"
    ],
    "retention": "default",
    "fingerprint": "57e58be83e75fbada1cc41198f34c2c7bd8a914ae1f0ad37f30096c51c0fa94b"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of app.visits
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "app"."visits" to "audit_owner";
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
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'app.visits',
       json_build_object(
           'id', n."id"),
       json_build_object(
           'id', n."id",
           'mood', "audit".text_of(n."mood"),
           'moods', "audit".apply_policy('hash', "audit".text_of(n."moods"), k.k_in, k.k_out),
           'pair', "audit".text_of(n."pair"),
           'gloom', "audit".apply_policy('mask:last4', "audit".text_of(n."gloom"), k.k_in, k.k_out),
           'score', n."score",
           'at', n."at",
           'note', "audit".apply_policy('hash', n."note"::text, k.k_in, k.k_out),
           'twice', "audit".apply_policy('hash', n."twice"::text, k.k_in, k.k_out)),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "app"."visits" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "app"."visits" from "audit_owner";
