-- apply_policies: a row image (to_jsonb of a row) under column policies looked up by name; any
-- column the map does not name gets p_default (hash or omit), so a column added after apply is
-- never stored in plain text. Used by generic capture only: fast capture bakes each column's
-- policy into its own SQL. The HMAC input is the value as to_jsonb renders it (the same text as
-- the fast path for text and numbers, not for timestamps or arrays).
create or replace function {schema}.apply_policies(p_row jsonb, p_policies jsonb, p_default text,
                                                   p_k_in bytea, p_k_out bytea)
returns json
language sql stable parallel safe
return (
    select coalesce(pg_catalog.json_object_agg(e.key,
               case coalesce(p_policies ->> e.key, p_default)
                   when 'plain' then e.value::json
                   when 'hash' then pg_catalog.to_json({schema}.hmac_token(e.value #>> '{{}}', p_k_in, p_k_out))
                   when 'mask:email' then pg_catalog.to_json({schema}.mask_email(e.value #>> '{{}}'))
                   when 'mask:card' then pg_catalog.to_json({schema}.mask_card(e.value #>> '{{}}'))
                   when 'mask:last4' then pg_catalog.to_json({schema}.mask_last4(e.value #>> '{{}}'))
               end order by e.key), '{{}}'::json)
    from pg_catalog.jsonb_each(p_row) as e
    where coalesce(p_policies ->> e.key, p_default) <> 'omit'
);
