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

-- audit public.wide (5 omit, 55 plain)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_public_wide_47ec0b9e_statement"() returns trigger
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
    -- no key read here
    if tg_op = 'INSERT' then
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'public.wide',
               null::json,
               null,
               (jsonb_build_object(
                   'c01', n."c01",
                   'c02', n."c02",
                   'c03', n."c03",
                   'c04', n."c04",
                   'c05', n."c05",
                   'c06', n."c06",
                   'c07', n."c07",
                   'c08', n."c08",
                   'c09', n."c09",
                   'c10', n."c10",
                   'c11', n."c11",
                   'c12', n."c12",
                   'c13', n."c13",
                   'c14', n."c14",
                   'c15', n."c15",
                   'c16', n."c16",
                   'c17', n."c17",
                   'c18', n."c18",
                   'c19', n."c19",
                   'c20', n."c20",
                   'c21', n."c21",
                   'c22', n."c22",
                   'c23', n."c23",
                   'c24', n."c24",
                   'c25', n."c25",
                   'c26', n."c26",
                   'c27', n."c27",
                   'c28', n."c28",
                   'c29', n."c29",
                   'c30', n."c30",
                   'c31', n."c31",
                   'c32', n."c32",
                   'c33', n."c33",
                   'c34', n."c34",
                   'c35', n."c35",
                   'c36', n."c36",
                   'c37', n."c37",
                   'c38', n."c38",
                   'c39', n."c39",
                   'c40', n."c40",
                   'c41', n."c41",
                   'c42', n."c42",
                   'c43', n."c43",
                   'c44', n."c44",
                   'c45', n."c45",
                   'c46', n."c46",
                   'c47', n."c47",
                   'c48', n."c48",
                   'c49', n."c49",
                   'c50', n."c50")
               || jsonb_build_object(
                   'c51', n."c51",
                   'c52', n."c52",
                   'c53', n."c53",
                   'c54', n."c54",
                   'c55', n."c55"))::json,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'public.wide',
               null::json,
               (jsonb_build_object(
                   'c01', o."c01",
                   'c02', o."c02",
                   'c03', o."c03",
                   'c04', o."c04",
                   'c05', o."c05",
                   'c06', o."c06",
                   'c07', o."c07",
                   'c08', o."c08",
                   'c09', o."c09",
                   'c10', o."c10",
                   'c11', o."c11",
                   'c12', o."c12",
                   'c13', o."c13",
                   'c14', o."c14",
                   'c15', o."c15",
                   'c16', o."c16",
                   'c17', o."c17",
                   'c18', o."c18",
                   'c19', o."c19",
                   'c20', o."c20",
                   'c21', o."c21",
                   'c22', o."c22",
                   'c23', o."c23",
                   'c24', o."c24",
                   'c25', o."c25",
                   'c26', o."c26",
                   'c27', o."c27",
                   'c28', o."c28",
                   'c29', o."c29",
                   'c30', o."c30",
                   'c31', o."c31",
                   'c32', o."c32",
                   'c33', o."c33",
                   'c34', o."c34",
                   'c35', o."c35",
                   'c36', o."c36",
                   'c37', o."c37",
                   'c38', o."c38",
                   'c39', o."c39",
                   'c40', o."c40",
                   'c41', o."c41",
                   'c42', o."c42",
                   'c43', o."c43",
                   'c44', o."c44",
                   'c45', o."c45",
                   'c46', o."c46",
                   'c47', o."c47",
                   'c48', o."c48",
                   'c49', o."c49",
                   'c50', o."c50")
               || jsonb_build_object(
                   'c51', o."c51",
                   'c52', o."c52",
                   'c53', o."c53",
                   'c54', o."c54",
                   'c55', o."c55"))::json,
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
alter function "audit"."capture_public_wide_47ec0b9e_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_public_wide_47ec0b9e_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_public_wide_47ec0b9e_row"() returns trigger
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
    -- no key read here
    if tg_op = 'UPDATE' then
        if new."c01" is distinct from old."c01" then
            v_changed := v_changed || 'c01'::text;
        end if;
        if new."c02" is distinct from old."c02" then
            v_changed := v_changed || 'c02'::text;
        end if;
        if new."c03" is distinct from old."c03" then
            v_changed := v_changed || 'c03'::text;
        end if;
        if new."c04" is distinct from old."c04" then
            v_changed := v_changed || 'c04'::text;
        end if;
        if new."c05" is distinct from old."c05" then
            v_changed := v_changed || 'c05'::text;
        end if;
        if new."c06" is distinct from old."c06" then
            v_changed := v_changed || 'c06'::text;
        end if;
        if new."c07" is distinct from old."c07" then
            v_changed := v_changed || 'c07'::text;
        end if;
        if new."c08" is distinct from old."c08" then
            v_changed := v_changed || 'c08'::text;
        end if;
        if new."c09" is distinct from old."c09" then
            v_changed := v_changed || 'c09'::text;
        end if;
        if new."c10" is distinct from old."c10" then
            v_changed := v_changed || 'c10'::text;
        end if;
        if new."c11" is distinct from old."c11" then
            v_changed := v_changed || 'c11'::text;
        end if;
        if new."c12" is distinct from old."c12" then
            v_changed := v_changed || 'c12'::text;
        end if;
        if new."c13" is distinct from old."c13" then
            v_changed := v_changed || 'c13'::text;
        end if;
        if new."c14" is distinct from old."c14" then
            v_changed := v_changed || 'c14'::text;
        end if;
        if new."c15" is distinct from old."c15" then
            v_changed := v_changed || 'c15'::text;
        end if;
        if new."c16" is distinct from old."c16" then
            v_changed := v_changed || 'c16'::text;
        end if;
        if new."c17" is distinct from old."c17" then
            v_changed := v_changed || 'c17'::text;
        end if;
        if new."c18" is distinct from old."c18" then
            v_changed := v_changed || 'c18'::text;
        end if;
        if new."c19" is distinct from old."c19" then
            v_changed := v_changed || 'c19'::text;
        end if;
        if new."c20" is distinct from old."c20" then
            v_changed := v_changed || 'c20'::text;
        end if;
        if new."c21" is distinct from old."c21" then
            v_changed := v_changed || 'c21'::text;
        end if;
        if new."c22" is distinct from old."c22" then
            v_changed := v_changed || 'c22'::text;
        end if;
        if new."c23" is distinct from old."c23" then
            v_changed := v_changed || 'c23'::text;
        end if;
        if new."c24" is distinct from old."c24" then
            v_changed := v_changed || 'c24'::text;
        end if;
        if new."c25" is distinct from old."c25" then
            v_changed := v_changed || 'c25'::text;
        end if;
        if new."c26" is distinct from old."c26" then
            v_changed := v_changed || 'c26'::text;
        end if;
        if new."c27" is distinct from old."c27" then
            v_changed := v_changed || 'c27'::text;
        end if;
        if new."c28" is distinct from old."c28" then
            v_changed := v_changed || 'c28'::text;
        end if;
        if new."c29" is distinct from old."c29" then
            v_changed := v_changed || 'c29'::text;
        end if;
        if new."c30" is distinct from old."c30" then
            v_changed := v_changed || 'c30'::text;
        end if;
        if new."c31" is distinct from old."c31" then
            v_changed := v_changed || 'c31'::text;
        end if;
        if new."c32" is distinct from old."c32" then
            v_changed := v_changed || 'c32'::text;
        end if;
        if new."c33" is distinct from old."c33" then
            v_changed := v_changed || 'c33'::text;
        end if;
        if new."c34" is distinct from old."c34" then
            v_changed := v_changed || 'c34'::text;
        end if;
        if new."c35" is distinct from old."c35" then
            v_changed := v_changed || 'c35'::text;
        end if;
        if new."c36" is distinct from old."c36" then
            v_changed := v_changed || 'c36'::text;
        end if;
        if new."c37" is distinct from old."c37" then
            v_changed := v_changed || 'c37'::text;
        end if;
        if new."c38" is distinct from old."c38" then
            v_changed := v_changed || 'c38'::text;
        end if;
        if new."c39" is distinct from old."c39" then
            v_changed := v_changed || 'c39'::text;
        end if;
        if new."c40" is distinct from old."c40" then
            v_changed := v_changed || 'c40'::text;
        end if;
        if new."c41" is distinct from old."c41" then
            v_changed := v_changed || 'c41'::text;
        end if;
        if new."c42" is distinct from old."c42" then
            v_changed := v_changed || 'c42'::text;
        end if;
        if new."c43" is distinct from old."c43" then
            v_changed := v_changed || 'c43'::text;
        end if;
        if new."c44" is distinct from old."c44" then
            v_changed := v_changed || 'c44'::text;
        end if;
        if new."c45" is distinct from old."c45" then
            v_changed := v_changed || 'c45'::text;
        end if;
        if new."c46" is distinct from old."c46" then
            v_changed := v_changed || 'c46'::text;
        end if;
        if new."c47" is distinct from old."c47" then
            v_changed := v_changed || 'c47'::text;
        end if;
        if new."c48" is distinct from old."c48" then
            v_changed := v_changed || 'c48'::text;
        end if;
        if new."c49" is distinct from old."c49" then
            v_changed := v_changed || 'c49'::text;
        end if;
        if new."c50" is distinct from old."c50" then
            v_changed := v_changed || 'c50'::text;
        end if;
        if new."c51" is distinct from old."c51" then
            v_changed := v_changed || 'c51'::text;
        end if;
        if new."c52" is distinct from old."c52" then
            v_changed := v_changed || 'c52'::text;
        end if;
        if new."c53" is distinct from old."c53" then
            v_changed := v_changed || 'c53'::text;
        end if;
        if new."c54" is distinct from old."c54" then
            v_changed := v_changed || 'c54'::text;
        end if;
        if new."c55" is distinct from old."c55" then
            v_changed := v_changed || 'c55'::text;
        end if;
        if new."c56" is distinct from old."c56" then
            v_changed := v_changed || 'c56'::text;
        end if;
        if new."c57" is distinct from old."c57" then
            v_changed := v_changed || 'c57'::text;
        end if;
        if new."c58" is distinct from old."c58" then
            v_changed := v_changed || 'c58'::text;
        end if;
        if new."c59" is distinct from old."c59" then
            v_changed := v_changed || 'c59'::text;
        end if;
        if new."c60" is distinct from old."c60" then
            v_changed := v_changed || 'c60'::text;
        end if;
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'public.wide',
               null::json,
               (jsonb_build_object(
                   'c01', old."c01",
                   'c02', old."c02",
                   'c03', old."c03",
                   'c04', old."c04",
                   'c05', old."c05",
                   'c06', old."c06",
                   'c07', old."c07",
                   'c08', old."c08",
                   'c09', old."c09",
                   'c10', old."c10",
                   'c11', old."c11",
                   'c12', old."c12",
                   'c13', old."c13",
                   'c14', old."c14",
                   'c15', old."c15",
                   'c16', old."c16",
                   'c17', old."c17",
                   'c18', old."c18",
                   'c19', old."c19",
                   'c20', old."c20",
                   'c21', old."c21",
                   'c22', old."c22",
                   'c23', old."c23",
                   'c24', old."c24",
                   'c25', old."c25",
                   'c26', old."c26",
                   'c27', old."c27",
                   'c28', old."c28",
                   'c29', old."c29",
                   'c30', old."c30",
                   'c31', old."c31",
                   'c32', old."c32",
                   'c33', old."c33",
                   'c34', old."c34",
                   'c35', old."c35",
                   'c36', old."c36",
                   'c37', old."c37",
                   'c38', old."c38",
                   'c39', old."c39",
                   'c40', old."c40",
                   'c41', old."c41",
                   'c42', old."c42",
                   'c43', old."c43",
                   'c44', old."c44",
                   'c45', old."c45",
                   'c46', old."c46",
                   'c47', old."c47",
                   'c48', old."c48",
                   'c49', old."c49",
                   'c50', old."c50")
               || jsonb_build_object(
                   'c51', old."c51",
                   'c52', old."c52",
                   'c53', old."c53",
                   'c54', old."c54",
                   'c55', old."c55"))::json,
               (jsonb_build_object(
                   'c01', new."c01",
                   'c02', new."c02",
                   'c03', new."c03",
                   'c04', new."c04",
                   'c05', new."c05",
                   'c06', new."c06",
                   'c07', new."c07",
                   'c08', new."c08",
                   'c09', new."c09",
                   'c10', new."c10",
                   'c11', new."c11",
                   'c12', new."c12",
                   'c13', new."c13",
                   'c14', new."c14",
                   'c15', new."c15",
                   'c16', new."c16",
                   'c17', new."c17",
                   'c18', new."c18",
                   'c19', new."c19",
                   'c20', new."c20",
                   'c21', new."c21",
                   'c22', new."c22",
                   'c23', new."c23",
                   'c24', new."c24",
                   'c25', new."c25",
                   'c26', new."c26",
                   'c27', new."c27",
                   'c28', new."c28",
                   'c29', new."c29",
                   'c30', new."c30",
                   'c31', new."c31",
                   'c32', new."c32",
                   'c33', new."c33",
                   'c34', new."c34",
                   'c35', new."c35",
                   'c36', new."c36",
                   'c37', new."c37",
                   'c38', new."c38",
                   'c39', new."c39",
                   'c40', new."c40",
                   'c41', new."c41",
                   'c42', new."c42",
                   'c43', new."c43",
                   'c44', new."c44",
                   'c45', new."c45",
                   'c46', new."c46",
                   'c47', new."c47",
                   'c48', new."c48",
                   'c49', new."c49",
                   'c50', new."c50")
               || jsonb_build_object(
                   'c51', new."c51",
                   'c52', new."c52",
                   'c53', new."c53",
                   'c54', new."c54",
                   'c55', new."c55"))::json,
               coalesce(v_changed, '{}'), v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    elsif tg_op = 'INSERT' then
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'public.wide',
               null::json,
               null,
               (jsonb_build_object(
                   'c01', new."c01",
                   'c02', new."c02",
                   'c03', new."c03",
                   'c04', new."c04",
                   'c05', new."c05",
                   'c06', new."c06",
                   'c07', new."c07",
                   'c08', new."c08",
                   'c09', new."c09",
                   'c10', new."c10",
                   'c11', new."c11",
                   'c12', new."c12",
                   'c13', new."c13",
                   'c14', new."c14",
                   'c15', new."c15",
                   'c16', new."c16",
                   'c17', new."c17",
                   'c18', new."c18",
                   'c19', new."c19",
                   'c20', new."c20",
                   'c21', new."c21",
                   'c22', new."c22",
                   'c23', new."c23",
                   'c24', new."c24",
                   'c25', new."c25",
                   'c26', new."c26",
                   'c27', new."c27",
                   'c28', new."c28",
                   'c29', new."c29",
                   'c30', new."c30",
                   'c31', new."c31",
                   'c32', new."c32",
                   'c33', new."c33",
                   'c34', new."c34",
                   'c35', new."c35",
                   'c36', new."c36",
                   'c37', new."c37",
                   'c38', new."c38",
                   'c39', new."c39",
                   'c40', new."c40",
                   'c41', new."c41",
                   'c42', new."c42",
                   'c43', new."c43",
                   'c44', new."c44",
                   'c45', new."c45",
                   'c46', new."c46",
                   'c47', new."c47",
                   'c48', new."c48",
                   'c49', new."c49",
                   'c50', new."c50")
               || jsonb_build_object(
                   'c51', new."c51",
                   'c52', new."c52",
                   'c53', new."c53",
                   'c54', new."c54",
                   'c55', new."c55"))::json,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    else
    -- no key read here
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'public.wide',
               null::json,
               (jsonb_build_object(
                   'c01', old."c01",
                   'c02', old."c02",
                   'c03', old."c03",
                   'c04', old."c04",
                   'c05', old."c05",
                   'c06', old."c06",
                   'c07', old."c07",
                   'c08', old."c08",
                   'c09', old."c09",
                   'c10', old."c10",
                   'c11', old."c11",
                   'c12', old."c12",
                   'c13', old."c13",
                   'c14', old."c14",
                   'c15', old."c15",
                   'c16', old."c16",
                   'c17', old."c17",
                   'c18', old."c18",
                   'c19', old."c19",
                   'c20', old."c20",
                   'c21', old."c21",
                   'c22', old."c22",
                   'c23', old."c23",
                   'c24', old."c24",
                   'c25', old."c25",
                   'c26', old."c26",
                   'c27', old."c27",
                   'c28', old."c28",
                   'c29', old."c29",
                   'c30', old."c30",
                   'c31', old."c31",
                   'c32', old."c32",
                   'c33', old."c33",
                   'c34', old."c34",
                   'c35', old."c35",
                   'c36', old."c36",
                   'c37', old."c37",
                   'c38', old."c38",
                   'c39', old."c39",
                   'c40', old."c40",
                   'c41', old."c41",
                   'c42', old."c42",
                   'c43', old."c43",
                   'c44', old."c44",
                   'c45', old."c45",
                   'c46', old."c46",
                   'c47', old."c47",
                   'c48', old."c48",
                   'c49', old."c49",
                   'c50', old."c50")
               || jsonb_build_object(
                   'c51', old."c51",
                   'c52', old."c52",
                   'c53', old."c53",
                   'c54', old."c54",
                   'c55', old."c55"))::json,
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_public_wide_47ec0b9e_row"() owner to "audit_owner";
revoke all on function "audit"."capture_public_wide_47ec0b9e_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_public_wide_47ec0b9e_truncate"() returns trigger
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
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'public.wide',
            case when (tg_table_schema, tg_table_name) <> ('public', 'wide')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_public_wide_47ec0b9e_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_public_wide_47ec0b9e_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "public"."wide" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "public"."wide"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_public_wide_47ec0b9e_statement"();
create or replace trigger pgaudit_delete after delete on "public"."wide"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_public_wide_47ec0b9e_statement"();
create or replace trigger pgaudit_update after update on "public"."wide"
    for each row execute function "audit"."capture_public_wide_47ec0b9e_row"();
create or replace trigger pgaudit_truncate after truncate on "public"."wide"
    for each statement execute function "audit"."capture_public_wide_47ec0b9e_truncate"();
alter table "public"."wide"
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
values ('"public"."wide"'::regclass,
        'public.wide',
        false,
        '{}'::text[],
        '{
    "c01": "plain",
    "c02": "plain",
    "c03": "plain",
    "c04": "plain",
    "c05": "plain",
    "c06": "plain",
    "c07": "plain",
    "c08": "plain",
    "c09": "plain",
    "c10": "plain",
    "c11": "plain",
    "c12": "plain",
    "c13": "plain",
    "c14": "plain",
    "c15": "plain",
    "c16": "plain",
    "c17": "plain",
    "c18": "plain",
    "c19": "plain",
    "c20": "plain",
    "c21": "plain",
    "c22": "plain",
    "c23": "plain",
    "c24": "plain",
    "c25": "plain",
    "c26": "plain",
    "c27": "plain",
    "c28": "plain",
    "c29": "plain",
    "c30": "plain",
    "c31": "plain",
    "c32": "plain",
    "c33": "plain",
    "c34": "plain",
    "c35": "plain",
    "c36": "plain",
    "c37": "plain",
    "c38": "plain",
    "c39": "plain",
    "c40": "plain",
    "c41": "plain",
    "c42": "plain",
    "c43": "plain",
    "c44": "plain",
    "c45": "plain",
    "c46": "plain",
    "c47": "plain",
    "c48": "plain",
    "c49": "plain",
    "c50": "plain",
    "c51": "plain",
    "c52": "plain",
    "c53": "plain",
    "c54": "plain",
    "c55": "plain",
    "c56": "omit",
    "c57": "omit",
    "c58": "omit",
    "c59": "omit",
    "c60": "omit"
}'::jsonb,
        '{
    "c01": "text",
    "c02": "text",
    "c03": "text",
    "c04": "text",
    "c05": "text",
    "c06": "text",
    "c07": "text",
    "c08": "text",
    "c09": "text",
    "c10": "text",
    "c11": "text",
    "c12": "text",
    "c13": "text",
    "c14": "text",
    "c15": "text",
    "c16": "text",
    "c17": "text",
    "c18": "text",
    "c19": "text",
    "c20": "text",
    "c21": "text",
    "c22": "text",
    "c23": "text",
    "c24": "text",
    "c25": "text",
    "c26": "text",
    "c27": "text",
    "c28": "text",
    "c29": "text",
    "c30": "text",
    "c31": "text",
    "c32": "text",
    "c33": "text",
    "c34": "text",
    "c35": "text",
    "c36": "text",
    "c37": "text",
    "c38": "text",
    "c39": "text",
    "c40": "text",
    "c41": "text",
    "c42": "text",
    "c43": "text",
    "c44": "text",
    "c45": "text",
    "c46": "text",
    "c47": "text",
    "c48": "text",
    "c49": "text",
    "c50": "text",
    "c51": "text",
    "c52": "text",
    "c53": "text",
    "c54": "text",
    "c55": "text",
    "c56": "text",
    "c57": "text",
    "c58": "text",
    "c59": "text",
    "c60": "text"
}'::jsonb,
        '"audit"."capture_public_wide_47ec0b9e_statement"()'::regprocedure,
        '"audit"."capture_public_wide_47ec0b9e_row"()'::regprocedure,
        '"audit"."capture_public_wide_47ec0b9e_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        '6a15865a047149c4002c2c6e9b621fb7b77ce5cffc83abc1a1e63e83875fe1bc',
        'default',
        'omit',
        false,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"public"."wide"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"public"."wide"'::regclass) as p
         where p.relid <> '"public"."wide"'::regclass))
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
    '"audit"."capture_public_wide_47ec0b9e_statement"()'::regprocedure::oid,
    '"audit"."capture_public_wide_47ec0b9e_row"()'::regprocedure::oid,
    '"audit"."capture_public_wide_47ec0b9e_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'public.wide',
       '{
    "action": "start",
    "policies": {
        "c01": "plain",
        "c02": "plain",
        "c03": "plain",
        "c04": "plain",
        "c05": "plain",
        "c06": "plain",
        "c07": "plain",
        "c08": "plain",
        "c09": "plain",
        "c10": "plain",
        "c11": "plain",
        "c12": "plain",
        "c13": "plain",
        "c14": "plain",
        "c15": "plain",
        "c16": "plain",
        "c17": "plain",
        "c18": "plain",
        "c19": "plain",
        "c20": "plain",
        "c21": "plain",
        "c22": "plain",
        "c23": "plain",
        "c24": "plain",
        "c25": "plain",
        "c26": "plain",
        "c27": "plain",
        "c28": "plain",
        "c29": "plain",
        "c30": "plain",
        "c31": "plain",
        "c32": "plain",
        "c33": "plain",
        "c34": "plain",
        "c35": "plain",
        "c36": "plain",
        "c37": "plain",
        "c38": "plain",
        "c39": "plain",
        "c40": "plain",
        "c41": "plain",
        "c42": "plain",
        "c43": "plain",
        "c44": "plain",
        "c45": "plain",
        "c46": "plain",
        "c47": "plain",
        "c48": "plain",
        "c49": "plain",
        "c50": "plain",
        "c51": "plain",
        "c52": "plain",
        "c53": "plain",
        "c54": "plain",
        "c55": "plain",
        "c56": "omit",
        "c57": "omit",
        "c58": "omit",
        "c59": "omit",
        "c60": "omit"
    },
    "key": [],
    "retention": "default",
    "fingerprint": "6a15865a047149c4002c2c6e9b621fb7b77ce5cffc83abc1a1e63e83875fe1bc"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of public.wide
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "public"."wide" to "audit_owner";
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
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'public.wide',
       null::json,
       (jsonb_build_object(
           'c01', n."c01",
           'c02', n."c02",
           'c03', n."c03",
           'c04', n."c04",
           'c05', n."c05",
           'c06', n."c06",
           'c07', n."c07",
           'c08', n."c08",
           'c09', n."c09",
           'c10', n."c10",
           'c11', n."c11",
           'c12', n."c12",
           'c13', n."c13",
           'c14', n."c14",
           'c15', n."c15",
           'c16', n."c16",
           'c17', n."c17",
           'c18', n."c18",
           'c19', n."c19",
           'c20', n."c20",
           'c21', n."c21",
           'c22', n."c22",
           'c23', n."c23",
           'c24', n."c24",
           'c25', n."c25",
           'c26', n."c26",
           'c27', n."c27",
           'c28', n."c28",
           'c29', n."c29",
           'c30', n."c30",
           'c31', n."c31",
           'c32', n."c32",
           'c33', n."c33",
           'c34', n."c34",
           'c35', n."c35",
           'c36', n."c36",
           'c37', n."c37",
           'c38', n."c38",
           'c39', n."c39",
           'c40', n."c40",
           'c41', n."c41",
           'c42', n."c42",
           'c43', n."c43",
           'c44', n."c44",
           'c45', n."c45",
           'c46', n."c46",
           'c47', n."c47",
           'c48', n."c48",
           'c49', n."c49",
           'c50', n."c50")
       || jsonb_build_object(
           'c51', n."c51",
           'c52', n."c52",
           'c53', n."c53",
           'c54', n."c54",
           'c55', n."c55"))::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "public"."wide" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "public"."wide" from "audit_owner";

-- audit public.events (1 hash, 2 plain)
-- Captures INSERT and DELETE one statement at a time from the transition tables: a bulk statement
-- costs one trigger call and one INSERT ... SELECT into the log, not one call per row. Column
-- references and policies are baked in by the generator (no catalog lookups, no dynamic SQL).
-- SECURITY DEFINER runs it as the audit owner, the only role that may write the log; the pinned
-- settings (those the table's column types render by: timezone for timestamptz, bytea_output for
-- bytea...) make every value render the same way whatever the session has set.
create or replace function "audit"."capture_public_events_5df12ea9_statement"() returns trigger
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'public.events',
               json_build_object(
                   'source', n."source",
                   'seq', n."seq"),
               null,
               json_build_object(
                   'source', n."source",
                   'seq', n."seq",
                   'payload', "audit".apply_policy('hash', n."payload"::text, v_k_in, v_k_out)),
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id
        from new_rows as n;
    else
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'public.events',
               json_build_object(
                   'source', o."source",
                   'seq', o."seq"),
               json_build_object(
                   'source', o."source",
                   'seq', o."seq",
                   'payload', "audit".apply_policy('hash', o."payload"::text, v_k_in, v_k_out)),
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
alter function "audit"."capture_public_events_5df12ea9_statement"() owner to "audit_owner";
revoke all on function "audit"."capture_public_events_5df12ea9_statement"() from public;
-- Captures one row at a time: UPDATE on ordinary tables (OLD and NEW arrive paired, which
-- transition tables do not promise), and every operation on partitioned tables, whose row
-- triggers PostgreSQL clones onto each partition, present and future. Settings pinned as in the
-- statement function (each costs time on every row, so only those the column types need); only
-- changed columns are compared, hashed and stored, and the key is read only when a hashed value
-- is to be stored. Changed-column images are gathered as jsonb (json has no ||) and stored as
-- json, like every image. PL/pgSQL prepares each expression it runs again in every transaction's
-- first call, most of what capture costs a one-row transaction: so each operation has its own
-- INSERT (one not run costs nothing) and the body runs as few expressions as it can.
create or replace function "audit"."capture_public_events_5df12ea9_row"() returns trigger
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
    -- no key read here
    if tg_op = 'UPDATE' then
        v_old := '{}';
        v_new := '{}';
        if new."source" is distinct from old."source" then
            v_changed := v_changed || 'source'::text;
            v_old := v_old || jsonb_build_object(
                'source', old."source");
            v_new := v_new || jsonb_build_object(
                'source', new."source");
        end if;
        if new."seq" is distinct from old."seq" then
            v_changed := v_changed || 'seq'::text;
            v_old := v_old || jsonb_build_object(
                'seq', old."seq");
            v_new := v_new || jsonb_build_object(
                'seq', new."seq");
        end if;
        if new."payload" is distinct from old."payload" then
            v_changed := v_changed || 'payload'::text;
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
                'payload', "audit".apply_policy('hash', old."payload"::text, v_k_in, v_k_out));
            v_new := v_new || jsonb_build_object(
                'payload', "audit".apply_policy('hash', new."payload"::text, v_k_in, v_k_out));
        end if;
        -- One INSERT of audit rows, the same on every capture path: the context and key variables come
        -- from capture/context.sql and the key read; the generator fills in the rest.
        insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, row_key, old_values,
                                  new_values, changed_columns, login_role, effective_role,
                                  application_name, client_addr, request_id, trace_id, key_id)
        select v_txid, transaction_timestamp(), statement_timestamp(), 'UPDATE', 'public.events',
               json_build_object(
                   'source', old."source",
                   'seq', old."seq"),
               pg_catalog.to_json(v_old),
               pg_catalog.to_json(v_new),
               coalesce(v_changed, '{}'), v_login_role, v_effective_role, v_application_name, v_client_addr,
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'INSERT', 'public.events',
               json_build_object(
                   'source', new."source",
                   'seq', new."seq"),
               null,
               json_build_object(
                   'source', new."source",
                   'seq', new."seq",
                   'payload', "audit".apply_policy('hash', new."payload"::text, v_k_in, v_k_out)),
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
        select v_txid, transaction_timestamp(), statement_timestamp(), 'DELETE', 'public.events',
               json_build_object(
                   'source', old."source",
                   'seq', old."seq"),
               json_build_object(
                   'source', old."source",
                   'seq', old."seq",
                   'payload', "audit".apply_policy('hash', old."payload"::text, v_k_in, v_k_out)),
               null,
               null, v_login_role, v_effective_role, v_application_name, v_client_addr,
               v_request_id, v_trace_id, v_key_id;
    end if;
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_public_events_5df12ea9_row"() owner to "audit_owner";
revoke all on function "audit"."capture_public_events_5df12ea9_row"() from public;
-- Captures TRUNCATE, which fires no row triggers, as the table's truncate mode says: statement
-- (AFTER TRUNCATE: one event), rows (BEFORE TRUNCATE: one TRUNCATE row per removed row, key and
-- old image under the policies, read while the rows still exist; then the event) or refuse
-- (BEFORE TRUNCATE: refused outside a maintenance window). On a partitioned table it sits on
-- every leaf partition (truncating the parent fires each leaf's trigger; truncating a leaf
-- directly fires only that one), so new_values names the partition when it is not the audited
-- table itself.
create or replace function "audit"."capture_public_events_5df12ea9_truncate"() returns trigger
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
    values (v_txid, transaction_timestamp(), statement_timestamp(), 'TRUNCATE', 'public.events',
            case when (tg_table_schema, tg_table_name) <> ('public', 'events')
                 then json_build_object('partition', format('%I.%I', tg_table_schema, tg_table_name))
            end,
            v_login_role, v_effective_role, v_application_name, v_client_addr, v_request_id,
            v_trace_id);
    return null;
end
$pgaudit$;
-- Owned by the audit owner, so SECURITY DEFINER runs as that NOLOGIN role (never as the superuser
-- who ran apply); nobody may call it directly, and triggers fire without EXECUTE rights.
alter function "audit"."capture_public_events_5df12ea9_truncate"() owner to "audit_owner";
revoke all on function "audit"."capture_public_events_5df12ea9_truncate"() from public;
-- only truncate = "rows" reads the table
revoke select on table "public"."events" from "audit_owner";
-- Triggers of an ordinary table. INSERT and DELETE need one trigger each: PostgreSQL allows a
-- transition table only on a single-event trigger. ENABLE ALWAYS keeps them firing even under
-- session_replication_role = replica (logical replication apply, pg_restore).
create or replace trigger pgaudit_insert after insert on "public"."events"
    referencing new table as new_rows
    for each statement execute function "audit"."capture_public_events_5df12ea9_statement"();
create or replace trigger pgaudit_delete after delete on "public"."events"
    referencing old table as old_rows
    for each statement execute function "audit"."capture_public_events_5df12ea9_statement"();
create or replace trigger pgaudit_update after update on "public"."events"
    for each row execute function "audit"."capture_public_events_5df12ea9_row"();
create or replace trigger pgaudit_truncate after truncate on "public"."events"
    for each statement execute function "audit"."capture_public_events_5df12ea9_truncate"();
alter table "public"."events"
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
values ('"public"."events"'::regclass,
        'public.events',
        false,
        '{source,seq}'::text[],
        '{
    "source": "plain",
    "seq": "plain",
    "payload": "hash"
}'::jsonb,
        '{
    "source": "text",
    "seq": "integer",
    "payload": "jsonb"
}'::jsonb,
        '"audit"."capture_public_events_5df12ea9_statement"()'::regprocedure,
        '"audit"."capture_public_events_5df12ea9_row"()'::regprocedure,
        '"audit"."capture_public_events_5df12ea9_truncate"()'::regprocedure,
        '{pgaudit_insert,pgaudit_delete,pgaudit_update,pgaudit_truncate}'::text[],
        'ea1c6d7071bad327362808a7ebc08662768c3890c03b0f4b9dd60997613f1f0e',
        'default',
        'omit',
        false,
        'changed',
        'statement',
        (select pg_catalog.jsonb_object_agg(a.attname, a.attnum)
         from pg_catalog.pg_attribute as a
         where a.attrelid = '"public"."events"'::regclass and a.attnum > 0 and not a.attisdropped),
        (select coalesce(pg_catalog.array_agg(p.relid::oid order by p.relid::oid), '{}')
         from pg_catalog.pg_partition_tree('"public"."events"'::regclass) as p
         where p.relid <> '"public"."events"'::regclass))
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
    '"audit"."capture_public_events_5df12ea9_statement"()'::regprocedure::oid,
    '"audit"."capture_public_events_5df12ea9_row"()'::regprocedure::oid,
    '"audit"."capture_public_events_5df12ea9_truncate"()'::regprocedure::oid
], null));
-- A CONFIG event: auditing of a table started, changed or stopped, with the policies in force,
-- or (no table) the retention classes set; stored as jsonb prints them, whatever the layout of
-- the literal here.
insert into "audit".log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                          effective_role, application_name, client_addr, request_id, trace_id)
select c.txid, transaction_timestamp(), statement_timestamp(), 'CONFIG', 'public.events',
       '{
    "action": "start",
    "policies": {
        "source": "plain",
        "seq": "plain",
        "payload": "hash"
    },
    "key": [
        "source",
        "seq"
    ],
    "retention": "default",
    "fingerprint": "ea1c6d7071bad327362808a7ebc08662768c3890c03b0f4b9dd60997613f1f0e"
}'::jsonb::json,
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id
from "audit".statement_context() as c;

-- baseline: one SNAPSHOT event per existing row of public.events
-- Baseline: one SNAPSHOT event per existing row, policies applied, so later UPDATE and DELETE
-- events have a known starting point. It runs after the triggers exist, in the same transaction:
-- CREATE TRIGGER locked out writers, so no change falls between the snapshot and the trigger.
-- The rows are read as the audit owner, never as the superuser running apply: whatever of the
-- application's a read could reach would otherwise run with superuser rights. The owner may read
-- the table (and bypass row-level security, which would filter the baseline and run the
-- application's policies) for this statement only; both are taken back before the step ends.
grant select on table "public"."events" to "audit_owner";
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
select c.txid, transaction_timestamp(), statement_timestamp(), 'SNAPSHOT', 'public.events',
       json_build_object(
           'source', n."source",
           'seq', n."seq"),
       json_build_object(
           'source', n."source",
           'seq', n."seq",
           'payload', "audit".apply_policy('hash', n."payload"::text, k.k_in, k.k_out)),
       c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id,
       c.trace_id, k.key_id
from "public"."events" as n
cross join "audit".statement_context() as c
left join lateral (
    select hk.key_id, hk.k_in, hk.k_out from "audit".hmac_keys as hk
    where hk.shredded_at is null order by hk.key_id desc limit 1
) as k on true;
-- LOCAL, not RESET: RESET would change the session's own values past this transaction
set local role none;
set local row_security = on;
alter role "audit_owner" nobypassrls;
revoke select on table "public"."events" from "audit_owner";
