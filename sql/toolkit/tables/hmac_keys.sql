-- hmac_keys: the secret behind the hash policy. Only the owner role can read it (no grants at all):
-- the app, auditors and investigators never see key material. Each key is stored as its two
-- HMAC pads (k_in = key xor 0x36.., k_out = key xor 0x5c..), precomputed once, so capture needs
-- only the built-in sha256(): no pgcrypto, which the embedded server and some services lack.
-- A shredded key keeps its row (id, dates, reason) with the pads set to NULL.
create table {schema}.hmac_keys (
    key_id integer primary key,
    k_in bytea check (pg_catalog.octet_length(k_in) = 64),
    k_out bytea check (pg_catalog.octet_length(k_out) = 64),
    created_at timestamptz not null default pg_catalog.now(),
    retired_at timestamptz,
    shredded_at timestamptz,
    shred_reason text,
    check ((shredded_at is null) = (k_in is not null and k_out is not null))
);

-- keys: what auditors may know about keys: ids and dates, never material. A view runs with its
-- owner's rights, so granting it does not grant the table.
create view {schema}.keys as
select key_id, created_at, retired_at, shredded_at, shred_reason
from {schema}.hmac_keys;
