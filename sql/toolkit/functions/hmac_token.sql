-- hmac_token: what the hash policy stores: 'hmac:' and the hex HMAC. The prefix makes a token
-- recognizable in a JSON image; NULL stays NULL (a missing value is not PII). STABLE like hmac,
-- so both inline into capture's queries.
create or replace function {schema}.hmac_token(p_value text, p_k_in bytea, p_k_out bytea) returns text
language sql stable parallel safe
return 'hmac:' || pg_catalog.encode({schema}.hmac(p_value, p_k_in, p_k_out), 'hex');
