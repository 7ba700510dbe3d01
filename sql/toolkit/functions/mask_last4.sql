-- mask_last4: '****' and the last four characters, only when the value has at least sixteen, so
-- a mask never shows more than four characters nor more than a quarter of the value; shorter
-- values become '****'. Not STRICT, so it inlines. Python twin: policies.mask_last4.
create or replace function {schema}.mask_last4(p_value text) returns text
language sql immutable parallel safe
return case
    when p_value is null then null
    when pg_catalog.char_length(p_value) >= 16 then '****' || pg_catalog.right(p_value, 4)
    else '****'
end;
