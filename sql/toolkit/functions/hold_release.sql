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
