-- hmac: HMAC-SHA256 (RFC 2104) of a text's UTF-8 bytes from the key's precomputed pads,
-- sha256(k_out || sha256(k_in || message)). Only the built-in sha256() is needed, no extension.
-- STABLE, not IMMUTABLE, because convert_to() is: an IMMUTABLE SQL function calling a STABLE one
-- is never inlined, and inlined it costs a third as much per value in capture's bulk path.
-- Python twin: pgaudit_kit.policies.hmac_token_from_pads.
create or replace function {schema}.hmac(p_message text, p_k_in bytea, p_k_out bytea) returns bytea
language sql stable strict parallel safe
return pg_catalog.sha256(p_k_out || pg_catalog.sha256(p_k_in || pg_catalog.convert_to(p_message, 'UTF8')));
