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
