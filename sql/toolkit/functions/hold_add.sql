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
