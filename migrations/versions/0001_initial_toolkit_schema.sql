-- Frozen SQL of toolkit schema revision 0001: initial toolkit schema.
-- Written by tools/freeze_revision.py from: toolkit/types/statement_context.sql, toolkit/tables/maintenance.sql, toolkit/tables/log.sql, toolkit/tables/hmac_keys.sql, toolkit/tables/audited_tables.sql, toolkit/tables/settings.sql, toolkit/tables/blocks.sql, toolkit/functions/in_maintenance.sql, toolkit/functions/begin_maintenance.sql, toolkit/functions/hmac.sql, toolkit/functions/hmac_token.sql, toolkit/functions/mask_email.sql, toolkit/functions/mask_card.sql, toolkit/functions/mask_last4.sql, toolkit/functions/statement_context.sql, toolkit/functions/rotate_key.sql, toolkit/functions/premake_partitions.sql, toolkit/functions/record_ddl.sql, toolkit/functions/trigger_health.sql, toolkit/functions/copy_text.sql, toolkit/functions/row_leaf.sql, toolkit/functions/merkle_root.sql, toolkit/functions/seal.sql, toolkit/functions/guard_sql_drop.sql, toolkit/functions/guard_ddl_command_end.sql, toolkit/privileges.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- statement_context: who and where a change came from. Every capture function gathers it once per
-- statement (or row) through statement_context(), so all audit rows describe callers the same way.
create type {schema}.statement_context as (
    txid bigint,
    login_role text,
    effective_role text,
    application_name text,
    client_addr inet,
    request_id text,
    trace_id text
);

-- maintenance: one row per transaction in which pgaudit-kit itself changes audit objects (apply,
-- upgrade, uninstall, purge). The event-trigger guard lets DDL touch the trail only inside such a
-- transaction. Only the owner (and superusers) can insert here, so the app cannot open a window for
-- itself; the rows stay as a history of maintenance.
create table {schema}.maintenance (
    txid bigint primary key,
    started_at timestamptz not null default pg_catalog.now(),
    login_role text not null default session_user,
    command text not null
);
insert into {schema}.maintenance (txid, command)
values (pg_catalog.pg_current_xact_id()::text::bigint, 'install');

-- log_rows: one row per captured change (auditors read it through the log view).
-- Range-partitioned by transaction time so retention drops whole partitions, never DELETEs rows; the
-- default partition catches any row whose month has no partition yet, so a write is never lost.
-- No primary key: a partitioned table's key must include tx_time, and a btree maintained per row
-- would cost about as much as the audit write itself. Ids come from one sequence; verify checks
-- they are unique. BRIN indexes on txid (sealing reads transaction-id ranges) and id (prove,
-- redact): both grow with insertion order, so BRIN summarizes them at almost no write cost.
create sequence {schema}.log_id_seq as bigint;
create table {schema}.log_rows (
    id bigint not null default pg_catalog.nextval({log_id_seq}),
    txid bigint not null,
    tx_time timestamptz not null,
    stmt_time timestamptz not null,
    op text not null,
    table_name text,
    row_key json,
    old_values json,
    new_values json,
    changed_columns text[],
    login_role text not null,
    effective_role text not null,
    application_name text,
    client_addr inet,
    request_id text,
    trace_id text,
    key_id integer
) partition by range (tx_time);
alter sequence {schema}.log_id_seq owned by {schema}.log_rows.id;
create table {schema}.log_rows_default partition of {schema}.log_rows default;
create index log_rows_txid_brin on {schema}.log_rows using brin (txid) with (pages_per_range = 32);
create index log_rows_id_brin on {schema}.log_rows using brin (id) with (pages_per_range = 32);

-- log: the relation auditors query. Images are stored as json text (what capture builds, and
-- what the chain hashes: json_build_object is cheaper to write and its text costs nothing to
-- read back, while jsonb output is the most expensive part of reading the trail) and shown here
-- as jsonb, so auditors get jsonb operators. Filters on the view reach the table's indexes.
create view {schema}.log as
select id, txid, tx_time, stmt_time, op, table_name,
       row_key::jsonb as row_key, old_values::jsonb as old_values, new_values::jsonb as new_values,
       changed_columns, login_role, effective_role, application_name, client_addr, request_id,
       trace_id, key_id
from {schema}.log_rows;
comment on view {schema}.log is 'pgaudit-kit: one row per captured change; PII only as HMAC tokens or masks';

-- hmac_keys: the secret behind the hash policy. Only the owner role can read it (no grants at all):
-- the app, auditors and investigators never see key material. Each key is stored as its two
-- HMAC pads (k_in = key xor 0x36.., k_out = key xor 0x5c..), precomputed once, so capture needs
-- only the built-in sha256(): no pgcrypto, which the embedded server and some services lack.
-- A shredded key keeps its row (id, dates, reason) with the pads set to NULL.
create table {schema}.hmac_keys (
    key_id integer primary key,
    k_in bytea check (pg_catalog.octet_length(k_in) = 64),
    k_out bytea check (pg_catalog.octet_length(k_out) = 64),
    created_at timestamptz not null default pg_catalog.now(),
    retired_at timestamptz,
    shredded_at timestamptz,
    shred_reason text,
    check ((shredded_at is null) = (k_in is not null and k_out is not null))
);

-- keys: what auditors may know about keys: ids and dates, never material. A view runs with its
-- owner's rights, so granting it does not grant the table.
create view {schema}.keys as
select key_id, created_at, retired_at, shredded_at, shred_reason
from {schema}.hmac_keys;

-- audited_tables: what pgaudit-kit installed on each audited table, keyed by relation oid (stable
-- across renames), so the guard can check trigger health and status/check can compare config and
-- live catalog against it. Auditors may read it: policies are not secret.
create table {schema}.audited_tables (
    relid oid primary key,
    table_name text not null unique,
    partitioned boolean not null,
    key_columns text[] not null,
    policies jsonb not null,
    columns jsonb not null,
    statement_function regprocedure,
    row_function regprocedure not null,
    truncate_function regprocedure not null,
    triggers text[] not null,
    fingerprint text not null,
    installed_at timestamptz not null default pg_catalog.now()
);

-- settings: choices of the toolkit that its SQL functions read. One row.
-- partition_interval is the width of a log partition and of a sealing bucket: a block holds rows
-- of one bucket only, so dropping an expired partition drops whole blocks. chain_id names this
-- chain in signed digests, so a digest can only vouch for the chain it was made from.
create table {schema}.settings (
    singleton boolean primary key default true check (singleton),
    partition_interval text not null default 'month'
        check (partition_interval in ('day', 'week', 'month')),
    chain_id uuid not null default gen_random_uuid()
);
insert into {schema}.settings default values;

-- blocks: one header per sealed block, kept forever (also after purge). Each header commits to its
-- rows (Merkle root of their leaf hashes), to the previous block (prev_hash), and to itself
-- (block_hash over every other field): format 1, defined in pgaudit_kit/chain.py.
create table {schema}.blocks (
    block_no bigint primary key,
    format smallint not null,
    bucket_start timestamptz not null,
    bucket_end timestamptz not null,
    txid_lo bigint not null,
    txid_hi bigint not null,
    row_count bigint not null,
    merkle_root bytea not null,
    prev_hash bytea not null,
    sealed_at timestamptz not null,
    block_hash bytea not null
);

-- block_leaves: each block's row ids (8-byte big-endian) and leaf hashes (32 bytes), in leaf
-- order. Verify needs them only to name what is wrong in a block whose root no longer matches
-- (which row was edited, deleted, inserted or swapped); prove uses them for inclusion paths.
-- They are authenticated by the block's Merkle root.
create table {schema}.block_leaves (
    block_no bigint primary key references {schema}.blocks (block_no),
    ids bytea not null,
    leaves bytea not null
);

-- in_maintenance: true inside a transaction pgaudit-kit opened for its own changes (see the
-- maintenance table). The guard consults it before refusing DDL on the trail.
create function {schema}.in_maintenance() returns boolean
language sql stable parallel safe
return exists (
    select 1 from {schema}.maintenance m
    where m.txid = pg_catalog.pg_current_xact_id_if_assigned()::text::bigint
);

-- begin_maintenance: opens a maintenance window for the current transaction only. Owner-only (no
-- grants): a role that could call it could silence the guard.
create function {schema}.begin_maintenance(p_command text) returns void
language sql
begin atomic
    insert into {schema}.maintenance (txid, command)
    values (pg_catalog.pg_current_xact_id()::text::bigint, p_command)
    on conflict (txid) do nothing;
end;

-- hmac: HMAC-SHA256 (RFC 2104) of a text's UTF-8 bytes from the key's precomputed pads,
-- sha256(k_out || sha256(k_in || message)). Only the built-in sha256() is needed, no extension.
-- STABLE, not IMMUTABLE, because convert_to() is: an IMMUTABLE SQL function calling a STABLE one
-- is never inlined, and inlined it costs a third as much per value in capture's bulk path.
-- Python twin: pgaudit_kit.policies.hmac_token_from_pads.
create function {schema}.hmac(p_message text, p_k_in bytea, p_k_out bytea) returns bytea
language sql stable strict parallel safe
return pg_catalog.sha256(p_k_out || pg_catalog.sha256(p_k_in || pg_catalog.convert_to(p_message, 'UTF8')));

-- hmac_token: what the hash policy stores: 'hmac:' and the hex HMAC. The prefix makes a token
-- recognizable in a JSON image; NULL stays NULL (a missing value is not PII). STABLE like hmac,
-- so both inline into capture's queries.
create function {schema}.hmac_token(p_value text, p_k_in bytea, p_k_out bytea) returns text
language sql stable parallel safe
return 'hmac:' || pg_catalog.encode({schema}.hmac(p_value, p_k_in, p_k_out), 'hex');

-- mask_email: 'alice@example.com' -> 'al***@example.com'. At most two characters of the local part
-- (everything before the last '@') and never all of it; text without '@' becomes '***'.
-- Not STRICT (NULL is handled in the CASE) and free of regular expressions, so PostgreSQL inlines
-- it into capture's queries. Python twin: policies.mask_email.
create function {schema}.mask_email(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.strpos(p_value, '@') = 0 then '***'
    else pg_catalog.left(p_value,
             greatest(0, least(2, pg_catalog.char_length(p_value)
                                  - pg_catalog.strpos(pg_catalog.reverse(p_value), '@') - 1)))
         || '***@'
         || pg_catalog.right(p_value, pg_catalog.strpos(pg_catalog.reverse(p_value), '@') - 1)
end;

-- mask_card: keeps the last four digits of a card number of 12 or more digits, in the usual
-- '****-****-****-1234' shape; anything shorter becomes '****'. Digits are kept with a double
-- translate() (remove the digits, then remove what is left) rather than a regular expression, and
-- the function is not STRICT, so it inlines. Python twin: policies.mask_card.
create function {schema}.mask_card(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.char_length(pg_catalog.translate(p_value,
             pg_catalog.translate(p_value, '0123456789', ''), '')) >= 12
        then '****-****-****-' || pg_catalog.right(pg_catalog.translate(p_value,
             pg_catalog.translate(p_value, '0123456789', ''), ''), 4)
    else '****'
end;

-- mask_last4: '****' and the last four characters, only when the value has at least eight (so at
-- most half of it shows); shorter values become '****'. Not STRICT, so it inlines.
-- Python twin: policies.mask_last4.
create function {schema}.mask_last4(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.char_length(p_value) >= 8 then '****' || pg_catalog.right(p_value, 4)
    else '****'
end;

-- statement_context: the caller, as seen from inside a SECURITY DEFINER capture function. There
-- current_user is the audit owner, so the effective role is read from the "role" setting that
-- SET ROLE changes ('none': no SET ROLE, the session user acts). application_name, request_id and
-- trace_id are the client's own claims (SET LOCAL pgaudit.request_id = '...'), stored as given; an
-- unset or reset custom setting reads as '' and is stored as NULL.
create function {schema}.statement_context() returns {schema}.statement_context
language sql volatile
return row(
    pg_catalog.pg_current_xact_id()::text::bigint,
    session_user::text,
    case pg_catalog.current_setting('role')
        when 'none' then session_user::text
        else pg_catalog.current_setting('role')
    end,
    pg_catalog.current_setting('application_name'),
    pg_catalog.inet_client_addr(),
    nullif(pg_catalog.current_setting('pgaudit.request_id', true), ''),
    nullif(pg_catalog.current_setting('pgaudit.trace_id', true), '')
)::{schema}.statement_context;

-- rotate_key: creates a new HMAC key and makes it current: later rows hash under it, earlier rows
-- keep their key_id. The 32-byte key is two gen_random_uuid() values (pg_strong_random, 244 random
-- bits), is never returned or logged, and is stored only as its two pads. The rotation itself is
-- an audit event (op KEY). SECURITY DEFINER so an admin role can be granted it without reading keys.
create function {schema}.rotate_key() returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_key bytea := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
    v_k_in bytea := decode(repeat('36', 64), 'hex');
    v_k_out bytea := decode(repeat('5c', 64), 'hex');
    v_key_id integer;
begin
    for i in 0..31 loop
        v_k_in := set_byte(v_k_in, i, get_byte(v_key, i) # 54);
        v_k_out := set_byte(v_k_out, i, get_byte(v_key, i) # 92);
    end loop;
    lock table {schema}.hmac_keys in share row exclusive mode;
    update {schema}.hmac_keys set retired_at = now()
    where retired_at is null and shredded_at is null;
    insert into {schema}.hmac_keys (key_id, k_in, k_out)
    select coalesce(max(key_id), 0) + 1, v_k_in, v_k_out from {schema}.hmac_keys
    returning key_id into v_key_id;
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id, key_id)
    select c.txid, transaction_timestamp(), statement_timestamp(), 'KEY', null,
           json_build_object('action', 'rotate', 'key_id', v_key_id), c.login_role,
           c.effective_role, c.application_name, c.client_addr, c.request_id, c.trace_id, v_key_id
    from {schema}.statement_context() c;
    return v_key_id;
end
$pgaudit$;

-- premake_partitions: makes sure monthly partitions of log exist from the current month through
-- p_months ahead, so rows land in a partition retention can drop, not in the default partition.
-- Bounds are computed in UTC; an existing partition is recognized by its bounds in the catalog
-- (pg_get_expr(relpartbound)), never by its name. Idempotent; returns how many it created.
-- SECURITY DEFINER so partitions are owned by the audit owner whoever calls it.
create function {schema}.premake_partitions(p_months integer) returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
declare
    v_month timestamptz := date_trunc('month', now());
    v_from timestamptz;
    v_to timestamptz;
    v_created integer := 0;
begin
    for i in 0..p_months loop
        v_from := v_month + make_interval(months => i);
        v_to := v_month + make_interval(months => i + 1);
        if not exists (
            select 1
            from pg_inherits h
            join pg_class c on c.oid = h.inhrelid
            where h.inhparent = {log_regclass}::regclass
              and not c.relpartbound is null
              and pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
              and (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz = v_from
        ) then
            execute format('create table %I.%I partition of %I.log_rows for values from (%L) to (%L)',
                           {schema_name}, 'log_rows_p' || to_char(v_from, 'YYYYMMDD'), {schema_name},
                           v_from, v_to);
            v_created := v_created + 1;
        end if;
    end loop;
    return v_created;
end
$pgaudit$;

-- record_ddl: writes one DDL event (op DDL) to the log: who changed the structure of an audited
-- table, with the command tag and object. Called only by the guard's event-trigger functions.
create function {schema}.record_ddl(p_table_name text, p_command_tag text, p_object_identity text)
returns void
language sql
begin atomic
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id)
    select c.txid, pg_catalog.transaction_timestamp(), pg_catalog.statement_timestamp(), 'DDL',
           p_table_name,
           pg_catalog.json_build_object('command_tag', p_command_tag, 'object_identity', p_object_identity),
           c.login_role, c.effective_role, c.application_name, c.client_addr, c.request_id, c.trace_id
    from {schema}.statement_context() c;
end;

-- trigger_health: every audit trigger that should exist, and its state. 'ok' fires always (even
-- with session_replication_role = replica); 'origin' fires normally (a TRUNCATE trigger the guard
-- added to a new partition: apply makes it 'ok'); 'not always', 'disabled' and 'missing' are
-- holes in the trail. The guard refuses DDL that leaves a hole; status and check report them.
create function {schema}.trigger_health()
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

-- copy_text: one field as COPY ... TO STDOUT writes it in text format: NULL as \N; backslash,
-- backspace, form feed, newline, carriage return, tab and vertical tab escaped. The canonical
-- encoding of the chain (chain.py); its Python twin is chain.copy_text. Vertical tab is
-- chr(11) because E'\v' is no escape in PostgreSQL 15 (it reads as a plain v).
create function {schema}.copy_text(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then E'\\N'
    else pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
         pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(p_value,
             E'\\', E'\\\\'), E'\b', E'\\b'), E'\f', E'\\f'), E'\n', E'\\n'),
             E'\r', E'\\r'), E'\t', E'\\t'), pg_catalog.chr(11), E'\\v')
end;

-- row_leaf: the leaf hash of one log row, format 1 (chain.py): SHA-256(0x00 || leaf line), the
-- leaf line being the header fields in COPY text followed by the hex SHA-256 of the payload line.
-- Values render under the caller's settings: only seal() calls it, with the canonical ones pinned.
-- Every value is its type's output function, as COPY writes it: ::text is the same for these
-- types except inet, whose text cast appends the mask (192.168.0.1/32), so format('%s') is used.
create function {schema}.row_leaf(p_row {schema}.log_rows) returns bytea
language sql stable parallel safe
return pg_catalog.sha256('\x00'::bytea || pg_catalog.convert_to(
    {schema}.copy_text(p_row.id::text) || E'\t' ||
    {schema}.copy_text(p_row.txid::text) || E'\t' ||
    {schema}.copy_text(p_row.tx_time::text) || E'\t' ||
    {schema}.copy_text(p_row.stmt_time::text) || E'\t' ||
    {schema}.copy_text(p_row.op) || E'\t' ||
    {schema}.copy_text(p_row.table_name) || E'\t' ||
    {schema}.copy_text(p_row.changed_columns::text) || E'\t' ||
    {schema}.copy_text(p_row.login_role) || E'\t' ||
    {schema}.copy_text(p_row.effective_role) || E'\t' ||
    {schema}.copy_text(p_row.application_name) || E'\t' ||
    {schema}.copy_text(nullif(pg_catalog.format('%s', p_row.client_addr), '')) || E'\t' ||
    {schema}.copy_text(p_row.request_id) || E'\t' ||
    {schema}.copy_text(p_row.trace_id) || E'\t' ||
    {schema}.copy_text(p_row.key_id::text) || E'\t' ||
    pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
        {schema}.copy_text(p_row.row_key::text) || E'\t' ||
        {schema}.copy_text(p_row.old_values::text) || E'\t' ||
        {schema}.copy_text(p_row.new_values::text), 'UTF8')), 'hex'),
    'UTF8'));

-- merkle_root: RFC 9162 Merkle tree hash of leaves packed 32 bytes apiece, computed level by
-- level: pair neighbours (node = SHA-256(0x01 || left || right)) and carry an odd last node up
-- unchanged, which builds the same tree as splitting at the largest power of two below n.
-- Slicing a packed bytea is O(1), unlike indexing an array of bytea. Twin: chain.merkle_root.
create function {schema}.merkle_root(p_leaves bytea) returns bytea
language plpgsql immutable strict parallel safe
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_level bytea := p_leaves;
    v_count integer := octet_length(p_leaves) / 32;
begin
    if v_count = 0 or octet_length(p_leaves) % 32 <> 0 then
        raise exception 'pgaudit-kit: merkle_root needs one or more 32-byte leaves, got % bytes',
            octet_length(p_leaves);
    end if;
    while v_count > 1 loop
        select string_agg(
                   case when 2 * i + 1 < v_count
                        then sha256('\x01'::bytea || substring(v_level from 64 * i + 1 for 64))
                        else substring(v_level from 64 * i + 1 for 32)
                   end, ''::bytea order by i)
        into v_level
        from generate_series(0, (v_count + 1) / 2 - 1) as i;
        v_count := (v_count + 1) / 2;
    end loop;
    return v_level;
end
$pgaudit$;

-- seal: seals every audit row whose transaction has finished into hash-chained blocks, and
-- returns the blocks it made. The horizon is the oldest transaction still running anywhere in the
-- cluster (pg_snapshot_xmin): every transaction below it has committed or aborted, so the set of
-- rows with transaction ids in [last sealed horizon, horizon) can never change again. Writers
-- never wait for the sealer and the sealer never waits for writers; a long or prepared
-- transaction only holds the horizon back (status shows it). One block per bucket of the
-- partition interval, so a block never spans partitions; at most about p_max_rows rows per
-- block (cut at a transaction boundary). One sealer at a time: a second caller returns at once.
create function {schema}.seal(p_max_rows bigint default 100000)
returns table (block_no bigint, row_count bigint, txid_lo bigint, txid_hi bigint)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set datestyle = 'ISO, YMD'
set intervalstyle = 'postgres'
set extra_float_digits = 1
set bytea_output = 'hex'
as $pgaudit$
declare
    v_horizon bigint;
    v_lo bigint;
    v_hi bigint;
    v_cut bigint;
    v_interval text;
    v_block_no bigint;
    v_prev bytea;
    v_root bytea;
    v_hash bytea;
    v_bucket_end timestamptz;
    v_sealed_at timestamptz := clock_timestamp();
    v_bucket record;
begin
    if not pg_try_advisory_xact_lock(1885431925, hashtext({schema_name})) then
        return;
    end if;
    v_horizon := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
    select s.partition_interval into v_interval from {schema}.settings as s;
    select b.block_no, b.block_hash, b.txid_hi into v_block_no, v_prev, v_lo
    from {schema}.blocks as b
    order by b.block_no desc
    limit 1;
    v_block_no := coalesce(v_block_no, 0);
    v_prev := coalesce(v_prev, decode(repeat('00', 32), 'hex'));
    v_lo := coalesce(v_lo, 0);
    while v_lo < v_horizon loop
        v_hi := v_horizon;
        if p_max_rows is not null and exists (
            select 1 from {schema}.log_rows as l
            where l.txid >= v_lo and l.txid < v_horizon
            offset p_max_rows
        ) then
            select l.txid into v_cut
            from {schema}.log_rows as l
            where l.txid >= v_lo and l.txid < v_horizon
            order by l.txid
            offset p_max_rows
            limit 1;
            if v_cut = v_lo then
                -- one transaction alone has more rows: it becomes a block of its own
                select min(l.txid) into v_cut
                from {schema}.log_rows as l
                where l.txid > v_lo and l.txid < v_horizon;
            end if;
            if v_cut > v_lo then
                v_hi := v_cut;
            end if;
        end if;
        for v_bucket in
            select date_trunc(v_interval, x.tx_time) as bucket_start,
                   count(*) as n,
                   string_agg(x.leaf, ''::bytea order by x.txid, x.id) as leaves,
                   string_agg(int8send(x.id), ''::bytea order by x.txid, x.id) as ids
            from (
                select l.txid, l.id, l.tx_time, {schema}.row_leaf(l) as leaf
                from {schema}.log_rows as l
                where l.txid >= v_lo and l.txid < v_hi
            ) as x
            group by 1
            order by 1
        loop
            v_root := {schema}.merkle_root(v_bucket.leaves);
            v_block_no := v_block_no + 1;
            v_bucket_end := v_bucket.bucket_start + ('1 ' || v_interval)::interval;
            v_hash := sha256('\x02'::bytea || convert_to(concat_ws(E'\t',
                1, v_block_no, v_bucket.bucket_start, v_bucket_end, v_lo, v_hi, v_bucket.n,
                encode(v_root, 'hex'), encode(v_prev, 'hex'), v_sealed_at), 'UTF8'));
            insert into {schema}.blocks as b (block_no, format, bucket_start, bucket_end, txid_lo,
                                              txid_hi, row_count, merkle_root, prev_hash,
                                              sealed_at, block_hash)
            values (v_block_no, 1, v_bucket.bucket_start, v_bucket_end, v_lo, v_hi, v_bucket.n,
                    v_root, v_prev, v_sealed_at, v_hash);
            insert into {schema}.block_leaves (block_no, ids, leaves)
            values (v_block_no, v_bucket.ids, v_bucket.leaves);
            v_prev := v_hash;
            block_no := v_block_no;
            row_count := v_bucket.n;
            txid_lo := v_lo;
            txid_hi := v_hi;
            return next;
        end loop;
        v_lo := v_hi;
    end loop;
end
$pgaudit$;

-- guard_sql_drop: refuses DROPs that would erase or silence the trail outside pgaudit-kit's own
-- maintenance transactions: anything in the audit schema, and any audit trigger dropped on its own.
-- Dropping an audited table (or a partition) takes its triggers along; PostgreSQL cannot record
-- its rows, so the drop itself is recorded as a DDL event, once per table.
create function {schema}.guard_sql_drop() returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_obj record;
begin
    if {schema}.in_maintenance() then
        return;
    end if;
    for v_obj in
        select * from pg_event_trigger_dropped_objects()
        where schema_name = {schema_name} or (object_type = 'trigger' and original)
    loop
        if v_obj.schema_name = {schema_name} then
            raise exception 'pgaudit-kit: % % belongs to the audit trail and cannot be dropped',
                v_obj.object_type, v_obj.object_identity
                using errcode = 'insufficient_privilege',
                      hint = 'use pgaudit-kit uninstall, or purge for expired partitions';
        end if;
        if v_obj.address_names[3] like 'pgaudit\_%' then
            raise exception 'pgaudit-kit: audit trigger % cannot be dropped', v_obj.object_identity
                using errcode = 'insufficient_privilege',
                      hint = 'to stop auditing a table, remove it from pgaudit.toml and run pgaudit-kit apply';
        end if;
    end loop;
    for v_obj in
        select distinct o.address_names[1] as schema_name, o.address_names[2] as relation_name
        from pg_event_trigger_dropped_objects() o
        where o.object_type = 'trigger' and not o.original and o.address_names[3] like 'pgaudit\_%'
    loop
        perform {schema}.record_ddl(format('%I.%I', v_obj.schema_name, v_obj.relation_name), tg_tag,
                                    format('%I.%I', v_obj.schema_name, v_obj.relation_name));
    end loop;
end
$pgaudit$;

-- guard_ddl_command_end: after every DDL command outside pgaudit-kit's maintenance transactions:
--   * refuses commands that change objects in the audit schema;
--   * records DDL on audited tables and their partitions as DDL events;
--   * gives each new leaf partition of an audited table its TRUNCATE trigger (row triggers are
--     cloned by PostgreSQL itself; TRUNCATE triggers are not). This needs TRIGGER on the new
--     partition, which apply grants through default privileges of the table owner;
--   * refuses triggers that use a capture function on any other relation (its owner may execute
--     the row function, which PostgreSQL requires to clone it onto new partitions; it must not
--     be able to forge events by firing it from a table of its own);
--   * refuses the command if any audit trigger is now missing, disabled or no longer ALWAYS.
create function {schema}.guard_ddl_command_end() returns event_trigger
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_cmd record;
    v_table_name text;
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
            select t.table_name into v_table_name
            from {schema}.audited_tables t
            where t.relid = v_cmd.objid or t.relid = pg_partition_root(v_cmd.objid)::oid;
            if found then
                perform {schema}.record_ddl(v_table_name, v_cmd.command_tag, v_cmd.object_identity);
            end if;
        end if;
    end loop;
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
