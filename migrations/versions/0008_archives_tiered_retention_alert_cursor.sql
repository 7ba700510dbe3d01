-- Frozen SQL of toolkit schema revision 0008: archives, tiered retention, alert cursor.
-- Written by tools/freeze_revision.py from: toolkit/upgrades/0008_tiered_retention.sql,
-- toolkit/tables/archives.sql, toolkit/tables/alert_cursor.sql,
-- toolkit/functions/archive_record.sql, toolkit/functions/alerts_advance.sql,
-- toolkit/functions/purge.sql, toolkit/functions/maintain.sql, toolkit/privileges.sql,
-- toolkit/record_digests.sql.
-- Never edit: installed databases depend on it. Add a new revision instead.

-- Revision 0008 on an installed 0007: tiered retention. A class may keep its rows in the database
-- for a while (keep) and in archives for longer (archive_keep); archives records what archive
-- wrote, and purge drops a tiered class's partitions only once archived. The alert cursor comes
-- with it (alert_cursor, alerts_advance).
alter table {schema}.retention_classes
    add column archive_keep interval check (archive_keep >= keep);

-- archives (revision 0008): each archive pgaudit-kit archive wrote and checked back from disk,
-- recorded by archive_record: its manifest's sequence and SHA-256, the blocks it holds and the
-- head hash it signed (held to blocks when recorded). purge drops a partition of a tiered
-- retention class only when an archive holds each of its blocks; the PURGE event names them.
create table {schema}.archives (
    archive_id integer generated always as identity primary key,
    origin text not null,
    sequence integer not null check (sequence > 0),
    first_block bigint not null check (first_block > 0),
    last_block bigint not null,
    head_hash bytea not null,
    row_count bigint not null check (row_count >= 0),
    manifest_sha256 text not null check (manifest_sha256 ~ '^[0-9a-f]{{64}}$'),
    recorded_at timestamptz not null default pg_catalog.now(),
    recorded_by text not null default session_user,
    check (last_block >= first_block)
);

-- alert_cursor (revision 0008): how far pgaudit-kit alerts has judged the log, as a transaction
-- horizon: every row with txid below it was judged once. Rows below a horizon are all committed
-- or rolled back, so a transaction committing late is never skipped. One row; moved only by
-- alerts_advance, forwards, and never past the current horizon.
create table {schema}.alert_cursor (
    singleton boolean primary key default true check (singleton),
    horizon bigint not null default 0 check (horizon >= 0),
    moved_at timestamptz,
    moved_by text
);
insert into {schema}.alert_cursor default values;

-- archive_record: records an archive that pgaudit-kit archive wrote and read back: the manifest's
-- origin, sequence and SHA-256, its blocks and the head hash it signed. The head must be this
-- chain's block with that hash, so a record names only blocks sealed as the archive holds them
-- (one database may be archived into several folders: each records its own). Recorded as an
-- ARCHIVE event as well. What it cannot check is the folder itself: it is granted to admin roles
-- only, who are trusted to purge, and so to vouch that what purge drops lives on in an archive.
create or replace function {schema}.archive_record(p_origin text, p_sequence integer,
                                                   p_first_block bigint, p_last_block bigint,
                                                   p_head_hash bytea, p_rows bigint,
                                                   p_manifest_sha256 text)
returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_archive_id integer;
begin
    if not exists (select 1 from {schema}.blocks as b
                   where b.block_no = p_last_block and b.block_hash = p_head_hash) then
        raise exception 'pgaudit-kit: block % of this chain does not have the hash the archive signed', p_last_block
            using errcode = 'invalid_parameter_value';
    end if;
    if p_first_block < 1 or p_first_block > p_last_block then
        raise exception 'pgaudit-kit: an archive of blocks % to % holds no block', p_first_block, p_last_block
            using errcode = 'invalid_parameter_value';
    end if;
    insert into {schema}.archives (origin, sequence, first_block, last_block, head_hash,
                                   row_count, manifest_sha256)
    values (p_origin, p_sequence, p_first_block, p_last_block, p_head_hash, p_rows,
            p_manifest_sha256)
    returning archive_id into v_archive_id;
    perform {schema}.record_event('ARCHIVE', null, json_build_object(
        'archive_id', v_archive_id, 'origin', p_origin, 'sequence', p_sequence,
        'blocks', json_build_array(p_first_block, p_last_block),
        'head_hash', encode(p_head_hash, 'hex'), 'rows', p_rows,
        'manifest_sha256', p_manifest_sha256));
    return v_archive_id;
end
$pgaudit$;

-- alerts_advance: moves the alert cursor from p_from to p_to once alerts judged the rows between
-- them: only forwards, never past the transaction horizon (rows above it may still change), and
-- only from where it stands, so of two runs judging the same rows one wins and the other emits
-- nothing. Returns whether it moved.
create or replace function {schema}.alerts_advance(p_from bigint, p_to bigint)
returns boolean
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
begin
    if p_to < p_from or p_to > pg_snapshot_xmin(pg_current_snapshot())::text::bigint then
        raise exception 'pgaudit-kit: the alert cursor moves forwards to at most the transaction horizon'
            using errcode = 'invalid_parameter_value';
    end if;
    update {schema}.alert_cursor
    set horizon = p_to, moved_at = pg_catalog.now(), moved_by = session_user
    where horizon = p_from;
    return found;
end
$pgaudit$;

-- purge: drops whole log partitions whose retention has passed (never DELETEs rows), and says for
-- every past partition what it did and why. A partition is dropped only when:
--   * its end plus the longest retention class of the tables whose rows it holds has passed
--     (events of no table follow the class default; a class with no period keeps rows for ever);
--   * every row in it is sealed, so its blocks are complete;
--   * no active legal hold overlaps it (same table or all tables, overlapping time range);
--   * no block reaches outside it;
--   * for a tiered class (archive_keep set, revision 0008), an archive recorded by
--     archive_record holds every one of its blocks: its rows then live on in the archive.
-- Dropping keeps the block headers (the chain still verifies) and removes their stored leaves;
-- a PURGE event names the partition, range, rows, classes, blocks and archives, and the retention
-- it ran under (every class's period and table's class, so verify can judge later purges after the
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
    v_tiered text;
    v_unarchived bigint;
    v_archives integer[];
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
        select string_agg(r.name, ', ' order by r.name) into v_tiered
        from {schema}.retention_classes as r
        where r.name = any(v_classes) and r.archive_keep is not null;
        select array_agg(a.archive_id order by a.archive_id) into v_archives
        from {schema}.archives as a
        where a.first_block <= any(v_blocks) and a.last_block >= any(v_blocks);
        if v_tiered is not null then
            select min(u.block_no) into v_unarchived
            from unnest(v_blocks) as u(block_no)
            where not exists (select 1 from {schema}.archives as a
                              where u.block_no between a.first_block and a.last_block);
            if v_unarchived is not null then
                action := 'unarchived';
                detail := format('block %s is not archived yet, and class %s keeps its rows in '
                                 'archives: run pgaudit-kit archive first', v_unarchived, v_tiered);
                return next;
                continue;
            end if;
        end if;
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
                'blocks', v_blocks, 'archives', coalesce(v_archives, '{{}}'),
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
            where p.action in ('dropped', 'busy', 'held', 'unsealed', 'unarchived');
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

-- Every revision that creates or replaces functions ends by recording their fingerprints, the
-- ones integrity() compares the live definitions with.
select {schema}.record_function_digests();
