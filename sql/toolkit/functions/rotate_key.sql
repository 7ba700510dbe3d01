-- rotate_key: creates a new HMAC key and makes it current: later rows hash under it, earlier rows
-- keep their key_id. The 32-byte key is two gen_random_uuid() values (pg_strong_random, 244 random
-- bits), is never returned or logged, and is stored only as its two pads. The rotation itself is
-- an audit event (op KEY). SECURITY DEFINER so an admin role can be granted it without reading keys.
create or replace function {schema}.rotate_key() returns integer
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_key bytea := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
    v_k_in bytea := decode(repeat('36', 64), 'hex');
    v_k_out bytea := decode(repeat('5c', 64), 'hex');
    v_key_id integer;
begin
    for i in 0..31 loop
        v_k_in := set_byte(v_k_in, i, get_byte(v_key, i) # 54);
        v_k_out := set_byte(v_k_out, i, get_byte(v_key, i) # 92);
    end loop;
    lock table {schema}.hmac_keys in share row exclusive mode;
    update {schema}.hmac_keys set retired_at = now()
    where retired_at is null and shredded_at is null;
    insert into {schema}.hmac_keys (key_id, k_in, k_out)
    select coalesce(max(key_id), 0) + 1, v_k_in, v_k_out from {schema}.hmac_keys
    returning key_id into v_key_id;
    insert into {schema}.log_rows (txid, tx_time, stmt_time, op, table_name, new_values, login_role,
                              effective_role, application_name, client_addr, request_id, trace_id, key_id)
    select c.txid, transaction_timestamp(), statement_timestamp(), 'KEY', null,
           json_build_object('action', 'rotate', 'key_id', v_key_id), c.login_role,
           c.effective_role, c.application_name, c.client_addr, c.request_id, c.trace_id, v_key_id
    from {schema}.statement_context() c;
    return v_key_id;
end
$pgaudit$;
