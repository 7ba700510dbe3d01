-- Whether a usable (not shredded) HMAC key exists.
select exists (select 1 from {schema}.hmac_keys where shredded_at is null)
