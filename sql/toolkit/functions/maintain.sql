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
