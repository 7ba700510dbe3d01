-- lookup: the audit rows of one table whose hashed column held a value, under every key that is
-- not shredded. The value comes in, its token is computed here, and only row ids and metadata
-- go out: the key never leaves the database, and nothing returned holds the value. Each lookup
-- is a LOOKUP event naming who asked, for which table and column, and how many rows matched;
-- never the value. SECURITY DEFINER, granted to investigator roles only.
create or replace function {schema}.lookup(p_table_name text, p_column text, p_value text)
returns table (id bigint, txid bigint, tx_time timestamptz, op text, row_key json,
               in_old boolean, in_new boolean, key_id integer)
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_matches bigint;
begin
    if p_value is null or p_value = '' then
        raise exception 'pgaudit-kit: nothing to look up: the value is empty'
            using errcode = 'invalid_parameter_value';
    end if;
    if not exists (select 1 from {schema}.audited_tables as a
                   where a.table_name = p_table_name
                     and (a.policies ->> p_column = 'hash'
                          or a.generic_policies ->> p_column = 'hash')) then
        raise exception 'pgaudit-kit: %.% is not a hashed column of an audited table',
            p_table_name, p_column
            using errcode = 'invalid_parameter_value',
                  hint = 'only hash-policy columns can be looked up; status lists them';
    end if;
    return query
    with tokens as (
        select k.key_id, {schema}.hmac_token(p_value, k.k_in, k.k_out) as token
        from {schema}.hmac_keys as k
        where k.shredded_at is null
    )
    select l.id, l.txid, l.tx_time, l.op, l.row_key,
           coalesce(l.old_values ->> p_column = t.token, false),
           coalesce(l.new_values ->> p_column = t.token, false),
           l.key_id
    from {schema}.log_rows as l
    join tokens as t on t.key_id = l.key_id
    where l.table_name = p_table_name
      and (l.old_values ->> p_column = t.token or l.new_values ->> p_column = t.token
           or l.row_key ->> p_column = t.token)
    order by l.id;
    get diagnostics v_matches = row_count;
    perform {schema}.record_event('LOOKUP', p_table_name, json_build_object(
        'column', p_column, 'matches', v_matches));
end
$pgaudit$;
