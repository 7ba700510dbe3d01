-- Frozen SQL of toolkit schema revision 0002: retention and maintenance.
-- Written by tools/freeze_revision.py from: toolkit/upgrades/0002_retention.sql, toolkit/tables/retention_classes.sql, toolkit/tables/holds.sql, toolkit/tables/maintenance_runs.sql, toolkit/functions/seal.sql, toolkit/functions/partitions.sql, toolkit/functions/create_partition.sql, toolkit/functions/premake_partitions.sql, toolkit/functions/record_event.sql, toolkit/functions/hold_add.sql, toolkit/functions/hold_release.sql, toolkit/functions/purge.sql, toolkit/functions/maintain.sql, toolkit/privileges.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- Revision 0002 on an installed 0001: tables gain a retention class (existing ones: default), and
-- premake_partitions is recreated below with its parameter renamed (p_months -> p_ahead, now that
-- the interval may be a day or a week), which CREATE OR REPLACE cannot do.
alter table {schema}.audited_tables add column retention_class text not null default 'default';
drop function {schema}.premake_partitions(integer);
alter table {schema}.blocks add column table_names text[];

-- retention_classes: how long each class keeps its rows ([retention] in pgaudit.toml, set by
-- apply). A partition is purged only when its end plus the longest class of the tables whose rows
-- it holds has passed; events that belong to no table (CONFIG, DDL, KEY, HOLD, PURGE) follow the
-- class named default. A class that is not listed keeps its rows for ever.
create table {schema}.retention_classes (
    name text primary key,
    keep interval not null check (keep > interval '0')
);

-- holds: legal holds. A partition that overlaps an active hold (same table, or any table when the
-- hold names none; overlapping time range, open ends meaning unbounded) is never purged. Holds
-- and releases are also written to the log as HOLD events, so the trail proves them.
create table {schema}.holds (
    hold_id integer generated always as identity primary key,
    reason text not null check (reason <> ''),
    table_name text,
    from_time timestamptz,
    to_time timestamptz,
    created_at timestamptz not null default pg_catalog.now(),
    created_by text not null default session_user,
    released_at timestamptz,
    released_by text,
    release_reason text,
    check (from_time is null or to_time is null or from_time < to_time),
    check ((released_at is null) = (released_by is null))
);

-- maintenance_runs: one row per maintain() call, so status can show when maintenance last ran
-- and how it went (pg_partman's lesson: make the last run and its outcome visible).
create table {schema}.maintenance_runs (
    run_id bigint generated always as identity primary key,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    ok boolean not null,
    summary json not null
);

-- seal: seals every audit row whose transaction has finished into hash-chained blocks, and
-- returns the blocks it made. The horizon is the oldest transaction still running anywhere in the
-- cluster (pg_snapshot_xmin): every transaction below it has committed or aborted, so the set of
-- rows with transaction ids in [last sealed horizon, horizon) can never change again. Writers
-- never wait for the sealer and the sealer never waits for writers; a long or prepared
-- transaction only holds the horizon back (status shows it). One block per bucket of the
-- partition interval, so a block never spans partitions; at most about p_max_rows rows per
-- block (cut at a transaction boundary). One sealer at a time: a second caller returns at once.
create or replace function {schema}.seal(p_max_rows bigint default 100000)
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
                   array_agg(distinct coalesce(x.table_name, '')) as table_names,
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
            v_hash := sha256('\x02'::bytea || convert_to(concat_ws(E'\t',
                1, v_block_no, v_bucket.bucket_start, v_bucket_end, v_lo, v_hi, v_bucket.n,
                encode(v_root, 'hex'), encode(v_prev, 'hex'), v_sealed_at), 'UTF8'));
            insert into {schema}.blocks as b (block_no, format, bucket_start, bucket_end, txid_lo,
                                              txid_hi, row_count, merkle_root, prev_hash,
                                              sealed_at, block_hash, table_names)
            values (v_block_no, 1, v_bucket.bucket_start, v_bucket_end, v_lo, v_hi, v_bucket.n,
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

-- partitions: the partitions of log_rows and their bounds, read from the catalog
-- (pg_get_expr(relpartbound)), never from their names. Bounds render in UTC, pinned here.
create or replace function {schema}.partitions()
returns table (partition regclass, range_from timestamptz, range_to timestamptz, is_default boolean)
language sql stable
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
    select c.oid::regclass,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\)'))[1]::timestamptz,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamptz,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
    from pg_inherits as h
    join pg_class as c on c.oid = h.inhrelid
    where h.inhparent = {log_regclass}::regclass
    order by 2 nulls last
$pgaudit$;

-- create_partition: adds the log partition [p_from, p_to). When the default partition already
-- holds rows of that range (written while no partition covered them), they are moved into the new
-- table first and the table is attached afterwards: PostgreSQL refuses to add a partition while
-- the default partition holds rows that belong to it. Rows keep their content, so their hashes
-- and blocks are unchanged. The caller opens the maintenance window.
create or replace function {schema}.create_partition(p_from timestamptz, p_to timestamptz)
returns regclass
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
as $pgaudit$
declare
    v_name text := 'log_rows_p' || to_char(p_from, 'YYYYMMDD');
begin
    if exists (
        select 1 from {schema}.log_rows_default as d
        where d.tx_time >= p_from and d.tx_time < p_to
    ) then
        execute format('create table %I.%I (like %I.log_rows including defaults)',
                       {schema_name}, v_name, {schema_name});
        execute format('with moved as (delete from %I.log_rows_default where tx_time >= %L and tx_time < %L returning *) '
                       'insert into %I.%I select * from moved',
                       {schema_name}, p_from, p_to, {schema_name}, v_name);
        execute format('alter table %I.log_rows attach partition %I.%I for values from (%L) to (%L)',
                       {schema_name}, {schema_name}, v_name, p_from, p_to);
    else
        execute format('create table %I.%I partition of %I.log_rows for values from (%L) to (%L)',
                       {schema_name}, v_name, {schema_name}, p_from, p_to);
    end if;
    return format('%I.%I', {schema_name}, v_name)::regclass;
end
$pgaudit$;

-- premake_partitions: makes sure the log has a partition for the current period and p_ahead
-- periods after it (settings.partition_interval, aligned in UTC), and for every period that has
-- rows waiting in the default partition, so no row stays there. A period that an existing
-- partition already overlaps is left alone. Idempotent; returns how many partitions it created.
-- SECURITY DEFINER so partitions belong to the audit owner, whoever calls it; lock_timeout keeps
-- it from queueing behind long transactions (maintain reports the failure and retries next run).
create or replace function {schema}.premake_partitions(p_ahead integer) returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
set lock_timeout = '5s'
as $pgaudit$
declare
    v_interval text;
    v_step interval;
    v_from timestamptz;
    v_created integer := 0;
begin
    select s.partition_interval into v_interval from {schema}.settings as s;
    v_step := ('1 ' || v_interval)::interval;
    for v_from in
        select p.start
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
        order by p.start
    loop
        perform {schema}.begin_maintenance('premake_partitions');
        perform {schema}.create_partition(v_from, v_from + v_step);
        v_created := v_created + 1;
    end loop;
    return v_created;
end
$pgaudit$;

-- record_event: writes one event that belongs to the trail itself (HOLD, PURGE...) to the log,
-- with who did it; it is sealed into the chain like any change.
create or replace function {schema}.record_event(p_op text, p_table_name text, p_details json)
returns void
language sql
begin atomic
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                                   effective_role, application_name, client_addr, request_id, trace_id)
    select c.txid, pg_catalog.transaction_timestamp(), pg_catalog.statement_timestamp(), p_op,
           p_table_name, p_details, c.login_role, c.effective_role, c.application_name,
           c.client_addr, c.request_id, c.trace_id
    from {schema}.statement_context() as c;
end;

-- hold_add: places a legal hold: no partition overlapping it is purged until it is released. A
-- NULL table means every table; NULL bounds mean unbounded. Recorded as a HOLD event.
create or replace function {schema}.hold_add(p_reason text, p_table_name text default null,
                                             p_from timestamptz default null, p_to timestamptz default null)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_hold_id integer;
begin
    if coalesce(trim(p_reason), '') = '' then
        raise exception 'pgaudit-kit: a legal hold needs a reason' using errcode = 'invalid_parameter_value';
    end if;
    insert into {schema}.holds (reason, table_name, from_time, to_time)
    values (p_reason, p_table_name, p_from, p_to)
    returning hold_id into v_hold_id;
    perform {schema}.record_event('HOLD', p_table_name, json_build_object(
        'action', 'add', 'hold_id', v_hold_id, 'reason', p_reason, 'from', p_from, 'to', p_to));
    return v_hold_id;
end
$pgaudit$;

-- hold_release: ends a legal hold (it stays in holds, released). Recorded as a HOLD event.
create or replace function {schema}.hold_release(p_hold_id integer, p_reason text)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_table text;
begin
    update {schema}.holds
    set released_at = now(), released_by = session_user, release_reason = p_reason
    where hold_id = p_hold_id and released_at is null
    returning table_name into v_table;
    if not found then
        raise exception 'pgaudit-kit: there is no active legal hold %', p_hold_id
            using errcode = 'no_data_found', hint = 'list them with pgaudit-kit hold list';
    end if;
    perform {schema}.record_event('HOLD', v_table, json_build_object(
        'action', 'release', 'hold_id', p_hold_id, 'reason', p_reason));
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
-- a PURGE event names the partition, range, rows, classes and blocks, and is sealed into the
-- chain by the next seal, so verify can tell purged blocks from deleted rows. A partition whose
-- lock is not granted within lock_timeout is reported busy, never waited for: a DROP queued
-- behind a long transaction would stall every audited write behind it.
create or replace function {schema}.purge(p_dry_run boolean default false)
returns table (partition text, range_from timestamptz, range_to timestamptz, row_count bigint,
               retention text, keep_until timestamptz, action text, detail text)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
set timezone = 'UTC'
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
            execute format('drop table %s', v_part.partition);
            delete from {schema}.block_leaves as l where l.block_no = any(v_blocks);
            perform {schema}.record_event('PURGE', null, json_build_object(
                'partition', partition, 'from', v_part.range_from, 'to', v_part.range_to,
                'rows', row_count, 'tables', v_tables, 'classes', v_classes, 'keep', v_keep,
                'blocks', v_blocks));
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

-- maintain: one idempotent call for cron, pg_cron or the CLI: premake partitions (placing any
-- rows left in the default partition), seal, purge. Each step runs in its own subtransaction, so
-- one failing (say, a lock not granted in time) does not undo the others; the run and its outcome
-- are kept in maintenance_runs. A second run started meanwhile returns at once.
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
begin
    if not pg_try_advisory_xact_lock(1885431926, hashtext({schema_name})) then
        return json_build_object('skipped', 'another maintenance run is in progress');
    end if;
    begin
        v_created := {schema}.premake_partitions(p_ahead);
    exception when others then
        v_errors := v_errors || jsonb_build_object('premake', sqlerrm);
    end;
    begin
        select json_agg(s) into v_sealed from {schema}.seal() as s;
    exception when others then
        v_errors := v_errors || jsonb_build_object('seal', sqlerrm);
    end;
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

-- Nothing in the audit schema is granted to PUBLIC (functions and types are, by default, so that
-- is revoked explicitly). Grants to the configured auditor roles are made by apply, from the config.
revoke all on schema {schema} from public;
revoke all on all tables in schema {schema} from public;
revoke all on all sequences in schema {schema} from public;
revoke all on all functions in schema {schema} from public;
revoke all on type {schema}.statement_context from public;
