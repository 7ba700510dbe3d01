-- Frozen SQL of toolkit schema revision 0006: hardened capture, guard and health checks.
-- Written by tools/freeze_revision.py from: toolkit/upgrades/0006_hardening.sql,
-- toolkit/tables/locks.sql, toolkit/tables/function_digests.sql, toolkit/functions/text_of.sql,
-- toolkit/functions/claim_text.sql, toolkit/functions/statement_context.sql,
-- toolkit/functions/mask_card.sql, toolkit/functions/mask_last4.sql,
-- toolkit/functions/function_digest.sql, toolkit/functions/record_function_digests.sql,
-- toolkit/functions/take_lock.sql, toolkit/functions/seal.sql, toolkit/functions/maintain.sql,
-- toolkit/functions/trigger_health.sql, toolkit/functions/integrity.sql,
-- toolkit/functions/image_sql.sql, toolkit/functions/capture_generically.sql,
-- toolkit/functions/guard_ddl_command_end.sql, toolkit/functions/guard_table_rewrite.sql,
-- toolkit/functions/guard_leaf_triggers.sql, toolkit/functions/missing_partitions.sql,
-- toolkit/functions/premake_partitions.sql, toolkit/functions/purge.sql,
-- toolkit/functions/apply_policy.sql, toolkit/functions/apply_policies.sql,
-- toolkit/upgrades/0006_regenerate_generic.sql, toolkit/privileges.sql, toolkit/record_digests.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- Revision 0006 on an installed 0005: what the hardened guard and health checks keep. members
-- lists the partitions of each audited partitioned table the guard has accepted (so a partition
-- that joins or leaves with rows is refused once, when it does); it is read from the catalog now
-- for tables already audited. locks replaces the advisory locks of seal and maintain, which any
-- role could take; function_digests holds the fingerprints integrity() checks, recorded at the
-- end of this revision.
alter table {schema}.audited_tables add column members oid[];
update {schema}.audited_tables as t
set members = coalesce((select pg_catalog.array_agg(p.relid::oid order by p.relid::oid)
                        from pg_catalog.pg_partition_tree(t.relid::regclass) as p
                        where p.relid <> t.relid::regclass), '{{}}')
where t.partitioned;
-- The retention in force, as the CONFIG event verify replays to judge each purge by (apply
-- records every later change); periods as PostgreSQL prints them by default.
set local intervalstyle = 'postgres';
select {schema}.record_event('CONFIG', null, pg_catalog.json_build_object('action', 'retention',
    'classes', (select coalesce(pg_catalog.json_object_agg(r.name, r.keep::text), '{{}}')
                from {schema}.retention_classes as r)));

-- locks: one row per job that must not run twice at once (seal, maintain). A run locks its row
-- FOR UPDATE NOWAIT (take_lock). Only the owner (and superusers) may lock these rows: nothing here
-- is granted, and a row lock needs UPDATE. An advisory lock, which any role may take, let any
-- session stop sealing while seal reported "nothing to seal".
create table {schema}.locks (
    name text primary key check (name in ('seal', 'maintain'))
);
insert into {schema}.locks (name) values ('seal'), ('maintain');

-- function_digests: a fingerprint of every function in the audit schema as pgaudit-kit made it,
-- recorded when a revision installs functions, when apply installs a table's capture and when the
-- guard switches a table to generic capture (record_function_digests). integrity() compares the
-- live functions with it, so a body replaced behind pgaudit-kit's back (by a superuser, in a
-- maintenance window) shows in status, check and report, and apply puts the function back.
create table {schema}.function_digests (
    function_oid oid primary key,
    name text not null,
    signature text not null,
    digest text not null,
    recorded_at timestamptz not null default pg_catalog.now()
);

-- text_of: a value of a created type (an enum, composite, range or domain someone owns, an array
-- of one, an extension's type) as text, by its type's output function alone. format('%s') calls
-- the output function, PostgreSQL's own for every such type (only a superuser creates base types),
-- and looks up no cast, so a cast to text or json its owner adds never runs inside capture, as
-- the audit owner. NULL stays NULL (num_nulls, not IS NULL, which is row-wise for composites).
-- A quoted body, as a polymorphic SQL function must have. Python: generate.rendered_text.
create or replace function {schema}.text_of(p_value anyelement) returns text
language sql stable parallel safe
set search_path = pg_catalog, pg_temp
as $pgaudit$
    select case pg_catalog.num_nulls(p_value) when 0 then pg_catalog.format('%s', p_value) end
$pgaudit$;

-- claim_text: a client's claim (application_name, request_id, trace_id) as the trail stores it: at
-- most 256 characters; a longer one keeps its first 240 and ends with the marker '...[truncated]',
-- so a cut value never passes for a whole one. Python twin: policies.claim_text.
create or replace function {schema}.claim_text(p_value text) returns text
language sql immutable parallel safe
return case
    when pg_catalog.char_length(p_value) <= 256 then p_value
    else pg_catalog.left(p_value, 240) || '...[truncated]'
end;

-- statement_context: the caller, as seen from inside a SECURITY DEFINER capture function. There
-- current_user is the audit owner, so the effective role is read from the "role" setting that
-- SET ROLE changes ('none': no SET ROLE, the session user acts). application_name, request_id and
-- trace_id are the client's own claims (SET LOCAL pgaudit.request_id = '...'), stored as given up
-- to claim_text's bound (a client must not be able to make every audit row it causes a megabyte);
-- an unset or reset custom setting reads as '' and is stored as NULL.
create or replace function {schema}.statement_context() returns {schema}.statement_context
language sql volatile
return row(
    pg_catalog.pg_current_xact_id()::text::bigint,
    session_user::text,
    case pg_catalog.current_setting('role')
        when 'none' then session_user::text
        else pg_catalog.current_setting('role')
    end,
    {schema}.claim_text(pg_catalog.current_setting('application_name')),
    pg_catalog.inet_client_addr(),
    {schema}.claim_text(nullif(pg_catalog.current_setting('pgaudit.request_id', true), '')),
    {schema}.claim_text(nullif(pg_catalog.current_setting('pgaudit.trace_id', true), ''))
)::{schema}.statement_context;

-- mask_card: '4111 1111 1111 1234' -> '****-****-****-1234'. Only a value that is a card number
-- (13 to 19 digits, spaces or dashes allowed between them) shows its last four digits; anything
-- else (free text, a short number, digits with words around them, where a CVV would show) is
-- '****'. translate() rather than a regular expression, and not STRICT, so it inlines into
-- capture's queries. Python twin: policies.mask_card.
create or replace function {schema}.mask_card(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.translate(pg_catalog.translate(p_value, ' -', ''), '0123456789', '') = ''
         and pg_catalog.char_length(pg_catalog.translate(p_value, ' -', '')) between 13 and 19
        then '****-****-****-' || pg_catalog.right(pg_catalog.translate(p_value, ' -', ''), 4)
    else '****'
end;

-- mask_last4: '****' and the last four characters, only when the value has at least sixteen, so
-- a mask never shows more than four characters nor more than a quarter of the value; shorter
-- values become '****'. Not STRICT, so it inlines. Python twin: policies.mask_last4.
create or replace function {schema}.mask_last4(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.char_length(p_value) >= 16 then '****' || pg_catalog.right(p_value, 4)
    else '****'
end;

-- function_digest: the fingerprint of one function: SHA-256 of its full definition as
-- pg_get_functiondef prints it (body, language, SECURITY DEFINER, pinned settings) and its owner.
-- Grants are left out: apply changes them, and check compares them on their own.
create or replace function {schema}.function_digest(p_function oid) returns text
language sql stable
return (
    select pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
               pg_catalog.pg_get_functiondef(p.oid) || E'\n'
               || pg_catalog.pg_get_userbyid(p.proowner), 'UTF8')), 'hex')
    from pg_catalog.pg_proc as p
    where p.oid = p_function
);

-- record_function_digests: (re)records the fingerprint of the given functions of the audit schema
-- (all of them when NULL) in function_digests, and forgets functions that no longer exist.
create or replace function {schema}.record_function_digests(p_functions oid[] default null)
returns void
language sql
begin atomic
    insert into {schema}.function_digests as d (function_oid, name, signature, digest)
    select p.oid, p.proname,
           pg_catalog.format('%I.%I(%s)', n.nspname, p.proname,
                             pg_catalog.pg_get_function_identity_arguments(p.oid)),
           {schema}.function_digest(p.oid)
    from pg_catalog.pg_proc as p
    join pg_catalog.pg_namespace as n on n.oid = p.pronamespace
    where n.nspname = {schema_name} and (p_functions is null or p.oid = any(p_functions))
    on conflict (function_oid) do update
        set name = excluded.name, signature = excluded.signature, digest = excluded.digest,
            recorded_at = pg_catalog.now();
    delete from {schema}.function_digests as d
    where not exists (select from pg_catalog.pg_proc as p where p.oid = d.function_oid);
end;

-- take_lock: locks one job's row of locks (seal, maintain) for the rest of the transaction and
-- returns NULL, or, when another session holds it, returns who does (pid, role, since when) for
-- the caller to refuse with: a caller who asked for work that did not happen hears why. SKIP
-- LOCKED rather than NOWAIT, so no subtransaction is needed: the holder is then found through the
-- transaction-id lock of the row's locker in pg_locks (a locker inside a subtransaction is not).
create or replace function {schema}.take_lock(p_name text) returns text
language plpgsql
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_holder text;
begin
    perform 1 from {schema}.locks as l where l.name = p_name for update skip locked;
    if found then
        return null;
    end if;
    select format('pid %s, role %s, since %s', a.pid, a.usename, a.xact_start) into v_holder
    from {schema}.locks as l
    join pg_locks as k on k.locktype = 'transactionid' and k.transactionid = l.xmax and k.granted
    join pg_stat_activity as a on a.pid = k.pid
    where l.name = p_name
    limit 1;
    return coalesce(v_holder, 'by a session not identified');
end
$pgaudit$;

-- seal: seals every audit row whose transaction has finished into hash-chained blocks, and
-- returns the blocks it made. The horizon is the oldest transaction still running anywhere in the
-- cluster (pg_snapshot_xmin): every transaction below it has committed or aborted, so the set of
-- rows with transaction ids in [last sealed horizon, horizon) can never change again. Writers
-- never wait for the sealer and the sealer never waits for writers; a long or prepared
-- transaction only holds the horizon back (status shows it). One block per bucket of the
-- partition interval, so a block never spans partitions; at most about p_max_rows rows per
-- block (cut at a transaction boundary). One sealer at a time: a second caller gets
-- lock_not_available at once, naming the first (take_lock; no other role can take that lock).
create or replace function {schema}.seal(p_max_rows bigint default 100000)
returns table (block_no bigint, row_count bigint, txid_lo bigint, txid_hi bigint)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
{pinned_settings}as $pgaudit$
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
    v_sealed_at timestamptz;
    v_bucket record;
    v_busy text;
begin
    v_busy := {schema}.take_lock('seal');
    if v_busy is not null then
        raise exception 'pgaudit-kit: another seal run is in progress (%)', v_busy
            using errcode = 'lock_not_available',
                  hint = 'nothing was sealed: wait for that run to finish, or end that session';
    end if;
    v_horizon := pg_snapshot_xmin(pg_current_snapshot())::text::bigint;
    -- read after the horizon: every transaction below it has ended, so began before this time,
    -- and no sealed row is dated after its block's seal (verify checks it, from format 2 on)
    v_sealed_at := clock_timestamp();
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
            if not exists (
                select 1 from {schema}.log_rows as l where l.txid >= v_lo and l.txid < v_cut
            ) then
                -- the first transaction alone has more rows: it becomes a block of its own (a
                -- range without rows would make no block and leave a gap in the chain's ranges)
                select min(l.txid) into v_cut
                from {schema}.log_rows as l
                where l.txid > v_cut and l.txid < v_horizon;
            end if;
            if v_cut > v_lo then
                v_hi := v_cut;
            end if;
        end if;
        for v_bucket in
            select date_trunc(v_interval, x.tx_time) as bucket_start,
                   count(*) as n,
                   array_agg(distinct coalesce(x.table_name, '') collate "C") as table_names,
                   string_agg(x.leaf, ''::bytea order by x.txid, x.id) as leaves,
                   string_agg(int8send(x.id), ''::bytea order by x.txid, x.id) as ids
            from (
                select l.txid, l.id, l.tx_time, l.table_name, {schema}.row_leaf(l) as leaf
                from {schema}.log_rows as l
                where l.txid >= v_lo and l.txid < v_hi
            ) as x
            group by 1
            order by 1
        loop
            v_root := {schema}.merkle_root(v_bucket.leaves);
            v_block_no := v_block_no + 1;
            v_bucket_end := v_bucket.bucket_start + ('1 ' || v_interval)::interval;
            -- the block line of format 2 (pgaudit_kit/chain.py): only table_names can hold
            -- characters COPY escapes
            v_hash := sha256('\x02'::bytea || convert_to(concat_ws(E'\t',
                2, v_block_no, v_bucket.bucket_start, v_bucket_end, v_lo, v_hi, v_bucket.n,
                encode(v_root, 'hex'), encode(v_prev, 'hex'), v_sealed_at,
                {schema}.copy_text(v_bucket.table_names::text)), 'UTF8'));
            insert into {schema}.blocks as b (block_no, format, bucket_start, bucket_end, txid_lo,
                                              txid_hi, row_count, merkle_root, prev_hash,
                                              sealed_at, block_hash, table_names)
            values (v_block_no, 2, v_bucket.bucket_start, v_bucket_end, v_lo, v_hi, v_bucket.n,
                    v_root, v_prev, v_sealed_at, v_hash, v_bucket.table_names);
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

-- maintain: one idempotent call for cron, pg_cron or the CLI: premake partitions (placing any
-- rows left in the default partition), seal, purge. Each step runs in its own subtransaction, so
-- one failing (say, a lock not granted in time) does not undo the others; the run and its outcome
-- are kept in maintenance_runs. A second run started meanwhile fails at once with
-- lock_not_available naming the first (take_lock); a seal running meanwhile makes the seal step
-- an error of this run, and the other steps still run.
create or replace function {schema}.maintain(p_ahead integer default 3, p_purge boolean default true)
returns json
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_started timestamptz := clock_timestamp();
    v_created integer;
    v_sealed json;
    v_purged json;
    v_errors jsonb := '{{}}';
    v_summary json;
    v_busy text;
    v_seal_busy text;
begin
    v_busy := {schema}.take_lock('maintain');
    if v_busy is not null then
        raise exception 'pgaudit-kit: another maintain run is in progress (%)', v_busy
            using errcode = 'lock_not_available',
                  hint = 'nothing was done: wait for that run to finish, or end that session';
    end if;
    -- the seal lock is taken here, outside the steps' subtransactions, so that a sealer refused
    -- meanwhile can be told which session holds it
    v_seal_busy := {schema}.take_lock('seal');
    begin
        v_created := {schema}.premake_partitions(p_ahead);
    exception when others then
        v_errors := v_errors || jsonb_build_object('premake', sqlerrm);
    end;
    if v_seal_busy is not null then
        v_errors := v_errors || jsonb_build_object('seal', 'another seal run is in progress ('
                                                           || v_seal_busy || ')');
    else
        begin
            select json_agg(s) into v_sealed from {schema}.seal() as s;
        exception when others then
            v_errors := v_errors || jsonb_build_object('seal', sqlerrm);
        end;
    end if;
    if p_purge then
        begin
            select json_agg(p) into v_purged
            from {schema}.purge(false) as p
            where p.action in ('dropped', 'busy', 'held', 'unsealed');
        exception when others then
            v_errors := v_errors || jsonb_build_object('purge', sqlerrm);
        end;
    end if;
    v_summary := json_build_object(
        'partitions_created', coalesce(v_created, 0),
        'blocks', coalesce(v_sealed, '[]'),
        'purge', coalesce(v_purged, '[]'),
        'errors', v_errors);
    insert into {schema}.maintenance_runs (started_at, finished_at, ok, summary)
    values (v_started, clock_timestamp(),
            v_errors = '{{}}' and not coalesce(v_purged::text like '%"busy"%', false), v_summary);
    return v_summary;
end
$pgaudit$;

-- trigger_health: every audit trigger that should exist, and its state, read from what is live:
-- the trigger must call the table's registered capture function, on exactly the events, level,
-- timing and transition tables apply created (no WHEN condition, no column list, no arguments),
-- and fire ALWAYS (even with session_replication_role = replica), the TRUNCATE triggers of
-- partitions included. 'ok', else 'missing', 'wrong function', 'redefined', 'disabled' or
-- 'not always': each is a hole in the trail. The guard refuses DDL that leaves one; status, check
-- and report show them; apply repairs them. tgtype: 1 row, 4 insert, 8 delete, 16 update,
-- 32 truncate (no bit for AFTER).
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
                   when 'pgaudit_truncate' then 32
                   else 29
               end as tgtype,
               case tg.name when 'pgaudit_insert' then 'new_rows' end as new_table,
               case tg.name when 'pgaudit_delete' then 'old_rows' end as old_table
        from live l, unnest(l.triggers) as tg(name)
        union all
        select l.table_name, p.relid, n.name,
               case n.name when 'pgaudit_row' then l.row_function else l.truncate_function end::oid,
               case n.name when 'pgaudit_row' then 29 else 32 end, null, null
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

-- integrity: where the live audit schema differs from what pgaudit-kit made of it, beyond the
-- audit triggers (trigger_health): a function whose definition or owner no longer matches the
-- fingerprint recorded when pgaudit-kit created it ('function changed'), one recorded but gone
-- ('function missing'), one pgaudit-kit never made ('function added'), and a partition of an
-- audited table caught half detached by DETACH ... CONCURRENTLY, which the guard refused
-- ('detach pending'). status, check and report show each row; apply repairs the functions.
-- SECURITY DEFINER, granted to readers of the trail: it reads the fingerprints, which only the
-- owner may, and returns names only.
create or replace function {schema}.integrity()
returns table (kind text, object text, name text, detail text)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
    select case when p.oid is null then 'function missing' else 'function changed' end,
           d.signature,
           d.name,
           case when p.oid is null then 'recorded by pgaudit-kit, no longer exists'
                else 'its definition or owner differs from the one pgaudit-kit installed' end
    from {schema}.function_digests as d
    left join pg_proc as p on p.oid = d.function_oid
    where p.oid is null or {schema}.function_digest(p.oid) <> d.digest
    union all
    select 'function added',
           format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
           p.proname::text,
           'in the audit schema, but not made by pgaudit-kit'
    from pg_proc as p
    join pg_namespace as n on n.oid = p.pronamespace
    where n.nspname = {schema_name}
      and not exists (select from {schema}.function_digests as d where d.function_oid = p.oid)
    union all
    select 'detach pending', i.inhrelid::regclass::text, null,
           format('a partition of audited table %s, half detached (DETACH ... CONCURRENTLY)',
                  t.table_name)
    from {schema}.audited_tables as t
    cross join lateral pg_partition_tree(t.relid::regclass) as p  -- without pending ones
    join pg_inherits as i on i.inhparent = p.relid and i.inhdetachpending
    order by 1, 2
$pgaudit$;

-- image_sql: the SQL expression of a jsonb object holding each live column of a table (virtual
-- generated ones left out, as capture leaves them out) under the record alias p_record: its value
-- as json (p_typed), or its text. Generic capture splices both into the bodies it writes when a
-- table's columns change: values are stored from the first, hashes and masks computed from the
-- second. The rule of generate.rendered_text: a built-in type (domains resolved) is its own json
-- and its text cast, a created type only the text of its output function (text_of), so that no
-- cast its owner added is ever called, and the same value gives the same token in fast and
-- generic capture. jsonb_build_object takes at most 100 arguments: wide tables are joined.
create or replace function {schema}.image_sql(p_relid oid, p_record text, p_typed boolean)
returns text
language sql stable
set search_path = pg_catalog, pg_temp
as $pgaudit$
    with recursive columns as (
        select a.attnum, a.attname, a.atttypid
        from pg_attribute as a
        where a.attrelid = p_relid and a.attnum > 0 and not a.attisdropped
          and a.attgenerated <> 'v'
    ), base (attnum, typid, typtype) as (
        select c.attnum, t.oid, t.typtype
        from columns as c join pg_type as t on t.oid = c.atttypid
        union all
        select b.attnum, t.oid, t.typtype
        from base as b
        join pg_type as d on d.oid = b.typid and b.typtype = 'd'
        join pg_type as t on t.oid = d.typbasetype
    ), rendered as (
        select c.attnum, (row_number() over (order by c.attnum) - 1) / 50 as chunk,
               format('%L, %s', c.attname, case
                   when b.typid < 16384 and p_typed then format('%s.%I', p_record, c.attname)
                   when b.typid < 16384 then format('%s.%I::text', p_record, c.attname)
                   else format('%s.text_of(%s.%I)', quote_ident({schema_name}), p_record, c.attname)
               end) as pair
        from columns as c
        join base as b on b.attnum = c.attnum and b.typtype <> 'd'
    )
    select coalesce(string_agg(x.call, ' || ' order by x.chunk), '''{{}}''::jsonb')
    from (
        select r.chunk,
               'pg_catalog.jsonb_build_object(' || string_agg(r.pair, ', ' order by r.attnum) || ')'
                   as call
        from rendered as r
        group by r.chunk
    ) as x
$pgaudit$;

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
        select h.relation, t.truncate_function
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
            execute format('create trigger pgaudit_truncate after truncate on %s '
                           'for each statement execute function %s',
                           v_leaf.relation, v_leaf.truncate_function);
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

-- guard_leaf_triggers: makes the TRUNCATE trigger the guard gave a new partition of an audited
-- table fire ALWAYS. The guard itself runs as the owner role, which may create that trigger (apply
-- granted it TRIGGER on the table owner's new tables) but not change how it fires: only the
-- partition's owner may, and that is who created or attached it. So this part runs with the
-- caller's own rights (no SECURITY DEFINER), after the guard (event triggers fire in name order),
-- reads only the catalog, and touches nothing but TRUNCATE triggers calling an audit function.
create or replace function {schema}.guard_leaf_triggers() returns event_trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_leaf record;
begin
    for v_leaf in
        select distinct n.nspname, c.relname
        from pg_event_trigger_ddl_commands() as d
        cross join lateral (
            select d.objid
            union
            select p.relid from pg_partition_tree(d.objid::regclass) as p
        ) as r(relid)
        join pg_trigger as g on g.tgrelid = r.relid
        join pg_proc as f on f.oid = g.tgfoid
        join pg_class as c on c.oid = g.tgrelid
        join pg_namespace as n on n.oid = c.relnamespace
        where d.classid = 'pg_class'::regclass and g.tgname = 'pgaudit_truncate'
          and g.tgenabled = 'O' and f.pronamespace = {schema_name}::regnamespace
    loop
        execute format('alter table %I.%I enable always trigger pgaudit_truncate',
                       v_leaf.nspname, v_leaf.relname);
    end loop;
end
$pgaudit$;

-- missing_partitions: the log partitions premake_partitions would create: one for the current
-- period and p_ahead periods after it (settings.partition_interval, aligned in UTC), and one for
-- every period that has rows waiting in the default partition, each unless an existing partition
-- overlaps it. The one place partition periods are computed: plan reads it to say what apply
-- will create. SECURITY DEFINER, granted to readers of the trail (who may run plan): it reads the
-- default partition and returns ranges only.
create or replace function {schema}.missing_partitions(p_ahead integer)
returns table (range_from timestamptz, range_to timestamptz)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
declare
    v_interval text;
    v_step interval;
begin
    select s.partition_interval into v_interval from {schema}.settings as s;
    v_step := ('1 ' || v_interval)::interval;
    return query
    select p.start, p.start + v_step
    from (
        select date_trunc(v_interval, now()) + v_step * g as start
        from generate_series(0, p_ahead) as g
        union
        select date_trunc(v_interval, d.tx_time) from {schema}.log_rows_default as d
    ) as p
    where not exists (
        select 1 from {schema}.partitions() as x
        where not x.is_default and x.range_from < p.start + v_step and x.range_to > p.start
    )
    order by p.start;
end
$pgaudit$;

-- premake_partitions: makes sure the log has a partition for the current period and p_ahead
-- periods after it, and for every period that has rows waiting in the default partition, so no
-- row stays there: it creates what missing_partitions lists. Idempotent; returns how many
-- partitions it created. SECURITY DEFINER so partitions belong to the audit owner, whoever calls
-- it; lock_timeout keeps it from queueing behind long transactions (maintain reports the failure
-- and retries next run).
create or replace function {schema}.premake_partitions(p_ahead integer) returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set lock_timeout = '5s'
as $pgaudit$
declare
    v_missing record;
    v_created integer := 0;
begin
    for v_missing in select * from {schema}.missing_partitions(p_ahead) loop
        perform {schema}.begin_maintenance('premake_partitions');
        perform {schema}.create_partition(v_missing.range_from, v_missing.range_to);
        v_created := v_created + 1;
    end loop;
    return v_created;
end
$pgaudit$;

-- purge: drops whole log partitions whose retention has passed (never DELETEs rows), and says for
-- every past partition what it did and why. A partition is dropped only when:
--   * its end plus the longest retention class of the tables whose rows it holds has passed
--     (events of no table follow the class default; a class with no period keeps rows for ever);
--   * every row in it is sealed, so its blocks are complete;
--   * no active legal hold overlaps it (same table or all tables, overlapping time range);
--   * no block reaches outside it.
-- Dropping keeps the block headers (the chain still verifies) and removes their stored leaves;
-- a PURGE event names the partition, range, rows, classes and blocks, and the retention it ran
-- under (every class's period and table's class, so verify can judge later purges after the
-- CONFIG events that set them are purged too), and is sealed into the chain by the next seal, so
-- verify can tell purged blocks from deleted rows. A REDACT event of the partition whose row
-- lives on elsewhere is recorded again, so that row's redaction stays checkable. A partition whose
-- lock is not granted within lock_timeout is reported busy, never waited for: a DROP queued
-- behind a long transaction would stall every audited write behind it.
create or replace function {schema}.purge(p_dry_run boolean default false)
returns table (partition text, range_from timestamptz, range_to timestamptz, row_count bigint,
               retention text, keep_until timestamptz, action text, detail text)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set intervalstyle = 'postgres'
set lock_timeout = '2s'
as $pgaudit$
declare
    v_part record;
    v_row record;
    v_tables text[];
    v_classes text[];
    v_missing text;
    v_keep interval;
    v_horizon bigint;
    v_unsealed boolean;
    v_holds integer[];
    v_blocks bigint[];
    v_spanning bigint;
begin
    select coalesce(max(b.txid_hi), 0) into v_horizon from {schema}.blocks as b;
    for v_part in
        select p.partition, p.range_from, p.range_to
        from {schema}.partitions() as p
        where not p.is_default and p.range_to <= now()
        order by p.range_from
    loop
        partition := v_part.partition::text;
        range_from := v_part.range_from;
        range_to := v_part.range_to;
        -- which tables' rows the partition holds: from its blocks (seal records it), reading the
        -- rows themselves only when an older block does not say
        row_count := 0;
        v_tables := '{{}}';
        if exists (select 1 from {schema}.blocks as b
                   where b.bucket_start >= v_part.range_from and b.bucket_end <= v_part.range_to)
           and not exists (select 1 from {schema}.blocks as b
                           where b.bucket_start >= v_part.range_from and b.bucket_end <= v_part.range_to
                             and b.table_names is null) then
            select coalesce(sum(b.row_count), 0),
                   coalesce(array_agg(distinct t.name), '{{}}')
            into row_count, v_tables
            from {schema}.blocks as b
            cross join lateral unnest(b.table_names) as t(name)
            where b.bucket_start >= v_part.range_from and b.bucket_end <= v_part.range_to;
        else
            for v_row in execute format('select t.table_name, count(*) as n from %s as t group by 1', v_part.partition) loop
                row_count := row_count + v_row.n;
                v_tables := v_tables || coalesce(v_row.table_name, '');
            end loop;
        end if;
        select coalesce(array_agg(distinct coalesce(a.retention_class, 'default') order by coalesce(a.retention_class, 'default')), '{{default}}')
        into v_classes
        from unnest(v_tables) as u(table_name)
        left join {schema}.audited_tables as a on a.table_name = u.table_name;
        retention := array_to_string(v_classes, ', ');
        keep_until := null;
        select string_agg(c.name, ', ') into v_missing
        from unnest(v_classes) as c(name)
        where not exists (select 1 from {schema}.retention_classes as r where r.name = c.name);
        if v_missing is not null then
            action := 'retained';
            detail := format('class %s has no retention period: kept for ever', v_missing);
            return next;
            continue;
        end if;
        select max(r.keep) into v_keep from {schema}.retention_classes as r where r.name = any(v_classes);
        keep_until := v_part.range_to + v_keep;
        if keep_until > now() then
            action := 'retained';
            detail := format('kept until %s (%s)', keep_until, v_keep);
            return next;
            continue;
        end if;
        execute format('select exists (select 1 from %s where txid >= %L)', v_part.partition, v_horizon)
        into v_unsealed;
        if v_unsealed then
            action := 'unsealed';
            detail := 'some rows are not sealed yet: seal first, or wait for the transaction horizon';
            return next;
            continue;
        end if;
        select array_agg(h.hold_id order by h.hold_id) into v_holds
        from {schema}.holds as h
        where h.released_at is null
          and (h.table_name is null or h.table_name = any(v_tables))
          and coalesce(h.from_time, '-infinity') < v_part.range_to
          and coalesce(h.to_time, 'infinity') > v_part.range_from;
        if v_holds is not null then
            action := 'held';
            detail := format('legal hold %s', array_to_string(v_holds, ', '));
            return next;
            continue;
        end if;
        select min(b.block_no) into v_spanning
        from {schema}.blocks as b
        where b.bucket_start < v_part.range_to and b.bucket_end > v_part.range_from
          and not (b.bucket_start >= v_part.range_from and b.bucket_end <= v_part.range_to);
        if v_spanning is not null then
            action := 'retained';
            detail := format('block %s reaches outside this partition', v_spanning);
            return next;
            continue;
        end if;
        select coalesce(array_agg(b.block_no order by b.block_no), '{{}}') into v_blocks
        from {schema}.blocks as b
        where b.bucket_start >= v_part.range_from and b.bucket_end <= v_part.range_to;
        if p_dry_run then
            action := 'would drop';
            detail := format('%s block(s)', cardinality(v_blocks));
            return next;
            continue;
        end if;
        begin
            perform {schema}.begin_maintenance('purge');
            for v_row in execute format(
                'select e.id, e.table_name, e.tx_time, e.login_role, e.new_values from %s as e'
                ' where e.op = %L', v_part.partition, 'REDACT')
            loop
                if exists (select 1 from {schema}.log_rows as l
                           where l.id = (v_row.new_values ->> 'row_id')::bigint
                             and (l.tx_time < v_part.range_from or l.tx_time >= v_part.range_to)) then
                    perform {schema}.record_event('REDACT', v_row.table_name, json_build_object(
                        'row_id', (v_row.new_values ->> 'row_id')::bigint,
                        'reason', v_row.new_values ->> 'reason',
                        'payload_digest', v_row.new_values ->> 'payload_digest',
                        'redacted_digest', v_row.new_values ->> 'redacted_digest',
                        'redacted_at', coalesce(v_row.new_values ->> 'redacted_at', v_row.tx_time::text),
                        'redacted_by', coalesce(v_row.new_values ->> 'redacted_by', v_row.login_role),
                        'carried_from', v_row.id));
                end if;
            end loop;
            execute format('drop table %s', v_part.partition);
            delete from {schema}.block_leaves as l where l.block_no = any(v_blocks);
            perform {schema}.record_event('PURGE', null, json_build_object(
                'partition', partition, 'from', v_part.range_from, 'to', v_part.range_to,
                'rows', row_count, 'tables', v_tables, 'classes', v_classes, 'keep', v_keep,
                'blocks', v_blocks,
                'retention', (select coalesce(json_object_agg(r.name, r.keep::text), '{{}}')
                              from {schema}.retention_classes as r),
                'table_classes', (select coalesce(json_object_agg(a.table_name,
                                                                  coalesce(a.retention_class, 'default')), '{{}}')
                                  from {schema}.audited_tables as a)));
            action := 'dropped';
            detail := format('%s row(s) in %s block(s)', row_count, cardinality(v_blocks));
        exception when lock_not_available then
            action := 'busy';
            detail := 'a transaction is using the log: try again later';
        end;
        return next;
    end loop;
end
$pgaudit$;

-- apply_policy: what the trail stores of one value's text under a policy other than plain: the
-- 'hmac:' token under the given key, a mask, or NULL for omit. The one definition of policies in
-- SQL: fast capture calls it with the policy as a constant (PostgreSQL inlines the function and
-- folds the CASE, so it costs what calling hmac_token or mask_card directly costs), generic
-- capture with each column's policy from the registry (apply_policies). Plain values are stored
-- by the callers as json. Python twins: policies.hmac_token_from_pads and policies.apply_mask.
create or replace function {schema}.apply_policy(p_policy text, p_text text, p_k_in bytea,
                                                 p_k_out bytea)
returns text
language sql stable parallel safe
return case p_policy
    when 'hash' then {schema}.hmac_token(p_text, p_k_in, p_k_out)
    when 'mask:email' then {schema}.mask_email(p_text)
    when 'mask:card' then {schema}.mask_card(p_text)
    when 'mask:last4' then {schema}.mask_last4(p_text)
end;

-- apply_policies: a row image under column policies looked up by name: p_values holds each
-- column's value as json, p_texts its text (both from image_sql); plain columns keep the value,
-- the others become what apply_policy makes of the text, omitted ones are left out. A column the
-- map does not name gets p_default (hash or omit), so a column added after apply is never stored
-- in plain text. Used by generic capture; fast capture calls apply_policy itself, with each
-- column's policy baked in, so a value hashes to the same token in both.
create or replace function {schema}.apply_policies(p_values jsonb, p_texts jsonb, p_policies jsonb,
                                                   p_default text, p_k_in bytea, p_k_out bytea)
returns json
language sql stable parallel safe
return (
    select coalesce(pg_catalog.json_object_agg(e.key,
               case coalesce(p_policies ->> e.key, p_default)
                   when 'plain' then e.value::json
                   else pg_catalog.to_json({schema}.apply_policy(
                       coalesce(p_policies ->> e.key, p_default), p_texts ->> e.key, p_k_in, p_k_out))
               end order by e.key), '{{}}'::json)
    from pg_catalog.jsonb_each(p_values) as e
    where coalesce(p_policies ->> e.key, p_default) <> 'omit'
);

-- Revision 0006, last: tables captured generically when it is installed get bodies that no longer
-- call to_jsonb (which runs the casts a type's owner may add), and the apply_policies they used
-- goes.
select {schema}.capture_generically(t.relid)
from {schema}.audited_tables as t
where t.capture_mode = 'generic';
drop function {schema}.apply_policies(jsonb, jsonb, text, bytea, bytea);

-- Nothing in the audit schema is granted to PUBLIC (functions and types are, by default, so that
-- is revoked explicitly). Grants to the configured auditor roles are made by apply, from the config.
revoke all on schema {schema} from public;
revoke all on all tables in schema {schema} from public;
revoke all on all sequences in schema {schema} from public;
revoke all on all functions in schema {schema} from public;
revoke all on type {schema}.statement_context from public;

-- Every revision that creates or replaces functions ends by recording their fingerprints, the
-- ones integrity() compares the live definitions with.
select {schema}.record_function_digests();
