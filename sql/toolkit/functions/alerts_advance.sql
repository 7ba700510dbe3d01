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
