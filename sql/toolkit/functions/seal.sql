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
