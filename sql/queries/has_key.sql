-- Whether a key that is not shredded exists (read through the keys view, which readers of the
-- trail may read; the key material stays in hmac_keys).
select exists (select 1 from {schema}.keys where shredded_at is null)
