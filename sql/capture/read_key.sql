-- the current HMAC key; capture fails closed rather than store a value it cannot hash
select k.key_id, k.k_in, k.k_out into v_key_id, v_k_in, v_k_out
from {schema}.hmac_keys as k
where k.shredded_at is null
order by k.key_id desc
limit 1;
if v_k_in is null then
    raise exception 'pgaudit-kit: no usable HMAC key in %', {schema_name}
        using hint = 'run pgaudit-kit key rotate';
end if;
