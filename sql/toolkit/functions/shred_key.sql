-- shred_key: crypto-shredding. Destroys a key's material (its pads become NULL; id, dates and the
-- reason stay), so its tokens can never again be linked to a value, by anyone. Rows keep their
-- tokens and hashes, so the chain still verifies. Shredding the current key first rotates to a
-- new one, so capture goes on. Recorded as a KEY event; SECURITY DEFINER, for admin roles only.
create or replace function {schema}.shred_key(p_key_id integer, p_reason text)
returns void
language plpgsql security definer
set search_path = pg_catalog, pg_temp
as $pgaudit$
declare
    v_key {schema}.hmac_keys;
begin
    if coalesce(btrim(p_reason), '') = '' then
        raise exception 'pgaudit-kit: shredding a key needs a reason'
            using errcode = 'invalid_parameter_value';
    end if;
    select * into v_key from {schema}.hmac_keys as k where k.key_id = p_key_id for update;
    if not found then
        raise exception 'pgaudit-kit: key % does not exist', p_key_id
            using errcode = 'no_data_found', hint = 'pgaudit-kit status lists the key ids';
    end if;
    if v_key.shredded_at is not null then
        raise exception 'pgaudit-kit: key % was already shredded on %', p_key_id, v_key.shredded_at
            using errcode = 'object_not_in_prerequisite_state';
    end if;
    if v_key.retired_at is null then
        perform {schema}.rotate_key();
    end if;
    update {schema}.hmac_keys as k
    set k_in = null, k_out = null, shredded_at = now(), shred_reason = p_reason,
        retired_at = coalesce(k.retired_at, now())
    where k.key_id = p_key_id;
    perform {schema}.record_event('KEY', null, json_build_object(
        'action', 'shred', 'key_id', p_key_id, 'reason', p_reason));
end
$pgaudit$;
